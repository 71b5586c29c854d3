#!/bin/sh
# The foreign subops against a real PVH guest (selftest foreign): statuses,
# M2B references, a device's DMA into the guest's pages, ballooning, and at
# last the guest's destruction.
. /rig/lib.sh
for m in /lib/modules/extra/*.ko; do
	insmod "$m" 2>/dev/null
done
# What dom0 holds before the guest exists, for the teardown test.
audit=$(/selftests/pv_iommu/audit)
if domid=$(domu_start); then
	PV_IOMMU_AUDIT_BEFORE_DOMU=$audit \
	PV_IOMMU_DOMU=$domid \
	PV_IOMMU_DOMU_GFNS=$(xenstore-read "$(domu_dir)"/gfns) \
	PV_IOMMU_DOMU_CMD="sh -c '. /rig/lib.sh; domu_cmd \"\$@\"' domu_cmd" \
		timed /selftests/pv_iommu/foreign ||
		tail -n 30 $DOMU_CONSOLE | sed 's/^/# domU console: /'
else
	echo "not ok 1 foreign.domu_started"
fi
xl domid domu >/dev/null 2>&1 && domu_stop
for m in /lib/modules/extra/*.ko; do
	rmmod "$(basename "$m" .ko)" 2>/dev/null
done
true
