/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interfaces of the Xen PV-IOMMU driver.
 */
#ifndef __XEN_PV_IOMMU_INTERNAL_H__
#define __XEN_PV_IOMMU_INTERNAL_H__

#include <linux/atomic.h>
#include <linux/types.h>
#include <asm/xen/hypercall.h>
#include <xen/interface/pv_iommu.h>
#include <xen/xen.h>

/* The interface is for a PV hardware domain only. */
static inline bool pv_iommu_pv_dom0(void)
{
	return xen_pv_domain() && xen_initial_domain();
}

/**
 * struct pv_iommu_caps - what Xen's IOMMUOP_query_caps answered
 * @flags: IOMMU_QUERY_* bits
 * @max_order: largest page order map and unmap accept
 */
struct pv_iommu_caps {
	u16 flags;
	unsigned int max_order;
};

int pv_iommu_query_caps(struct pv_iommu_caps *caps);

extern unsigned long pv_iommu_bfn_limit;
unsigned long pv_iommu_probe_bfn_limit(void);
unsigned long pv_iommu_foreign_window(void);

/* Page orders a mapping can have: the ABI's field is 6 bits wide. */
#define PV_IOMMU_NR_ORDERS	64

/**
 * struct pv_iommu_stats - what the driver asked of Xen, for debugfs
 * @hypercalls: iommu_op hypercalls issued
 * @ops: operations they carried
 * @failed_ops: operations whose status was an error
 * @mapped: pages of dom0 mapped BFN=PFN, by the order of their mapping
 * @unmapped_pages: pages unmapped before they left dom0 (ballooning)
 * @remapped_pages: pages mapped again after they came back
 * @grant_maps: grant map operations sent with a device mapping at BFN = PFN
 * @grant_unmaps: grant unmap operations sent to remove one
 * @unmap_failed_pages: pages kept from Xen: their unmap failed
 * @map_failed_pages: pages kept from the allocator: their map failed
 * @bounced_bytes: bytes copied through a bounce buffer (any swiotlb)
 * @emu_contexts: emulator contexts open (foreign.c)
 * @emu_pages: foreign frames their mappings cover
 * @emu_invalidations: invalidations passed to their callbacks
 * @boot_map_ns: wall time of the boot-time 1:1 map
 * @boot_map_hypercalls: hypercalls of the boot-time map
 * @boot_map_ops: operations of the boot-time map
 * @boot_map_pages: pages it mapped
 * @boot_map_max_order: the largest order it could use
 */
struct pv_iommu_stats {
	atomic64_t hypercalls;
	atomic64_t ops;
	atomic64_t failed_ops;
	atomic64_t mapped[PV_IOMMU_NR_ORDERS];
	atomic64_t unmapped_pages;
	atomic64_t remapped_pages;
	atomic64_t grant_maps;
	atomic64_t grant_unmaps;
	atomic64_t unmap_failed_pages;
	atomic64_t map_failed_pages;
	atomic64_t bounced_bytes;
	atomic64_t emu_contexts;
	atomic64_t emu_pages;
	atomic64_t emu_invalidations;
	u64 boot_map_ns;
	u64 boot_map_hypercalls;
	u64 boot_map_ops;
	u64 boot_map_pages;
	unsigned int boot_map_max_order;
};

extern struct pv_iommu_stats pv_iommu_stats;

#if IS_ENABLED(CONFIG_XEN_PV_IOMMU_TEST_HELPER)
/* Fault injection for the tests: after SKIP operations, the next N fail. */
extern atomic_t pv_iommu_fail_skip_ops;
extern atomic_t pv_iommu_fail_next_ops;
#endif

/**
 * struct pv_iommu_batch - operations gathered for one hypercall
 * @ops: room for @size operations
 * @size: capacity of @ops
 * @nr: operations gathered so far
 * @error: the first failure (hypercall or operation status), or 0
 * @quiet: failures are expected: do not log each one
 */
struct pv_iommu_batch {
	struct pv_iommu_op *ops;
	unsigned int size;
	unsigned int nr;
	int error;
	bool quiet;
};

void pv_iommu_batch_map(struct pv_iommu_batch *b, u64 bfn, u64 mfn,
			unsigned int order);
void pv_iommu_batch_unmap(struct pv_iommu_batch *b, u64 bfn,
			  unsigned int order);
int pv_iommu_batch_submit(struct pv_iommu_batch *b);

unsigned int pv_iommu_aligned_order(unsigned long pfn, unsigned long mfn,
				    unsigned long nr_pfns,
				    unsigned int max_order);

unsigned long pv_iommu_ram_mfn(unsigned long pfn);
unsigned long pv_iommu_map_ram(struct pv_iommu_batch *b,
			       unsigned int max_order);
int pv_iommu_map_dom0(unsigned int max_order);
void pv_iommu_restore_xen_map(void);

#endif /* __XEN_PV_IOMMU_INTERNAL_H__ */
