/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PV-IOMMU: lets a PV domain program the IOMMU mappings of its devices.
 *
 * The guest passes an array of struct pv_iommu_op. Elements are handled in
 * order, each one's status is written back, and the IOTLB flushes the
 * elements call for are gathered and issued once before the hypercall
 * returns or is continued.
 */

#include <xen/event.h>
#include <xen/guest_access.h>
#include <xen/hypercall.h>
#include <xen/iommu.h>
#include <xen/mm.h>
#include <xen/sched.h>
#include <xen/spinlock.h>
#include <xen/xmalloc.h>

#include <xsm/xsm.h>

#include <asm/e820.h>

#include "pv-iommu.h"

/* The layout is ABI: Linux checks the same sizes and offsets. */
static void __init __maybe_unused build_assertions(void)
{
    BUILD_BUG_ON(sizeof(struct pv_iommu_op) != 32);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, flags) != 2);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, status) != 4);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.map_page.bfn) != 8);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.map_page.gfn) != 16);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.unmap_page.bfn) != 8);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.map_foreign_page.bfn) != 8);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.map_foreign_page.gfn) != 16);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op,
                          u.map_foreign_page.domid) != 24);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op,
                          u.map_foreign_page.ioserver) != 26);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op,
                          u.lookup_foreign_page.bfn) != 8);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op,
                          u.lookup_foreign_page.gfn) != 16);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op,
                          u.lookup_foreign_page.domid) != 24);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op,
                          u.lookup_foreign_page.ioserver) != 26);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op,
                          u.unmap_foreign_page.bfn) != 8);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op,
                          u.unmap_foreign_page.ioserver) != 16);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.debug_audit.mappings) != 8);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.debug_audit.page_refs) != 16);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.debug_audit.type_refs) != 20);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.debug_audit.domid) != 24);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op,
                          u.debug_audit.m2b_entries) != 28);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.debug_fail.pattern) != 8);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.debug_hold.domid) != 8);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.debug_lookup.bfn) != 8);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.debug_lookup.mfn) != 16);
    BUILD_BUG_ON(offsetof(struct pv_iommu_op, u.debug_lookup.domid) != 24);
}

unsigned int pv_iommu_max_order(const struct domain *d)
{
    unsigned long sizes = dom_iommu(d)->platform_ops->page_sizes;

    return flsl(sizes) - 1 - PAGE_SHIFT;
}

/*
 * The first BFN the domain's IOMMU does not translate: the vendor code knows
 * how many levels its page tables have (on VT-d a wider DFN would reach no
 * device, on AMD its page walk would fail and crash the domain), and a bus
 * address has 64 bits.
 */
unsigned long pv_iommu_bfn_limit(const struct domain *d)
{
    unsigned int bits = min_t(unsigned int, dom_iommu(d)->dfn_bits,
                              BITS_PER_LONG);

    return 1UL << (bits - PAGE_SHIFT);
}

bool pv_iommu_can_map(const struct domain *d)
{
    if ( !is_pv_domain(d) || !is_iommu_enabled(d) )
        return false;

    return !is_hardware_domain(d) || !iommu_hwdom_passthrough;
}

/* Do the domain's devices reach memory at its machine address? */
bool pv_iommu_bus_is_mfn(const struct domain *d)
{
    return !is_iommu_enabled(d) ||
           (is_hardware_domain(d) && iommu_hwdom_passthrough);
}

/* Does the domain manage its own BFN space (Xen must not edit it)? */
bool iommu_guest_managed(const struct domain *d)
{
    const struct pv_iommu_domain *pv = read_atomic(&dom_iommu(d)->pv_iommu);

    return pv && (pv->wiping || pv->taken_over);
}

/* May the domain map frames it does not own (all but Xen's)? */
static bool can_map_all_gfns(const struct domain *d)
{
    return is_hardware_domain(d) && !iommu_hwdom_strict;
}

/*
 * May the domain program its own BFN space (map_page, unmap_page, grant
 * maps at a BFN; map_foreign_page too)? XSM's dummy policy lets every
 * domain the design allows; FLASK asks for domain2 pv_iommu_map.
 */
static bool may_map(struct domain *d)
{
    return pv_iommu_can_map(d) && !xsm_pv_iommu_map(XSM_HOOK, d);
}

static int query_caps(struct domain *d, struct pv_iommu_op *op)
{
    op->flags = 0;

    if ( may_map(d) )
    {
        op->flags |= IOMMU_QUERY_map_cap |
                     IOMMU_page_order(pv_iommu_max_order(d));
        if ( can_map_all_gfns(d) )
            op->flags |= IOMMU_QUERY_map_all_gfns;
    }

    return 0;
}

/* Flush what the batch changed, and what earlier continuations left. */
static int flush_batch(struct pv_iommu_batch *b)
{
    int rc = 0;

    if ( b->pv )
    {
        b->flush_flags |= b->pv->pending_flush_flags;
        b->pv->pending_flush_flags = 0;
    }
    if ( b->flush_flags )
        rc = pv_iommu_flush(b->d, b->flush_flags);
    b->flush_flags = 0;

    return rc;
}

/* Drop the references an entry holds. */
static void put_entry(struct pv_iommu_domain *pv, unsigned long entry)
{
    struct page_info *pg = mfn_to_page(bfn_entry_mfn(entry));

    if ( entry & BFN_TYPE_REF )
    {
        put_page_type(pg);
        pv->nr_type_refs--;
    }
    if ( entry & BFN_REF )
    {
        put_page(pg);
        pv->nr_refs--;
    }
}

/*
 * The IOMMU failed to unmap the BFN of an entry no longer tracked: a device
 * may still reach its frame, so its references are never dropped (the frame
 * leaks). The caller says so in the log.
 */
void pv_iommu_abandon_entry(struct pv_iommu_domain *pv, unsigned long entry)
{
    if ( entry & BFN_TYPE_REF )
        pv->nr_type_refs--;
    if ( entry & BFN_REF )
        pv->nr_refs--;
}

/*
 * Flush the IOTLB, then drop the references of the entries unmapped so far,
 * own and foreign: a device must not reach a page once Xen may free it. If
 * the flush fails the references are kept for good rather than risk that,
 * and no longer counted: no later batch may drop them, flush or not.
 */
static int flush_and_release(struct pv_iommu_batch *b)
{
    struct pv_iommu_domain *pv = b->pv;
    int rc = flush_batch(b);
    unsigned int i;

    if ( !pv )
        return rc;

    if ( rc )
        printk(XENLOG_G_ERR
               "%pd: PV-IOMMU: IOTLB flush failed (%d), keeping %u references\n",
               b->d, rc, pv->nr_deferred);
    for ( i = 0; i < pv->nr_deferred; i++ )
    {
        if ( rc )
            pv_iommu_abandon_entry(pv, pv->deferred[i]);
        else
            put_entry(pv, pv->deferred[i]);
    }
    pv_iommu_release_foreign(pv, !rc);
    pv->nr_deferred = 0;

    return rc;
}

/* The BFN of @entry is unmapped: drop its references after a flush. */
void pv_iommu_release_after_flush(struct pv_iommu_batch *b,
                                  unsigned long entry)
{
    struct pv_iommu_domain *pv = b->pv;

    if ( !(entry & (BFN_REF | BFN_TYPE_REF)) )
        return;

    if ( pv->nr_deferred == ARRAY_SIZE(pv->deferred) )
        flush_and_release(b);

    pv->deferred[pv->nr_deferred++] = entry;
}

/*
 * Forget the BFNs [bfn, bfn + nr), which the IOMMU no longer maps: their
 * references go after the next flush.
 */
void pv_iommu_forget_bfns(struct pv_iommu_batch *b, unsigned long bfn,
                          unsigned long nr)
{
    struct pv_iommu_domain *pv = b->pv;
    unsigned long i;

    for ( i = 0; i < nr; i++ )
    {
        void *p = radix_tree_delete(&pv->bfns, bfn + i);

        if ( !p )
            continue;

        pv->nr_mappings--;
        pv_iommu_release_after_flush(b, radix_tree_ptr_to_ulong(p));
    }
}

/* The domain's state, created if need be; NULL when out of memory. */
struct pv_iommu_domain *pv_iommu_get_state(struct domain *d)
{
    struct domain_iommu *hd = dom_iommu(d);
    struct pv_iommu_domain *pv = read_atomic(&hd->pv_iommu), *new;

    if ( pv )
        return pv;

    new = xzalloc(struct pv_iommu_domain);
    if ( !new )
        return NULL;

    spin_lock_init(&new->lock);
    radix_tree_init(&new->bfns);
    pv_iommu_foreign_init(new);

    pv = cmpxchg(&hd->pv_iommu, NULL, new);
    if ( pv )
    {
        xfree(new);
        return pv;
    }

    return new;
}

/* Lock the domain's state for the batch, creating it if need be. */
int pv_iommu_lock_state(struct pv_iommu_batch *b)
{
    struct pv_iommu_domain *pv;

    if ( b->pv )
        return 0;

    pv = pv_iommu_get_state(b->d);
    if ( !pv )
        return -ENOMEM;

    spin_lock(&pv->lock);
    b->pv = pv;

    return 0;
}

int pv_iommu_unlock_state(struct pv_iommu_batch *b)
{
    int rc = flush_and_release(b);

    if ( b->pv )
        spin_unlock(&b->pv->lock);
    b->pv = NULL;

    return rc;
}

/*
 * The batch is preempted. What it unmapped or replaced must leave the IOTLB
 * before the guest runs again: the references those entries held go then,
 * and so do the page tables the IOMMU code freed (its tasklet frees them
 * once this CPU leaves the hypercall). Entries it only added need a flush
 * before the hypercall returns, not before it continues: leave theirs to
 * the end of the hypercall, so that a preempted map still flushes once.
 */
static void pause_batch(struct pv_iommu_batch *b)
{
    struct pv_iommu_domain *pv = b->pv;

    if ( !pv || pv->nr_deferred ||
         (b->flush_flags & (IOMMU_FLUSHF_modified | IOMMU_FLUSHF_all)) )
    {
        pv_iommu_unlock_state(b);
        return;
    }

    pv->pending_flush_flags |= b->flush_flags;
    b->flush_flags = 0;
    spin_unlock(&pv->lock);
    b->pv = NULL;
}

/*
 * Remove Xen's BFN=MFN entries of RAM, from pv->wipe_next on; -ERESTART when
 * preempted. The entries of other frames (MMIO, E820-reserved ranges, the
 * RMRRs) stay: devices may depend on them, and they reach no domain's memory.
 */
static int wipe_ram(struct pv_iommu_batch *b)
{
    struct pv_iommu_domain *pv = b->pv;
    unsigned int i;

    for ( i = 0; i < e820.nr_map; i++ )
    {
        const struct e820entry *e = &e820.map[i];
        unsigned long first = max(PFN_UP(e->addr), pv->wipe_next);
        unsigned long end = min(PFN_DOWN(e->addr + e->size), max_page);
        long done;

        if ( e->type != E820_RAM || first >= end )
            continue;

        done = iommu_unmap(b->d, _dfn(first), end - first, IOMMUF_preempt,
                           &b->flush_flags);
        if ( done < 0 )
            return -EIO;
        pv->wipe_next = first + done;
        if ( done > 0 )
            return -ERESTART;
        pv->wipe_next = end;
    }
    pv->wipe_next = max_page;

    return 0;
}

/*
 * Hand the domain's BFN space over from Xen to the domain, on its first
 * map_page or unmap_page. Returns -ERESTART when preempted.
 *
 * From then on Xen stops editing the domain's IOMMU page tables on its own:
 * with need_sync cleared, PV page type changes (arch/x86/mm.c), the physmap
 * (populate_physmap, decrease_reservation) and grant maps no longer add or
 * remove BFN=MFN entries, and memory hot-add no longer maps the new memory
 * for the hardware domain (iommu_guest_managed()).
 *
 * The BFN=MFN entries Xen made for RAM are removed: in strict mode those of
 * the domain's pages, which nothing would remove once the pages change hands;
 * outside it (a hardware domain), those of all RAM, which would give a
 * stray DMA every frame of the host. The domain maps what it owns itself, so
 * that from then on a bus address reaches only a frame it owns or was
 * granted, or faults. The domain's 1:1 ranges (RMRRs) are then restored:
 * devices depend on them and the domain may not touch them.
 */
static int take_over(struct pv_iommu_batch *b)
{
    struct domain *d = b->d;
    struct domain_iommu *hd = dom_iommu(d);
    struct pv_iommu_domain *pv = b->pv;
    int rc;

    if ( pv->taken_over )
        return 0;

    ASSERT(!hd->need_sync);
    if ( !pv->wiping )
    {
        pv->wiping = true;
        printk(XENLOG_G_INFO
               "%pd: PV-IOMMU: removing Xen's BFN=MFN mappings of RAM\n", d);
    }

    rc = wipe_ram(b);
    if ( rc )
        return rc;

    if ( iommu_identity_maps_restore(d, &b->flush_flags) )
        return -EIO;

    pv->taken_over = true;

    return 0;
}

/*
 * Stop Xen's own edits of the domain's IOMMU page tables before the
 * take-over, with the domain's other vCPUs paused. _get_page_type(), the
 * physmap and grant maps test need_sync and then edit the tables, with no
 * lock between: one of them past the test while the wipe goes by would
 * leave a BFN=MFN entry behind it for good, holding no reference, and the
 * frame could change hands. A paused vCPU is out of Xen, so none of the
 * domain's own is past the test. (Another domain's vCPU can be: a type
 * change of one of this domain's pages through a grant map, or the
 * toolstack editing its physmap. Pausing does not reach those.)
 *
 * Never with the state locked: a vCPU spinning on that lock is never
 * descheduled, so it would never pause. -ERESTART to be continued (the
 * continuation starts with the lock free).
 */
static int stop_xen_sync(struct pv_iommu_batch *b)
{
    struct domain_iommu *hd = dom_iommu(b->d);
    int rc;

    if ( !hd->need_sync )
        return 0;
    if ( b->pv )
        return -ERESTART;

    rc = domain_pause_except_self(b->d);
    if ( rc )
        return rc;
    hd->need_sync = false;
    domain_unpause_except_self(b->d);

    return 0;
}

/* The domain's state locked and its BFN space taken over, or an error. */
int pv_iommu_lock_and_take_over(struct pv_iommu_batch *b)
{
    int rc = stop_xen_sync(b);

    rc = rc ?: pv_iommu_lock_state(b);

    return rc ?: take_over(b);
}

/* Checks common to the map and unmap subops, in the order of the tables. */
int pv_iommu_check_bfns(struct pv_iommu_batch *b, unsigned long bfn,
                        unsigned int order)
{
    unsigned long limit;

    if ( !may_map(b->d) )
        return -EPERM;

    if ( order > pv_iommu_max_order(b->d) || (bfn & ((1UL << order) - 1)) )
        return -ENOSPC;

    limit = pv_iommu_bfn_limit(b->d);
    if ( bfn >= limit || (1UL << order) > limit - bfn )
        return -EIO;

    if ( iommu_identity_map_overlaps(b->d, bfn, 1UL << order) )
        return -EACCES;

    return 0;
}

/*
 * Every 4K BFN the domain has tracked costs Xen heap (the BFN tree) and may
 * cost an IOMMU page table, neither of which is the domain's memory. Bound
 * them by what the domain may own: its max_pages, or with map_all_gfns
 * every frame of the host, plus PV_IOMMU_GRANT_ROOM for grants. Whether
 * @nr more fit, counting each as new (a remap over a tracked BFN adds
 * nothing, but is not told apart here). Under the domain's lock.
 */
bool pv_iommu_room(const struct pv_iommu_batch *b, unsigned long nr)
{
    unsigned long own = can_map_all_gfns(b->d)
                        ? max_page
                        : min_t(unsigned long, b->d->max_pages, max_page);

    return b->pv->nr_mappings + nr <= own + PV_IOMMU_GRANT_ROOM;
}

/* A mapping of the interrupt range would not be one of memory. */
bool pv_iommu_hits_msi(unsigned long bfn, unsigned long nr)
{
    return bfn <= PV_IOMMU_MSI_LAST_BFN && bfn + nr > PV_IOMMU_MSI_FIRST_BFN;
}

/* The references a mapping made with these map_page flags holds. */
static unsigned long entry_refs(unsigned int flags)
{
    if ( flags & IOMMU_MAP_OP_no_ref_cnt )
        return 0;

    return BFN_REF | (flags & IOMMU_OP_writeable ? BFN_TYPE_REF : 0);
}

/* Take the references @entry stands for, on a frame @owner owns. */
int pv_iommu_get_entry_refs(struct pv_iommu_domain *pv, unsigned long entry,
                          struct domain *owner)
{
    struct page_info *pg = mfn_to_page(bfn_entry_mfn(entry));

    if ( !(entry & BFN_REF) )
        return 0;

    if ( !owner || !get_page(pg, owner) )
        return -EPERM;
    pv->nr_refs++;

    if ( entry & BFN_TYPE_REF )
    {
        if ( !get_page_type(pg, PGT_writable_page) )
        {
            put_entry(pv, entry & ~BFN_TYPE_REF);
            return -EPERM;
        }
        pv->nr_type_refs++;
    }

    return 0;
}

/*
 * Take the references @entry stands for.
 * -EPERM: the frame is Xen's, or the domain may not map it.
 */
static int get_entry(struct pv_iommu_batch *b, unsigned long entry)
{
    mfn_t mfn = bfn_entry_mfn(entry);
    struct page_info *pg;
    struct domain *owner;

    if ( !mfn_valid(mfn) )
        return -EPERM;

    pg = mfn_to_page(mfn);
    if ( is_xen_heap_page(pg) )
        return -EPERM;

    /*
     * Xen's frames: those of dom_xen, dom_io and dom_cow, and those in use
     * with no owner (its image, what it allocated for itself). Init memory
     * Xen freed and a domain now owns is that domain's.
     */
    owner = page_state_is(pg, inuse) ? page_get_owner(pg) : NULL;
    if ( owner ? is_system_domain(owner) : page_state_is(pg, inuse) )
        return -EPERM;

    /*
     * No reference: a hardware domain outside strict mode, which may reach
     * every frame but Xen's, free ones too, as Xen's boot-time map lets it.
     */
    if ( owner && owner != b->d && (entry & BFN_REF) &&
         !can_map_all_gfns(b->d) )
        return -EPERM;

    return pv_iommu_get_entry_refs(b->pv, entry, owner);
}

static int map_page(struct pv_iommu_batch *b, struct pv_iommu_op *op)
{
    struct domain *d = b->d;
    unsigned int order = IOMMU_get_page_order(op->flags);
    unsigned long bfn = op->u.map_page.bfn, gfn = op->u.map_page.gfn;
    unsigned long nr = 1UL << order, i, entry;
    unsigned int perms = 0;
    LIST_HEAD(gone);
    int rc;

    if ( op->flags & PV_IOMMU_MAP_RESERVED )
        return -EINVAL;

    rc = pv_iommu_check_bfns(b, bfn, order);
    if ( rc )
        return rc;

    if ( gfn & (nr - 1) )
        return -ENOSPC;

    if ( pv_iommu_hits_msi(bfn, nr) )
        return -EACCES;

    if ( op->flags & IOMMU_OP_readable )
        perms |= IOMMUF_readable;
    if ( op->flags & IOMMU_OP_writeable )
        perms |= IOMMUF_writable;
    if ( !perms )
        return -EPERM;

    if ( (op->flags & IOMMU_MAP_OP_no_ref_cnt) && !can_map_all_gfns(d) )
        return -EPERM;

    /* Not a frame at all (and no room to shift it into an entry). */
    if ( gfn >= max_page || nr > max_page - gfn )
        return -EPERM;

    rc = pv_iommu_lock_and_take_over(b);
    if ( rc )
        return rc;

    if ( !pv_iommu_room(b, nr) )
        return -ENOMEM;

    /* The entry of frame i is entry + (i << BFN_MFN_SHIFT). */
    entry = (gfn << BFN_MFN_SHIFT) | entry_refs(op->flags);

    for ( i = 0; i < nr; i++ )
    {
        rc = get_entry(b, entry + (i << BFN_MFN_SHIFT));
        if ( rc )
        {
            /* Nothing is mapped yet: the references can go now. */
            while ( i-- )
                put_entry(b->pv, entry + (i << BFN_MFN_SHIFT));
            return rc;
        }
    }

    /*
     * Foreign mappings these BFNs held go first, so that a guest's
     * ballooning cannot swap one of them over the new mapping.
     */
    pv_iommu_forget_foreign(b, bfn, nr, &gone);

    if ( pv_iommu_map(d, bfn, _mfn(gfn), nr, perms, &b->flush_flags) )
    {
        rc = -EIO;
        i = 0;
        goto undo;
    }
    pv_iommu_retire_foreign(b, &gone, false);

    for ( i = 0; i < nr; i++ )
    {
        unsigned long e = entry + (i << BFN_MFN_SHIFT);
        void **slot = radix_tree_lookup_slot(&b->pv->bfns, bfn + i);

        if ( slot )
        {
            unsigned long old = radix_tree_ptr_to_ulong(*slot);

            radix_tree_replace_slot(slot, radix_tree_ulong_to_ptr(e));
            pv_iommu_release_after_flush(b, old);
            continue;
        }

        if ( radix_tree_insert(&b->pv->bfns, bfn + i,
                               radix_tree_ulong_to_ptr(e)) )
        {
            rc = -EIO;
            goto undo;
        }
        b->pv->nr_mappings++;
    }

    return 0;

 undo:
    /*
     * The range may be partly mapped and partly tracked: unmap all of it.
     * Frames from i on are not tracked, and any of them may be in the IOTLB.
     * If that unmap fails too, a device may still reach any frame of the
     * range, old or new, so no reference of the range goes: the tracked
     * entries stay (a later unmap_page, or the teardown, drops them), the
     * untracked frames and the foreign entries keep theirs for good.
     */
    if ( pv_iommu_unmap(d, bfn, nr, &b->flush_flags) )
    {
        printk(XENLOG_G_ERR
               "%pd: PV-IOMMU: cannot undo a map of BFNs %#lx-%#lx, keeping their frames\n",
               d, bfn, bfn + nr - 1);
        for ( ; i < nr; i++ )
            pv_iommu_abandon_entry(b->pv, entry + (i << BFN_MFN_SHIFT));
        pv_iommu_retire_foreign(b, &gone, true);

        return rc;
    }

    for ( ; i < nr; i++ )
        pv_iommu_release_after_flush(b, entry + (i << BFN_MFN_SHIFT));
    pv_iommu_forget_bfns(b, bfn, nr);
    pv_iommu_retire_foreign(b, &gone, false);

    return rc;
}

static int unmap_page(struct pv_iommu_batch *b, struct pv_iommu_op *op)
{
    unsigned int order = IOMMU_get_page_order(op->flags);
    unsigned long bfn = op->u.unmap_page.bfn;
    LIST_HEAD(gone);
    int rc;

    if ( op->flags & PV_IOMMU_UNMAP_RESERVED )
        return -EINVAL;

    rc = pv_iommu_check_bfns(b, bfn, order);
    if ( rc )
        return rc;

    rc = pv_iommu_lock_and_take_over(b);
    if ( rc )
        return rc;

    /*
     * The foreign entries of these BFNs go first, as for map_page: once
     * they have left the M2B a guest's ballooning cannot swap one of them
     * to the scratch page, which after the unmap would map a BFN the
     * caller was told is gone. On failure the domain's own entries stay,
     * and so do all the references (a device may still reach the frames).
     */
    pv_iommu_forget_foreign(b, bfn, 1UL << order, &gone);
    if ( pv_iommu_unmap(b->d, bfn, 1UL << order, &b->flush_flags) )
        rc = -EIO;
    else
        pv_iommu_forget_bfns(b, bfn, 1UL << order);
    pv_iommu_retire_foreign(b, &gone, rc);

    return rc;
}

/*
 * A translated (HVM or PVH) domain's devices reach its memory at its GFNs,
 * through IOMMU tables Xen keeps in step with its p2m: it has no BFN space
 * to program, and maps a foreign frame for its devices into its p2m
 * (XENMAPSPACE_gmfn_foreign). Only where no IOMMU translates its DMA (the
 * bus address is the MFN) do the foreign subops serve it.
 */
static bool dma_follows_p2m(const struct domain *d)
{
    return is_hvm_domain(d) && is_iommu_enabled(d);
}

static int do_one_op(struct pv_iommu_batch *b, struct pv_iommu_op *op)
{
    if ( op->subop_id != IOMMUOP_query_caps && dma_follows_p2m(b->d) )
        return -EOPNOTSUPP;

    switch ( op->subop_id )
    {
    case IOMMUOP_query_caps:
        return query_caps(b->d, op);

    case IOMMUOP_map_page:
        return map_page(b, op);

    case IOMMUOP_unmap_page:
        return unmap_page(b, op);

    case IOMMUOP_map_foreign_page:
        return pv_iommu_map_foreign(b, op);

    case IOMMUOP_lookup_foreign_page:
        return pv_iommu_lookup_foreign(b, op);

    case IOMMUOP_unmap_foreign_page:
        return pv_iommu_unmap_foreign(b, op);

#ifdef CONFIG_DEBUG
    case IOMMUOP_debug_audit:
        return pv_iommu_debug_audit(b, op);

    case IOMMUOP_debug_fail:
        return pv_iommu_debug_fail(b, op);

    case IOMMUOP_debug_hold:
        return pv_iommu_debug_hold(b, op);

    case IOMMUOP_debug_lookup:
        return pv_iommu_debug_lookup(b, op);
#endif

    default:
        return -EOPNOTSUPP;
    }
}

long do_iommu_op(XEN_GUEST_HANDLE_PARAM(void) arg, unsigned int count)
{
    XEN_GUEST_HANDLE_PARAM(pv_iommu_op_t) ops =
        guest_handle_cast(arg, pv_iommu_op_t);
    struct pv_iommu_batch b = { .d = current->domain };
    unsigned int i;
    long rc = 0;

    if ( !guest_handle_okay(ops, count) )
        return -EFAULT;

    for ( i = 0; i < count; i++ )
    {
        struct pv_iommu_op op;
        int status;

        if ( i && hypercall_preempt_check() )
            goto preempted;

        if ( __copy_from_guest_offset(&op, ops, i, 1) )
        {
            rc = -EFAULT;
            break;
        }

        status = do_one_op(&b, &op);
        /* The op has not started (e.g. the take-over was preempted). */
        if ( status == -ERESTART )
            goto preempted;
        op.status = status;

        if ( __copy_to_guest_offset(ops, i, &op, 1) )
        {
            rc = -EFAULT;
            break;
        }
    }

    /*
     * The mappings must be live before the guest sees any status, and
     * references go only once their BFNs have left the IOTLB.
     */
    if ( pv_iommu_unlock_state(&b) && !rc )
        rc = -EIO;

    return rc;

 preempted:
    pause_batch(&b);
    guest_handle_add_offset(ops, i);

    return hypercall_create_continuation(__HYPERVISOR_iommu_op, "hi",
                                         ops, count - i);
}

/*
 * The domain is dying and its devices are gone: drop every reference its
 * mappings hold, a gang of entries at a time, and -ERESTART when
 * preemption is due (the domain has up to pv_iommu_room() of them). Its
 * IOMMU page tables are freed next.
 */
int pv_iommu_relinquish(struct domain *d)
{
    struct pv_iommu_domain *pv = dom_iommu(d)->pv_iommu;
    int rc = 0;

    if ( !pv )
        return 0;

    rc = pv_iommu_foreign_relinquish(d);
    if ( rc )
        return rc;

    spin_lock(&pv->lock);
    ASSERT(!pv->nr_deferred);
    for ( ; ; )
    {
        unsigned long bfns[64];
        void **slots[ARRAY_SIZE(bfns)];
        unsigned int i, n;

        n = radix_tree_gang_lookup_slot(&pv->bfns, slots, bfns,
                                        pv->relinquish_next,
                                        ARRAY_SIZE(slots));
        if ( !n )
            break;

        for ( i = 0; i < n; i++ )
            put_entry(pv, radix_tree_ptr_to_ulong(*slots[i]));
        for ( i = 0; i < n; i++ )
            radix_tree_delete(&pv->bfns, bfns[i]);
        pv->nr_mappings -= n;
        pv->relinquish_next = bfns[n - 1] + 1;

        if ( general_preempt_check() )
        {
            rc = -ERESTART;
            break;
        }
    }
    spin_unlock(&pv->lock);

    return rc;
}

void pv_iommu_domain_destroy(struct domain *d)
{
    struct pv_iommu_domain *pv = dom_iommu(d)->pv_iommu;

    if ( !pv )
        return;

    ASSERT(!pv->nr_mappings && !pv->nr_refs && !pv->nr_type_refs);
    pv_iommu_foreign_destroy(pv);
    dom_iommu(d)->pv_iommu = NULL;
    xfree(pv);
}

/*
 * Local variables:
 * mode: C
 * c-file-style: "BSD"
 * c-basic-offset: 4
 * tab-width: 4
 * indent-tabs-mode: nil
 * End:
 */
