/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PV-IOMMU foreign subops: an emulator's domain maps frames of a guest it
 * has device-model privilege over at BFNs it chooses, for one of the
 * guest's IOREQ servers.
 *
 * Each (BFN, caller, IOREQ server) that refers to a guest frame is an M2B
 * entry. It holds a reference on the frame (and a writable type reference
 * for a writable mapping), so the frame cannot be freed while a device may
 * reach it. The guest's M2B indexes its entries by MFN; the caller's
 * foreign tree indexes them by BFN (entries at one BFN share its frame).
 *
 * When the guest gives a frame up (ballooning), every IOREQ server with an
 * entry for it is sent IOREQ_TYPE_INVALIDATE with the BFN. The mapping and
 * the references stay until the emulator unmaps the BFN, so a guest cannot
 * make a device fault by ballooning; unless every entry of the frame was
 * made with IOMMUOP_swap_mfn, in which case Xen points those BFNs at a
 * scratch page of the caller and drops the references at once.
 *
 * One global lock protects all of it: M2B updates are rare next to DMA, and
 * a guest's ballooning must see the entries of every caller.
 * Lock order: the target's p2m lock (a frame may leave the guest with it
 * held, e.g. XENMAPSPACE_gmfn onto a populated GFN), a caller's pv->lock,
 * then m2b_lock (recursive: a flush of the caller's deferred references may
 * come from inside it), then IOREQ locks. The p2m lock is never taken under
 * m2b_lock, and IOREQ locks are never taken under the p2m lock: an IOREQ
 * server is enabled and destroyed with its lock held and then takes the
 * p2m lock. So invalidations are queued when the frame leaves and sent by
 * pv_iommu_send_invalidations() once the p2m lock is dropped.
 */

#include <xen/event.h>
#include <xen/iommu.h>
#include <xen/ioreq.h>
#include <xen/mm.h>
#include <xen/xmalloc.h>

#include <xsm/xsm.h>

#include <asm/p2m.h>

#include "pv-iommu.h"

/* Cap on the entries one caller holds, so that Xen's heap stays usable. */
#define PV_IOMMU_MAX_M2B        (1UL << 20)

/* What an entry holds and how it was made. */
#define M2B_REF                 (1U << 0) /* a page reference */
#define M2B_TYPE_REF            (1U << 1) /* a writable type reference */
#define M2B_MAPPED              (1U << 2) /* Xen mapped the BFN for it */
#define M2B_READABLE            (1U << 3)
#define M2B_WRITEABLE           (1U << 4)
#define M2B_SWAP                (1U << 5) /* IOMMUOP_swap_mfn */
#define M2B_STALE               (1U << 6) /* the guest gave the frame up */
#define M2B_SWAPPED             (1U << 7) /* the BFN maps the scratch page */
#define M2B_QUEUED              (1U << 8) /* an invalidation is to be sent */
#define M2B_NEW                 (1U << 9) /* made by the map_range() running */

struct pv_iommu_m2b {
    /* The target's other entries for the frame (while in its M2B). */
    struct pv_iommu_m2b *next_mfn;
    /* The caller's other entries at the BFN. */
    struct pv_iommu_m2b *next_bfn;
    /* On the target's invalidations, or the caller's unflushed list. */
    struct list_head list;
    struct domain *caller;
    struct domain *target; /* NULL once swapped out of the M2B */
    unsigned long bfn;
    unsigned long gfn;
    mfn_t mfn;
    ioservid_t ioserver;
    unsigned int flags;
};

static DEFINE_SPINLOCK(m2b_lock);

void pv_iommu_foreign_init(struct pv_iommu_domain *pv)
{
    radix_tree_init(&pv->foreign);
    radix_tree_init(&pv->m2b);
    INIT_LIST_HEAD(&pv->unflushed);
    INIT_LIST_HEAD(&pv->invalidations);
}

static struct pv_iommu_domain *state_of(const struct domain *d)
{
    return read_atomic(&dom_iommu(d)->pv_iommu);
}

static unsigned int iommu_perms(const struct pv_iommu_m2b *e)
{
    return (e->flags & M2B_READABLE ? IOMMUF_readable : 0) |
           (e->flags & M2B_WRITEABLE ? IOMMUF_writable : 0);
}

/* Drop the references of an entry the IOMMU no longer reaches through. */
static void put_m2b_refs(struct pv_iommu_m2b *e)
{
    struct pv_iommu_domain *cpv = state_of(e->caller);
    struct page_info *pg = mfn_to_page(e->mfn);

    if ( e->flags & M2B_TYPE_REF )
    {
        put_page_type(pg);
        cpv->nr_foreign_type_refs--;
    }
    if ( e->flags & M2B_REF )
    {
        put_page(pg);
        cpv->nr_foreign_refs--;
    }
    e->flags &= ~(M2B_REF | M2B_TYPE_REF);
}

/*
 * The IOMMU failed to unmap a BFN of the entry: a device may still reach
 * the frame, so its references are never dropped (the frame leaks).
 */
static void abandon_refs(struct pv_iommu_m2b *e)
{
    struct pv_iommu_domain *cpv = state_of(e->caller);

    printk(XENLOG_G_ERR
           "%pd: PV-IOMMU: cannot unmap BFN %#lx, keeping MFN %#lx\n",
           e->caller, e->bfn, mfn_x(e->mfn));
    if ( e->flags & M2B_TYPE_REF )
        cpv->nr_foreign_type_refs--;
    if ( e->flags & M2B_REF )
        cpv->nr_foreign_refs--;
    e->flags &= ~(M2B_REF | M2B_TYPE_REF);
}

/* The target's M2B. */

static int m2b_insert(struct pv_iommu_domain *tpv, struct pv_iommu_m2b *e)
{
    void **slot = radix_tree_lookup_slot(&tpv->m2b, mfn_x(e->mfn));

    if ( !slot )
    {
        e->next_mfn = NULL;
        return radix_tree_insert(&tpv->m2b, mfn_x(e->mfn), e);
    }

    e->next_mfn = *slot;
    radix_tree_replace_slot(slot, e);

    return 0;
}

static void m2b_remove(struct pv_iommu_m2b *e)
{
    struct pv_iommu_domain *tpv;
    struct pv_iommu_m2b **pp, *head;

    if ( !e->target )
        return;

    tpv = state_of(e->target);
    head = radix_tree_lookup(&tpv->m2b, mfn_x(e->mfn));
    if ( head == e )
    {
        if ( e->next_mfn )
            radix_tree_replace_slot(
                radix_tree_lookup_slot(&tpv->m2b, mfn_x(e->mfn)),
                e->next_mfn);
        else
            radix_tree_delete(&tpv->m2b, mfn_x(e->mfn));
    }
    else
    {
        for ( pp = &head->next_mfn; *pp != e; pp = &(*pp)->next_mfn )
            ASSERT(*pp);
        *pp = e->next_mfn;
    }
    e->next_mfn = NULL;
    e->target = NULL;
}

/* The invalidation of a forgotten entry is not sent any more. */
static void dequeue(struct pv_iommu_m2b *e)
{
    if ( !(e->flags & M2B_QUEUED) )
        return;

    list_del(&e->list);
    e->flags &= ~M2B_QUEUED;
}

/* The caller's foreign tree. */

static struct pv_iommu_m2b *at_bfn(struct pv_iommu_domain *cpv,
                                   unsigned long bfn)
{
    return radix_tree_lookup(&cpv->foreign, bfn);
}

static int bfn_insert(struct pv_iommu_domain *cpv, struct pv_iommu_m2b *e)
{
    void **slot = radix_tree_lookup_slot(&cpv->foreign, e->bfn);
    int rc;

    if ( slot )
    {
        e->next_bfn = *slot;
        radix_tree_replace_slot(slot, e);
        return 0;
    }

    e->next_bfn = NULL;
    rc = radix_tree_insert(&cpv->foreign, e->bfn, e);
    if ( !rc && (e->flags & M2B_MAPPED) )
        cpv->nr_foreign_bfns++;

    return rc;
}

static void bfn_remove(struct pv_iommu_domain *cpv, struct pv_iommu_m2b *e)
{
    void **slot = radix_tree_lookup_slot(&cpv->foreign, e->bfn);
    struct pv_iommu_m2b **pp;

    if ( *slot == e )
    {
        if ( e->next_bfn )
            radix_tree_replace_slot(slot, e->next_bfn);
        else
        {
            radix_tree_delete(&cpv->foreign, e->bfn);
            if ( e->flags & M2B_MAPPED )
                cpv->nr_foreign_bfns--;
        }
    }
    else
    {
        for ( pp = &((struct pv_iommu_m2b *)*slot)->next_bfn; *pp != e;
              pp = &(*pp)->next_bfn )
            ASSERT(*pp);
        *pp = e->next_bfn;
    }
    e->next_bfn = NULL;
}

/* Take an entry out of both trees onto @list, with its references. */
static void retire_to(struct pv_iommu_domain *cpv, struct pv_iommu_m2b *e,
                      struct list_head *list)
{
    if ( !(e->flags & M2B_SWAPPED) )
        cpv->nr_m2b--;
    m2b_remove(e);
    dequeue(e);
    bfn_remove(cpv, e);
    list_add_tail(&e->list, list);
}

/*
 * Take an entry out of both trees; its references go after the caller's
 * next IOTLB flush (the BFN may still be cached).
 */
static void retire(struct pv_iommu_domain *cpv, struct pv_iommu_m2b *e)
{
    retire_to(cpv, e, &cpv->unflushed);
}

/*
 * The caller's IOTLB was flushed: drop what its retired entries held. If
 * the flush failed (!@flushed) a device may still reach their frames: keep
 * their references for good instead, as for the caller's own entries.
 */
void pv_iommu_release_foreign(struct pv_iommu_domain *pv, bool flushed)
{
    struct pv_iommu_m2b *e, *tmp;

    if ( list_empty(&pv->unflushed) )
        return;

    spin_lock_recursive(&m2b_lock);
    list_for_each_entry_safe ( e, tmp, &pv->unflushed, list )
    {
        list_del(&e->list);
        if ( flushed )
            put_m2b_refs(e);
        else
            abandon_refs(e);
        xfree(e);
    }
    spin_unlock_recursive(&m2b_lock);
}

/*
 * map_page, unmap_page or a grant map is about to change [bfn, bfn + nr)
 * in the IOMMU: its foreign entries leave both trees first, onto @gone
 * with their references, so that a guest's ballooning can no longer swap
 * one of them to the scratch page, which would map the BFN again after the
 * change. Once the IOMMU is done, pv_iommu_retire_foreign() says what
 * becomes of their references.
 */
void pv_iommu_forget_foreign(struct pv_iommu_batch *b, unsigned long bfn,
                             unsigned long nr, struct list_head *gone)
{
    struct pv_iommu_m2b *e;
    unsigned long i;

    spin_lock_recursive(&m2b_lock);
    for ( i = 0; i < nr; i++ )
        while ( (e = at_bfn(b->pv, bfn + i)) != NULL )
            retire_to(b->pv, e, gone);
    spin_unlock_recursive(&m2b_lock);
}

/*
 * The entries pv_iommu_forget_foreign() put on @gone no longer map their
 * BFNs: their references go after the caller's next IOTLB flush. Unless
 * @reachable: the IOMMU failed to change the BFNs, a device may still
 * reach the frames, and their references are never dropped (they leak).
 */
void pv_iommu_retire_foreign(struct pv_iommu_batch *b, struct list_head *gone,
                             bool reachable)
{
    struct pv_iommu_m2b *e;

    if ( list_empty(gone) )
        return;

    spin_lock_recursive(&m2b_lock);
    if ( reachable )
        list_for_each_entry ( e, gone, list )
            abandon_refs(e);
    list_splice_init(gone, &b->pv->unflushed);
    spin_unlock_recursive(&m2b_lock);
}

/*
 * The target of a foreign subop, RCU-locked: -EPERM for the caller itself
 * or without device-model privilege over it (XSM's pv_iommu_foreign: in
 * the dummy policy the control domain or the target's stub domain), -ENXIO
 * for no such domain, -ENODEV for a target that is not HVM (PV domains have
 * no IOREQ servers), no such IOREQ server, one another domain runs, or one
 * that cannot receive invalidations (it has no buffered ring).
 */
static int get_target(struct pv_iommu_batch *b, domid_t domid,
                      ioservid_t ioserver, struct domain **tp)
{
    struct domain *t;

    if ( domid == DOMID_SELF || domid == b->d->domain_id )
        return -EPERM;

    t = rcu_lock_domain_by_id(domid);
    if ( !t )
        return -ENXIO;

    if ( xsm_pv_iommu_foreign(XSM_DM_PRIV, b->d, t) )
    {
        rcu_unlock_domain(t);
        return -EPERM;
    }

    /*
     * The server must be one the caller runs. A PV domain has none, and no
     * initialised IOREQ lock: it must not be looked at.
     */
    if ( !is_hvm_domain(t) || !ioreq_server_has_bufioreq(t, ioserver, b->d) )
    {
        rcu_unlock_domain(t);
        return -ENODEV;
    }

    *tp = t;

    return 0;
}

/*
 * A reference to the frame at @gfn of @t, and a writable type reference if
 * @writeable. -ENXIO: not a RAM GFN; -EPERM: Xen's frame, or read-only.
 * Called without m2b_lock: it takes the p2m lock.
 */
static int get_frame(struct domain *t, unsigned long gfn, bool writeable,
                     struct page_info **pgp)
{
    struct page_info *pg;
    p2m_type_t p2mt;
    int rc = 0;

    pg = get_page_from_gfn(t, gfn, &p2mt, P2M_ALLOC);
    if ( !pg )
        return -ENXIO;

    if ( !p2m_is_ram(p2mt) )
        rc = -ENXIO;
    else if ( is_xen_heap_page(pg) ||
              (writeable && p2m_is_readonly(p2mt)) )
        rc = -EPERM;
    else if ( writeable && !get_page_type(pg, PGT_writable_page) )
        rc = -EPERM;

    if ( rc )
    {
        put_page(pg);
        return rc;
    }

    *pgp = pg;

    return 0;
}

static void put_frame(struct page_info *pg, bool writeable)
{
    if ( writeable )
        put_page_type(pg);
    put_page(pg);
}

static unsigned int m2b_flags(unsigned int op_flags)
{
    return M2B_REF |
           (op_flags & IOMMU_OP_readable ? M2B_READABLE : 0) |
           (op_flags & IOMMU_OP_writeable ? M2B_WRITEABLE | M2B_TYPE_REF : 0) |
           (op_flags & IOMMUOP_swap_mfn ? M2B_SWAP : 0);
}

static struct pv_iommu_m2b *new_entry(struct pv_iommu_batch *b,
                                      struct domain *t, unsigned long bfn,
                                      unsigned long gfn,
                                      struct page_info *pg,
                                      ioservid_t ioserver, unsigned int flags)
{
    struct pv_iommu_m2b *e;

    if ( b->pv->nr_m2b >= PV_IOMMU_MAX_M2B )
        return NULL;

    e = xzalloc(struct pv_iommu_m2b);
    if ( !e )
        return NULL;

    INIT_LIST_HEAD(&e->list);
    e->caller = b->d;
    e->target = t;
    e->bfn = bfn;
    e->gfn = gfn;
    e->mfn = page_to_mfn(pg);
    e->ioserver = ioserver;
    e->flags = flags;

    return e;
}

/*
 * Account a new entry holding the frame's references in both trees.
 * On failure the caller still owns the references.
 */
static int track(struct pv_iommu_batch *b, struct pv_iommu_domain *tpv,
                 struct pv_iommu_m2b *e)
{
    int rc = m2b_insert(tpv, e);

    if ( rc )
        return rc;

    rc = bfn_insert(b->pv, e);
    if ( rc )
    {
        m2b_remove(e);
        return rc;
    }

    b->pv->nr_m2b++;
    b->pv->nr_foreign_refs++;
    if ( e->flags & M2B_TYPE_REF )
        b->pv->nr_foreign_type_refs++;

    return 0;
}

/*
 * Does entry @e, at the BFN, map what a new entry would (the same frame of
 * the same target, the same way)? The frame is compared, not just the GFN:
 * a guest can move a frame to another GFN (XENMAPSPACE_gmfn) and put a new
 * one at the old GFN, which tells the M2B nothing; sharing the BFN would
 * leave the IOMMU on the old frame while the new entry holds the new one.
 */
static bool same_mapping(const struct pv_iommu_m2b *e, const struct domain *t,
                         unsigned long gfn, mfn_t mfn, unsigned int flags)
{
    unsigned int keep = M2B_READABLE | M2B_WRITEABLE | M2B_SWAP | M2B_MAPPED;

    return e->target == t && e->gfn == gfn && mfn_eq(e->mfn, mfn) &&
           !(e->flags & M2B_STALE) &&
           (e->flags & keep) == (flags & keep);
}

/* Map one 4K foreign frame, whose references @pg the entry then owns. */
static int map_one(struct pv_iommu_batch *b, struct domain *t,
                   struct pv_iommu_domain *tpv, unsigned long bfn,
                   unsigned long gfn, struct page_info *pg,
                   ioservid_t ioserver, unsigned int flags)
{
    struct pv_iommu_m2b *e, *old = at_bfn(b->pv, bfn);
    bool share = old && same_mapping(old, t, gfn, page_to_mfn(pg), flags);
    int rc;

    /* No duplicate entries: the same tuple again is a no-op. */
    for ( e = share ? old : NULL; e; e = e->next_bfn )
        if ( e->ioserver == ioserver )
        {
            put_frame(pg, flags & M2B_TYPE_REF);
            return 0;
        }

    e = new_entry(b, t, bfn, gfn, pg, ioserver, flags | M2B_NEW);
    if ( !e )
    {
        put_frame(pg, flags & M2B_TYPE_REF);
        return -ENOMEM;
    }

    /* Another server's entry already maps this frame here. */
    if ( !share )
    {
        if ( pv_iommu_map(b->d, bfn, e->mfn, 1, iommu_perms(e),
                          &b->flush_flags) )
        {
            xfree(e);
            put_frame(pg, flags & M2B_TYPE_REF);
            return -EIO;
        }

        /* What the BFN held before is gone. */
        pv_iommu_forget_bfns(b, bfn, 1);
        while ( (old = at_bfn(b->pv, bfn)) != NULL )
            retire(b->pv, old);
    }

    rc = track(b, tpv, e);
    if ( rc )
    {
        /* Account the references, which go after the flush. */
        b->pv->nr_foreign_refs++;
        if ( e->flags & M2B_TYPE_REF )
            b->pv->nr_foreign_type_refs++;
        if ( !share && pv_iommu_unmap(b->d, bfn, 1, &b->flush_flags) )
            abandon_refs(e);
        list_add_tail(&e->list, &b->pv->unflushed);
    }

    return rc;
}

/*
 * No IOMMU translates the caller's DMA (or Xen's boot-time map does, BFN =
 * MFN): the frame's bus address is its MFN. Track it all the same, so that
 * the frame lives until the emulator unmaps it.
 */
static int track_identity(struct pv_iommu_batch *b, struct domain *t,
                          struct pv_iommu_domain *tpv, struct page_info *pg,
                          unsigned long gfn, ioservid_t ioserver,
                          unsigned int flags, unsigned long *bfnp)
{
    unsigned long mfn = mfn_x(page_to_mfn(pg));
    struct pv_iommu_m2b *e;
    int rc;

    *bfnp = mfn;

    for ( e = at_bfn(b->pv, mfn); e; e = e->next_bfn )
        if ( e->ioserver == ioserver && !(e->flags & M2B_MAPPED) &&
             e->target == t && e->gfn == gfn &&
             !((e->flags ^ flags) & (M2B_READABLE | M2B_WRITEABLE)) )
        {
            put_frame(pg, flags & M2B_TYPE_REF);
            return 0;
        }

    e = new_entry(b, t, mfn, gfn, pg, ioserver, flags & ~M2B_MAPPED);
    rc = e ? track(b, tpv, e) : -ENOMEM;
    if ( rc )
    {
        xfree(e);
        put_frame(pg, flags & M2B_TYPE_REF);
    }

    return rc;
}

/* Does the caller reach every frame at BFN = MFN, as Xen mapped it? */
static bool identity_mapped(const struct pv_iommu_batch *b)
{
    const struct pv_iommu_domain *pv = state_of(b->d);

    if ( pv_iommu_bus_is_mfn(b->d) )
        return true;

    /* Xen's boot-time map of a hardware domain outside strict mode. */
    return is_hardware_domain(b->d) && !iommu_hwdom_strict &&
           !(pv && pv->taken_over);
}

/* Checks of map_foreign_page on the BFN side, in the order of its table. */
static int check_map_foreign(struct pv_iommu_batch *b,
                             const struct pv_iommu_op *op)
{
    unsigned int order = IOMMU_get_page_order(op->flags);
    unsigned long bfn = op->u.map_foreign_page.bfn;
    unsigned long gfn = op->u.map_foreign_page.gfn;
    int rc;

    rc = pv_iommu_check_bfns(b, bfn, order);
    if ( rc )
        return rc;

    if ( gfn & ((1UL << order) - 1) )
        return -ENOSPC;

    if ( pv_iommu_hits_msi(bfn, 1UL << order) )
        return -EACCES;

    if ( !(op->flags & (IOMMU_OP_readable | IOMMU_OP_writeable)) )
        return -EPERM;

    return 0;
}

static struct pv_iommu_m2b *server_entry(struct pv_iommu_domain *cpv,
                                         unsigned long bfn,
                                         ioservid_t ioserver)
{
    struct pv_iommu_m2b *e;

    for ( e = at_bfn(cpv, bfn); e; e = e->next_bfn )
        if ( e->ioserver == ioserver )
            return e;

    return NULL;
}

/*
 * Forget the server's entry at @bfn, and unmap the BFN if no other
 * server's entry uses it. -EIO: the IOMMU failed (the entry stays).
 */
static int unmap_server_bfn(struct pv_iommu_batch *b, unsigned long bfn,
                            ioservid_t ioserver)
{
    struct pv_iommu_m2b *e = server_entry(b->pv, bfn, ioserver);
    bool last;

    if ( !e )
        return 0;

    last = at_bfn(b->pv, bfn) == e && !e->next_bfn;
    if ( last && (e->flags & M2B_MAPPED) &&
         pv_iommu_unmap(b->d, bfn, 1, &b->flush_flags) )
        return -EIO;

    retire(b->pv, e);

    return 0;
}

/*
 * get_frame() runs outside m2b_lock: the guest may have given the frame up
 * before its new entry was in the M2B, which then heard nothing of it.
 * Once the entry is in, a GFN that no longer holds the frame is treated as
 * the guest giving it up (again, if it did hear of it: that is harmless).
 */
static void recheck_gfn(struct domain *t, unsigned long gfn, mfn_t mfn)
{
    p2m_type_t p2mt;

    if ( mfn_eq(get_gfn_query_unlocked(t, gfn, &p2mt), mfn) )
        return;

    pv_iommu_gfn_removed(t, gfn, mfn);
    pv_iommu_send_invalidations(t);
}

/* Map [gfn, gfn + nr) of @t at [bfn, bfn + nr); undo all on failure. */
static int map_range(struct pv_iommu_batch *b, struct domain *t,
                     unsigned long bfn, unsigned long gfn, unsigned long nr,
                     ioservid_t ioserver, unsigned int flags)
{
    struct pv_iommu_domain *tpv = pv_iommu_get_state(t);
    bool writeable = flags & M2B_TYPE_REF;
    struct page_info *pg;
    unsigned long i;
    mfn_t mfn;
    int rc = 0;

    if ( !tpv )
        return -ENOMEM;

    for ( i = 0; i < nr && !rc; i++ )
    {
        /* Outside m2b_lock: this takes the p2m lock. */
        rc = get_frame(t, gfn + i, writeable, &pg);
        if ( rc )
            break;
        mfn = page_to_mfn(pg);

        spin_lock_recursive(&m2b_lock);
        if ( (flags & M2B_SWAP) && !b->pv->scratch )
        {
            b->pv->scratch = alloc_domheap_page(NULL, 0);
            if ( b->pv->scratch )
                clear_domain_page(page_to_mfn(b->pv->scratch));
        }
        if ( (flags & M2B_SWAP) && !b->pv->scratch )
        {
            put_frame(pg, writeable);
            rc = -ENOMEM;
        }
        else
            rc = map_one(b, t, tpv, bfn + i, gfn + i, pg, ioserver, flags);
        spin_unlock_recursive(&m2b_lock);

        if ( !rc )
            recheck_gfn(t, gfn + i, mfn);
    }

    /*
     * On failure the entries this op made go again. Those it found (the
     * same tuple again, a no-op) are the server's from before: they stay.
     */
    spin_lock_recursive(&m2b_lock);
    while ( i-- )
    {
        struct pv_iommu_m2b *e = server_entry(b->pv, bfn + i, ioserver);

        if ( !e || !(e->flags & M2B_NEW) )
            continue;
        e->flags &= ~M2B_NEW;
        if ( rc )
            unmap_server_bfn(b, bfn + i, ioserver);
    }
    spin_unlock_recursive(&m2b_lock);

    return rc;
}

static int lookup_foreign(struct pv_iommu_batch *b, struct pv_iommu_op *op,
                          unsigned int flags);

int pv_iommu_map_foreign(struct pv_iommu_batch *b, struct pv_iommu_op *op)
{
    unsigned int order = IOMMU_get_page_order(op->flags);
    unsigned int flags = m2b_flags(op->flags);
    struct domain *t;
    int rc;

    if ( op->flags & PV_IOMMU_MAP_RESERVED )
        return -EINVAL;

    rc = get_target(b, op->u.map_foreign_page.domid,
                    op->u.map_foreign_page.ioserver, &t);
    if ( rc )
        return rc;

    /*
     * No IOMMU: the bus address is the MFN, as the spec says, whatever BFN
     * was asked for; the access asked for is held as with an IOMMU.
     */
    if ( !pv_iommu_can_map(b->d) && pv_iommu_bus_is_mfn(b->d) )
    {
        if ( order )
            rc = -ENOSPC;
        else if ( !(op->flags & (IOMMUOP_readable | IOMMUOP_writeable)) )
            rc = -EPERM;
        else
            rc = lookup_foreign(b, op, flags);
        goto out;
    }

    rc = check_map_foreign(b, op);
    if ( !rc )
        rc = pv_iommu_lock_and_take_over(b);
    if ( !rc )
        rc = map_range(b, t, op->u.map_foreign_page.bfn,
                       op->u.map_foreign_page.gfn, 1UL << order,
                       op->u.map_foreign_page.ioserver,
                       flags | M2B_MAPPED);

 out:
    rcu_unlock_domain(t);

    return rc;
}

/* The caller's BFN for the frame and server, from the target's M2B. */
static struct pv_iommu_m2b *find_mapping(struct pv_iommu_domain *tpv,
                                         const struct domain *caller,
                                         mfn_t mfn, ioservid_t ioserver)
{
    struct pv_iommu_m2b *e = radix_tree_lookup(&tpv->m2b, mfn_x(mfn));

    for ( ; e; e = e->next_mfn )
        if ( e->caller == caller && e->ioserver == ioserver &&
             (e->flags & M2B_MAPPED) )
            return e;

    return NULL;
}

static unsigned int op_perms(unsigned int flags)
{
    return (flags & M2B_READABLE ? IOMMU_OP_readable : 0) |
           (flags & M2B_WRITEABLE ? IOMMU_OP_writeable : 0);
}

/*
 * Where the caller's devices reach every frame at BFN = MFN: an entry for
 * the frame at @gfn, with the access *@flags ask for, so that the frame
 * lives until the emulator unmaps it. A lookup asks for none (0) and gets
 * what the frame allows: writeable only with a writable type reference.
 */
static int identity_entry(struct pv_iommu_batch *b, struct domain *t,
                          struct pv_iommu_domain *tpv, unsigned long gfn,
                          ioservid_t ioserver, unsigned int *flags,
                          unsigned long *bfnp)
{
    unsigned int want = *flags ?: m2b_flags(IOMMUOP_readable |
                                            IOMMUOP_writeable);
    struct page_info *pg;
    mfn_t mfn;
    int rc = get_frame(t, gfn, want & M2B_TYPE_REF, &pg);

    if ( rc == -EPERM && !*flags )
    {
        want = m2b_flags(IOMMUOP_readable);
        rc = get_frame(t, gfn, false, &pg);
    }
    if ( rc )
        return rc;

    mfn = page_to_mfn(pg);
    spin_lock_recursive(&m2b_lock);
    rc = track_identity(b, t, tpv, pg, gfn, ioserver, want, bfnp);
    spin_unlock_recursive(&m2b_lock);
    *flags = want;
    if ( !rc )
        recheck_gfn(t, gfn, mfn);

    return rc;
}

/* The BFN and access a map_foreign_page gave the frame for the server. */
static int mapped_entry(struct pv_iommu_batch *b, struct domain *t,
                        struct pv_iommu_domain *tpv, unsigned long gfn,
                        ioservid_t ioserver, unsigned int *flags,
                        unsigned long *bfnp)
{
    struct pv_iommu_m2b *e;
    struct page_info *pg;
    int rc = get_frame(t, gfn, false, &pg);

    if ( rc )
        return rc;

    spin_lock_recursive(&m2b_lock);
    e = find_mapping(tpv, b->d, page_to_mfn(pg), ioserver);
    if ( e )
    {
        *bfnp = e->bfn;
        *flags = e->flags;
    }
    spin_unlock_recursive(&m2b_lock);
    put_frame(pg, false);

    return e ? 0 : -ENOENT;
}

/*
 * lookup_foreign_page, and map_foreign_page where no IOMMU translates the
 * caller's DMA (@flags: the access it asks for; 0 for a lookup). Where the
 * caller's devices reach every frame at BFN = MFN (no IOMMU, or the
 * hardware domain outside strict mode before it took its BFN space over)
 * the answer is the MFN, and an M2B entry is added as a map would; a BFN
 * given to a lookup as input (not 0) is then -EINVAL (the spec: there is
 * no BFN to choose). Otherwise the answer is the BFN a map_foreign_page
 * gave the frame for this server, or -ENOENT.
 */
static int lookup_foreign(struct pv_iommu_batch *b, struct pv_iommu_op *op,
                          unsigned int flags)
{
    ioservid_t ioserver = op->u.lookup_foreign_page.ioserver;
    unsigned long gfn = op->u.lookup_foreign_page.gfn, bfn = 0;
    struct pv_iommu_domain *tpv;
    struct domain *t;
    int rc;

    rc = get_target(b, op->u.lookup_foreign_page.domid, ioserver, &t);
    if ( rc )
        return rc;

    tpv = pv_iommu_get_state(t);
    rc = tpv ? pv_iommu_lock_state(b) : -ENOMEM;
    if ( rc )
        goto out;

    if ( !identity_mapped(b) )
        rc = mapped_entry(b, t, tpv, gfn, ioserver, &flags, &bfn);
    else if ( !flags && op->u.lookup_foreign_page.bfn )
        rc = -EINVAL;
    else
        rc = identity_entry(b, t, tpv, gfn, ioserver, &flags, &bfn);

    if ( !rc )
    {
        op->u.lookup_foreign_page.bfn = bfn;
        /* The access, and the largest order of the other subops. */
        op->flags = op_perms(flags) |
                    (pv_iommu_can_map(b->d)
                     ? IOMMU_page_order(pv_iommu_max_order(b->d)) : 0);
    }

 out:
    rcu_unlock_domain(t);

    return rc;
}

int pv_iommu_lookup_foreign(struct pv_iommu_batch *b, struct pv_iommu_op *op)
{
    return lookup_foreign(b, op, 0);
}

/*
 * unmap_foreign_page: the server's entries at [bfn, bfn + 2^order), all of
 * which must exist (-ENOENT), go; their references after the IOTLB flush.
 * Entries lie below the IOMMU's limit or, filed by an identity-mode lookup
 * (BFN = MFN), below max_page, which may be higher.
 */
int pv_iommu_unmap_foreign(struct pv_iommu_batch *b, struct pv_iommu_op *op)
{
    unsigned int order = IOMMU_get_page_order(op->flags);
    unsigned long bfn = op->u.unmap_foreign_page.bfn, nr = 1UL << order, i;
    unsigned long end = max(pv_iommu_bfn_limit(b->d), max_page);
    ioservid_t ioserver = op->u.unmap_foreign_page.ioserver;
    int rc = 0;

    if ( op->flags & PV_IOMMU_UNMAP_RESERVED )
        return -EINVAL;

    if ( !state_of(b->d) || (bfn & (nr - 1)) || bfn >= end ||
         nr > end - bfn )
        return -ENOENT;

    rc = pv_iommu_lock_state(b);
    if ( rc )
        return rc;

    spin_lock_recursive(&m2b_lock);
    for ( i = 0; i < nr; i++ )
        if ( !server_entry(b->pv, bfn + i, ioserver) )
        {
            rc = -ENOENT;
            break;
        }
    for ( i = 0; !rc && i < nr; i++ )
        rc = unmap_server_bfn(b, bfn + i, ioserver);
    spin_unlock_recursive(&m2b_lock);

    return rc;
}

/*
 * The BFNs of a frame the guest gave up, all of whose entries asked for
 * swap_mfn, now map the caller's scratch page; the references go after the
 * flush, unless the caller is dying. The entries leave the M2B but stay at
 * their BFN for unmap.
 */
static void swap_to_scratch(struct pv_iommu_domain *tpv, mfn_t mfn)
{
    struct pv_iommu_m2b *e = radix_tree_lookup(&tpv->m2b, mfn_x(mfn)), *next;

    radix_tree_delete(&tpv->m2b, mfn_x(mfn));

    for ( ; e; e = next )
    {
        struct pv_iommu_domain *cpv = state_of(e->caller);
        unsigned int flush_flags = 0;

        next = e->next_mfn;
        e->next_mfn = NULL;
        e->target = NULL;

        if ( pv_iommu_map(e->caller, e->bfn, page_to_mfn(cpv->scratch), 1,
                          iommu_perms(e), &flush_flags) ||
             pv_iommu_flush(e->caller, flush_flags) )
        {
            /* The device may still reach the frame: keep it. */
            abandon_refs(e);
            e->flags |= M2B_SWAPPED;
            cpv->nr_m2b--;
            continue;
        }

        e->flags |= M2B_SWAPPED;
        cpv->nr_m2b--;

        /*
         * The IOMMU code maps nothing for a dying domain, whose devices
         * may still be assigned: then the BFN still reaches the frame, and
         * the references stay until the caller's teardown drops them once
         * its devices are gone. (is_dying only ever grows: if iommu_map()
         * saw it, so does this.)
         */
        if ( ACCESS_ONCE(e->caller->is_dying) )
            continue;

        put_m2b_refs(e);
        e->mfn = page_to_mfn(cpv->scratch);
    }
}

/*
 * Whether this CPU holds @d's p2m lock (which a GFN's lock is on x86). An
 * IOREQ server is enabled and destroyed with its lock held and then takes
 * the p2m lock: sending under the p2m lock would deadlock against that.
 */
static bool p2m_locked_here(struct domain *d)
{
    return p2m_get_hostp2m(d)->lock.locker == smp_processor_id();
}

/* Send what fits in the servers' rings; true if some must wait. */
static bool send_invalidations(struct domain *d, struct pv_iommu_domain *tpv)
{
    struct pv_iommu_m2b *e, *tmp;

    ASSERT(!p2m_locked_here(d));

    list_for_each_entry_safe ( e, tmp, &tpv->invalidations, list )
    {
        if ( ioreq_server_send_invalidate(d, e->ioserver, e->caller,
                                          e->bfn) == -EBUSY )
            return true;
        dequeue(e);
    }

    return false;
}

/*
 * @d gave up @gfn, backed by @mfn: the frame leaves the guest. Queue an
 * invalidation for the IOREQ server of every entry of the frame, with its
 * BFN, whatever GFN the entry was made for (the guest may have moved the
 * frame since, which the M2B does not hear of); the caller sends them with
 * pv_iommu_send_invalidations() once it holds no p2m lock. The entries stay
 * (stale) until their emulators unmap them, unless they all asked for
 * swap_mfn.
 */
void pv_iommu_gfn_removed(struct domain *d, unsigned long gfn, mfn_t mfn)
{
    struct pv_iommu_domain *tpv = state_of(d);
    struct pv_iommu_m2b *e;
    bool swap = true;

    if ( !tpv )
        return;

    spin_lock_recursive(&m2b_lock);
    for ( e = radix_tree_lookup(&tpv->m2b, mfn_x(mfn)); e; e = e->next_mfn )
    {
        swap &= !!(e->flags & M2B_SWAP) && (e->flags & M2B_MAPPED);
        e->flags |= M2B_STALE;
        if ( !(e->flags & M2B_QUEUED) )
        {
            list_add_tail(&e->list, &tpv->invalidations);
            e->flags |= M2B_QUEUED;
        }
    }
    if ( swap && radix_tree_lookup(&tpv->m2b, mfn_x(mfn)) )
        swap_to_scratch(tpv, mfn);
    spin_unlock_recursive(&m2b_lock);
}

/*
 * Send the invalidations queued for @d's IOREQ servers; never with a p2m
 * lock held. Those that do not fit in a server's buffered ring wait: the
 * balloon hypercall is continued, and on its way back to the guest the
 * vCPU waits for the emulator to answer Xen's synchronous IOREQ_TYPE_
 * INVALIDATE, having drained its ring. True while some are left.
 */
bool pv_iommu_send_invalidations(struct domain *d)
{
    struct pv_iommu_domain *tpv = state_of(d);
    bool pending;

    if ( !tpv || list_empty(&tpv->invalidations) )
        return false;

    spin_lock_recursive(&m2b_lock);
    pending = send_invalidations(d, tpv);
    spin_unlock_recursive(&m2b_lock);

    return pending;
}

/* Flush the callers of the entries on @dead, then drop their references. */
static void release_dead(struct list_head *dead)
{
    struct pv_iommu_m2b *e, *tmp;

    list_for_each_entry ( e, dead, list )
    {
        struct pv_iommu_domain *cpv = state_of(e->caller);

        if ( cpv->teardown_flush_flags &&
             pv_iommu_flush(e->caller, cpv->teardown_flush_flags) )
            printk(XENLOG_G_ERR "%pd: PV-IOMMU: IOTLB flush failed\n",
                   e->caller);
        cpv->teardown_flush_flags = 0;
    }

    list_for_each_entry_safe ( e, tmp, dead, list )
    {
        put_m2b_refs(e);
        xfree(e);
    }
}

/*
 * @d is dying as a target: the BFNs that map its frames are unmapped from
 * their callers and, once flushed, the references go. A gang of frames at
 * a time: -ERESTART when preemption is due.
 */
static int relinquish_target(struct pv_iommu_domain *tpv)
{
    struct pv_iommu_m2b *heads[16], *e;
    unsigned int i, n;

    while ( !list_empty(&tpv->invalidations) )
        dequeue(list_first_entry(&tpv->invalidations, struct pv_iommu_m2b,
                                 list));

    while ( (n = radix_tree_gang_lookup(&tpv->m2b, (void **)heads, 0,
                                        ARRAY_SIZE(heads))) != 0 )
    {
        LIST_HEAD(dead);

        for ( i = 0; i < n; i++ )
        {
            radix_tree_delete(&tpv->m2b, mfn_x(heads[i]->mfn));
            for ( e = heads[i]; e; e = e->next_mfn )
            {
                struct pv_iommu_domain *cpv = state_of(e->caller);
                bool last;

                last = at_bfn(cpv, e->bfn) == e && !e->next_bfn;
                if ( last && (e->flags & M2B_MAPPED) &&
                     pv_iommu_unmap(e->caller, e->bfn, 1,
                                    &cpv->teardown_flush_flags) )
                    abandon_refs(e);
                bfn_remove(cpv, e);
                cpv->nr_m2b--;
                e->target = NULL;
                list_add_tail(&e->list, &dead);
            }
        }
        release_dead(&dead);

        if ( general_preempt_check() )
            return -ERESTART;
    }

    return 0;
}

/*
 * @d is dying as a caller, its devices are gone: drop all it holds, a gang
 * of BFNs at a time; -ERESTART when preemption is due.
 */
static int relinquish_caller(struct pv_iommu_domain *cpv)
{
    struct pv_iommu_m2b *heads[16], *e, *next;
    unsigned int i, n;

    while ( (n = radix_tree_gang_lookup(&cpv->foreign, (void **)heads, 0,
                                        ARRAY_SIZE(heads))) != 0 )
    {
        for ( i = 0; i < n; i++ )
        {
            radix_tree_delete(&cpv->foreign, heads[i]->bfn);
            if ( heads[i]->flags & M2B_MAPPED )
                cpv->nr_foreign_bfns--;
            for ( e = heads[i]; e; e = next )
            {
                next = e->next_bfn;
                if ( !(e->flags & M2B_SWAPPED) )
                    cpv->nr_m2b--;
                m2b_remove(e);
                dequeue(e);
                put_m2b_refs(e);
                xfree(e);
            }
        }

        if ( general_preempt_check() )
            return -ERESTART;
    }

    list_for_each_entry_safe ( e, next, &cpv->unflushed, list )
    {
        list_del(&e->list);
        put_m2b_refs(e);
        xfree(e);
    }

    return 0;
}

/* -ERESTART: preempted, call again. */
int pv_iommu_foreign_relinquish(struct domain *d)
{
    struct pv_iommu_domain *pv = state_of(d);
    int rc;

    spin_lock_recursive(&m2b_lock);
    rc = relinquish_target(pv) ?: relinquish_caller(pv);
    spin_unlock_recursive(&m2b_lock);

    return rc;
}

void pv_iommu_foreign_destroy(struct pv_iommu_domain *pv)
{
    ASSERT(!pv->nr_m2b && !pv->nr_foreign_refs && !pv->nr_foreign_bfns);
    if ( pv->scratch )
        free_domheap_page(pv->scratch);
}

#ifdef CONFIG_DEBUG
void pv_iommu_audit_foreign(struct pv_iommu_domain *pv,
                            struct pv_iommu_op *op)
{
    spin_lock_recursive(&m2b_lock);
    op->u.debug_audit.mappings += pv->nr_foreign_bfns;
    op->u.debug_audit.page_refs += pv->nr_foreign_refs;
    op->u.debug_audit.type_refs += pv->nr_foreign_type_refs;
    op->u.debug_audit.m2b_entries = pv->nr_m2b;
    spin_unlock_recursive(&m2b_lock);
}
#endif /* CONFIG_DEBUG */

/*
 * Local variables:
 * mode: C
 * c-file-style: "BSD"
 * c-basic-offset: 4
 * tab-width: 4
 * indent-tabs-mode: nil
 * End:
 */
