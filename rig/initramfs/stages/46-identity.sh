#!/bin/sh
# lookup_foreign_page where dom0's devices reach frames at their MFN
# (selftest identity). In the xen-swiotlb boot only (xen_pv_iommu=off):
# rig/vm-check.sh runs it there.
. /rig/lib.sh
domu_test /selftests/pv_iommu/identity
true
