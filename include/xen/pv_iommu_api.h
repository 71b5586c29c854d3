/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen PV-IOMMU: the interface for in-kernel emulators (e.g. a mediated GPU
 * pass-through driver) that need bus addresses for the frames of the
 * guests they serve. See Documentation/xen/pv-iommu.rst.
 */
#ifndef __XEN_PV_IOMMU_API_H__
#define __XEN_PV_IOMMU_API_H__

#include <linux/bits.h>
#include <linux/dma-direction.h>
#include <linux/err.h>
#include <linux/types.h>
#include <xen/interface/xen.h>
#include <xen/interface/pv_iommu.h>

struct device;
struct pv_iommu_emu;

/* Flags of pv_iommu_emu_map() and pv_iommu_emu_map_range(). */
/* Xen may point the bus address at a scratch page if the guest frees it. */
#define PV_IOMMU_EMU_SWAP	BIT(0)

/**
 * typedef pv_iommu_emu_invalidate_fn - the guest gave a mapped frame up
 * @emu: the context that mapped it
 * @addr: the bus address of the frame (within the mapping's range)
 * @gfn: the guest frame that was there
 * @data: what the emulator gave pv_iommu_emu_open()
 *
 * Runs from pv_iommu_emu_ioreq_invalidate(), in the emulator's context and
 * without the API's locks held: it may unmap @addr, once the emulator's
 * device has stopped using it. Until then the address still reaches the
 * frame (or, with %PV_IOMMU_EMU_SWAP, a scratch page).
 */
typedef void (*pv_iommu_emu_invalidate_fn)(struct pv_iommu_emu *emu,
					   dma_addr_t addr, xen_pfn_t gfn,
					   void *data);

#ifdef CONFIG_XEN_PV_IOMMU
struct pv_iommu_emu *pv_iommu_emu_open(domid_t domid, ioservid_t ioserver,
				       struct device *dev,
				       pv_iommu_emu_invalidate_fn invalidate,
				       void *data);
void pv_iommu_emu_close(struct pv_iommu_emu *emu);
int pv_iommu_emu_map(struct pv_iommu_emu *emu, const xen_pfn_t *gfns,
		     unsigned int nr, enum dma_data_direction dir,
		     unsigned int flags, dma_addr_t *addrs);
int pv_iommu_emu_map_range(struct pv_iommu_emu *emu, xen_pfn_t gfn,
			   unsigned int order, enum dma_data_direction dir,
			   unsigned int flags, dma_addr_t *addr);
int pv_iommu_emu_unmap(struct pv_iommu_emu *emu, const dma_addr_t *addrs,
		       unsigned int nr);
int pv_iommu_emu_ioreq_invalidate(struct pv_iommu_emu *emu, u64 data);
#else
static inline struct pv_iommu_emu *
pv_iommu_emu_open(domid_t domid, ioservid_t ioserver, struct device *dev,
		  pv_iommu_emu_invalidate_fn invalidate, void *data)
{
	return ERR_PTR(-ENODEV);
}

static inline void pv_iommu_emu_close(struct pv_iommu_emu *emu) { }

static inline int pv_iommu_emu_map(struct pv_iommu_emu *emu,
				   const xen_pfn_t *gfns, unsigned int nr,
				   enum dma_data_direction dir,
				   unsigned int flags, dma_addr_t *addrs)
{
	return -ENODEV;
}

static inline int pv_iommu_emu_map_range(struct pv_iommu_emu *emu,
					 xen_pfn_t gfn, unsigned int order,
					 enum dma_data_direction dir,
					 unsigned int flags, dma_addr_t *addr)
{
	return -ENODEV;
}

static inline int pv_iommu_emu_unmap(struct pv_iommu_emu *emu,
				     const dma_addr_t *addrs, unsigned int nr)
{
	return -ENODEV;
}

static inline int pv_iommu_emu_ioreq_invalidate(struct pv_iommu_emu *emu,
						u64 data)
{
	return -ENODEV;
}
#endif

#endif /* __XEN_PV_IOMMU_API_H__ */
