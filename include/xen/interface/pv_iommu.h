/* SPDX-License-Identifier: MIT */
/*
 * Xen PV-IOMMU hypercall interface ("Xen PV IOMMU interface", draft B).
 *
 * A PV domain hands Xen an array of operations; each one carries its own
 * subop, flags and status, so that map and unmap operations can share one
 * hypercall and one IOTLB flush. The hypercall's return value only reports
 * faults of the call itself (e.g. -EFAULT for a bad array); the outcome of
 * each operation is in its status field.
 */

#ifndef __XEN_PUBLIC_PV_IOMMU_H__
#define __XEN_PUBLIC_PV_IOMMU_H__

/*
 * The hypercall is __HYPERVISOR_iommu_op (xen/interface/xen.h), issued by
 * HYPERVISOR_iommu_op() (asm/xen/hypercall.h). Its grant map flag,
 * GNTMAP_request_bfn_map, is in xen/interface/grant_table.h.
 */

/* Subops (pv_iommu_op.subop_id). */
#define IOMMUOP_query_caps		1
#define IOMMUOP_map_page		2
#define IOMMUOP_unmap_page		3
#define IOMMUOP_map_foreign_page	4
#define IOMMUOP_lookup_foreign_page	5
#define IOMMUOP_unmap_foreign_page	6

/*
 * IOMMUOP_query_caps flags [out].
 * map_cap: map_page or map_foreign_page can be used by this domain.
 * map_all_gfns: map_page can map any MFN not used by Xen.
 * Status: 0.
 */
#define IOMMU_QUERY_map_cap		0x0001U
#define IOMMU_QUERY_map_all_gfns	0x0002U

/*
 * IOMMUOP_map_page flags [in].
 * no_ref_cnt: take no reference on the MFN (hardware domain, not strict).
 * Status: 0; -EIO the IOMMU failed; -EPERM the frame belongs to Xen, or
 * the caller may not map it (not its own, or dom0-strict); -EACCES the BFN
 * conflicts with an RMRR of the caller's devices; -ENOSPC the page order is
 * too large for the BFN, the GFN or the IOMMU.
 */
#define IOMMU_OP_readable		0x0001U
#define IOMMU_OP_writeable		0x0002U
#define IOMMU_MAP_OP_no_ref_cnt		0x0004U

/*
 * IOMMUOP_unmap_page: flags [in] carry only the page order.
 * Status: 0; -EIO the IOMMU failed; -ENOSPC the page order is too large.
 */

/*
 * IOMMUOP_map_foreign_page flags [in], IOMMUOP_lookup_foreign_page flags
 * [out] (swap_mfn is map only).
 * swap_mfn: when the guest gives the GFN up, Xen may point the BFN at a
 * scratch page and drop the reference itself.
 * map_foreign_page status: 0; -EIO; -EPERM no privilege over domid, the
 * frame belongs to Xen, or domid is the caller; -EACCES RMRR conflict;
 * -ENODEV bad IOREQ server; -ENXIO bad domid or GFN; -ENOSPC order too
 * large.
 * lookup_foreign_page status: 0; -EPERM; -ENOENT no BFN for the GFN;
 * -ENODEV; -ENXIO.
 * unmap_foreign_page status: 0; -ENOENT no such BFN + IOREQ server mapping.
 */
#define IOMMUOP_readable		0x0001U
#define IOMMUOP_writeable		0x0002U
#define IOMMUOP_swap_mfn		0x0004U

/* Bits 10-15 of flags: page order, of the op or (query_caps) the largest. */
#define IOMMU_page_order_shift		10
#define IOMMU_page_order_mask		(0x3fU << IOMMU_page_order_shift)
#define IOMMU_page_order(order) \
	(((order) << IOMMU_page_order_shift) & IOMMU_page_order_mask)
#define IOMMU_get_page_order(flags) \
	(((flags) & IOMMU_page_order_mask) >> IOMMU_page_order_shift)

typedef uint16_t ioservid_t;

struct pv_iommu_op {
	uint16_t subop_id;
	uint16_t flags;
	int32_t status;
	union {
		struct {
			uint64_t bfn;
			uint64_t gfn;
		} map_page;
		struct {
			uint64_t bfn;
		} unmap_page;
		struct {
			uint64_t bfn;
			uint64_t gfn;
			uint16_t domid;
			ioservid_t ioserver;
		} map_foreign_page;
		struct {
			uint64_t bfn;
			uint64_t gfn;
			uint16_t domid;
			ioservid_t ioserver;
		} lookup_foreign_page;
		struct {
			uint64_t bfn;
			ioservid_t ioserver;
		} unmap_foreign_page;
	} u;
};

#endif /* __XEN_PUBLIC_PV_IOMMU_H__ */
