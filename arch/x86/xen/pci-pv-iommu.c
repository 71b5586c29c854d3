// SPDX-License-Identifier: GPL-2.0-only
/*
 * Xen PV-IOMMU: dom0's DMA backend on x86.
 *
 * Called where a PV dom0 would set up xen-swiotlb. Once every RAM page of
 * dom0 is mapped at bus address = physical address, DMA is plain
 * dma-direct: no hypercall and no copy on the map path. Devices whose DMA
 * mask cannot reach a buffer bounce through the native SWIOTLB, whose
 * buffer is PFN-contiguous and so needs no machine-contiguous memory.
 */

#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/swiotlb.h>
#include <xen/pv-iommu-dma.h>

/**
 * pv_iommu_pci_init() - make dom0's memory DMA-able at its PFNs
 *
 * Return: true if dom0 now uses dma-direct and the native SWIOTLB; false
 * if it must set up xen-swiotlb (the reason is logged).
 */
bool __init pv_iommu_pci_init(void)
{
	if (pv_iommu_setup())
		return false;

	/*
	 * Bottom-up, the bounce buffer sits as low as memory allows: within
	 * reach of devices with DMA masks below 32 bits too.
	 */
	memblock_set_bottom_up(true);
	swiotlb_init(true, SWIOTLB_VERBOSE);
	memblock_set_bottom_up(false);
	return true;
}
