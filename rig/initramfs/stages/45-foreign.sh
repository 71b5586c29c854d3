#!/bin/sh
# The foreign subops against a real PVH guest (selftest foreign): statuses,
# M2B references, a device's DMA into the guest's pages, ballooning, and at
# last the guest's destruction.
. /rig/lib.sh
for m in /lib/modules/extra/*.ko; do
	insmod "$m" 2>/dev/null
done
# What dom0 holds before the guest exists, for the teardown test.
PV_IOMMU_AUDIT_BEFORE_DOMU=$(/selftests/pv_iommu/audit)
export PV_IOMMU_AUDIT_BEFORE_DOMU
domu_test /selftests/pv_iommu/foreign
for m in /lib/modules/extra/*.ko; do
	rmmod "$(basename "$m" .ko)" 2>/dev/null
done
true
