// SPDX-License-Identifier: GPL-2.0-only
/*
 * Xen PV-IOMMU: bus addresses of grant-mapped pages.
 *
 * Backends (blkback, netback, gntdev) map guests' grants at ballooned or
 * unpopulated pages of dom0 and hand those pages to devices like any other:
 * dma-direct gives them bus address = PFN. Each grant map therefore asks
 * Xen, in the same hypercall, to map the granted frame at BFN = PFN too
 * (GNTMAP_request_bfn_map), and each unmap removes that mapping again
 * before the grant goes. Xen holds a reference on the frame while a device
 * can reach it, and writes the frame's machine address back, where the p2m
 * code expects it.
 */

#include <linux/io.h>
#include <linux/mm.h>
#include <xen/grant_table.h>
#include <xen/pv-iommu-dma.h>
#include <xen/interface/grant_table.h>

#include "pv-iommu.h"

/**
 * pv_iommu_grant_map_ops() - map grants for devices at BFN = PFN too
 * @ops: grant map operations, about to be issued
 * @pages: the page each operation maps its grant at
 * @count: number of operations
 */
void pv_iommu_grant_map_ops(struct gnttab_map_grant_ref *ops,
			    struct page **pages, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		ops[i].flags |= GNTMAP_device_map | GNTMAP_request_bfn_map;
		ops[i].dev_bus_addr = page_to_phys(pages[i]);
	}
	atomic64_add(count, &pv_iommu_stats.grant_maps);
}

/**
 * pv_iommu_grant_unmap_ops() - remove the bus mappings of grants too
 * @ops: grant unmap operations, about to be issued
 * @pages: the page each operation unmaps its grant from
 * @count: number of operations
 *
 * Xen removes the device mapping only when told its bus address.
 */
void pv_iommu_grant_unmap_ops(struct gnttab_unmap_grant_ref *ops,
			      struct page **pages, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		ops[i].dev_bus_addr = page_to_phys(pages[i]);
	atomic64_add(count, &pv_iommu_stats.grant_unmaps);
}
