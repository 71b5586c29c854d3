#!/usr/bin/env python3
"""Tables of `make bench` from the serial logs of its boots.

Reads the "@@BENCH what key=value ..." lines rig/initramfs/bench.sh printed
in each log and prints the dma_map_single + dma_unmap_single costs side by
side with their ratios, and the boot map's figures per GiB of dom0 memory
next to XenServer's way of mapping the same memory. Exits non-zero when a
log lacks a figure it should have.

usage: bench-report.py PV_IOMMU_LOG XEN_SWIOTLB_LOG NATIVE_LOG
"""
import re
import sys

GIB = 1 << 30
PAGE = 4096
SIZES = [1, 16, 256]


def bench_lines(path):
    """The @@BENCH records of a log, as (what, {key: value})."""
    records = []
    with open(path, errors="replace") as f:
        for line in f:
            line = re.sub(r"^\((XEN|d0)\) ", "", line.rstrip("\r\n"))
            m = re.match(r"^@@BENCH (\S+) (.*)$", line)
            if m:
                fields = dict(kv.split("=", 1) for kv in m.group(2).split()
                              if "=" in kv)
                records.append((m.group(1), fields))
    return records


def first(records, what):
    return next((f for w, f in records if w == what), None)


def size_name(pages):
    size = pages * PAGE
    return f"{size >> 20} MiB" if size >= 1 << 20 else f"{size >> 10} KiB"


def dma_cell(rec):
    if rec is None:
        return "missing", None
    if "error" in rec:
        return "fails: " + rec["error"].replace("_", " "), None
    total = float(rec["map_us"]) + float(rec["unmap_us"])
    return f"{total:.1f} ({rec['map_us']}+{rec['unmap_us']})", total


def ratio(a, b):
    return f"{a / b:.1f}x" if a is not None and b else "-"


def dma_table(logs, out):
    names = list(logs)
    secs = {n: (first(r, "machine") or {}).get("seconds", "?")
            for n, r in logs.items()}
    out.append("dma_map_single + dma_unmap_single on the 64-bit edu, "
               "1 thread, mean us per pair (map+unmap), "
               f"{secs[names[0]]} s per size:")
    out.append("")
    head = ["size"] + [f"{n} ({(first(logs[n], 'machine') or {}).get('backend', '?')})"
                       for n in names]
    head += [f"{names[1]}/{names[0]}", f"{names[0]}/{names[2]}"]
    rows, missing = [head], 0
    for pages in SIZES:
        cells, totals = [size_name(pages)], []
        for n in names:
            rec = next((f for w, f in logs[n] if w == "dma" and
                        f.get("pages") == str(pages)), None)
            missing += rec is None
            text, total = dma_cell(rec)
            cells.append(text)
            totals.append(total)
        cells += [ratio(totals[1], totals[0]), ratio(totals[0], totals[2])]
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return missing


def map_table(records, out):
    ways = [("bootmap", "ours, at boot"), ("remap_ours", "ours, run time"),
            ("remap_xenserver", "XenServer way, run time")]
    recs = [first(records, w) for w, _ in ways]
    verify = first(records, "verify")
    if not all(recs):
        out.append("boot map figures: missing")
        return 1
    out.append("")
    out.append("Mapping all of dom0's RAM at BFN = PFN, per GiB of dom0 memory. "
               "XenServer way: order 0, an unmap+map")
    out.append("pair per page, 128 ops per hypercall; ours: largest orders, "
               "512 ops per hypercall. IOTLB flushes")
    out.append("= hypercalls (Xen flushes once per hypercall, and again "
               "whenever it preempts one: a lower bound).")
    out.append("")
    rows = [["per GiB"] + [label for _, label in ways] +
            ["XenServer/ours (run time)"]]
    for key, label in [("hypercalls", "hypercalls"), ("ops", "operations"),
                       ("hypercalls", "IOTLB flushes"), ("us", "wall time ms")]:
        per = []
        for rec in recs:
            v = int(rec[key]) * GIB / (int(rec["pages"]) * PAGE)
            per.append(v / 1000 if key == "us" else v)
        fmt = "{:,.1f}" if key == "us" else "{:,.0f}"
        rows.append([label] + [fmt.format(v) for v in per] +
                    [ratio(per[2], per[1])])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    out.append("")
    out.append("dom0 RAM mapped (GiB): " + ", ".join(
        f"{label} {int(rec['pages']) * PAGE / GIB:.3f}"
        for (_, label), rec in zip(ways, recs)))
    out.append("run-time remaps: " + ", ".join(
        f"{w} failed ops {rec['failed']} error {rec['error']}"
        for (w, _), rec in zip(ways[1:], recs[1:])))
    out.append("edu round trip after them: " +
               (" ".join(f"{k} {v}" for k, v in verify.items())
                if verify else "missing"))
    return 0


def backends_table(logs, out):
    """A PVH domU's disk and NIC through dom0's backends, both Xen boots."""
    names = ["pv-iommu", "xen-swiotlb"]
    recs = {n: {w: first(logs[n], w) for w in
                ("backends_disk", "backends_net", "backends_grants")}
            for n in names}
    if not all(all(r.values()) for r in recs.values()):
        out.append("")
        out.append("backends figures: missing")
        return 1
    mib = recs[names[0]]["backends_disk"]["mib"]
    out.append("")
    out.append(f"A PVH domU's I/O through dom0's backends (blkback on the NVMe, "
               f"netback onto the e1000e), {mib} MiB each way,")
    out.append("O_DIRECT 4 MiB requests; 4 KiB random reads for 10 s. "
               "Grant ops: those dom0 sent with a device mapping")
    out.append("at BFN = PFN (they ride in the grant hypercalls: no hypercall "
               "of their own), per MiB moved.")
    out.append("")
    rows = [["figure"] + names + [f"{names[0]}/{names[1]}"]]
    for what, key, label in [
            ("backends_disk", "write_mbs", "disk write MB/s"),
            ("backends_disk", "read_mbs", "disk read MB/s"),
            ("backends_disk", "iops", "disk 4 KiB random read IOPS"),
            ("backends_net", "mbs", "net send MB/s (every byte checked)")]:
        vals = [float(recs[n][what][key]) for n in names]
        rows.append([label] + [f"{v:,.1f}" for v in vals] +
                    [ratio(vals[0], vals[1])])
    for key, label in [("maps", "grant maps with a BFN per MiB"),
                       ("unmaps", "grant unmaps with a BFN per MiB")]:
        vals = [int(recs[n]["backends_grants"][key]) /
                int(recs[n]["backends_grants"]["mib"]) for n in names]
        rows.append([label] + [f"{v:.2f}" for v in vals] + ["-"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return 0


def balloon_table(logs, out):
    recs = {n: first(r, "balloon") for n, r in logs.items()
            if first(r, "balloon")}
    if not recs:
        out.append("")
        out.append("ballooning: missing")
        return 1
    out.append("")
    out.append("Ballooning out and back in through the balloon driver "
               "(xen_memory0/target_kb; 10 ms")
    out.append("steps, timed by a polling loop: lower bounds of the rates).")
    out.append("")
    rows = [["", *recs]]
    for key, label in [("out_ms", "pages/s out"), ("in_ms", "pages/s in")]:
        rows.append([label] + [
            "fails: " + r["error"] if "error" in r else
            f"{int(r['pages']) * 1000 / max(int(r[key]), 10):,.0f}"
            for r in recs.values()])
    rows.append(["iommu_op hypercalls per MiB"] + [
        "-" if "error" in r else
        f"{int(r['iommu_hypercalls']) * 256 / (2 * int(r['pages'])):.2f}"
        for r in recs.values()])
    rows.append(["pages each way"] + [r.get("pages", "-")
                                      for r in recs.values()])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return 0


def emu_table(records, out):
    """The emulator interface: map + unmap one frame per call vs batched."""
    recs = [f for w, f in records if w == "emu_foreign"]
    out.append("")
    if not recs or any("error" in r for r in recs):
        out.append("emulator map+unmap: " + ("missing" if not recs else
                   " ".join(r.get("error", "") for r in recs)))
        return 1
    out.append("The example emulator maps a PVH domU's frames and unmaps "
               "them (pv_iommu_emu_map/unmap on")
    out.append("the PV-IOMMU), one frame per call and a batch per call. "
               "IOTLB flushes = hypercalls (at most")
    out.append("one flush per hypercall).")
    out.append("")
    rows = [["frames per call", "frames", "frames/s (map+unmap)",
             "hypercalls per 1000 frames"]]
    for r in recs:
        frames = int(r["frames"])
        rows.append([r["batch"], r["frames"],
                     f"{frames * 1e6 / max(int(r['us']), 1):,.0f}",
                     f"{int(r['hypercalls']) * 1000 / frames:,.1f}"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return 0


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    logs = {name: bench_lines(path) for name, path in
            zip(["pv-iommu", "xen-swiotlb", "native"], sys.argv[1:])}
    out = []
    missing = dma_table(logs, out)
    missing += map_table(logs["pv-iommu"], out)
    missing += backends_table(logs, out)
    missing += balloon_table(logs, out)
    missing += emu_table(logs["pv-iommu"], out)
    print("\n".join(out))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
