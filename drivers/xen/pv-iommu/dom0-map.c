// SPDX-License-Identifier: GPL-2.0-only
/*
 * Xen PV-IOMMU: the 1:1 map of dom0's memory, bus frame N -> the machine
 * frame behind pseudo-physical frame N, built at boot and kept in step
 * with ballooning.
 */

#define pr_fmt(fmt) "xen-pv-iommu: " fmt

#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/clock.h>
#include <asm/xen/page.h>
#include <xen/pv-iommu-dma.h>

#include "pv-iommu.h"
#include "trace.h"

/* Operations per boot-time hypercall: 16 KiB of operations. */
#define BOOT_BATCH_OPS		512
/* Operations per hypercall when pages come and go: a balloon batch. */
#define RUNTIME_BATCH_OPS	512

static struct pv_iommu_op boot_ops[BOOT_BATCH_OPS] __initdata;
/* 16 KiB: too large for the stack. The callers may sleep. */
static struct pv_iommu_op runtime_ops[RUNTIME_BATCH_OPS];
static DEFINE_MUTEX(runtime_lock);

bool pv_iommu_active __read_mostly;
EXPORT_SYMBOL_NS_GPL(pv_iommu_active, XEN_PV_IOMMU_TEST);

/**
 * pv_iommu_aligned_order() - largest order both frames are aligned to
 * @pfn: first pseudo-physical frame of a run
 * @mfn: machine frame behind @pfn
 * @nr_pfns: frames left in the range from @pfn
 * @max_order: largest order the IOMMU maps
 *
 * Return: the largest order <= @max_order to which @pfn and @mfn are both
 * aligned and whose size does not exceed @nr_pfns.
 */
unsigned int pv_iommu_aligned_order(unsigned long pfn, unsigned long mfn,
				    unsigned long nr_pfns,
				    unsigned int max_order)
{
	unsigned int order = max_order;

	if (pfn | mfn)
		order = min(order, (unsigned int)__ffs(pfn | mfn));
	if (nr_pfns)
		order = min(order, (unsigned int)ilog2(nr_pfns));
	return order;
}
EXPORT_SYMBOL_IF_KUNIT(pv_iommu_aligned_order);

/**
 * pv_iommu_ram_mfn() - the machine frame behind a RAM page of dom0
 * @pfn: pseudo-physical frame
 *
 * Reads the p2m list itself: __pfn_to_mfn() walks the page tables for
 * every frame without an MFN, to tell a missing p2m page from an identity
 * one, and that walk was most of the boot map's time (a GiB of dom0 has
 * 262,144 such frames). Either kind is no RAM page here.
 *
 * Return: the MFN, or INVALID_P2M_ENTRY for a hole, an identity-mapped
 * (MMIO) frame or a foreign frame.
 */
unsigned long pv_iommu_ram_mfn(unsigned long pfn)
{
	unsigned long mfn = pfn < xen_p2m_size ? READ_ONCE(xen_p2m_addr[pfn]) :
						 INVALID_P2M_ENTRY;

	if (mfn & (IDENTITY_FRAME_BIT | FOREIGN_FRAME_BIT))
		return INVALID_P2M_ENTRY;
	return mfn;
}
EXPORT_SYMBOL_NS_GPL(pv_iommu_ram_mfn, XEN_PV_IOMMU_TEST);

/*
 * The order of the mapping starting at @pfn: aligned, and the machine
 * frames contiguous over all of it. Looks at no more frames than it maps
 * (plus one), so the whole map costs one p2m lookup per page.
 */
static unsigned int pv_iommu_chunk_order(unsigned long pfn, unsigned long mfn,
					 unsigned long end, unsigned int max_order)
{
	unsigned int order = pv_iommu_aligned_order(pfn, mfn, end - pfn,
						    max_order);
	unsigned long run;

	for (run = 1; run < (1UL << order); run++)
		if (pv_iommu_ram_mfn(pfn + run) != mfn + run)
			break;
	return ilog2(run);
}

/**
 * pv_iommu_map_ram() - map every RAM page of dom0 at bus frame = its PFN
 * @b: the batch to send the operations in; submitted at the end
 * @max_order: largest order the IOMMU maps
 *
 * Each mapping is as large as alignment and MFN contiguity allow. A
 * mapping that is already there is replaced. Stops at the first failure,
 * which @b->error then holds.
 *
 * Return: the number of pages mapped.
 */
unsigned long pv_iommu_map_ram(struct pv_iommu_batch *b,
			       unsigned int max_order)
{
	unsigned long pfn = 0, mfn, pages = 0;
	unsigned int order;

	while (pfn < max_pfn && !b->error) {
		mfn = pv_iommu_ram_mfn(pfn);
		if (mfn == INVALID_P2M_ENTRY) {
			pfn++;
			continue;
		}
		order = pv_iommu_chunk_order(pfn, mfn, max_pfn, max_order);
		pv_iommu_batch_map(b, pfn, mfn, order);
		pages += 1UL << order;
		pfn += 1UL << order;
	}
	pv_iommu_batch_submit(b);
	return pages;
}
EXPORT_SYMBOL_NS_GPL(pv_iommu_map_ram, XEN_PV_IOMMU_TEST);

/**
 * pv_iommu_map_dom0() - the boot-time 1:1 map of dom0's memory
 * @max_order: largest order the IOMMU maps
 *
 * Return: 0, or the first failure; the caller then undoes the map.
 */
int __init pv_iommu_map_dom0(unsigned int max_order)
{
	struct pv_iommu_batch b = { .ops = boot_ops, .size = BOOT_BATCH_OPS };
	struct pv_iommu_stats *s = &pv_iommu_stats;
	u64 start = local_clock();

	s->boot_map_pages = pv_iommu_map_ram(&b, max_order);
	s->boot_map_ns = local_clock() - start;
	s->boot_map_max_order = max_order;
	/* Nothing else has used the hypercall yet. */
	s->boot_map_hypercalls = atomic64_read(&s->hypercalls);
	s->boot_map_ops = atomic64_read(&s->ops);
	return b.error;
}

/*
 * Point bus frames [@bfn, @bfn + @n) at machine frames of the same numbers
 * again. Where Xen does not let dom0 map that frame, unmap the bus frame if
 * the boot map may have mapped it (dom0's RAM pages); leave the others as
 * Xen keeps them (firmware's ranges, MMIO: the take-over left them alone).
 * Return: how many could be neither.
 */
static unsigned int __init pv_iommu_restore_chunk(struct pv_iommu_batch *b,
						  unsigned long bfn, unsigned int n)
{
	unsigned int i, unmaps = 0, failed = 0;
	int status;

	for (i = 0; i < n; i++)
		pv_iommu_batch_map(b, bfn + i, bfn + i, 0);
	pv_iommu_batch_submit(b);
	/* Unmap i is queued at or below map i: read that first. */
	for (i = 0; i < n; i++) {
		status = b->ops[i].status;
		if (!status || pv_iommu_ram_mfn(bfn + i) == INVALID_P2M_ENTRY)
			continue;
		pv_iommu_batch_unmap(b, bfn + i, 0);
		unmaps++;
	}
	pv_iommu_batch_submit(b);
	for (i = 0; i < unmaps; i++)
		failed += !!b->ops[i].status;
	return failed;
}

/**
 * pv_iommu_restore_xen_map() - give dom0's bus frames back the layout
 * xen-swiotlb expects, after a failed boot map
 *
 * xen-swiotlb's bus addresses are machine addresses: Xen's own map had
 * bus frame N at machine frame N. Every bus frame the boot map can have
 * touched (those below max_pfn) is pointed at machine frame N again, or,
 * where Xen keeps frame N to itself and the boot map may have mapped a
 * page of dom0 there, unmapped: no device of dom0 has a reason to reach
 * it, and it must not reach the dom0 frame the boot map put there.
 */
void __init pv_iommu_restore_xen_map(void)
{
	struct pv_iommu_batch b = { .ops = boot_ops, .size = BOOT_BATCH_OPS,
				    .quiet = true };
	unsigned long bfn, failed = 0;
	unsigned int n;

	for (bfn = 0; bfn < max_pfn; bfn += n) {
		n = min_t(unsigned long, max_pfn - bfn, BOOT_BATCH_OPS);
		b.error = 0;
		failed += pv_iommu_restore_chunk(&b, bfn, n);
	}
	if (failed)
		pr_err("%lu bus frames still reach dom0's memory\n", failed);
}

/*
 * Map (@map) or unmap each of @count pages at BFN = PFN, in hypercalls of
 * RUNTIME_BATCH_OPS operations: a balloon batch is one hypercall and one
 * IOTLB flush. The pages whose operation succeeded are moved, in their
 * order, to the front of @pages; the others follow.
 *
 * Return: the number of pages whose operation succeeded.
 */
static unsigned long pv_iommu_pages_op(unsigned long count,
				       struct page **pages, bool map)
{
	struct pv_iommu_batch b = { .ops = runtime_ops,
				    .size = ARRAY_SIZE(runtime_ops) };
	unsigned long first, done = 0, i, n, pfn;

	mutex_lock(&runtime_lock);
	for (first = 0; first < count; first += n) {
		n = min_t(unsigned long, count - first, b.size);
		for (i = first; i < first + n; i++) {
			pfn = page_to_pfn(pages[i]);
			if (map)
				pv_iommu_batch_map(&b, pfn, pfn_to_mfn(pfn), 0);
			else
				pv_iommu_batch_unmap(&b, pfn, 0);
		}
		b.error = 0;
		pv_iommu_batch_submit(&b);
		for (i = 0; i < n; i++) {
			if (b.ops[i].status)
				continue;
			swap(pages[done], pages[first + i]);
			done++;
		}
	}
	mutex_unlock(&runtime_lock);
	return done;
}

/**
 * pv_iommu_unmap_pages() - remove the bus mappings of pages dom0 is
 * about to give back to Xen
 * @count: number of pages
 * @pages: the pages, still backed by their machine frames
 *
 * A device must never reach a frame after another domain got it, so a
 * page whose mapping Xen did not remove must stay with dom0, and stay out
 * of the page allocator too: whether devices still reach it is unknown.
 *
 * Return: the number of pages that may leave dom0, moved to the front of
 * @pages in their order; the others follow them.
 */
unsigned long pv_iommu_unmap_pages(unsigned long count,
				   struct page **pages)
{
	unsigned long done = pv_iommu_pages_op(count, pages, false);

	atomic64_add(done, &pv_iommu_stats.unmapped_pages);
	if (done < count) {
		atomic64_add(count - done, &pv_iommu_stats.unmap_failed_pages);
		pr_warn_once("%lu pages kept from Xen: their bus mappings could not be removed\n",
			     count - done);
	}
	trace_pv_iommu_unmap_pages(count, count ? page_to_pfn(pages[0]) : 0,
				   count - done);
	return done;
}

/**
 * pv_iommu_map_pages() - map pages dom0 got back from Xen
 * @count: number of pages
 * @pages: the pages, with their new machine frames in the p2m
 *
 * A page whose mapping failed is not reachable by devices: the caller
 * must not give it to the page allocator, where any DMA buffer could land
 * on it.
 *
 * Return: the number of pages mapped, moved to the front of @pages in
 * their order; the unreachable ones follow them.
 */
unsigned long pv_iommu_map_pages(unsigned long count, struct page **pages)
{
	unsigned long done = pv_iommu_pages_op(count, pages, true);

	atomic64_add(done, &pv_iommu_stats.remapped_pages);
	if (done < count) {
		atomic64_add(count - done, &pv_iommu_stats.map_failed_pages);
		pr_warn_once("%lu pages kept from the allocator: devices cannot reach them\n",
			     count - done);
	}
	trace_pv_iommu_map_pages(count, count ? page_to_pfn(pages[0]) : 0,
				 count - done);
	return done;
}
