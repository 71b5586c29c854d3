#!/bin/sh
# kselftests of tools/testing/selftests/pv_iommu, with our test modules
# (edu DMA driver, test helpers) loaded.
for m in /lib/modules/extra/*.ko; do
	[ -e "$m" ] && insmod "$m"
done
# The bus frames the tests may use (map_unmap, fuzz, grant_bfn, foreign).
grep -E '^(bfn_limit|free_bfns):' /sys/kernel/debug/pv-iommu/stats | sed 's/^/# /'
for t in /selftests/pv_iommu/*; do
	[ -x "$t" ] || continue
	# edu_dma and disk_rw: stage 35-devices. foreign needs the second
	# domain: stage 45-foreign runs it.
	case $(basename "$t") in
	edu_dma | disk_rw | foreign) continue ;;
	esac
	echo "# selftest $(basename "$t")"
	"$t"
done
for m in /lib/modules/extra/*.ko; do
	[ -e "$m" ] && rmmod "$(basename "$m" .ko)"
done
true
