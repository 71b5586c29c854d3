#!/bin/sh
# Real DMA by the VM's devices under dom0's DMA backend: the PV-IOMMU's
# dma-direct, or xen-swiotlb when the boot said xen_pv_iommu=off. The edu
# DMA kselftest, then 256 MiB written to and read back from each disk with
# O_DIRECT (disk_rw), compared; check-log.py fails the run on any VT-d
# fault.
. /rig/lib.sh
STATS=/sys/kernel/debug/pv-iommu/stats
MIB=256

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
	if grep -q ' xen_pv_iommu=off' /proc/cmdline; then
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

echo "1..2"
tap_result 1 disks.nvme0n1_256MiB_round_trip disk_round_trip nvme0n1
tap_result 2 disks.vda_256MiB_round_trip disk_round_trip vda
