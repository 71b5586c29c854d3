#!/usr/bin/env python3
"""Judge a serial log of the test VM.

Collects every test result the stages printed (TAP between @@BEGIN/@@END
markers), prints them and an 'N passed, N failed' line, and fails on any
failed test, on a missing stage end (crash or hang), on a kernel or Xen
error report anywhere in the log, or on a kmemleak leak.

usage: check-log.py SERIAL_LOG [--timed-out] [--demo]
"""
import re
import sys

# Reports that fail the run wherever they appear in the log.
KERNEL_ERRORS = [
    (r"\bOops\b|^(?!.*\btraps: ).*general protection fault|Kernel panic",
     "dom0 crash"),
    # A user-space program killed by a fault: "exe[230]: segfault at 0 ip
    # ...", "traps: xl[188] general protection fault ip:...". Nothing in
    # the test VM is expected to crash; once, that was the QEMU FPU bug
    # that rig/run-vm.sh works around.
    (r"\bsegfault at |\btraps: \S+\[\d+\] ", "user-space crash"),
    (r"\bBUG: |kernel BUG at", "dom0 BUG"),
    (r"WARNING: .* at |------------\[ cut here \]------------", "dom0 WARNING"),
    (r"\bKFENCE: ", "KFENCE report"),
    (r"possible circular locking|inconsistent lock state|"
     r"possible recursive locking|suspicious RCU usage", "lockdep report"),
    (r"DMA-API: (?!preallocated|debugging)", "DMA-API debug report"),
    (r"Assertion '.*' failed", "Xen ASSERT failed"),
    (r"Xen BUG at|Xen WARN at|FATAL TRAP|Panic on CPU", "Xen crash"),
    # Xen 4.17 drivers/passthrough/vtd/iommu.c, iommu_page_fault_do_one():
    # "[VT-D]DMAR:[DMA Write] Request device [0000:00:10.0] fault addr 1000",
    # "[VT-D]INTR-REMAP: Request device [...] fault index 5", and the
    # "[VT-D]UNKNOWN: Request device ..." of other fault reasons.
    (r"\[VT-D\](DMAR:\[DMA (Read|Write)\]|INTR-REMAP:|UNKNOWN:) "
     r"Request device|IO_PAGE_FAULT", "IOMMU fault"),
    # QEMU's own VT-d model, on a DMA it cannot translate (to its stderr).
    (r"detected translation failure|detected read error on DMAR",
     "IOMMU fault (QEMU)"),
]

# Reports of Linux 6.1 itself, not of our code, that the Xen toolstack sets
# off: (first line, a line within the next few that identifies it, why).
KNOWN_UPSTREAM = [
    (r"possible circular locking", r"at: gntdev_mmap",
     "gntdev: gntdev_ioctl() copies to user space under priv->lock, "
     "gntdev_mmap() takes it under mmap_lock (xenstored)"),
]

# A test that makes a device fault on purpose says so first, on a line
# "@@EXPECT-IOMMU-FAULT 0000:00:11.0 1f000" (device, bus address in hex):
# a fault report of that device at that page is then expected, not failed,
# and one that never comes fails the run.
EXPECT_FAULT = re.compile(r"@@EXPECT-IOMMU-FAULT (\S+) ([0-9a-fA-F]+)")
FAULT_AT = [
    # Xen's VT-d report: "... Request device [0000:00:11.0] fault addr 1f000"
    re.compile(r"Request device \[(?P<dev>[0-9a-f:.]+)\] fault addr "
               r"(?P<addr>[0-9a-f]+)"),
    # QEMU's: "detected translation failure (dev=00:11:00, iova=0x1f000)"
    re.compile(r"translation failure \(dev=(?P<bus>[0-9a-f]+):"
               r"(?P<slot>[0-9a-f]+):(?P<fn>[0-9a-f]+), iova=0x(?P<addr>[0-9a-f]+)"),
    # Xen's AMD-Vi report: "IO_PAGE_FAULT: 0000:00:11.0 d0 addr 000000001f000"
    re.compile(r"IO_PAGE_FAULT: (?P<dev>[0-9a-f:.]+) d\d+ addr (?P<addr>[0-9a-f]+)"),
]


def fault_key(line):
    """(device, page) of an IOMMU fault report, or None. Only Xen's reports
    satisfy an expectation (QEMU's are printed once per run)."""
    for pattern in FAULT_AT:
        m = pattern.search(line)
        if not m:
            continue
        d = m.groupdict()
        dev = d.get("dev") or "0000:%02x:%02x.%x" % (
            int(d["bus"], 16), int(d["slot"], 16), int(d["fn"], 16))
        return dev, int(d["addr"], 16) >> 12
    return None


TAP = re.compile(r"^(\s*)(not ok|ok) (\d+) ([^#]*?)\s*(#\s*(SKIP|skip).*)?$")


def strip(line):
    # Xen prefixes guest console lines on a shared serial port.
    return re.sub(r"^\((XEN|d0)\) ", "", line.rstrip("\r\n"))


def known_upstream(lines, i):
    """Why the report at lines[i] is a known Linux one, or None."""
    for first, mark, why in KNOWN_UPSTREAM:
        if re.search(first, lines[i]) and any(
                re.search(mark, l) for l in lines[i + 1:i + 20]):
            return why
    return None


def expected_faults(lines):
    """The (device, page) pairs that tests announced they would fault."""
    expected = set()
    for raw in lines:
        m = EXPECT_FAULT.search(raw)
        if m:
            expected.add((m.group(1), int(m.group(2), 16) >> 12))
    return expected


def parse(lines):
    results, problems, stages = [], [], []
    stage, suite, leaks = None, None, []
    expected, seen = expected_faults(lines), set()
    for i, raw in enumerate(lines):
        line = strip(raw)
        key = fault_key(line)
        if key in expected:
            if "translation failure" not in line:
                seen.add(key)
            print(f"NOTE: expected IOMMU fault: {line.strip()}")
            continue
        for pattern, what in KERNEL_ERRORS:
            if not re.search(pattern, line):
                continue
            why = known_upstream(lines, i)
            if why:
                print(f"NOTE: known Linux 6.1 {what}, not failed: {why}")
            else:
                problems.append(f"{what}: {line.strip()}")
        m = re.match(r"^@@BEGIN (\S+)", line)
        if m:
            stage, suite = m.group(1), None
            stages.append([stage, None])
            continue
        m = re.match(r"^@@END (\S+) rc=(\d+)", line)
        if m:
            stages[-1][1] = int(m.group(2))
            stage = None
            continue
        if stage is None:
            continue
        if stage == "kmemleak":
            if "unreferenced object" in line:
                leaks.append(line.strip())
            continue
        m = re.match(r"^\s*# Subtest: (\S+)", line)
        if m:
            suite = m.group(1)
            continue
        m = TAP.match(line)
        if not m:
            continue
        indent, verdict, _, name, skip = m.groups()[:5]
        if stage.endswith("kunit"):
            if not indent:
                continue    # a suite's summary line; its cases count
            name = f"{suite}.{name}"
        status = "skip" if skip else ("pass" if verdict == "ok" else "fail")
        results.append((f"{stage}:{name}", status))
    for dev, page in sorted(expected - seen):
        problems.append(f"expected IOMMU fault of {dev} at {page << 12:#x} "
                        "was never reported")
    return results, problems, stages, leaks


def main():
    path = sys.argv[1]
    timed_out = "--timed-out" in sys.argv
    with open(path, errors="replace") as f:
        lines = f.readlines()
    results, problems, stages, leaks = parse(lines)
    done = any(strip(l).startswith("@@RIG done") for l in lines)

    for name, status in results:
        print(f"{status.upper():4} {name}")
    for stage, rc in stages:
        if rc is None:
            problems.append(f"stage '{stage}' never finished")
    if leaks:
        problems.append(f"kmemleak: {len(leaks)} leak(s): {leaks[0]}")
    if timed_out:
        problems.append("the VM hung: QEMU was killed at the timeout")
    elif not done:
        problems.append("the VM stopped before dom0's init finished")
    if not results and "--demo" not in sys.argv:
        problems.append("no test result in the log")

    passed = sum(1 for _, s in results if s == "pass")
    failed = sum(1 for _, s in results if s == "fail")
    skipped = sum(1 for _, s in results if s == "skip")
    for p in problems:
        print(f"ERROR: {p}")
    if problems and (timed_out or not done):
        print(f"--- last 50 lines of {path} ---")
        sys.stdout.writelines(lines[-50:])
        print("---")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
