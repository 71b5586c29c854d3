#!/bin/sh
# Real DMA by the VM's devices under dom0's DMA backend: the PV-IOMMU's
# dma-direct, or xen-swiotlb when the boot said xen_pv_iommu=off. The edu
# DMA kselftest, then 256 MiB written to and read back from each disk with
# O_DIRECT (disk_rw), compared, then DMA to and from memory the balloon
# hot-plugged; check-log.py fails the run on any VT-d fault.
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

# Memory the balloon hot-plugs (CONFIG_XEN_BALLOON_MEMORY_HOTPLUG). It
# does so only for a target beyond every page it holds, and at boot it
# holds the extra PFNs of dom0's E820 map (up to Xen's limit for dom0, all
# the machine's memory): the edu test module takes those from it first
# (balloon_hold), as backends take ballooned pages. Then the target goes
# HOTPLUG_MIB above dom0's memory: the balloon adds a memory block, which
# is onlined into ZONE_MOVABLE and populated, and the 64-bit edu moves a
# page both ways to and from a page of that block (edu's hotplug file), at
# the page's own frame. Then dom0 gives the memory back.
MEMORY=/sys/devices/system/memory
HOLD=/sys/kernel/debug/pv-iommu-edu/balloon_hold
HOTPLUG_MIB=64

memory_blocks() {
	local b
	for b in $MEMORY/memory[0-9]*; do
		echo "${b##*/}"
	done | sort
}

# The first and the end PFN (hex) of the memory blocks named on stdin,
# which one hot-plug added: contiguous.
blocks_pfns() {
	local size first="" last="" b n
	size=$((0x$(cat $MEMORY/block_size_bytes) / 4096))
	while read -r b; do
		n=${b#memory}
		[ -z "$first" ] || [ "$n" -lt "$first" ] && first=$n
		[ -z "$last" ] || [ "$n" -gt "$last" ] && last=$n
	done
	printf '%x %x\n' $((first * size)) $(((last + 1) * size))
}

hotplug_round_trip() {
	local target current ballooned blocks new pfns b end rc=0
	local edu
	edu=/sys/kernel/debug/pv-iommu-edu/$(edu_devices | tail -n 1)
	target=$(cat $XEN_MEMORY/target_kb)
	current=$(cat $XEN_MEMORY/info/current_kb)
	ballooned=$((($(cat $XEN_MEMORY/info/low_kb) + $(cat $XEN_MEMORY/info/high_kb)) / 4))
	blocks=$(memory_blocks)
	echo "# balloon: target $target kB, current $current kB, $ballooned pages in it"
	echo "$ballooned" >$HOLD || return 1

	echo $((current + HOTPLUG_MIB * 1024)) >$XEN_MEMORY/target_kb
	end=$(($(uptime_s) + 30))
	until new=$(memory_blocks | grep -vxF "$blocks"); do
		[ "$(uptime_s)" -gt $end ] && break
		sleep 0.1
	done
	if [ -n "$new" ]; then
		pfns=$(echo "$new" | blocks_pfns)
		echo "# hot-plugged: $(echo $new), PFNs $pfns"
		for b in $new; do
			echo online_movable >$MEMORY/"$b"/state || rc=1
		done
		end=$(($(uptime_s) + 60))
		while [ "$(cat $XEN_MEMORY/info/current_kb)" != $((current + HOTPLUG_MIB * 1024)) ]; do
			[ "$(uptime_s)" -gt $end ] && { echo "# the balloon never met the target"; rc=1; break; }
			sleep 0.1
		done
		echo 64 >"$edu"/dma_bits && echo "$pfns 79" >"$edu"/hotplug || rc=1
	else
		echo "# no memory block was hot-plugged"
		rc=1
	fi

	balloon_to "$target" 60 || { echo "# the balloon did not go back"; rc=1; }
	echo 0 >$HOLD || rc=1
	echo "# balloon: target $(cat $XEN_MEMORY/target_kb) kB, current $(cat $XEN_MEMORY/info/current_kb) kB"
	[ "$(cat $XEN_MEMORY/info/current_kb)" = "$current" ] || rc=1
	return $rc
}

# A boot map made to fail was undone: dom0 is on xen-swiotlb and every bus
# frame it touched is Xen's again (the disks and edu_dma check by DMA).
boot_map_undone() {
	dmesg | grep -q "xen-pv-iommu: the 1:1 map of dom0's memory failed: using xen-swiotlb" &&
		! dmesg | grep -q 'bus frames still reach' &&
		grep -q '^active: no' $STATS
}

echo "1..4"
tap_result 1 disks.nvme0n1_256MiB_round_trip disk_round_trip nvme0n1
tap_result 2 disks.vda_256MiB_round_trip disk_round_trip vda
if grep -q ' xen_pv_iommu=fail_op:' /proc/cmdline; then
	tap_result 3 boot.failed_map_undone_for_xen_swiotlb boot_map_undone
else
	echo "ok 3 boot.failed_map_undone_for_xen_swiotlb # SKIP the boot map did not fail"
fi
tap_result 4 memory.hotplugged_page_round_trip hotplug_round_trip
rmmod pv-iommu-edu-test
