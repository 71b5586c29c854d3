#!/bin/sh
# kselftests of tools/testing/selftests/pv_iommu, with our test modules
# (edu DMA driver, test helpers) loaded.
for m in /lib/modules/extra/*.ko; do
	[ -e "$m" ] && insmod "$m"
done
# The bus frames the tests may use (map_unmap, fuzz, grant_bfn, foreign).
grep -E '^(bfn_limit|free_bfns):' /sys/kernel/debug/pv-iommu/stats | sed 's/^/# /'
# The Makefile's TEST_GEN_PROGS but edu_dma (stage 35-devices); the other
# programs there are helpers of other stages, with arguments of their own.
for t in hypercall map_unmap fuzz grant_bfn pv_target; do
	echo "# selftest $t"
	/selftests/pv_iommu/$t
done
for m in /lib/modules/extra/*.ko; do
	[ -e "$m" ] && rmmod "$(basename "$m" .ko)"
done
true
