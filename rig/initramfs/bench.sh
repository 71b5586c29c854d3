#!/bin/sh
# make bench, inside the VM (rig.mode=bench). Prints "@@BENCH what k=v ..."
# lines for rig/bench-report.py:
# - the cost of dma_map_single + dma_unmap_single on the 64-bit edu for 1,
#   16 and 256 pages, measured by the kernel's dma_map_benchmark driver;
# - ballooning BALLOON_MIB out and back in (under Xen): pages per second
#   each way and the PV-IOMMU hypercalls it took;
# - on the PV-IOMMU, the boot map's figures, and the same memory mapped
#   again at run time the way XenServer's dom0 does and the way the boot
#   map does (test helper's remap), then an edu DMA round trip to show the
#   map still works;
# - under Xen, a PVH domU's disk and NIC throughput through dom0's backends;
# - on the PV-IOMMU, an emulator's map + unmap of a domU's frames, one per
#   call and batched.
# Xen's own counts of dom0's IOTLB flushes and IOMMU mappings by page size
# (the 'F' debug key, read with xl) go with the boot map and the remaps.
# Kernel command line: rig.bench_seconds=N, seconds per size (default 5);
# rig.bench_what=bootmap, only the boot map, "ours" remap and the edu round
# trip (make bench's larger dom0 sizes; XenServer's way takes minutes per
# GiB under TCG); rig.bench_what=dma, only the DMA map costs and profile.
. /rig/lib.sh
# The 64-bit edu: the second one (rig/run-vm.sh).
EDU=$(edu_devices | sed -n 2p)
BALLOON_MIB=64
DEV=/sys/bus/pci/devices/$EDU
STATS=/sys/kernel/debug/pv-iommu/stats
HELPER=/sys/kernel/debug/pv_iommu_test
SECS=$(sed -n 's/.*rig\.bench_seconds=\([0-9]*\).*/\1/p' /proc/cmdline)
SECS=${SECS:-5}
WHAT=$(sed -n 's/.*rig\.bench_what=\([a-z]*\).*/\1/p' /proc/cmdline)
WHAT=${WHAT:-all}

stat_of() { sed -n "s/^$1: //p" $STATS; }

# Xen's counters of dom0's IOMMU, "xen_iotlb_flushes=N xen_map_4k=N
# xen_map_2m=N xen_map_1g=N" (printed by the 'F' debug key into Xen's
# console ring).
xen_iommu_stats() {
	xl debug-keys F && xl dmesg | sed -n 's/.*IOMMU stats d0: //p' |
		tail -n 1 | sed 's/\([a-z0-9_]*=\)/xen_\1/g'
}

# kv_delta BEFORE AFTER: AFTER's k=N pairs minus BEFORE's, same keys.
kv_delta() {
	echo "$1 $2" | awk '{
		n = NF / 2
		for (i = 1; i <= n; i++) {
			split($i, a, "="); split($(i + n), b, "=")
			printf "%s=%d ", b[1], b[2] - a[2]
		}
	}'
}

# The pages the driver mapped, by order: "orders=0:N,9:N,...".
orders() {
	echo "orders=$(sed -n 's/^mapped_order_\([0-9]*\): \([0-9]*\)/\1:\2/p' $STATS | tr "\n" , | sed "s/,$//")"
}

# The DMA path of the 64-bit edu.
backend() {
	if [ -r $STATS ]; then
		grep -q '^active: yes' $STATS && echo pv-iommu || echo xen-swiotlb
	elif [ -e $DEV/iommu_group ]; then
		echo iommu-dma
	else
		echo dma-direct
	fi
}

# Hand the edu to the dma_map_benchmark driver.
bind_benchmark() {
	[ -e $DEV/driver ] && echo $EDU >$DEV/driver/unbind
	echo dma_map_benchmark >$DEV/driver_override
	echo $EDU >/sys/bus/pci/drivers/dma_map_benchmark/bind
}

unbind_benchmark() {
	echo $EDU >$DEV/driver/unbind
	echo >$DEV/driver_override
}

# dma_bench PAGES: one dma_map_benchmark run, 1 thread, 64-bit mask.
dma_bench() {
	local out map unmap
	out=$(/bench/dma_map_benchmark -t 1 -s "$SECS" -b 64 -g "$1" 2>&1)
	map=$(echo "$out" | sed -n 's/^average map latency(us):\([0-9.]*\) standard deviation:\([0-9.]*\)/\1 \2/p')
	unmap=$(echo "$out" | sed -n 's/^average unmap latency(us):\([0-9.]*\) standard deviation:\([0-9.]*\)/\1 \2/p')
	if [ -n "$map" ] && [ -n "$unmap" ]; then
		set -- "$1" $map $unmap
		echo "@@BENCH dma backend=$BACKEND pages=$1 map_us=$2 map_sd=$3 unmap_us=$4 unmap_sd=$5"
	else
		echo "@@BENCH dma backend=$BACKEND pages=$1 error=$(echo "$out" | tail -1 | tr ' ' _)"
	fi
}

# Where a 4 KiB pair's time goes: the function graph tracer times, one
# call deep, dma_map_page_attrs(), dma_unmap_page_attrs() and the
# ktime_get() the benchmark brackets each with, for a 1 s run; mean us per
# call (the tracer's own cost included, the same on every backend: the
# same kernel runs them all).
graph_profile() {
	local t=/sys/kernel/debug/tracing fn
	[ -w $t/current_tracer ] || return 0
	echo 0 >$t/tracing_on
	echo function_graph >$t/current_tracer
	echo 1 >$t/max_graph_depth
	echo "dma_map_page_attrs dma_unmap_page_attrs ktime_get" >$t/set_graph_function
	echo >$t/trace
	echo 1 >$t/tracing_on
	/bench/dma_map_benchmark -t 1 -s 1 -b 64 -g 1 >/dev/null 2>&1
	echo 0 >$t/tracing_on
	for fn in dma_map_page_attrs dma_unmap_page_attrs ktime_get; do
		awk -v fn="$fn" -v b="$BACKEND" '
			$0 ~ " " fn "\\(\\);" {
				for (i = 1; i < NF; i++)
					if ($(i + 1) == "us") { n++; sum += $i; break }
			}
			END { if (n) printf "@@BENCH graph backend=%s fn=%s calls=%d mean_us=%.3f\n", b, fn, n, sum / n }' $t/trace
	done
	echo nop >$t/current_tracer
	echo >$t/set_graph_function
}

# ms since boot (10 ms steps)
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

# BALLOON_MIB out and back in through the balloon driver, timed, with the
# iommu_op hypercalls pv-iommu/stats counted meanwhile.
balloon_bench() {
	local target h t0 t1 t2
	[ -d $XEN_MEMORY ] || return 0
	target=$(cat $XEN_MEMORY/target_kb)
	h=$(stat_of hypercalls)
	t0=$(now_ms)
	if balloon_to $((target - BALLOON_MIB * 1024)) 60 && t1=$(now_ms) &&
		balloon_to "$target" 60; then
		t2=$(now_ms)
		echo "@@BENCH balloon backend=$BACKEND pages=$((BALLOON_MIB * 256)) out_ms=$((t1 - t0)) in_ms=$((t2 - t1)) iommu_hypercalls=$(($(stat_of hypercalls) - h))"
	else
		echo "@@BENCH balloon backend=$BACKEND error=timeout"
	fi
}

# remap WAY [ARGS]: the test helper maps all of dom0 again (XenServer's
# way or ours), with the hypercalls and operations pv-iommu/stats counted.
remap() {
	local h=$(stat_of hypercalls) o=$(stat_of ops) f=$(stat_of failed_ops)
	local x=$(xen_iommu_stats)
	echo "$*" >$HELPER/remap
	set -- $(cat $HELPER/remap)
	f=$(($(stat_of failed_ops) - f))
	x=$(kv_delta "$x" "$(xen_iommu_stats)")
	echo "@@BENCH remap_$1 pages=$3 hypercalls=$(($(stat_of hypercalls) - h)) ops=$(($(stat_of ops) - o)) failed=$f us=$(($5 / 1000)) error=$7 $x"
	[ "$7 $f" = "0 0" ]
}

# The boot map near the minimum dom0's layout allows (Xen patches 0014,
# 0016 and 0017 align it): at most 64 operations per GiB of dom0, and at
# most two IOTLB flushes, the hypercall's own and the take-over's at the
# first preemption after it. Xen counts the flushes; its identity map's,
# in the same counter, is taken off.
boot_map_is_minimal() {
	local gib ops flushes idmap
	gib=$((($(stat_of boot_map_pages) + 262143) / 262144))
	ops=$(stat_of boot_map_ops)
	flushes=$(echo "$BOOT_XEN_STATS" | sed -n 's/.*xen_iotlb_flushes=\([0-9]*\).*/\1/p')
	idmap=$(xl dmesg | sed -n 's/.*IOMMU identity map d0: .*iotlb_flushes=\([0-9]*\).*/\1/p')
	if [ -z "$flushes" ] || [ -z "$idmap" ]; then
		echo "# no IOTLB flush count from Xen"
		return 1
	fi
	echo "# boot map: $ops operations for $gib GiB, $((flushes - idmap)) IOTLB flushes"
	[ "$ops" -le $((64 * gib)) ] && [ $((flushes - idmap)) -le 2 ]
}

# The boot map's figures (Xen's counters as they were when the bench
# started, the identity map's included), and the same memory mapped again
# at run time: XenServer's way (unless only the boot map is wanted) and
# ours. TAP: the number of TAP results so far.
map_figures() {
	local n=1
	echo "@@BENCH bootmap pages=$(stat_of boot_map_pages) hypercalls=$(stat_of boot_map_hypercalls) ops=$(stat_of boot_map_ops) us=$(stat_of boot_map_us) max_order=$(stat_of boot_map_max_order) $BOOT_ORDERS $BOOT_XEN_STATS"
	tap_result $n bench.boot_map_is_minimal boot_map_is_minimal
	TAP=$n
	insmod /lib/modules/extra/pv-iommu-testhelper.ko || return
	if [ "$WHAT" = all ]; then
		n=$((n + 1))
		tap_result $n bench.remap_xenserver_every_op_succeeds remap xenserver
	fi
	n=$((n + 1))
	tap_result $n bench.remap_ours_every_op_succeeds \
		remap ours "$(stat_of boot_map_max_order)"
	rmmod pv_iommu_testhelper
	TAP=$n
}

# The edu test driver's result: every buffer made it, at bus = phys.
edu_ok() {
	grep -q '^errors 0$' "$1" && grep -q '^bad_bus_addr 0$' "$1" &&
		! grep -q '^buffers 0$' "$1"
}

# verify_dma N: after the remaps the 64-bit edu DMAs both ways through
# the map (TAP result N).
verify_dma() {
	local d=/sys/kernel/debug/pv-iommu-edu/$EDU
	insmod /lib/modules/extra/pv-iommu-edu-test.ko || return
	echo 64 >$d/dma_bits && echo "8 1" >$d/run
	echo "@@BENCH verify $(awk '{ printf "%s=%s ", $1, $2 }' $d/result)"
	tap_result "$1" bench.remaps_keep_dma_working edu_ok $d/result
	rmmod pv_iommu_edu_test
}

# A guest's disk and NIC through dom0's backends: a PVH domU times MIB MiB
# through blkfront both ways, 4 KiB random reads and MIB MiB through
# netfront (rig/domu/backends.sh), with the grant operations dom0 sent per
# MiB moved (each carries its device mapping: no hypercall of its own) and
# the IOTLB flushes Xen made for dom0 meanwhile (none on Debian's Xen,
# which has no such counter).
backends_bench() {
	local mib=64 maps unmaps x
	xen_daemons_start && backends_bridge || return
	maps=$(stat_of grant_maps)
	unmaps=$(stat_of grant_unmaps)
	x=$(xen_iommu_stats)
	backends_guest pvh bench $mib 1 vif | grep '@@BENCH' | sed "s/^# //; s/\$/ backend=$BACKEND/"
	echo "@@BENCH backends_grants backend=$BACKEND mib=$((mib * 3)) maps=$(($(stat_of grant_maps) - maps)) unmaps=$(($(stat_of grant_unmaps) - unmaps)) $(kv_delta "$x" "$(xen_iommu_stats)")"
}

# The emulator interface: the example emulator maps and unmaps a PVH
# domU's frames, one per call and 512 per call (emu_bench), with Xen's
# count of the IOTLB flushes meanwhile.
emu_bench() {
	local domid batch x
	insmod /lib/modules/extra/pv-iommu-emu-test.ko || return
	if domid=$(domu_start); then
		for batch in 1 512; do
			x=$(xen_iommu_stats)
			echo "$(PV_IOMMU_DOMU=$domid /selftests/pv_iommu/emu_bench $batch) $(kv_delta "$x" "$(xen_iommu_stats)")"
		done
		domu_stop
	else
		echo "@@BENCH emu_foreign error=no_domu"
	fi
	rmmod pv_iommu_emu_test
}

BACKEND=$(backend)
echo "@@BENCH machine backend=$BACKEND cpus=$(nproc) seconds=$SECS clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource) mem_kb=$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)"
if [ "$BACKEND" = pv-iommu ]; then
	# Before anything else maps: the boot map's pages by order, and Xen's
	# counts (its identity map's plus the boot map's).
	BOOT_ORDERS=$(orders)
	xen_daemons_start && BOOT_XEN_STATS=$(xen_iommu_stats)
	if [ "$WHAT" = bootmap ]; then
		map_figures
		verify_dma $((TAP + 1))
		echo "1..$((TAP + 1))"
		exit 0
	fi
fi
bind_benchmark
for pages in 1 16 256; do
	dma_bench $pages
done
graph_profile
unbind_benchmark
[ "$WHAT" = dma ] && exit 0
balloon_bench
case $BACKEND in pv-iommu | xen-swiotlb) backends_bench ;; esac
if [ "$BACKEND" = pv-iommu ]; then
	map_figures
	verify_dma $((TAP + 1))
	emu_bench
	echo "1..$((TAP + 1))"
fi
true
