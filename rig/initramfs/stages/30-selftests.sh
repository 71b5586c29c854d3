#!/bin/sh
# kselftests of tools/testing/selftests/pv_iommu.
for t in /selftests/pv_iommu/*; do
	[ -x "$t" ] || continue
	echo "# selftest $(basename "$t")"
	"$t"
done
true
