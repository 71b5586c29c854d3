// SPDX-License-Identifier: GPL-2.0-only
/*
 * Xen PV-IOMMU: bus addresses of foreign guest frames for in-kernel
 * emulators (the spec's "common interface").
 *
 * An emulator opens a context for (guest, IOREQ server, device). A map call
 * takes its bus frames from the kernel's IOVA allocator, in a window of
 * dom0's bus address space nothing else of dom0 uses (the upper half of
 * what Xen's IOMMU reaches, above all of dom0's RAM, claimed in iomem so
 * that hot-plugged memory stays out of it), and maps the guest's frames
 * there in one hypercall: one IOTLB flush. Where dom0 runs on xen-swiotlb,
 * with Xen's BFN = MFN map, a frame's bus address is its MFN, which
 * IOMMUOP_lookup_foreign_page gives (and pins).
 *
 * Xen's IOREQ_TYPE_INVALIDATE (the guest gave a frame up) reaches the
 * emulator, whose IOREQ server it is; pv_iommu_emu_ioreq_invalidate() turns
 * it into a call of the context's callback. Nothing is unmapped then: the
 * address keeps its frame, pinned, until the emulator unmaps it.
 */

#define pr_fmt(fmt) "xen-pv-iommu: " fmt

#include <linux/dma-mapping.h>
#include <linux/export.h>
#include <linux/ioport.h>
#include <linux/iova.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <xen/pv-iommu-dma.h>
#include <xen/pv_iommu_api.h>
#include <xen/xen.h>

#include "pv-iommu.h"

/* Largest order of pv_iommu_emu_map_range(): 2 MiB. */
#define PV_IOMMU_EMU_MAX_ORDER	9
/* Operations per hypercall when a context is closed. */
#define PV_IOMMU_EMU_CLOSE_BATCH	512
/* Xen's "flush all" mapcache invalidation, for no frame of ours. */
#define PV_IOMMU_EMU_FLUSH_ALL	(~0ULL)
#define PV_IOMMU_MSI_FIRST	PHYS_PFN(0xfee00000)
#define PV_IOMMU_MSI_LAST	PHYS_PFN(0xfeefffff)

/**
 * struct pv_iommu_emu - an emulator's context
 * @domid: the guest
 * @ioserver: the emulator's IOREQ server for @domid
 * @dev: the device that DMAs to the mappings
 * @invalidate: the emulator's callback, or NULL
 * @data: its argument
 * @limit_pfn: the last BFN @dev reaches, within the window (as iova.c's
 *	limit, inclusive)
 * @lock: protects @maps and Xen's entries for them
 * @maps: first BFN -> struct pv_iommu_emu_map
 * @node: in emu_contexts
 */
struct pv_iommu_emu {
	domid_t domid;
	ioservid_t ioserver;
	struct device *dev;
	pv_iommu_emu_invalidate_fn invalidate;
	void *data;
	unsigned long limit_pfn;
	struct mutex lock;	/* @maps, Xen's entries for them */
	struct xarray maps;
	struct list_head node;
};

/**
 * struct pv_iommu_emu_map - one mapping of a context
 * @gfn: the guest's first frame
 * @order: 2^@order frames, at an aligned BFN
 * @users: maps not yet unmapped (only lookups share an address)
 * @own_bfn: the BFN comes from the window, not from Xen's MFN answer
 */
struct pv_iommu_emu_map {
	xen_pfn_t gfn;
	unsigned int order;
	unsigned int users;
	bool own_bfn;
};

/* The contexts, one per (guest, IOREQ server). */
static DEFINE_MUTEX(emu_contexts_lock);
static LIST_HEAD(emu_contexts);

/* The window's BFNs; usable once emu_window_ready. */
static struct iova_domain emu_iovad;
static struct resource emu_window_res = {
	.name = "Xen PV-IOMMU foreign window",
	.flags = IORESOURCE_MEM | IORESOURCE_BUSY,
};

static bool emu_window_ready;

/*
 * The window ends with Xen's bus address space, or with dom0's physical
 * address space where that is smaller (an IOMMU may translate more bits
 * than the CPU has): it is claimed there.
 */
static unsigned long emu_window_end(void)
{
	return min_t(unsigned long, pv_iommu_bfn_limit,
		     PHYS_PFN(iomem_resource.end) + 1);
}

/**
 * pv_iommu_foreign_window() - the first BFN given to foreign frames
 *
 * Return: the middle of the BFNs that both Xen's bus address space and
 * dom0's physical address space have, or the end of dom0's memory if that
 * is higher; the window ends with those BFNs.
 */
unsigned long pv_iommu_foreign_window(void)
{
	return max_t(unsigned long, emu_window_end() / 2, max_possible_pfn);
}

/*
 * Claim the window in dom0's physical address space, so that memory
 * hot-plug and unpopulated-alloc ranges (which take free iomem) never land
 * on it, and set up its allocator.
 */
static int __init pv_iommu_emu_init(void)
{
	unsigned long first = pv_iommu_foreign_window();
	int rc;

	if (!pv_iommu_active || first >= emu_window_end())
		return 0;

	emu_window_res.start = PFN_PHYS((u64)first);
	emu_window_res.end = PFN_PHYS((u64)emu_window_end()) - 1;
	rc = request_resource(&iomem_resource, &emu_window_res);
	if (rc) {
		pr_err("foreign window %pR is taken: no emulator mappings\n",
		       &emu_window_res);
		return 0;
	}
	rc = iova_cache_get();
	if (rc)
		goto release;
	init_iova_domain(&emu_iovad, PAGE_SIZE, first);
	rc = iova_domain_init_rcaches(&emu_iovad);
	if (rc)
		goto put_domain;
	/* Xen refuses the MSI range (-EACCES): never hand it out. */
	if (first <= PV_IOMMU_MSI_LAST &&
	    !reserve_iova(&emu_iovad, PV_IOMMU_MSI_FIRST, PV_IOMMU_MSI_LAST)) {
		rc = -ENOMEM;
		goto put_domain;
	}
	emu_window_ready = true;
	return 0;

put_domain:
	put_iova_domain(&emu_iovad);
	iova_cache_put();
release:
	release_resource(&emu_window_res);
	pr_err("no foreign window allocator: %d\n", rc);
	return 0;
}
subsys_initcall(pv_iommu_emu_init);

/* dom0 owns its BFN space: the context allocates BFNs and maps. */
static bool emu_maps(void)
{
	return pv_iommu_active;
}

static void emu_map_op(struct pv_iommu_emu *emu, struct pv_iommu_op *op,
		       u64 bfn, xen_pfn_t gfn, unsigned int order, u16 perms,
		       unsigned int flags)
{
	*op = (struct pv_iommu_op) {
		.subop_id = IOMMUOP_map_foreign_page,
		.flags = perms | IOMMU_page_order(order) |
			 (flags & PV_IOMMU_EMU_SWAP ? IOMMUOP_swap_mfn : 0),
		.u.map_foreign_page = {
			.bfn = bfn, .gfn = gfn, .domid = emu->domid,
			.ioserver = emu->ioserver,
		},
	};
}

static void emu_lookup_op(struct pv_iommu_emu *emu, struct pv_iommu_op *op,
			  xen_pfn_t gfn)
{
	*op = (struct pv_iommu_op) {
		.subop_id = IOMMUOP_lookup_foreign_page,
		.u.lookup_foreign_page = {
			.gfn = gfn, .domid = emu->domid,
			.ioserver = emu->ioserver,
		},
	};
}

static void emu_unmap_op(struct pv_iommu_emu *emu, struct pv_iommu_op *op,
			 u64 bfn, unsigned int order)
{
	*op = (struct pv_iommu_op) {
		.subop_id = IOMMUOP_unmap_foreign_page,
		.flags = IOMMU_page_order(order),
		.u.unmap_foreign_page = { .bfn = bfn,
					  .ioserver = emu->ioserver },
	};
}

/* The BFN an op of the batch mapped or looked up. */
static u64 op_bfn(const struct pv_iommu_op *op)
{
	if (op->subop_id == IOMMUOP_lookup_foreign_page)
		return op->u.lookup_foreign_page.bfn;
	return op->u.map_foreign_page.bfn;
}

/*
 * Xen has forgotten the mapping at @bfn: drop it and give its BFNs back.
 * -ENOENT means Xen has no entry there any more (the guest died, or the
 * IOREQ server went): the address is free all the same.
 */
static void emu_forget(struct pv_iommu_emu *emu, u64 bfn,
		       struct pv_iommu_emu_map *map)
{
	xa_erase(&emu->maps, bfn);
	if (map->own_bfn)
		free_iova_fast(&emu_iovad, bfn, 1UL << map->order);
	atomic64_sub(1L << map->order, &pv_iommu_stats.emu_pages);
	kfree(map);
}

static bool emu_unmapped(int status)
{
	return !status || status == -ENOENT;
}

/*
 * Unmap the mappings at the BFNs of @b's unmap operations, in one
 * hypercall. Those Xen unmapped are forgotten, the others stay; @b keeps
 * its operations and their statuses.
 */
static int emu_unmap_batch(struct pv_iommu_emu *emu, struct pv_iommu_batch *b)
{
	unsigned int i, nr = b->nr;
	int rc = 0;

	pv_iommu_batch_submit(b);
	for (i = 0; i < nr; i++) {
		u64 bfn = b->ops[i].u.unmap_foreign_page.bfn;
		struct pv_iommu_emu_map *map = xa_load(&emu->maps, bfn);

		if (emu_unmapped(b->ops[i].status)) {
			emu_forget(emu, bfn, map);
		} else {
			map->users++;
			rc = rc ?: b->ops[i].status;
		}
	}
	b->error = 0;
	b->nr = nr;
	return rc;
}

/* Undo the successful operations of a failed map batch. */
static void emu_map_undo(struct pv_iommu_emu *emu, struct pv_iommu_batch *b,
			 unsigned int nr)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr; i++) {
		struct pv_iommu_op *op = &b->ops[i];
		struct pv_iommu_emu_map *map = xa_load(&emu->maps, op_bfn(op));

		if (op->status)
			continue;
		if (--map->users) {
			/* A lookup of an address mapped before. */
			continue;
		}
		emu_unmap_op(emu, &b->ops[n++], op_bfn(op), map->order);
	}
	b->nr = n;
	if (emu_unmap_batch(emu, b))
		dev_err(emu->dev, "dom%u: failed map left mappings behind\n",
			emu->domid);
}

/*
 * Record the mapping an operation made. Lookups of the same frame share its
 * address and count. Fails with -ENOMEM, or with -EIO for an MFN the
 * device cannot reach.
 */
static int emu_record(struct pv_iommu_emu *emu, struct pv_iommu_op *op,
		      xen_pfn_t gfn, unsigned int order)
{
	bool own = op->subop_id == IOMMUOP_map_foreign_page;
	struct pv_iommu_batch b = { .ops = op, .size = 1, .quiet = true };
	struct pv_iommu_emu_map *map;
	u64 bfn = op_bfn(op);
	int rc = -EIO;

	map = xa_load(&emu->maps, bfn);
	if (map) {
		map->users++;
		return 0;
	}
	if (own || bfn <= emu->limit_pfn) {
		map = kmalloc(sizeof(*map), GFP_KERNEL);
		rc = map ? 0 : -ENOMEM;
	}
	if (map) {
		*map = (struct pv_iommu_emu_map) {
			.gfn = gfn, .order = order, .users = 1, .own_bfn = own,
		};
		rc = xa_insert(&emu->maps, bfn, map, GFP_KERNEL);
	}
	if (!rc) {
		atomic64_add(1L << order, &pv_iommu_stats.emu_pages);
		return 0;
	}
	kfree(map);
	/* Xen mapped it: unmap it again, at once. */
	emu_unmap_op(emu, op, bfn, order);
	b.nr = 1;
	pv_iommu_batch_submit(&b);
	if (own && emu_unmapped(op->status))
		free_iova_fast(&emu_iovad, bfn, 1UL << order);
	else if (own)
		dev_err(emu->dev, "dom%u: BFN %#llx stays mapped\n", emu->domid,
			bfn);
	return rc;
}

static u16 emu_perms(enum dma_data_direction dir)
{
	switch (dir) {
	case DMA_TO_DEVICE:
		return IOMMUOP_readable;
	case DMA_FROM_DEVICE:
		return IOMMUOP_writeable;
	default:
		return IOMMUOP_readable | IOMMUOP_writeable;
	}
}

/*
 * Map @nr extents of 2^@order frames, from @gfns (order 0) or from @gfn, in
 * one hypercall; all or none.
 */
static int emu_map(struct pv_iommu_emu *emu, const xen_pfn_t *gfns,
		   xen_pfn_t gfn, unsigned int nr, unsigned int order,
		   enum dma_data_direction dir, unsigned int flags,
		   dma_addr_t *addrs)
{
	struct pv_iommu_batch b = { .size = nr, .quiet = true };
	bool maps = emu_maps();
	unsigned int i;
	int rc = 0;

	if (!valid_dma_direction(dir) || (flags & ~PV_IOMMU_EMU_SWAP))
		return -EINVAL;
	if (!nr)
		return 0;
	if (!maps && order)
		return -EOPNOTSUPP;
	b.ops = kvcalloc(nr, sizeof(*b.ops), GFP_KERNEL);
	if (!b.ops)
		return -ENOMEM;

	mutex_lock(&emu->lock);
	for (b.nr = 0; b.nr < nr; b.nr++) {
		xen_pfn_t g = gfns ? gfns[b.nr] : gfn;
		unsigned long bfn;

		if (!maps) {
			emu_lookup_op(emu, &b.ops[b.nr], g);
			continue;
		}
		bfn = alloc_iova_fast(&emu_iovad, 1UL << order, emu->limit_pfn,
				      true);
		if (!bfn) {
			rc = -ENOSPC;
			break;
		}
		emu_map_op(emu, &b.ops[b.nr], bfn, g, order, emu_perms(dir),
			   flags);
	}
	if (rc) {
		while (b.nr--)
			free_iova_fast(&emu_iovad, op_bfn(&b.ops[b.nr]),
				       1UL << order);
		goto out;
	}

	pv_iommu_batch_submit(&b);
	for (i = 0; i < nr; i++) {
		struct pv_iommu_op *op = &b.ops[i];

		if (!op->status)
			op->status = emu_record(emu, op, gfns ? gfns[i] : gfn,
						order);
		else if (maps)
			free_iova_fast(&emu_iovad, op_bfn(op), 1UL << order);
		rc = rc ?: op->status;
	}
	if (rc) {
		emu_map_undo(emu, &b, nr);
		goto out;
	}
	for (i = 0; i < nr; i++)
		addrs[i] = PFN_PHYS(op_bfn(&b.ops[i]));
out:
	mutex_unlock(&emu->lock);
	kvfree(b.ops);
	return rc;
}

/**
 * pv_iommu_emu_open() - open an emulator's context for a guest
 * @domid: the guest, which must have @ioserver
 * @ioserver: the emulator's IOREQ server for @domid, whose
 *	IOREQ_TYPE_INVALIDATE the emulator hands to
 *	pv_iommu_emu_ioreq_invalidate()
 * @dev: the device that will DMA to the guest's frames; its DMA mask must
 *	reach the foreign window (39 bits on VT-d)
 * @invalidate: called when the guest gives a mapped frame up, or NULL
 * @data: passed to @invalidate
 *
 * Context: process context; may sleep.
 * Return: the context, or ERR_PTR(): -ENODEV outside a PV dom0 or without
 * a usable foreign window, -EINVAL without @dev, -EIO when @dev's mask
 * does not reach the window, -EBUSY if (@domid, @ioserver) has a context.
 */
struct pv_iommu_emu *pv_iommu_emu_open(domid_t domid, ioservid_t ioserver,
				       struct device *dev,
				       pv_iommu_emu_invalidate_fn invalidate,
				       void *data)
{
	u64 mask_pfn = dev ? dma_get_mask(dev) >> PAGE_SHIFT : 0;
	struct pv_iommu_emu *emu, *other;

	if (!pv_iommu_pv_dom0() || (emu_maps() && !emu_window_ready))
		return ERR_PTR(-ENODEV);
	if (!dev)
		return ERR_PTR(-EINVAL);
	if (emu_maps() && mask_pfn < pv_iommu_foreign_window())
		return ERR_PTR(-EIO);

	emu = kzalloc(sizeof(*emu), GFP_KERNEL);
	if (!emu)
		return ERR_PTR(-ENOMEM);
	*emu = (struct pv_iommu_emu) {
		.domid = domid, .ioserver = ioserver, .dev = dev,
		.invalidate = invalidate, .data = data,
		.limit_pfn = emu_maps() ? min_t(u64, mask_pfn,
						emu_window_end() - 1) :
					  mask_pfn,
	};
	mutex_init(&emu->lock);
	xa_init(&emu->maps);

	mutex_lock(&emu_contexts_lock);
	list_for_each_entry(other, &emu_contexts, node) {
		if (other->domid == domid && other->ioserver == ioserver) {
			mutex_unlock(&emu_contexts_lock);
			kfree(emu);
			return ERR_PTR(-EBUSY);
		}
	}
	list_add(&emu->node, &emu_contexts);
	atomic64_inc(&pv_iommu_stats.emu_contexts);
	mutex_unlock(&emu_contexts_lock);
	return emu;
}
EXPORT_SYMBOL_GPL(pv_iommu_emu_open);

/**
 * pv_iommu_emu_close() - release every mapping of a context, and the context
 * @emu: from pv_iommu_emu_open(), or an ERR_PTR() or NULL (no-op)
 *
 * The emulator's device must have stopped using the mappings. They go in
 * batches of hypercalls; a guest that already died has no entries left in
 * Xen, and their addresses are freed all the same. An address Xen fails to
 * unmap is never given out again.
 *
 * Context: process context; may sleep. The callback is not called again.
 */
void pv_iommu_emu_close(struct pv_iommu_emu *emu)
{
	struct pv_iommu_batch b = { .size = PV_IOMMU_EMU_CLOSE_BATCH,
				    .quiet = true };
	struct pv_iommu_emu_map *map;
	struct pv_iommu_op stack_ops[16];
	unsigned long bfn, kept = 0;
	unsigned int i;

	if (IS_ERR_OR_NULL(emu))
		return;

	mutex_lock(&emu_contexts_lock);
	list_del(&emu->node);
	atomic64_dec(&pv_iommu_stats.emu_contexts);
	mutex_unlock(&emu_contexts_lock);

	b.ops = kvcalloc(b.size, sizeof(*b.ops), GFP_KERNEL);
	if (!b.ops) {
		/* Smaller batches, but no failure. */
		b.ops = stack_ops;
		b.size = ARRAY_SIZE(stack_ops);
	}
	mutex_lock(&emu->lock);
	while (!xa_empty(&emu->maps)) {
		b.nr = 0;
		xa_for_each(&emu->maps, bfn, map) {
			map->users = 0;
			emu_unmap_op(emu, &b.ops[b.nr], bfn, map->order);
			if (++b.nr == b.size)
				break;
		}
		if (!emu_unmap_batch(emu, &b))
			continue;
		/* Still mapped in Xen: keep the BFNs out of the allocator. */
		for (i = 0; i < b.nr; i++) {
			bfn = b.ops[i].u.unmap_foreign_page.bfn;
			map = xa_load(&emu->maps, bfn);
			if (map) {
				map->own_bfn = false;
				kept += 1UL << map->order;
				emu_forget(emu, bfn, map);
			}
		}
	}
	mutex_unlock(&emu->lock);
	if (kept)
		dev_err(emu->dev, "dom%u: %lu foreign BFNs could not be unmapped and stay reserved\n",
			emu->domid, kept);
	if (b.ops != stack_ops)
		kvfree(b.ops);
	xa_destroy(&emu->maps);
	mutex_destroy(&emu->lock);
	kfree(emu);
}
EXPORT_SYMBOL_GPL(pv_iommu_emu_close);

/**
 * pv_iommu_emu_map() - give guest frames bus addresses for a device
 * @emu: the context
 * @gfns: @nr guest frames
 * @nr: how many
 * @dir: what the device does: %DMA_TO_DEVICE reads the frames (a
 *	read-only mapping), %DMA_FROM_DEVICE writes them, %DMA_BIDIRECTIONAL
 * @flags: %PV_IOMMU_EMU_SWAP, or 0
 * @addrs: @nr bus addresses, on success
 *
 * One hypercall for all @nr (one IOTLB flush). Each frame gets an address
 * of its own, 4 KiB aligned, from the foreign window; where dom0 runs on
 * xen-swiotlb it is the frame's machine address, and the lookups of one
 * frame share it. Each address must be given to pv_iommu_emu_unmap() or
 * left to pv_iommu_emu_close().
 *
 * Context: process context; may sleep.
 * Return: 0, or a negative errno and no frame mapped: -EINVAL for a bad
 * @dir or @flags, -ENOSPC when the window is full, -ENOMEM, -EIO for a
 * machine address beyond @emu's device mask, or the first of Xen's
 * statuses (-EPERM no privilege over the guest, -ENXIO no such guest or
 * frame, -ENODEV no such IOREQ server, -EIO the IOMMU failed).
 */
int pv_iommu_emu_map(struct pv_iommu_emu *emu, const xen_pfn_t *gfns,
		     unsigned int nr, enum dma_data_direction dir,
		     unsigned int flags, dma_addr_t *addrs)
{
	return emu_map(emu, gfns, 0, nr, 0, dir, flags, addrs);
}
EXPORT_SYMBOL_GPL(pv_iommu_emu_map);

/**
 * pv_iommu_emu_map_range() - give 2^@order contiguous guest frames one range
 * @emu: the context
 * @gfn: the first frame, aligned to @order
 * @order: up to 9 (2 MiB)
 * @dir: as for pv_iommu_emu_map()
 * @flags: as for pv_iommu_emu_map()
 * @addr: the range's bus address, aligned to its size, on success
 *
 * Context: process context; may sleep.
 * Return: as pv_iommu_emu_map(); -EINVAL for a larger @order, -ENOSPC
 * for a misaligned @gfn, -EOPNOTSUPP for @order > 0 where dom0 runs on
 * xen-swiotlb.
 */
int pv_iommu_emu_map_range(struct pv_iommu_emu *emu, xen_pfn_t gfn,
			   unsigned int order, enum dma_data_direction dir,
			   unsigned int flags, dma_addr_t *addr)
{
	if (order > PV_IOMMU_EMU_MAX_ORDER)
		return -EINVAL;
	return emu_map(emu, NULL, gfn, 1, order, dir, flags, addr);
}
EXPORT_SYMBOL_GPL(pv_iommu_emu_map_range);

/**
 * pv_iommu_emu_unmap() - remove mappings of a context
 * @emu: the context
 * @addrs: @nr addresses that pv_iommu_emu_map() or
 *	pv_iommu_emu_map_range() gave, each mapping's whole range going
 * @nr: how many
 *
 * One hypercall for all @nr. The device must have stopped using them.
 * A mapping Xen already dropped (the guest died) goes without error.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL, and nothing unmapped, if an address is not a
 * mapping of @emu; -ENOMEM; or Xen's -EIO, and the mappings it could not
 * unmap stay.
 */
int pv_iommu_emu_unmap(struct pv_iommu_emu *emu, const dma_addr_t *addrs,
		       unsigned int nr)
{
	struct pv_iommu_batch b = { .size = nr, .quiet = true };
	struct pv_iommu_emu_map *map;
	unsigned int i;
	int rc = 0;

	if (!nr)
		return 0;
	b.ops = kvcalloc(nr, sizeof(*b.ops), GFP_KERNEL);
	if (!b.ops)
		return -ENOMEM;

	mutex_lock(&emu->lock);
	for (i = 0; i < nr && !rc; i++)
		if (offset_in_page(addrs[i]) ||
		    !xa_load(&emu->maps, PHYS_PFN(addrs[i])))
			rc = -EINVAL;
	for (i = 0; i < nr && !rc; i++) {
		u64 bfn = PHYS_PFN(addrs[i]);

		map = xa_load(&emu->maps, bfn);
		if (!map->users) {
			/* The same address twice in @addrs. */
			continue;
		}
		if (!--map->users)
			emu_unmap_op(emu, &b.ops[b.nr++], bfn, map->order);
	}
	if (!rc)
		rc = emu_unmap_batch(emu, &b);
	mutex_unlock(&emu->lock);
	kvfree(b.ops);
	return rc;
}
EXPORT_SYMBOL_GPL(pv_iommu_emu_unmap);

/**
 * pv_iommu_emu_ioreq_invalidate() - the emulator's IOREQ server got an
 *	IOREQ_TYPE_INVALIDATE
 * @emu: the context of that server
 * @data: the ioreq's data: the BFN of a frame the guest gave up, or ~0
 *	(Xen's "flush all" for mapcaches, which names no frame)
 *
 * Calls @emu's callback for the mapping's frame at @data. Nothing is
 * unmapped: the address keeps the frame (pinned by Xen), or with
 * %PV_IOMMU_EMU_SWAP a scratch page, until the emulator unmaps it, so a
 * guest cannot make the device fault by ballooning.
 *
 * Context: process context, not under a lock the callback takes.
 * Return: 0, or -ENOENT if @data names no frame of @emu's mappings.
 */
int pv_iommu_emu_ioreq_invalidate(struct pv_iommu_emu *emu, u64 data)
{
	struct pv_iommu_emu_map *map = NULL;
	unsigned int order;
	xen_pfn_t gfn = 0;
	u64 first;

	if (data == PV_IOMMU_EMU_FLUSH_ALL)
		return 0;

	mutex_lock(&emu->lock);
	for (order = 0; order <= PV_IOMMU_EMU_MAX_ORDER && !map; order++) {
		first = data & ~((1ULL << order) - 1);
		map = xa_load(&emu->maps, first);
		if (map && map->order < order)
			map = NULL;
		if (map)
			gfn = map->gfn + (data - first);
	}
	mutex_unlock(&emu->lock);
	if (!map)
		return -ENOENT;
	atomic64_inc(&pv_iommu_stats.emu_invalidations);
	if (emu->invalidate)
		emu->invalidate(emu, PFN_PHYS(data), gfn, emu->data);
	return 0;
}
EXPORT_SYMBOL_GPL(pv_iommu_emu_ioreq_invalidate);
