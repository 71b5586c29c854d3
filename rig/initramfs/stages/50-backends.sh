#!/bin/sh
# Guests' I/O through dom0's backends on real devices, as a host runs it: a
# PVH and then a PV domU each write MIB MiB to a blkfront disk that blkback
# serves from dom0's NVMe and read it back with O_DIRECT, and dom0 reads it
# again; the PVH one also sends MIB MiB through netfront, netback, dom0's
# bridge and the e1000e, to a receiver (QEMU's user network starts
# net_stream for each connection to 10.0.2.100:9000) that checks every
# byte. Then dom0 maps a third domU's grants through gntdev and does
# O_DIRECT I/O from and into them, as a user-space backend does. The
# devices DMA from and to the guests' grant-mapped pages. After each guest,
# what the PV-IOMMU interface holds for dom0 is back where it was. Runs on
# the PV-IOMMU and, in the xen_pv_iommu=off boot, on xen-swiotlb.
. /rig/lib.sh
# rig.backends_mib=N on dom0's command line: a shorter run, for quick tries.
MIB=$(sed -n 's/.*rig\.backends_mib=\([0-9]*\).*/\1/p' /proc/cmdline)
MIB=${MIB:-256}
DISK=$BACKENDS_DISK
n=0

# tap OK NAME: one TAP line, OK being a command's exit status.
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n backends.$2"; else echo "not ok $n backends.$2"; fi
}

# said TYPE WHAT: the guest's console says "backends: WHAT".
said() {
	tr -d '\r' <"/var/log/xen/console/guest-backends-$1.log" |
		grep -qx "backends: $2"
}

xen_daemons_start || { echo "not ok 1 backends.xen_daemons"; exit 1; }
backends_bridge
tap $? bridge_on_the_nic
base=$(/selftests/pv_iommu/audit)
echo "# dom0's audit: $base"

for type in pvh pv; do
	case $type in
	pvh) seed=101 vif=1 ;;
	pv) seed=202 vif="" ;;
	esac
	backends_guest $type backends $MIB $seed $vif
	said $type done
	tap $? $type.guest_ran
	said $type "disk ok"
	tap $? $type.disk_${MIB}MiB_round_trip_in_the_guest
	/selftests/pv_iommu/disk_rw $DISK "$MIB" $seed check
	tap $? $type.disk_${MIB}MiB_read_again_by_dom0
	if [ -n "$vif" ]; then
		said $type "net ok"
		tap $? $type.net_${MIB}MiB_checked_by_the_receiver
	fi
	now=$(/selftests/pv_iommu/audit)
	echo "# dom0's audit: $now"
	[ "$now" = "$base" ]
	tap $? $type.audit_at_baseline_after_the_guest
done

# The backends' pages for grant maps came from xen_alloc_unpopulated_pages
# (CONFIG_XEN_UNPOPULATED_ALLOC, as Debian ships it): a range beyond RAM
# that dom0 claimed as "Xen scratch", so the devices DMAed at BFNs there.
grep 'Xen scratch' /proc/iomem | sed 's/^ */# iomem: /'
grep -q 'Xen scratch' /proc/iomem
tap $? grant_pages_from_the_unpopulated_range

# A user-space backend (qemu qdisk, tapdisk): dom0 maps the domU agent's
# grants through gntdev and does O_DIRECT I/O from and into them.
id=$(domu_start)
tap $? gntdev.guest_started
grants=$(domu_cmd grant 77)
echo "# grant 77: $(echo "$grants" | cut -c1-40)..."
case $grants in "ok "*) ;; *) grants="" ;; esac
[ -n "$grants" ] && /selftests/pv_iommu/gntdev_disk "$id" $DISK 77 ${grants#ok }
tap $? gntdev.o_direct_from_and_into_the_grants
[ "$(domu_cmd gcheck 78)" = ok ]
tap $? gntdev.the_guest_sees_what_the_device_wrote
# The same grants as gntdev's dma-buf, imported for the 64-bit edu by its
# test module: the device reads the guest's pattern 79 from every page and
# writes pattern 80 into it, which the guest then checks.
insmod /lib/modules/extra/pv-iommu-edu-test.ko
edu=/sys/kernel/debug/pv-iommu-edu/$(edu_devices | tail -n 1)
echo 64 >"$edu"/dma_bits
grants=$(domu_cmd grant 79)
case $grants in "ok "*) ;; *) grants="" ;; esac
[ -n "$grants" ] && /selftests/pv_iommu/gntdev_dmabuf "$id" "$edu" 79 80 ${grants#ok }
tap $? gntdev.dmabuf_of_the_grants_read_and_written_by_a_device
[ "$(domu_cmd gcheck 80)" = ok ]
tap $? gntdev.dmabuf_the_guest_sees_what_the_device_wrote
rmmod pv-iommu-edu-test
domu_stop
now=$(/selftests/pv_iommu/audit)
echo "# dom0's audit: $now"
[ "$now" = "$base" ]
tap $? gntdev.audit_at_baseline_after_the_guest
