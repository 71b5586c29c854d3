#!/bin/bash
# make bench: boot the VM three times and run rig/initramfs/bench.sh in each:
#   pv-iommu     Xen + dom0 on the PV-IOMMU (dma-direct, BFN = PFN);
#   xen-swiotlb  Xen + the same dom0 with xen_pv_iommu=off;
#   native       the same kernel without Xen on the same machine, with
#                intel_iommu=off: no IOMMU driver, so dma-direct (the 64-bit
#                edu never bounces), the path the PV-IOMMU gives dom0.
# The tables go to $LOGS/bench.txt and stdout; the serial logs are
# $LOGS/bench-*.log. env: BENCH_SECONDS (per size, default 5)
set -uo pipefail
. "$(dirname "$0")/env.sh"
export TIMEOUT=${TIMEOUT:-600}
# DMA-API debugging off: it costs more than the paths measured, the same
# on every backend.
ARGS="rig.bench_seconds=${BENCH_SECONDS:-5} dma_debug=off"
fail=0

# boot NAME [VAR=VALUE...]: one boot in bench mode, its log judged.
boot() {
	local name=$1 rc=0 timed_out=
	shift
	env LOG_NAME=bench-"$name" "$@" "$TOP"/rig/run-vm.sh bench || rc=$?
	[ $rc = 124 ] && timed_out=--timed-out
	"$TOP"/rig/check-log.py "$LOGS/bench-$name.log" --demo $timed_out || fail=1
}

boot pv-iommu DOM0_ARGS_EXTRA="$ARGS"
boot xen-swiotlb DOM0_ARGS_EXTRA="$ARGS xen_pv_iommu=off"
boot native NO_XEN=1 DOM0_ARGS_EXTRA="$ARGS intel_iommu=off"

{
	echo "make bench, $(date -u '+%F %H:%M UTC'), QEMU TCG on $(nproc) host CPUs (load $(cut -d' ' -f1-3 /proc/loadavg))"
	echo
	"$TOP"/rig/bench-report.py "$LOGS"/bench-{pv-iommu,xen-swiotlb,native}.log
} >"$LOGS/bench.txt" || fail=1
cat "$LOGS/bench.txt"
exit $fail
