/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen PV-IOMMU: the common interface for in-kernel emulators (e.g. a
 * mediated GPU pass-through driver) that need bus addresses for the frames
 * of the guests they serve. See Documentation/xen/pv-iommu.rst.
 */
#ifndef __XEN_PV_IOMMU_API_H__
#define __XEN_PV_IOMMU_API_H__

#include <linux/bits.h>
#include <linux/types.h>
#include <xen/interface/xen.h>
#include <xen/interface/pv_iommu.h>

/* Flags of pv_iommu_map_foreign(). */
/* Xen may point the bus address at a scratch page if the guest frees it. */
#define PV_IOMMU_FOREIGN_SWAP	BIT(0)

#ifdef CONFIG_XEN_PV_IOMMU
int pv_iommu_map_foreign(domid_t domid, xen_pfn_t gfn, ioservid_t ioserver,
			 unsigned int flags, dma_addr_t *bus);
int pv_iommu_lookup_foreign(domid_t domid, xen_pfn_t gfn,
			    ioservid_t ioserver, dma_addr_t *bus);
int pv_iommu_unmap_foreign(dma_addr_t bus, ioservid_t ioserver);
int pv_iommu_foreign_invalidate(u64 bfn, ioservid_t ioserver);
#else
static inline int pv_iommu_map_foreign(domid_t domid, xen_pfn_t gfn,
				       ioservid_t ioserver, unsigned int flags,
				       dma_addr_t *bus)
{
	return -ENODEV;
}

static inline int pv_iommu_lookup_foreign(domid_t domid, xen_pfn_t gfn,
					  ioservid_t ioserver, dma_addr_t *bus)
{
	return -ENODEV;
}

static inline int pv_iommu_unmap_foreign(dma_addr_t bus, ioservid_t ioserver)
{
	return -ENODEV;
}

static inline int pv_iommu_foreign_invalidate(u64 bfn, ioservid_t ioserver)
{
	return -ENODEV;
}
#endif

#endif /* __XEN_PV_IOMMU_API_H__ */
