/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PV-IOMMU: GNTMAP_request_bfn_map, a grant's device mapping at a BFN the
 * mapping domain chooses in the BFN space it manages itself.
 */

#include <xen/iommu.h>
#include <xen/mm.h>
#include <xen/sched.h>

#include "pv-iommu.h"

/*
 * GNTMAP_request_bfn_map: map a frame granted by @rd at a BFN of the
 * domain's choosing. Like map_page, the mapping holds a page reference (and
 * a writable type reference if writable) until it is unmapped and flushed,
 * or the domain's devices are gone: the grant's pin alone would not outlive
 * a dying domain's grant table while its devices can still reach the BFN.
 * The domain must have taken its BFN space over already (a grant map cannot
 * be continued). -EPERM, -ENOSPC, -EIO, -EACCES, -ENOMEM as map_page.
 */
int pv_iommu_grant_map(struct domain *d, struct domain *rd, unsigned long bfn,
                       mfn_t mfn, bool readonly)
{
    struct pv_iommu_batch b = { .d = d };
    unsigned long entry = (mfn_x(mfn) << BFN_MFN_SHIFT) | BFN_REF |
                          (readonly ? 0 : BFN_TYPE_REF);
    LIST_HEAD(gone);
    void **slot;
    int rc;

    rc = pv_iommu_check_bfns(&b, bfn, 0);
    if ( !rc && pv_iommu_hits_msi(bfn, 1) )
        rc = -EACCES;
    if ( !rc )
        rc = pv_iommu_lock_state(&b);
    if ( !rc && !b.pv->taken_over )
        rc = -EPERM;
    if ( !rc && !pv_iommu_room(&b, 1) )
        rc = -ENOMEM;
    if ( !rc )
        rc = pv_iommu_get_entry_refs(b.pv, entry, rd);
    if ( rc )
        goto out;

    pv_iommu_forget_foreign(&b, bfn, 1, &gone);
    if ( pv_iommu_map(d, bfn, mfn, 1,
                      IOMMUF_readable | (readonly ? 0 : IOMMUF_writable),
                      &b.flush_flags) )
    {
        rc = -EIO;
        goto unmap;
    }
    pv_iommu_retire_foreign(&b, &gone, false);

    slot = radix_tree_lookup_slot(&b.pv->bfns, bfn);
    if ( slot )
    {
        pv_iommu_release_after_flush(&b, radix_tree_ptr_to_ulong(*slot));
        radix_tree_replace_slot(slot, radix_tree_ulong_to_ptr(entry));
    }
    else if ( radix_tree_insert(&b.pv->bfns, bfn,
                                radix_tree_ulong_to_ptr(entry)) )
    {
        rc = -ENOMEM;
        goto unmap;
    }
    else
        b.pv->nr_mappings++;

    goto out;

 unmap:
    /*
     * The old mapping may be half replaced: unmap the BFN, then drop the
     * references of the new frame and of the old mapping. If the unmap
     * fails, a device may still reach either: the old entry stays, the
     * new frame and the foreign entries keep their references for good.
     */
    if ( pv_iommu_unmap(d, bfn, 1, &b.flush_flags) )
    {
        printk(XENLOG_G_ERR
               "%pd: PV-IOMMU: cannot undo a grant map at BFN %#lx, keeping its frames\n",
               d, bfn);
        pv_iommu_abandon_entry(b.pv, entry);
        pv_iommu_retire_foreign(&b, &gone, true);
        rc = -EIO;
        goto out;
    }
    pv_iommu_release_after_flush(&b, entry);
    pv_iommu_forget_bfns(&b, bfn, 1);
    pv_iommu_retire_foreign(&b, &gone, false);
 out:
    return pv_iommu_unlock_state(&b) ?: rc;
}

/*
 * Unmap a grant's BFN before its pin goes: the BFN must map @mfn, as a
 * grant put it there (-EINVAL otherwise; -EIO if the IOMMU failed, and the
 * BFN still maps it). Its references go after the flush, which is done on
 * return. A failed flush keeps them for good (flush_and_release()), so
 * that the frame can never be freed: the unmap is done all the same, or
 * the pin could never go.
 */
int pv_iommu_grant_unmap(struct domain *d, unsigned long bfn, mfn_t mfn)
{
    struct pv_iommu_batch b = { .d = d };
    void *p;
    int rc = pv_iommu_lock_state(&b);

    if ( rc )
        goto out;

    p = radix_tree_lookup(&b.pv->bfns, bfn);
    if ( !p || !mfn_eq(bfn_entry_mfn(radix_tree_ptr_to_ulong(p)), mfn) )
        rc = -EINVAL;
    else if ( pv_iommu_unmap(d, bfn, 1, &b.flush_flags) )
        rc = -EIO;
    else
        pv_iommu_forget_bfns(&b, bfn, 1);

 out:
    pv_iommu_unlock_state(&b);

    return rc;
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
