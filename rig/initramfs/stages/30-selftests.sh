#!/bin/sh
# kselftests of tools/testing/selftests/pv_iommu, with our test modules
# (edu DMA driver, test helpers) loaded.
for m in /lib/modules/extra/*.ko; do
	[ -e "$m" ] && insmod "$m"
done
for t in /selftests/pv_iommu/*; do
	[ -x "$t" ] || continue
	# These need the second domain: stage 45-foreign runs them.
	case $(basename "$t") in foreign) continue ;; esac
	echo "# selftest $(basename "$t")"
	"$t"
done
for m in /lib/modules/extra/*.ko; do
	[ -e "$m" ] && rmmod "$(basename "$m" .ko)"
done
true
