#!/usr/bin/env python3
"""Tables of `make bench` from the serial logs of its boots.

Reads the "@@BENCH what key=value ..." lines rig/initramfs/bench.sh printed
in each log and prints the dma_map_single + dma_unmap_single costs side by
side with their ratios, and the boot map's figures per GiB of dom0 memory
next to Xen's own identity map and XenServer's way of mapping the same
memory, at each dom0 size booted; with --plots DIR, SVG plots of both
(gnuplot) in DIR. Exits non-zero when a log lacks a figure it should have.

With --debian LOG, the boot of Debian's own Xen (xen-swiotlb as a Debian
host has it) is a column of the DMA, backends and balloon tables too.

usage: bench-report.py [--plots DIR] [--debian LOG] PV_IOMMU_LOG
                       XEN_SWIOTLB_LOG NATIVE_LOG [BOOTMAP_LOG...]
"""
import os
import re
import subprocess
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


def number(text):
    """A figure of a record, or None for one that is missing or empty."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def ratio(a, b):
    if a is None or not b:
        return "-"
    r = a / b
    return f"{r:,.0f}x" if r >= 100 else f"{r:.1f}x" if r >= 1 else f"{r:.2g}x"


def dma_totals(logs):
    """{backend: [map+unmap us per size or None]}"""
    res = {}
    for n, records in logs.items():
        res[n] = []
        for pages in SIZES:
            rec = next((f for w, f in records if w == "dma" and
                        f.get("pages") == str(pages)), None)
            res[n].append(dma_cell(rec)[1])
    return res


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
    head += [f"{n}/{names[0]}" for n in names[3:]]
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
        cells += [ratio(t, totals[0]) for t in totals[3:]]
        rows.append(cells)
    table(rows, out)
    return missing


IDMAP = re.compile(r"IOMMU identity map d0: (.*)$")


def identity_map(path):
    """Xen's own identity map of dom0 in that boot (its (XEN) line)."""
    with open(path, errors="replace") as f:
        for line in f:
            m = IDMAP.search(line.rstrip("\r\n"))
            if m:
                return {k: int(v) for k, v in
                        (kv.split("=", 1) for kv in m.group(1).split())}
    return None


XEN_SIZES = [("map_4k", "4K"), ("map_2m", "2M"), ("map_1g", "1G")]


def boot_map(path):
    """The boot map of one boot, Xen's counts the identity map's excluded:
    {dom0_gib, pages, ops, hypercalls, flushes, map_4k.., ms, idmap}."""
    records = bench_lines(path)
    rec, idm = first(records, "bootmap"), identity_map(path)
    if rec is None or idm is None or "xen_iotlb_flushes" not in rec:
        return None
    b = {"pages": int(rec["pages"]), "ops": int(rec["ops"]),
         "hypercalls": int(rec["hypercalls"]), "ms": int(rec["us"]) / 1000,
         "flushes": int(rec["xen_iotlb_flushes"]) - idm["iotlb_flushes"],
         "orders": rec.get("orders", ""), "idmap": idm,
         "remap_ours": first(records, "remap_ours"),
         "remap_xenserver": first(records, "remap_xenserver"),
         "verify": first(records, "verify")}
    for key, _ in XEN_SIZES:
        b[key] = int(rec["xen_" + key]) - idm[key]
    b["dom0_gib"] = b["pages"] * PAGE / GIB
    return b


def per_gib(value, pages):
    return value * GIB / (pages * PAGE)


def table(rows, out):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def sizes_cell(rec):
    return " ".join(f"{label}:{rec[key]:,}" for key, label in XEN_SIZES)


def map_table(maps, out):
    """The boot map at each dom0 size, per GiB, next to Xen's identity map
    of the same boot and XenServer's way (measured in the 1 GiB boot; it is
    linear in pages: 2 ops per page, 128 per hypercall)."""
    if not maps or any(m is None for m in maps):
        out.append("")
        out.append("boot map figures: missing")
        return 1
    xs = next((m["remap_xenserver"] for m in maps if m["remap_xenserver"]),
              None)
    out.append("")
    out.append("Mapping all of dom0's RAM at BFN = PFN, per GiB of the memory "
               "mapped. ours: the boot map (largest")
    out.append("orders, 512 ops per hypercall); Xen: its own identity map of "
               "all host RAM at boot (arch_iommu_hwdom_init(),")
    out.append("BFN = MFN, largest pages), same boot; XenServer: order 0, "
               "an unmap+map pair per page, 128 ops per hypercall")
    out.append("(run time, 1 GiB boot). IOTLB flushes and mappings by page "
               "size are counted by Xen.")
    out.append("")
    rows = [["dom0", "figure per GiB", "ours", "Xen identity", "XenServer",
             "XenServer/ours", "Xen/ours"]]
    for m in maps:
        idm, pages = m["idmap"], m["pages"]
        idm_pages = idm["pages"]
        idm_ops = sum(idm[k] for k, _ in XEN_SIZES)
        figs = [
            ("operations (dom0's)", per_gib(m["ops"], pages), None,
             xs and per_gib(int(xs["ops"]), int(xs["pages"])), "{:,.1f}"),
            ("IOMMU mappings (Xen's)",
             per_gib(sum(m[k] for k, _ in XEN_SIZES), pages),
             per_gib(idm_ops, idm_pages),
             xs and "xen_map_4k" in xs and
             per_gib(sum(int(xs["xen_" + k]) for k, _ in XEN_SIZES),
                     int(xs["pages"])), "{:,.1f}"),
            ("hypercalls", per_gib(m["hypercalls"], pages), None,
             xs and per_gib(int(xs["hypercalls"]), int(xs["pages"])), "{:,.1f}"),
            ("IOTLB flushes", per_gib(m["flushes"], pages),
             per_gib(idm["iotlb_flushes"], idm_pages),
             xs and "xen_iotlb_flushes" in xs and
             per_gib(int(xs["xen_iotlb_flushes"]), int(xs["pages"])), "{:,.1f}"),
            ("wall time ms", per_gib(m["ms"], pages),
             per_gib(idm["us"] / 1000, idm_pages),
             xs and per_gib(int(xs["us"]) / 1000, int(xs["pages"])), "{:,.1f}"),
        ]
        for i, (label, ours, xen, xsv, fmt) in enumerate(figs):
            rows.append([f"{m['dom0_gib']:.1f} GiB" if i == 0 else "", label,
                         fmt.format(ours),
                         "-" if xen is None else fmt.format(xen),
                         "-" if not xsv else fmt.format(xsv),
                         ratio(xsv or None, ours), ratio(xen, ours)])
    table(rows, out)
    out.append("")
    rows = [["dom0", "ours: ops", "hypercalls", "flushes", "mappings (Xen)",
             "ms", "Xen identity: pages", "mappings", "flushes", "ms"]]
    for m in maps:
        idm = m["idmap"]
        rows.append([f"{m['dom0_gib']:.1f} GiB", f"{m['ops']:,}",
                     f"{m['hypercalls']:,}", f"{m['flushes']:,}",
                     sizes_cell(m), f"{m['ms']:,.1f}", f"{idm['pages']:,}",
                     sizes_cell(idm), f"{idm['iotlb_flushes']:,}",
                     f"{idm['us'] / 1000:,.1f}"])
    table(rows, out)
    out.append("")
    out.append("Pages the boot map mapped, by order (driver's count, "
               "order:mappings): " + "; ".join(
                   f"{m['dom0_gib']:.0f} GiB {m['orders'] or '-'}"
                   for m in maps))
    for m in maps:
        for way in ("remap_ours", "remap_xenserver"):
            r = m[way]
            if r:
                out.append(f"{m['dom0_gib']:.0f} GiB run-time {way[6:]}: "
                           f"{int(r['ops']):,} ops, {int(r['hypercalls']):,} "
                           f"hypercalls, {r.get('xen_iotlb_flushes', '?')} "
                           f"flushes (Xen), {int(r['us']) / 1000:,.1f} ms, "
                           f"failed ops {r['failed']}, error {r['error']}")
        v = m["verify"]
        out.append(f"{m['dom0_gib']:.0f} GiB edu round trip after them: " +
                   (" ".join(f"{k} {v2}" for k, v2 in v.items())
                    if v else "missing"))
    return 0


def backends_table(logs, out):
    """A PVH domU's disk and NIC through dom0's backends, both Xen boots."""
    names = [n for n in logs if n != "native"]
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
    rows = [["figure"] + names + [f"{names[0]}/{n}" for n in names[1:]]]
    missing = 0
    for what, key, label in [
            ("backends_disk", "write_mbs", "disk write MB/s"),
            ("backends_disk", "read_mbs", "disk read MB/s"),
            ("backends_disk", "iops", "disk 4 KiB random read IOPS"),
            ("backends_net", "mbs", "net send MB/s (every byte checked)")]:
        vals = [number(recs[n][what].get(key)) for n in names]
        missing |= None in vals
        rows.append([label] + ["missing" if v is None else f"{v:,.1f}"
                               for v in vals] +
                    [ratio(vals[0], v) for v in vals[1:]])
    for key, label in [("maps", "grant maps with a BFN per MiB"),
                       ("unmaps", "grant unmaps with a BFN per MiB"),
                       ("xen_iotlb_flushes", "IOTLB flushes (Xen's) per MiB")]:
        vals = [number(recs[n]["backends_grants"].get(key)) for n in names]
        mibs = [int(recs[n]["backends_grants"]["mib"]) for n in names]
        rows.append([label] + ["-" if v is None else f"{v / m:.2f}"
                               for v, m in zip(vals, mibs)] +
                    ["-"] * (len(names) - 1))
    table(rows, out)
    return missing


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
    table(rows, out)
    return 0


def graph_table(logs, out):
    """Function graph timings of a 4 KiB pair, one call deep, per backend."""
    fns = ["dma_map_page_attrs", "dma_unmap_page_attrs", "ktime_get"]
    names = [n for n in logs if first(logs[n], "graph")]
    if not names:
        return 0
    out.append("")
    out.append("Where a 4 KiB pair goes: mean us per call under the function "
               "graph tracer (one call deep, its own")
    out.append("cost included, 1 s run; the benchmark brackets map and unmap "
               "with ktime_get()). Clocksource: " + ", ".join(
                   f"{n} {(first(logs[n], 'machine') or {}).get('clocksource', '?')}"
                   for n in names))
    out.append("")
    rows = [["function"] + names]
    for fn in fns:
        cells = []
        for n in names:
            rec = next((f for w, f in logs[n] if w == "graph" and
                        f.get("fn") == fn), None)
            cells.append(f"{float(rec['mean_us']):.2f}" if rec else "-")
        rows.append([fn] + cells)
    table(rows, out)
    return 0


def gnuplot(script, out):
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError) as e:
        out.append(f"plots: gnuplot failed: {e}")
        return 1
    return 0


def plots(outdir, logs, maps, out):
    """bench-dma.svg: map+unmap cost by buffer size per backend;
    bench-bootmap.svg: the boot map's cost by dom0 size."""
    dma = dma_totals(logs)
    dat = os.path.join(outdir, "bench-dma.dat")
    with open(dat, "w") as f:
        f.write("# size " + " ".join(dma) + "\n")
        for i, pages in enumerate(SIZES):
            f.write(f'"{size_name(pages)}" ' + " ".join(
                "NaN" if dma[n][i] is None else f"{dma[n][i]:.2f}"
                for n in dma) + "\n")
    cols = " ,".join(f"'{dat}' using {i + 2}:xtic(1) title '{n}'"
                     for i, n in enumerate(dma))
    rc = gnuplot(f"""set terminal svg size 640,400 dynamic font 'sans,12'
set output '{os.path.join(outdir, "bench-dma.svg")}'
set title 'dma\\_map\\_single + unmap, 64-bit edu, QEMU TCG'
set ylabel 'us per pair (log)'
set xlabel 'buffer size (a missing bar: the map failed)'
set logscale y
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set key top left
set grid ytics
plot {cols}
""", out)
    maps = [m for m in maps if m]
    if not maps:
        return rc + 1
    dat = os.path.join(outdir, "bench-bootmap.dat")
    xs = next((m["remap_xenserver"] for m in maps if m["remap_xenserver"]),
              None)
    with open(dat, "w") as f:
        f.write("# dom0_gib ours_ops ours_ms xen_ops xen_ms xenserver_ops "
                "xenserver_ms (XenServer: 1 GiB figure times GiB)\n")
        for m in maps:
            idm, g = m["idmap"], m["dom0_gib"]
            idm_ops = sum(idm[k] for k, _ in XEN_SIZES)
            scale = g * GIB / PAGE / idm["pages"]
            xs_ops = per_gib(int(xs["ops"]), int(xs["pages"])) * g if xs else "NaN"
            xs_ms = (per_gib(int(xs["us"]) / 1000, int(xs["pages"])) * g
                     if xs else "NaN")
            f.write(f"{g:.2f} {m['ops']} {m['ms']:.2f} {idm_ops * scale:.1f} "
                    f"{idm['us'] / 1000 * scale:.2f} {xs_ops} {xs_ms}\n")
    rc += gnuplot(f"""set terminal svg size 900,400 dynamic font 'sans,12'
set output '{os.path.join(outdir, "bench-bootmap.svg")}'
set multiplot layout 1,2 title 'Mapping all of dom0 at BFN = PFN, release Xen, QEMU TCG'
set logscale xy
set xlabel 'dom0 memory (GiB)'
set key top left
set grid
set xtics (1, 4, 16)
set title 'IOMMU operations'
plot '{dat}' using 1:2 with linespoints title 'ours (boot map)', \
     '' using 1:4 with linespoints title 'Xen identity map (scaled to dom0)', \
     '' using 1:6 with linespoints dashtype 2 title 'XenServer (1 GiB run x GiB)'
set title 'wall time (ms)'
plot '{dat}' using 1:3 with linespoints title 'ours (boot map)', \
     '' using 1:5 with linespoints title 'Xen identity map (scaled to dom0)', \
     '' using 1:7 with linespoints dashtype 2 title 'XenServer (1 GiB run x GiB)'
unset multiplot
""", out)
    out.append("")
    out.append("Plots: bench-dma.svg (map cost by buffer size per backend), "
               "bench-bootmap.svg (boot map cost by dom0 size).")
    return rc


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
    out.append("the PV-IOMMU), one frame per call and a batch per call; "
               "IOTLB flushes counted by Xen.")
    out.append("")
    rows = [["frames per call", "frames", "frames/s (map+unmap)",
             "hypercalls per 1000 frames", "IOTLB flushes per 1000 frames"]]
    for r in recs:
        frames = int(r["frames"])
        flushes = number(r.get("xen_iotlb_flushes"))
        rows.append([r["batch"], r["frames"],
                     f"{frames * 1e6 / max(int(r['us']), 1):,.0f}",
                     f"{int(r['hypercalls']) * 1000 / frames:,.1f}",
                     "missing" if flushes is None else
                     f"{flushes * 1000 / frames:,.1f}"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return 0


def main():
    args, opts = sys.argv[1:], {}
    while args[:1] in (["--plots"], ["--debian"]) and len(args) > 1:
        opts[args[0]], args = args[1], args[2:]
    outdir = opts.get("--plots")
    if len(args) < 3:
        sys.exit(__doc__)
    logs = {name: bench_lines(path) for name, path in
            zip(["pv-iommu", "xen-swiotlb", "native"], args)}
    if "--debian" in opts:
        logs["xen-swiotlb-debian"] = bench_lines(opts["--debian"])
    maps = [boot_map(args[0])] + [boot_map(p) for p in args[3:]]
    out = []
    missing = dma_table(logs, out)
    missing += graph_table(logs, out)
    missing += map_table(maps, out)
    missing += backends_table(logs, out)
    missing += balloon_table(logs, out)
    missing += emu_table(logs["pv-iommu"], out)
    if outdir:
        missing += plots(outdir, logs, maps, out)
    print("\n".join(out))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
