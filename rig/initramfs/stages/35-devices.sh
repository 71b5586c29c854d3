#!/bin/sh
# Real DMA by the VM's devices under dom0's DMA backend: the PV-IOMMU's
# dma-direct, or xen-swiotlb when the boot said xen_pv_iommu=off. The edu
# DMA kselftest, then 256 MiB written to and read back from each disk with
# O_DIRECT (disk_rw), compared; check-log.py fails the run on any VT-d
# fault.
. /rig/lib.sh
STATS=/sys/kernel/debug/pv-iommu/stats
MIB=256

# Whether this boot asked for xen-swiotlb: xen_pv_iommu=off, or a boot map
# made to fail (xen_pv_iommu=fail_op:N).
xen_swiotlb_boot() {
	grep -Eq ' xen_pv_iommu=(off|fail_op:)' /proc/cmdline
}

bounced() {
	sed -n 's/^bounced_bytes: //p' $STATS
}

# The DMA path pv-iommu/devices gives the PCI device behind a block device.
dma_path() {
	local dev
	dev=$(readlink -f "/sys/block/$1/device")
	while :; do
		case $(basename "$dev") in
		[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:*) break ;;
		/) return 1 ;;
		esac
		dev=$(dirname "$dev")
	done
	sed -n "s/^$(basename "$dev") [0-9a-f:]* mask 0x[0-9a-f]* //p" \
		/sys/kernel/debug/pv-iommu/devices
}

# disk_round_trip DISK: MIB MiB through the disk and back (disk_rw), with
# the bytes bounced meanwhile and the disk's DMA path.
disk_round_trip() {
	local before delta path rc=0

	before=$(bounced)
	/selftests/pv_iommu/disk_rw "/dev/$1" $MIB "$$" || rc=1
	delta=$(($(bounced) - before))
	path=$(dma_path "$1")
	echo "# $1: $delta bytes bounced, DMA path '$path'"
	if xen_swiotlb_boot; then
		[ "$path" = xen-swiotlb ] || rc=1
	else
		[ "$delta" = 0 ] && [ "$path" = direct ] || rc=1
	fi
	return $rc
}

# rig.edu_test=NAME on dom0's command line: only that edu_dma test.
only=$(sed -n 's/.*rig\.edu_test=\([^ ]*\).*/\1/p' /proc/cmdline)
insmod /lib/modules/extra/pv-iommu-edu-test.ko &&
	/selftests/pv_iommu/edu_dma ${only:+-t "$only"}
rmmod pv-iommu-edu-test

# A boot map made to fail was undone: dom0 is on xen-swiotlb and every bus
# frame it touched is Xen's again (the disks and edu_dma check by DMA).
boot_map_undone() {
	dmesg | grep -q "xen-pv-iommu: the 1:1 map of dom0's memory failed: using xen-swiotlb" &&
		! dmesg | grep -q 'bus frames still reach' &&
		grep -q '^active: no' $STATS
}

echo "1..3"
tap_result 1 disks.nvme0n1_256MiB_round_trip disk_round_trip nvme0n1
tap_result 2 disks.vda_256MiB_round_trip disk_round_trip vda
if grep -q ' xen_pv_iommu=fail_op:' /proc/cmdline; then
	tap_result 3 boot.failed_map_undone_for_xen_swiotlb boot_map_undone
else
	echo "ok 3 boot.failed_map_undone_for_xen_swiotlb # SKIP the boot map did not fail"
fi
