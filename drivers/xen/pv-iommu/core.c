// SPDX-License-Identifier: GPL-2.0-only
/*
 * Xen PV-IOMMU: what the hypervisor offers.
 */

#include <linux/build_bug.h>
#include <linux/cache.h>
#include <linux/init.h>
#include <linux/stddef.h>
#include <asm/xen/hypercall.h>
#include <xen/interface/pv_iommu.h>

#include "pv-iommu.h"

/* The layout is ABI: Xen asserts the same size and offsets. */
#define PV_IOMMU_OP_AT(field, offset) \
	static_assert(offsetof(struct pv_iommu_op, field) == (offset))

static_assert(sizeof(struct pv_iommu_op) == 32);
PV_IOMMU_OP_AT(subop_id, 0);
PV_IOMMU_OP_AT(flags, 2);
PV_IOMMU_OP_AT(status, 4);
PV_IOMMU_OP_AT(u.map_page.bfn, 8);
PV_IOMMU_OP_AT(u.map_page.gfn, 16);
PV_IOMMU_OP_AT(u.unmap_page.bfn, 8);
PV_IOMMU_OP_AT(u.map_foreign_page.bfn, 8);
PV_IOMMU_OP_AT(u.map_foreign_page.gfn, 16);
PV_IOMMU_OP_AT(u.map_foreign_page.domid, 24);
PV_IOMMU_OP_AT(u.map_foreign_page.ioserver, 26);
PV_IOMMU_OP_AT(u.lookup_foreign_page.bfn, 8);
PV_IOMMU_OP_AT(u.lookup_foreign_page.gfn, 16);
PV_IOMMU_OP_AT(u.lookup_foreign_page.domid, 24);
PV_IOMMU_OP_AT(u.lookup_foreign_page.ioserver, 26);
PV_IOMMU_OP_AT(u.unmap_foreign_page.bfn, 8);
PV_IOMMU_OP_AT(u.unmap_foreign_page.ioserver, 16);

/**
 * pv_iommu_query_caps() - ask Xen what this domain may do with the IOMMU
 * @caps: filled in on success
 *
 * Return: 0, -ENOSYS when Xen has no PV-IOMMU hypercall, or the negative
 * errno Xen gave as the call's or the operation's status.
 */
int pv_iommu_query_caps(struct pv_iommu_caps *caps)
{
	struct pv_iommu_op op = { .subop_id = IOMMUOP_query_caps };
	int rc;

	rc = HYPERVISOR_iommu_op(&op, 1);
	if (!rc)
		rc = op.status;
	if (rc)
		return rc;

	caps->flags = op.flags & ~IOMMU_page_order_mask;
	caps->max_order = IOMMU_get_page_order(op.flags);
	return 0;
}

/* The first BFN beyond the bus address space Xen offers (0: not asked). */
unsigned long pv_iommu_bfn_limit __ro_after_init;

/*
 * Whether Xen's bus address space holds @bfn. A map of it to no frame at
 * all fails with -EIO beyond the space and with another error within it,
 * and maps nothing either way.
 */
static bool __init pv_iommu_bfn_in_space(u64 bfn)
{
	struct pv_iommu_op op = {
		.subop_id = IOMMUOP_map_page,
		.flags = IOMMU_OP_readable | IOMMU_OP_writeable |
			 IOMMU_MAP_OP_no_ref_cnt,
		.u.map_page = { .bfn = bfn, .gfn = ~0ULL },
	};

	return !HYPERVISOR_iommu_op(&op, 1) && op.status != -EIO;
}

/**
 * pv_iommu_probe_bfn_limit() - ask Xen how wide its bus address space is
 *
 * The interface has no query for it: Xen refuses BFNs beyond it with
 * -EIO, so the last BFN of each candidate width is tried, widest first.
 *
 * Return: the first BFN beyond the space, or 0 if Xen refuses them all.
 */
unsigned long __init pv_iommu_probe_bfn_limit(void)
{
	unsigned int bits;

	for (bits = BITS_PER_LONG - PAGE_SHIFT; bits; bits--)
		if (pv_iommu_bfn_in_space((1ULL << bits) - 1))
			return 1UL << bits;
	return 0;
}
