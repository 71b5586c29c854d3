#!/bin/sh
# What the PV-IOMMU driver did at boot, for `make demo`.
echo "== hypervisor and driver messages"
dmesg | grep -E 'xen-pv-iommu|swiotlb|PCI-DMA|Xen version' | sed 's/^\[[^]]*\] /  /'
if [ -d /sys/kernel/debug/pv-iommu ]; then
	for f in /sys/kernel/debug/pv-iommu/*; do
		echo "== $(basename "$f")"
		sed 's/^/  /' "$f"
	done
fi
echo "== PCI devices"
for d in /sys/bus/pci/devices/*; do
	drv=$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)
	printf '  %s %s:%s class %s driver %s\n' "$(basename "$d")" \
		"$(cat "$d/vendor")" "$(cat "$d/device")" "$(cat "$d/class")" "${drv:-none}"
done
