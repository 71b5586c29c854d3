/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen PV-IOMMU as dom0's DMA backend: the hooks the rest of the kernel calls.
 */
#ifndef __XEN_PV_IOMMU_DMA_H__
#define __XEN_PV_IOMMU_DMA_H__

#include <linux/types.h>

struct page;
struct gnttab_map_grant_ref;
struct gnttab_unmap_grant_ref;

#ifdef CONFIG_XEN_PV_IOMMU
/* Bus address = physical address for every RAM page of dom0. */
extern bool pv_iommu_active;

int pv_iommu_setup(void);
bool pv_iommu_pci_init(void);
unsigned long pv_iommu_unmap_pages(unsigned long count,
				   struct page **pages);
unsigned long pv_iommu_map_pages(unsigned long count, struct page **pages);
void pv_iommu_grant_map_ops(struct gnttab_map_grant_ref *ops,
			    struct page **pages, unsigned int count);
void pv_iommu_grant_unmap_ops(struct gnttab_unmap_grant_ref *ops,
			      struct page **pages, unsigned int count);
#else
#define pv_iommu_active false

static inline bool pv_iommu_pci_init(void)
{
	return false;
}

static inline unsigned long pv_iommu_unmap_pages(unsigned long count,
						 struct page **pages)
{
	return count;
}

static inline unsigned long pv_iommu_map_pages(unsigned long count,
					       struct page **pages)
{
	return count;
}

static inline void
pv_iommu_grant_map_ops(struct gnttab_map_grant_ref *ops,
		       struct page **pages, unsigned int count)
{
}

static inline void
pv_iommu_grant_unmap_ops(struct gnttab_unmap_grant_ref *ops,
			 struct page **pages, unsigned int count)
{
}
#endif

#endif /* __XEN_PV_IOMMU_DMA_H__ */
