// SPDX-License-Identifier: GPL-2.0-only
/*
 * Xen PV-IOMMU: batches of map and unmap operations.
 *
 * Operations are gathered and sent to Xen many at a time: Xen flushes the
 * IOTLB once per hypercall, not once per page.
 */

#define pr_fmt(fmt) "xen-pv-iommu: " fmt

#include <linux/export.h>
#include <linux/printk.h>

#include "pv-iommu.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

struct pv_iommu_stats pv_iommu_stats;

/* Count one operation Xen has done; true if it failed. */
static bool pv_iommu_account_op(const struct pv_iommu_op *op, bool quiet)
{
	unsigned int order = IOMMU_get_page_order(op->flags);

	if (op->status) {
		atomic64_inc(&pv_iommu_stats.failed_ops);
		if (!quiet)
			pr_err_ratelimited("subop %u bfn %#llx gfn %#llx order %u failed: %d\n",
					   op->subop_id, op->u.map_page.bfn,
					   op->u.map_page.gfn, order, op->status);
		return true;
	}
	if (op->subop_id == IOMMUOP_map_page)
		atomic64_inc(&pv_iommu_stats.mapped[order]);
	return false;
}

#if IS_ENABLED(CONFIG_XEN_PV_IOMMU_TEST_HELPER)
/*
 * Operations to fail on purpose, after the next pv_iommu_fail_skip_ops
 * (xen_pv_iommu=fail_op:N, the test helper's fail_next_ops).
 */
atomic_t pv_iommu_fail_skip_ops = ATOMIC_INIT(0);
atomic_t pv_iommu_fail_next_ops = ATOMIC_INIT(0);
EXPORT_SYMBOL_NS_GPL(pv_iommu_fail_next_ops, XEN_PV_IOMMU_TEST);

/*
 * Turn the operations that are to fail into subops Xen does not know:
 * Xen does nothing for them and answers -EOPNOTSUPP, as it would for any
 * operation it refuses. Every subop of the interface is below 0x8000.
 */
static void pv_iommu_inject_failures(struct pv_iommu_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		if (!atomic_add_unless(&pv_iommu_fail_skip_ops, -1, 0) &&
		    atomic_add_unless(&pv_iommu_fail_next_ops, -1, 0))
			b->ops[i].subop_id = ~b->ops[i].subop_id;
}

static void pv_iommu_restore_injected(struct pv_iommu_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		if (b->ops[i].subop_id & 0x8000)
			b->ops[i].subop_id = ~b->ops[i].subop_id;
}
#else
static void pv_iommu_inject_failures(struct pv_iommu_batch *b) { }
static void pv_iommu_restore_injected(struct pv_iommu_batch *b) { }
#endif

/**
 * pv_iommu_batch_submit() - send the gathered operations to Xen
 * @b: the batch; emptied
 *
 * Every operation's status holds its outcome afterwards: Xen's, or the
 * hypercall's error if the call itself failed.
 *
 * Return: 0, or the first failure of this batch or an earlier one.
 */
int pv_iommu_batch_submit(struct pv_iommu_batch *b)
{
	unsigned int i, failed = 0;
	int rc;

	if (!b->nr)
		return b->error;

	pv_iommu_inject_failures(b);
	rc = HYPERVISOR_iommu_op(b->ops, b->nr);
	pv_iommu_restore_injected(b);
	atomic64_inc(&pv_iommu_stats.hypercalls);
	atomic64_add(b->nr, &pv_iommu_stats.ops);
	if (rc)
		pr_err("iommu_op hypercall of %u ops failed: %d\n", b->nr, rc);
	for (i = 0; i < b->nr; i++) {
		if (rc)
			b->ops[i].status = rc;
		failed += pv_iommu_account_op(&b->ops[i], b->quiet);
		b->error = b->error ?: b->ops[i].status;
	}
	trace_pv_iommu_batch_submit(b->nr, b->ops[0].u.map_page.bfn, rc, failed);
	b->nr = 0;
	return b->error;
}
EXPORT_SYMBOL_NS_GPL(pv_iommu_batch_submit, XEN_PV_IOMMU_TEST);

static struct pv_iommu_op *pv_iommu_next_op(struct pv_iommu_batch *b)
{
	if (b->nr == b->size)
		pv_iommu_batch_submit(b);
	return memset(&b->ops[b->nr++], 0, sizeof(*b->ops));
}

/**
 * pv_iommu_batch_map() - add a writable mapping of 2^@order frames
 * @b: the batch
 * @bfn: first bus frame, aligned to the order
 * @mfn: first machine frame, aligned to the order
 * @order: page order
 *
 * dom0's own mappings take no page reference (IOMMU_MAP_OP_no_ref_cnt): a
 * writable type reference on every page would stop Xen from ever pinning
 * one as a page table.
 */
void pv_iommu_batch_map(struct pv_iommu_batch *b, u64 bfn, u64 mfn,
			unsigned int order)
{
	struct pv_iommu_op *op = pv_iommu_next_op(b);

	op->subop_id = IOMMUOP_map_page;
	op->flags = IOMMU_OP_readable | IOMMU_OP_writeable |
		    IOMMU_MAP_OP_no_ref_cnt | IOMMU_page_order(order);
	op->u.map_page.bfn = bfn;
	op->u.map_page.gfn = mfn;
}
EXPORT_SYMBOL_NS_GPL(pv_iommu_batch_map, XEN_PV_IOMMU_TEST);

/**
 * pv_iommu_batch_unmap() - add the removal of 2^@order bus frames
 * @b: the batch
 * @bfn: first bus frame, aligned to the order
 * @order: page order
 */
void pv_iommu_batch_unmap(struct pv_iommu_batch *b, u64 bfn,
			  unsigned int order)
{
	struct pv_iommu_op *op = pv_iommu_next_op(b);

	op->subop_id = IOMMUOP_unmap_page;
	op->flags = IOMMU_page_order(order);
	op->u.unmap_page.bfn = bfn;
}
EXPORT_SYMBOL_NS_GPL(pv_iommu_batch_unmap, XEN_PV_IOMMU_TEST);
