/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PV-IOMMU internals shared by the domain's own mappings (pv-iommu.c), the
 * foreign ones with their M2B (pv-iommu-foreign.c), grant maps
 * (pv-iommu-grant.c) and the debug subop (pv-iommu-debug.c).
 */
#ifndef DRIVERS_PASSTHROUGH_PV_IOMMU_H
#define DRIVERS_PASSTHROUGH_PV_IOMMU_H

#include <xen/iommu.h>
#include <xen/list.h>
#include <xen/radix-tree.h>
#include <xen/sched.h>
#include <xen/spinlock.h>

#include <public/pv-iommu.h>

/*
 * Reserved flag bits of the subops, refused with -EINVAL so that they can
 * be given a meaning later: bits 3-9 of map_page and map_foreign_page,
 * bits 0-9 of unmap_page and unmap_foreign_page (the page order is 10-15).
 */
#define PV_IOMMU_MAP_RESERVED   0x03f8U
#define PV_IOMMU_UNMAP_RESERVED 0x03ffU

/* The interrupt address range: DMA writes there are MSIs, never memory. */
#define PV_IOMMU_MSI_FIRST_BFN  0xfee00UL
#define PV_IOMMU_MSI_LAST_BFN   0xfeeffUL

/*
 * What a 4K BFN the domain mapped holds, as stored in the BFN tree: the MFN
 * and the references taken for it.
 */
#define BFN_REF                 (1UL << 0) /* a page reference */
#define BFN_TYPE_REF            (1UL << 1) /* a writable type reference */
#define BFN_MFN_SHIFT           2

#define bfn_entry_mfn(e)        _mfn((e) >> BFN_MFN_SHIFT)

/*
 * Room for grant maps (GNTMAP_request_bfn_map) on top of the frames a
 * domain may own, in the bound on the BFNs it may have tracked (see
 * pv_iommu_room()): 1GiB.
 */
#define PV_IOMMU_GRANT_ROOM     (1UL << (30 - PAGE_SHIFT))

/* References dropped at once after an IOTLB flush. */
#define PV_IOMMU_DEFERRED       512

/*
 * Created by the domain's first subop that needs it: as a caller, its first
 * map or unmap hands the BFN space over from Xen to the domain (see
 * take_over()); as the target of foreign subops, it holds the M2B.
 */
struct pv_iommu_domain {
    /* Serialises batches of the domain; protects the fields up to m2b. */
    spinlock_t lock;

    /* BFN -> entry (BFN_*), one per 4K BFN the domain mapped. */
    struct radix_tree_root bfns;

    /* Audit: entries in bfns, and the references they hold. */
    unsigned long nr_mappings;
    unsigned long nr_refs;
    unsigned long nr_type_refs;

    /* Teardown: entries below this BFN have been dropped. */
    unsigned long relinquish_next;

    /* Take-over: Xen's own mappings are removed below this BFN. */
    unsigned long wipe_next;
    bool wiping;
    bool taken_over;

    /*
     * Entries whose BFNs are unmapped but may still be in the IOTLB: their
     * references go after the next flush.
     */
    unsigned int nr_deferred;
    unsigned long deferred[PV_IOMMU_DEFERRED];

    /* Flushes a preempted batch left to the end of its hypercall. */
    unsigned int pending_flush_flags;

    /* Everything below is protected by the global M2B lock. */

    /* As a caller: BFN -> its foreign entries (struct pv_iommu_m2b). */
    struct radix_tree_root foreign;
    /* Foreign entries unmapped, whose references go after the next flush. */
    struct list_head unflushed;
    /* What swap_mfn mappings point at once their frame is ballooned out. */
    struct page_info *scratch;
    /* Audit: BFNs mapped to foreign frames, entries, their references. */
    unsigned long nr_foreign_bfns;
    unsigned long nr_m2b;
    unsigned long nr_foreign_refs;
    unsigned long nr_foreign_type_refs;
    /* Flushes owed by a target's teardown. */
    unsigned int teardown_flush_flags;

    /* As a target: MFN -> its M2B entries, and invalidations not sent. */
    struct radix_tree_root m2b;
    struct list_head invalidations;

#ifdef CONFIG_DEBUG
    /* IOMMUOP_debug_fail: bit i fails the i-th IOMMU operation from now. */
    uint64_t fail_pattern;
    /* IOMMUOP_debug_hold: the teardown waits before the devices go. */
    bool teardown_held;
#endif
};

/* State of one hypercall invocation (one continuation chunk). */
struct pv_iommu_batch {
    struct domain *d;
    /* The domain's state, locked, once an op of the batch needed it. */
    struct pv_iommu_domain *pv;
    unsigned int flush_flags;
};

/* pv-iommu.c */
unsigned int pv_iommu_max_order(const struct domain *d);
unsigned long pv_iommu_bfn_limit(const struct domain *d);
bool pv_iommu_can_map(const struct domain *d);
bool pv_iommu_bus_is_mfn(const struct domain *d);
int pv_iommu_check_bfns(struct pv_iommu_batch *b, unsigned long bfn,
                        unsigned int order);
bool pv_iommu_room(const struct pv_iommu_batch *b, unsigned long nr);
bool pv_iommu_hits_msi(unsigned long bfn, unsigned long nr);
struct pv_iommu_domain *pv_iommu_get_state(struct domain *d);
int pv_iommu_lock_state(struct pv_iommu_batch *b);
int pv_iommu_unlock_state(struct pv_iommu_batch *b);
int pv_iommu_lock_and_take_over(struct pv_iommu_batch *b);
int pv_iommu_get_entry_refs(struct pv_iommu_domain *pv, unsigned long entry,
                            struct domain *owner);
void pv_iommu_release_after_flush(struct pv_iommu_batch *b,
                                  unsigned long entry);
void pv_iommu_abandon_entry(struct pv_iommu_domain *pv, unsigned long entry);
void pv_iommu_forget_bfns(struct pv_iommu_batch *b, unsigned long bfn,
                          unsigned long nr);

/* pv-iommu-foreign.c */
int pv_iommu_map_foreign(struct pv_iommu_batch *b, struct pv_iommu_op *op);
int pv_iommu_lookup_foreign(struct pv_iommu_batch *b, struct pv_iommu_op *op);
int pv_iommu_unmap_foreign(struct pv_iommu_batch *b, struct pv_iommu_op *op);
void pv_iommu_forget_foreign(struct pv_iommu_batch *b, unsigned long bfn,
                             unsigned long nr, struct list_head *gone);
void pv_iommu_retire_foreign(struct pv_iommu_batch *b, struct list_head *gone,
                             bool reachable);
void pv_iommu_release_foreign(struct pv_iommu_domain *pv, bool flushed);
void pv_iommu_foreign_init(struct pv_iommu_domain *pv);
int pv_iommu_foreign_relinquish(struct domain *d);
void pv_iommu_foreign_destroy(struct pv_iommu_domain *pv);

#ifdef CONFIG_DEBUG
/* pv-iommu-debug.c */
int pv_iommu_debug_audit(struct pv_iommu_batch *b, struct pv_iommu_op *op);
int pv_iommu_debug_fail(struct pv_iommu_batch *b, struct pv_iommu_op *op);
int pv_iommu_debug_hold(struct pv_iommu_batch *b, struct pv_iommu_op *op);
int pv_iommu_debug_lookup(struct pv_iommu_batch *b, struct pv_iommu_op *op);
int pv_iommu_injected_error(struct domain *d);
/* pv-iommu-foreign.c */
void pv_iommu_audit_foreign(struct pv_iommu_domain *pv,
                            struct pv_iommu_op *op);
#else
static inline int pv_iommu_injected_error(struct domain *d)
{
    return 0;
}
#endif

/*
 * The IOMMU operations the interface does for a domain. A debug build can
 * make them fail on demand, before they do anything (IOMMUOP_debug_fail),
 * so that tests reach the paths that handle a failing IOMMU.
 */
static inline long pv_iommu_map(struct domain *d, unsigned long bfn,
                                mfn_t mfn, unsigned long nr,
                                unsigned int perms, unsigned int *flush_flags)
{
    return pv_iommu_injected_error(d) ?:
           iommu_map(d, _dfn(bfn), mfn, nr, perms, flush_flags);
}

static inline long pv_iommu_unmap(struct domain *d, unsigned long bfn,
                                  unsigned long nr, unsigned int *flush_flags)
{
    return pv_iommu_injected_error(d) ?:
           iommu_unmap(d, _dfn(bfn), nr, 0, flush_flags);
}

static inline int pv_iommu_flush(struct domain *d, unsigned int flush_flags)
{
    return pv_iommu_injected_error(d) ?:
           iommu_iotlb_flush_all(d, flush_flags);
}

#endif /* DRIVERS_PASSTHROUGH_PV_IOMMU_H */

/*
 * Local variables:
 * mode: C
 * c-file-style: "BSD"
 * c-basic-offset: 4
 * tab-width: 4
 * indent-tabs-mode: nil
 * End:
 */
