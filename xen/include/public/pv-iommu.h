/* SPDX-License-Identifier: MIT */
/*
 * pv-iommu.h
 *
 * PV-IOMMU interface: lets a PV domain program the IOMMU mappings of its
 * devices ("Xen PV IOMMU interface", draft B).
 *
 * long HYPERVISOR_iommu_op(pv_iommu_op_t ops[], unsigned int count)
 *
 * Each element of @ops carries its own subop, flags and status. The
 * hypercall returns 0 once every element's status has been written back, or
 * a negative errno for a fault of the call itself (e.g. -EFAULT for an array
 * it cannot access). All IOTLB flushes an array needs are done before the
 * hypercall returns or is continued.
 */

#ifndef __XEN_PUBLIC_PV_IOMMU_H__
#define __XEN_PUBLIC_PV_IOMMU_H__

#include "xen.h"
#include "hvm/dm_op.h"

#define IOMMUOP_query_caps            1
#define IOMMUOP_map_page              2
#define IOMMUOP_unmap_page            3
#define IOMMUOP_map_foreign_page      4
#define IOMMUOP_lookup_foreign_page   5
#define IOMMUOP_unmap_foreign_page    6

/*
 * An HVM or PVH caller with an IOMMU gets -EOPNOTSUPP from every subop but
 * query_caps: its devices reach its memory at its GFNs, and it maps foreign
 * frames for them into its p2m (XENMAPSPACE_gmfn_foreign).
 *
 * Debug builds of Xen only (CONFIG_DEBUG; other builds answer -EOPNOTSUPP),
 * not part of the design's interface and subject to change:
 * IOMMUOP_debug_audit reports what the interface holds for domain
 * u.debug_audit.domid (DOMID_SELF, or any domain for the hardware domain).
 * Status: 0; -ENXIO no such domain; -EPERM not allowed to look at it.
 * IOMMUOP_debug_fail makes the IOMMU operations (map, unmap, IOTLB flush)
 * that the interface does for the calling domain from now on fail before
 * doing anything, as u.debug_fail.pattern says: bit i fails the i-th of
 * them, counted from 0. A pattern of 0 disarms it. Flags must be 0.
 * Status: 0; -EINVAL flags not 0; -ENOMEM no memory for the domain's state.
 * IOMMUOP_debug_hold, for the hardware domain: with flag bit 0 set, the
 * teardown of domain u.debug_hold.domid, once it is dying, stops before its
 * devices are released (its destroy answers -EBUSY) until it is called
 * again without the flag (a later destroy then goes on). Status: 0;
 * -EINVAL other flags; -EPERM not the hardware domain; -ENXIO no such
 * domain; -ENOMEM no memory for the domain's state.
 * IOMMUOP_debug_lookup reads the IOMMU entry at u.debug_lookup.bfn of
 * domain u.debug_lookup.domid (as debug_audit's domid): its MFN, and the
 * readable and writeable bits in flags. Status: 0; -ENOENT no entry; -ENXIO,
 * -EPERM as debug_audit; -EOPNOTSUPP the IOMMU cannot be read (AMD-Vi).
 */
#define IOMMUOP_debug_audit           0x8000
#define IOMMUOP_debug_fail            0x8001
#define IOMMUOP_debug_hold            0x8002
#define IOMMU_DEBUG_HOLD_teardown     (1u << 0)
#define IOMMUOP_debug_lookup          0x8003

/*
 * IOMMUOP_query_caps: flags [out]; status 0.
 * map_cap: map_page or map_foreign_page can be used by this domain.
 * map_all_gfns: map_page can map any MFN not used by Xen.
 * Bits 10-15: the largest page order the other subops accept.
 */
#define IOMMU_QUERY_map_cap           (1u << 0)
#define IOMMU_QUERY_map_all_gfns      (1u << 1)

/*
 * IOMMUOP_map_page: flags [in]. For a PV caller the GFN is the MFN.
 * Status: 0; -EIO the IOMMU failed; -EPERM the frame is Xen's, or the caller
 * may not map it; -EACCES the BFN conflicts with an RMRR; -ENOSPC the order
 * is too large for the BFN, the GFN or the IOMMU.
 * Also (this implementation): -EPERM the caller may not use the interface
 * (query_caps gives no map_cap), the flags grant no access, or no_ref_cnt
 * without map_all_gfns; -EACCES the BFNs cover the interrupt address range
 * (0xfee00000-0xfeefffff); -EIO BFNs beyond 2^39 bytes of bus address.
 *
 * IOMMUOP_unmap_page: flags [in] hold the page order only.
 * Status: 0; -EIO; -ENOSPC. Also -EPERM and -EIO as for map_page, and
 * -EACCES for an RMRR's BFNs.
 *
 * The first map_page or unmap_page of a domain hands its BFN space over:
 * from then on Xen no longer edits the domain's IOMMU mappings on its own.
 */
#define IOMMU_OP_readable             (1u << 0)
#define IOMMU_OP_writeable            (1u << 1)
#define IOMMU_MAP_OP_no_ref_cnt       (1u << 2)

/*
 * IOMMUOP_map_foreign_page: flags [in];
 * IOMMUOP_lookup_foreign_page: flags [out] (no swap_mfn).
 * map status: 0; -EIO; -EPERM (no privilege over domid, Xen's frame, domid
 * is the caller); -EACCES; -ENODEV bad IOREQ server; -ENXIO bad domid or
 * GFN; -ENOSPC.
 * lookup status: 0; -EPERM; -ENOENT no BFN for the GFN; -ENODEV; -ENXIO;
 * -EINVAL a BFN given as input (not 0) where the caller's devices reach
 * frames at their MFN (no IOMMU), which is then the answer.
 * IOMMUOP_unmap_foreign_page status: 0; -ENOENT no such BFN + IOREQ server.
 */
#define IOMMUOP_readable              (1u << 0)
#define IOMMUOP_writeable             (1u << 1)
#define IOMMUOP_swap_mfn              (1u << 2)

#define IOMMU_page_order_shift        10
#define IOMMU_page_order_mask         (0x3fu << IOMMU_page_order_shift)
#define IOMMU_page_order(o) \
    (((o) << IOMMU_page_order_shift) & IOMMU_page_order_mask)
#define IOMMU_get_page_order(f) \
    (((f) & IOMMU_page_order_mask) >> IOMMU_page_order_shift)

struct pv_iommu_op {
    uint16_t subop_id;
    uint16_t flags;
    int32_t status;

    union {
        struct {
            uint64_aligned_t bfn;
            uint64_aligned_t gfn;
        } map_page;

        struct {
            uint64_aligned_t bfn;
        } unmap_page;

        struct {
            uint64_aligned_t bfn;
            uint64_aligned_t gfn;
            uint16_t domid;
            ioservid_t ioserver;
        } map_foreign_page;

        struct {
            uint64_aligned_t bfn;
            uint64_aligned_t gfn;
            uint16_t domid;
            ioservid_t ioserver;
        } lookup_foreign_page;

        struct {
            uint64_aligned_t bfn;
            ioservid_t ioserver;
        } unmap_foreign_page;

        /* Debug builds only: IOMMUOP_debug_audit. */
        struct {
            uint64_aligned_t mappings; /* [out] BFNs (4K each) mapped */
            uint32_t page_refs;        /* [out] page references held */
            uint32_t type_refs;        /* [out] writable type refs held */
            uint16_t domid;            /* [in] */
            uint16_t pad;
            uint32_t m2b_entries;      /* [out] M2B entries held */
        } debug_audit;

        /* Debug builds only: IOMMUOP_debug_fail. */
        struct {
            uint64_aligned_t pattern;  /* [in] which operations fail */
        } debug_fail;

        /* Debug builds only: IOMMUOP_debug_hold. */
        struct {
            uint16_t domid;            /* [in] */
        } debug_hold;

        /* Debug builds only: IOMMUOP_debug_lookup. */
        struct {
            uint64_aligned_t bfn;      /* [in] */
            uint64_aligned_t mfn;      /* [out] */
            uint16_t domid;            /* [in] */
        } debug_lookup;
    } u;
};
typedef struct pv_iommu_op pv_iommu_op_t;
DEFINE_XEN_GUEST_HANDLE(pv_iommu_op_t);

#endif /* __XEN_PUBLIC_PV_IOMMU_H__ */

/*
 * Local variables:
 * mode: C
 * c-file-style: "BSD"
 * c-basic-offset: 4
 * tab-width: 4
 * indent-tabs-mode: nil
 * End:
 */
