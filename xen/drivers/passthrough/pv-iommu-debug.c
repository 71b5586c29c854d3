/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PV-IOMMU, debug builds only: the debug_audit subop, which reports what the
 * interface holds for a domain so that tests can check its accounting; the
 * debug_fail subop, which makes the domain's IOMMU operations fail so that
 * tests reach the error paths; the debug_hold subop, which holds a dying
 * domain's teardown before its devices go; the debug_lookup subop, which
 * reads an IOMMU entry; and the 'j' key, which prints
 * the audit for every domain.
 */

#include <xen/init.h>
#include <xen/iommu.h>
#include <xen/keyhandler.h>
#include <xen/rcupdate.h>
#include <xen/sched.h>
#include <xen/spinlock.h>

#include "pv-iommu.h"

/*
 * The domain a debug subop looks at, RCU-locked: the caller itself, or any
 * domain for the hardware domain. NULL with *@rc set otherwise.
 */
static struct domain *looked_at(const struct pv_iommu_batch *b, domid_t domid,
                                int *rc)
{
    struct domain *t = domid == DOMID_SELF ? rcu_lock_current_domain()
                                           : rcu_lock_domain_by_id(domid);

    *rc = -ENXIO;
    if ( t && t != b->d && !is_hardware_domain(b->d) )
    {
        rcu_unlock_domain(t);
        t = NULL;
        *rc = -EPERM;
    }

    return t;
}

/* What the interface holds for a domain. */
int pv_iommu_debug_audit(struct pv_iommu_batch *b, struct pv_iommu_op *op)
{
    struct pv_iommu_domain *pv;
    struct domain *t;
    int rc;

    t = looked_at(b, op->u.debug_audit.domid, &rc);
    if ( !t )
        return rc;

    op->u.debug_audit.mappings = 0;
    op->u.debug_audit.page_refs = 0;
    op->u.debug_audit.type_refs = 0;
    op->u.debug_audit.m2b_entries = 0;

    pv = read_atomic(&dom_iommu(t)->pv_iommu);
    if ( pv )
    {
        /* This batch may hold the lock already. */
        if ( pv != b->pv )
            spin_lock(&pv->lock);
        op->u.debug_audit.mappings = pv->nr_mappings;
        op->u.debug_audit.page_refs = pv->nr_refs;
        op->u.debug_audit.type_refs = pv->nr_type_refs;
        if ( pv != b->pv )
            spin_unlock(&pv->lock);
        pv_iommu_audit_foreign(pv, op);
    }

    rcu_unlock_domain(t);

    return 0;
}

/*
 * What the IOMMU maps at a BFN of a domain, whoever made the entry: tests
 * look for entries left behind that the interface does not track.
 */
int pv_iommu_debug_lookup(struct pv_iommu_batch *b, struct pv_iommu_op *op)
{
    unsigned int perms;
    struct domain *t;
    mfn_t mfn;
    int rc;

    t = looked_at(b, op->u.debug_lookup.domid, &rc);
    if ( !t )
        return rc;

    rc = iommu_lookup_page(t, _dfn(op->u.debug_lookup.bfn), &mfn, &perms);
    rcu_unlock_domain(t);
    if ( rc )
        return rc;

    op->u.debug_lookup.mfn = mfn_x(mfn);
    op->flags = (perms & IOMMUF_readable ? IOMMU_OP_readable : 0) |
                (perms & IOMMUF_writable ? IOMMU_OP_writeable : 0);

    return 0;
}

/* Fail the calling domain's IOMMU operations as the op's pattern says. */
int pv_iommu_debug_fail(struct pv_iommu_batch *b, struct pv_iommu_op *op)
{
    struct pv_iommu_domain *pv;

    if ( op->flags )
        return -EINVAL;

    pv = pv_iommu_get_state(b->d);
    if ( !pv )
        return -ENOMEM;

    write_atomic(&pv->fail_pattern, op->u.debug_fail.pattern);

    return 0;
}

/*
 * -EIO if IOMMUOP_debug_fail has the domain's next IOMMU operation fail,
 * else 0. Each operation takes one bit of the pattern, whichever CPU does it.
 */
int pv_iommu_injected_error(struct domain *d)
{
    struct pv_iommu_domain *pv = read_atomic(&dom_iommu(d)->pv_iommu);
    uint64_t pattern, seen;

    if ( !pv )
        return 0;

    for ( pattern = read_atomic(&pv->fail_pattern); pattern; pattern = seen )
    {
        seen = cmpxchg(&pv->fail_pattern, pattern, pattern >> 1);
        if ( seen == pattern )
            return pattern & 1 ? -EIO : 0;
    }

    return 0;
}

/*
 * Hold, or let go, the teardown of a domain once it is dying, before its
 * devices are released (pv_iommu_teardown_held()): tests look at what
 * happens while a dying domain's devices may still reach its mappings.
 */
int pv_iommu_debug_hold(struct pv_iommu_batch *b, struct pv_iommu_op *op)
{
    struct pv_iommu_domain *pv;
    struct domain *t;

    if ( op->flags & ~IOMMU_DEBUG_HOLD_teardown )
        return -EINVAL;
    if ( !is_hardware_domain(b->d) )
        return -EPERM;

    t = rcu_lock_domain_by_id(op->u.debug_hold.domid);
    if ( !t )
        return -ENXIO;

    pv = pv_iommu_get_state(t);
    if ( pv )
        write_atomic(&pv->teardown_held,
                     !!(op->flags & IOMMU_DEBUG_HOLD_teardown));
    rcu_unlock_domain(t);

    return pv ? 0 : -ENOMEM;
}

/*
 * -EBUSY while the teardown is held: the destroy returns it to the
 * toolstack (a continuation would spin in the hypercall), and a later
 * destroy goes on from here.
 */
int pv_iommu_teardown_held(const struct domain *d)
{
    const struct pv_iommu_domain *pv = read_atomic(&dom_iommu(d)->pv_iommu);

    return pv && read_atomic(&pv->teardown_held) ? -EBUSY : 0;
}

static void cf_check dump_pv_iommu(unsigned char key)
{
    struct domain *d;

    printk("PV-IOMMU: mappings, page and type references, M2B entries:\n");

    rcu_read_lock(&domlist_read_lock);
    for_each_domain ( d )
    {
        struct pv_iommu_domain *pv = read_atomic(&dom_iommu(d)->pv_iommu);

        if ( !pv )
            continue;

        /* Don't wait on a batch from here. */
        if ( !spin_trylock(&pv->lock) )
        {
            printk("  %pd: busy\n", d);
            continue;
        }
        printk("  %pd: %s, %lu mappings, %lu refs, %lu type refs\n",
               d, pv->taken_over ? "guest-managed" : "Xen-managed",
               pv->nr_mappings, pv->nr_refs, pv->nr_type_refs);
        spin_unlock(&pv->lock);
        printk("    foreign: %lu BFNs, %lu M2B entries, %lu refs, %lu type refs\n",
               pv->nr_foreign_bfns, pv->nr_m2b, pv->nr_foreign_refs,
               pv->nr_foreign_type_refs);
    }
    rcu_read_unlock(&domlist_read_lock);
}

static int __init cf_check pv_iommu_keyhandler_init(void)
{
    register_keyhandler('j', dump_pv_iommu, "dump PV-IOMMU state", 1);

    return 0;
}
__initcall(pv_iommu_keyhandler_init);

/*
 * Local variables:
 * mode: C
 * c-file-style: "BSD"
 * c-basic-offset: 4
 * tab-width: 4
 * indent-tabs-mode: nil
 * End:
 */
