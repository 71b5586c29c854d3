#!/bin/bash
# make bench, on the release hypervisor ($OUT/xen-release): boot the VM
# and run rig/initramfs/bench.sh in each boot:
#   pv-iommu     Xen + dom0 on the PV-IOMMU (dma-direct, BFN = PFN);
#   xen-swiotlb  Xen + the same dom0 with xen_pv_iommu=off;
#   xen-swiotlb-debian  Debian's own Xen 4.17 (the xen-hypervisor package,
#                unpacked, not installed) + the same dom0: xen-swiotlb as a
#                Debian host has it, with dom0's frames as stock Xen lays
#                them out;
#   native       the same kernel without Xen on the same machine, with
#                intel_iommu=off: no IOMMU driver, so dma-direct (the 64-bit
#                edu never bounces), the path the PV-IOMMU gives dom0;
#   bootmap-NG   the PV-IOMMU with an N GiB dom0 (VM N+1 GiB), the boot
#                map's figures only, for each N of BENCH_DOM0_GIB.
# The pv-iommu boot has a 1 GiB dom0. Tables go to $LOGS/bench.txt and
# stdout, plots to $LOGS/bench-*.svg; the serial logs are $LOGS/bench-*.log.
# Under TCG a boot's figures follow the host's load: bench.txt lists each
# boot's wall time and the host's load average before and after it.
# env: BENCH_SECONDS (per size, default 5), BENCH_DOM0_GIB (default "4 16")
set -uo pipefail
. "$(dirname "$0")/env.sh"
# Generous: on a shared 2-core host the first boot took more than 600 s.
export TIMEOUT=${TIMEOUT:-1500}
XEN=$OUT/xen-release
# DMA-API debugging off: it costs more than the paths measured, the same
# on every backend.
ARGS="rig.bench_seconds=${BENCH_SECONDS:-5} dma_debug=off"
fail=0 bootmaps=() boots=()

# debian_xen: the path of Debian's hypervisor, unpacked into the cache.
debian_xen() {
	local d=$CACHE/debian-xen
	if [ ! -s "$d/xen" ]; then
		rm -rf "$d" && mkdir -p "$d" &&
			(cd "$d" && apt-get download -qq xen-hypervisor-4.17-amd64) &&
			dpkg-deb -x "$d"/xen-hypervisor-4.17-amd64_*.deb "$d/root" &&
			zcat "$d"/root/boot/xen-4.17-amd64.gz >"$d/xen" || return 1
	fi
	echo "$d/xen"
}

# boot NAME [VAR=VALUE...]: one boot in bench mode, its log judged.
boot() {
	local name=$1 rc=0 timed_out= t0=$SECONDS load
	shift
	load=$(cut -d' ' -f1 /proc/loadavg)
	env LOG_NAME=bench-"$name" "$@" "$TOP"/rig/run-vm.sh bench || rc=$?
	[ $rc = 124 ] && timed_out=--timed-out
	boots+=("bench-$name: $((SECONDS - t0)) s, host load $load -> $(cut -d' ' -f1 /proc/loadavg)")
	log "${boots[-1]}"
	"$TOP"/rig/check-log.py "$LOGS/bench-$name.log" --demo $timed_out || fail=1
}

boot pv-iommu XEN_IMAGE="$XEN" DOM0_ARGS_EXTRA="$ARGS"
boot xen-swiotlb XEN_IMAGE="$XEN" DOM0_ARGS_EXTRA="$ARGS xen_pv_iommu=off"
boot native NO_XEN=1 DOM0_ARGS_EXTRA="$ARGS intel_iommu=off"
if debian=$(debian_xen); then
	boot xen-swiotlb-debian XEN_IMAGE="$debian" \
		DOM0_ARGS_EXTRA="$ARGS xen_pv_iommu=off"
else
	log "cannot unpack Debian's Xen (xen-hypervisor-4.17-amd64)"
	fail=1
fi
for gib in ${BENCH_DOM0_GIB-4 16}; do
	boot bootmap-${gib}g XEN_IMAGE="$XEN" DOM0_MIB=$((gib * 1024)) \
		VM_MIB=$((gib * 1024 + 1024)) \
		DOM0_ARGS_EXTRA="$ARGS rig.bench_what=bootmap"
	bootmaps+=("$LOGS/bench-bootmap-${gib}g.log")
done

{
	echo "make bench, $(date -u '+%F %H:%M UTC'), release Xen, QEMU TCG on $(nproc) host CPUs (load $(cut -d' ' -f1-3 /proc/loadavg))"
	printf '  %s\n' "${boots[@]}"
	echo
	"$TOP"/rig/bench-report.py --plots "$LOGS" \
		--debian "$LOGS"/bench-xen-swiotlb-debian.log \
		"$LOGS"/bench-{pv-iommu,xen-swiotlb,native}.log "${bootmaps[@]}"
} >"$LOGS/bench.txt" || fail=1
cat "$LOGS/bench.txt"
exit $fail
