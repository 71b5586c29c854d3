// SPDX-License-Identifier: GPL-2.0-only
/*
 * Xen PV-IOMMU: bus addresses for foreign guest frames, for in-kernel
 * emulators (the spec's "common interface").
 *
 * One call gives a frame a bus address: Xen's IOMMUOP_lookup_foreign_page
 * first, which answers from its M2B when the frame already has one for the
 * IOREQ server (and with the MFN where dom0's devices reach frames at
 * their MFN); otherwise, with dom0's BFN space its own, a BFN from a window
 * above dom0's memory and IOMMUOP_map_foreign_page. Mappings are counted:
 * the same frame for the same server gets the same address until its last
 * user unmaps it.
 */

#define pr_fmt(fmt) "xen-pv-iommu: " fmt

#include <linux/export.h>
#include <linux/idr.h>
#include <linux/memblock.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <xen/pv-iommu-dma.h>
#include <xen/pv_iommu_api.h>
#include <xen/xen.h>

#include "pv-iommu.h"

/**
 * struct pv_iommu_foreign_map - a bus address given to a foreign frame
 * @domid: the guest
 * @gfn: its frame
 * @ioserver: the IOREQ server Xen tells when the guest frees the frame
 * @users: calls of pv_iommu_map_foreign() not yet unmapped
 * @own_bfn: the BFN comes from our window (not Xen's MFN answer)
 * @invalidated: the guest freed the frame and Xen's entry is gone
 */
struct pv_iommu_foreign_map {
	domid_t domid;
	xen_pfn_t gfn;
	ioservid_t ioserver;
	unsigned int users;
	bool own_bfn;
	bool invalidated;
};

static DEFINE_MUTEX(foreign_lock);
/* (BFN, IOREQ server) -> struct pv_iommu_foreign_map */
static DEFINE_XARRAY(foreign_maps);
/* BFNs of the window given to foreign frames */
static DEFINE_IDA(foreign_bfns);

/**
 * pv_iommu_foreign_window() - the first BFN given to foreign frames
 *
 * Return: the middle of Xen's bus address space, or the end of dom0's
 * memory if that is higher; the window ends with the space.
 */
unsigned long pv_iommu_foreign_window(void)
{
	return max_t(unsigned long, pv_iommu_bfn_limit / 2, max_possible_pfn);
}

static unsigned long map_key(u64 bfn, ioservid_t ioserver)
{
	return (unsigned long)bfn << 16 | ioserver;
}

/* The BFN window: the upper half of the space, above all of dom0's RAM. */
static int alloc_bfn(u64 *bfn)
{
	unsigned long first = pv_iommu_foreign_window();
	int id;

	if (first >= pv_iommu_bfn_limit)
		return -ENOSPC;
	id = ida_alloc_range(&foreign_bfns, first, pv_iommu_bfn_limit - 1,
			     GFP_KERNEL);
	if (id < 0)
		return id;
	*bfn = id;
	return 0;
}

/* One operation, counted like all others; its statuses are for the caller. */
static int foreign_op(struct pv_iommu_op *op)
{
	struct pv_iommu_batch b = { .ops = op, .size = 1, .nr = 1,
				    .quiet = true };

	return pv_iommu_batch_submit(&b);
}

static int lookup_op(domid_t domid, xen_pfn_t gfn, ioservid_t ioserver,
		     u64 *bfn)
{
	struct pv_iommu_op op = {
		.subop_id = IOMMUOP_lookup_foreign_page,
		.u.lookup_foreign_page = {
			.gfn = gfn, .domid = domid, .ioserver = ioserver,
		},
	};
	int rc = foreign_op(&op);

	*bfn = op.u.lookup_foreign_page.bfn;
	return rc;
}

static int map_op(domid_t domid, xen_pfn_t gfn, ioservid_t ioserver,
		  unsigned int flags, u64 bfn)
{
	struct pv_iommu_op op = {
		.subop_id = IOMMUOP_map_foreign_page,
		.flags = IOMMU_OP_readable | IOMMU_OP_writeable |
			 (flags & PV_IOMMU_FOREIGN_SWAP ? IOMMUOP_swap_mfn : 0),
		.u.map_foreign_page = {
			.bfn = bfn, .gfn = gfn, .domid = domid,
			.ioserver = ioserver,
		},
	};

	return foreign_op(&op);
}

static int unmap_op(u64 bfn, ioservid_t ioserver)
{
	struct pv_iommu_op op = {
		.subop_id = IOMMUOP_unmap_foreign_page,
		.u.unmap_foreign_page = { .bfn = bfn, .ioserver = ioserver },
	};

	return foreign_op(&op);
}

/* Remember a new user of the bus address @bfn; the map is ours to free. */
static int add_user(u64 bfn, domid_t domid, xen_pfn_t gfn,
		    ioservid_t ioserver, bool own_bfn)
{
	struct pv_iommu_foreign_map *map;
	int rc;

	map = xa_load(&foreign_maps, map_key(bfn, ioserver));
	if (map) {
		if (map->domid != domid || map->gfn != gfn || map->invalidated)
			return -EBUSY;
		map->users++;
		return 0;
	}

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	*map = (struct pv_iommu_foreign_map) {
		.domid = domid, .gfn = gfn, .ioserver = ioserver, .users = 1,
		.own_bfn = own_bfn,
	};
	rc = xa_insert(&foreign_maps, map_key(bfn, ioserver), map, GFP_KERNEL);
	if (rc)
		kfree(map);
	return rc;
}

/* A new BFN from the window, mapped to the frame. */
static int map_new(domid_t domid, xen_pfn_t gfn, ioservid_t ioserver,
		   unsigned int flags, u64 *bfn)
{
	int rc = alloc_bfn(bfn);

	if (rc)
		return rc;
	rc = map_op(domid, gfn, ioserver, flags, *bfn);
	if (!rc) {
		rc = add_user(*bfn, domid, gfn, ioserver, true);
		if (!rc)
			return 0;
		/* If Xen still maps it, the BFN stays taken. */
		if (unmap_op(*bfn, ioserver))
			return rc;
	}
	ida_free(&foreign_bfns, *bfn);
	return rc;
}

static void forget_map(u64 bfn, struct pv_iommu_foreign_map *map)
{
	xa_erase(&foreign_maps, map_key(bfn, map->ioserver));
	if (map->own_bfn)
		ida_free(&foreign_bfns, bfn);
	kfree(map);
}

/*
 * The frame's bus address for @ioserver, from Xen's lookup; if it has none
 * and @may_map, a new BFN of the window mapped to it (dom0's BFN space must
 * be its own for that). One more user of the address on success.
 */
static int foreign_address(domid_t domid, xen_pfn_t gfn, ioservid_t ioserver,
			   unsigned int flags, bool may_map, dma_addr_t *bus)
{
	u64 bfn;
	int rc;

	if (!pv_iommu_pv_dom0())
		return -ENODEV;

	mutex_lock(&foreign_lock);
	rc = lookup_op(domid, gfn, ioserver, &bfn);
	if (!rc)
		rc = add_user(bfn, domid, gfn, ioserver, false);
	else if (rc == -ENOENT && may_map && pv_iommu_active)
		rc = map_new(domid, gfn, ioserver, flags, &bfn);
	mutex_unlock(&foreign_lock);
	if (!rc)
		*bus = PFN_PHYS(bfn);
	return rc;
}

/**
 * pv_iommu_lookup_foreign() - the bus address a foreign frame already has
 * @domid: the guest
 * @gfn: the guest's frame
 * @ioserver: the emulator's IOREQ server for @domid
 * @bus: the bus address, on success
 *
 * Where dom0's devices reach every frame at its machine address (dom0 on
 * xen-swiotlb with Xen's 1:1 map, or no IOMMU) this is the MFN's address,
 * and the frame is pinned until pv_iommu_unmap_foreign(). Otherwise it is
 * the address an earlier pv_iommu_map_foreign() gave it for @ioserver.
 *
 * Return: 0; -ENOENT if the frame has no bus address for @ioserver; -EPERM,
 * -ENXIO, -ENODEV as Xen says (no privilege over @domid, no such guest or
 * frame, no such IOREQ server); -ENODEV without the interface.
 */
int pv_iommu_lookup_foreign(domid_t domid, xen_pfn_t gfn,
			    ioservid_t ioserver, dma_addr_t *bus)
{
	return foreign_address(domid, gfn, ioserver, 0, false, bus);
}
EXPORT_SYMBOL_GPL(pv_iommu_lookup_foreign);

/**
 * pv_iommu_map_foreign() - give a foreign guest frame a bus address
 * @domid: the guest
 * @gfn: the guest's frame
 * @ioserver: the emulator's IOREQ server for @domid; Xen sends it
 *	IOREQ_TYPE_INVALIDATE with the BFN if the guest frees the frame
 * @flags: PV_IOMMU_FOREIGN_SWAP, or 0
 * @bus: the bus address (readable and writable by devices), on success
 *
 * The one call an emulator needs: it looks the frame up and, if it has no
 * address yet, picks a free BFN above dom0's memory and maps the frame
 * there. Each successful call must be matched by pv_iommu_unmap_foreign().
 * Devices need a DMA mask of 39 bits to reach these addresses.
 *
 * Return: 0, or a negative errno: -EINVAL for unknown @flags, -ENOSPC when
 * the BFN window is full, -EBUSY if the address is being invalidated, and
 * the statuses of Xen's map_foreign_page (-EPERM, -ENXIO, -ENODEV, -EIO).
 */
int pv_iommu_map_foreign(domid_t domid, xen_pfn_t gfn, ioservid_t ioserver,
			 unsigned int flags, dma_addr_t *bus)
{
	if (flags & ~PV_IOMMU_FOREIGN_SWAP)
		return -EINVAL;
	return foreign_address(domid, gfn, ioserver, flags, true, bus);
}
EXPORT_SYMBOL_GPL(pv_iommu_map_foreign);

/**
 * pv_iommu_unmap_foreign() - drop one user of a foreign frame's bus address
 * @bus: what pv_iommu_map_foreign() or pv_iommu_lookup_foreign() returned
 * @ioserver: the IOREQ server it was given for
 *
 * The last user's call makes Xen unmap the address and unpin the frame.
 *
 * Return: 0, -ENOENT if @bus has no user for @ioserver, or Xen's -EIO.
 */
int pv_iommu_unmap_foreign(dma_addr_t bus, ioservid_t ioserver)
{
	struct pv_iommu_foreign_map *map;
	u64 bfn = PFN_DOWN(bus);
	int rc = 0;

	mutex_lock(&foreign_lock);
	map = xa_load(&foreign_maps, map_key(bfn, ioserver));
	if (!map) {
		rc = -ENOENT;
	} else if (!--map->users) {
		if (!map->invalidated)
			rc = unmap_op(bfn, ioserver);
		if (rc)
			map->users++;
		else
			forget_map(bfn, map);
	}
	mutex_unlock(&foreign_lock);
	return rc;
}
EXPORT_SYMBOL_GPL(pv_iommu_unmap_foreign);

/**
 * pv_iommu_foreign_invalidate() - the guest freed the frame at a bus address
 * @bfn: the BFN of Xen's IOREQ_TYPE_INVALIDATE for @ioserver
 * @ioserver: the IOREQ server that received it
 *
 * Called by the emulator when its IOREQ server receives the invalidation:
 * Xen forgets the mapping and unpins the frame now. The address stays
 * reserved, and reads as unmapped, until its users have unmapped it.
 *
 * Return: 0, -ENOENT if nothing of ours is mapped there, or Xen's error.
 */
int pv_iommu_foreign_invalidate(u64 bfn, ioservid_t ioserver)
{
	struct pv_iommu_foreign_map *map;
	int rc = 0;

	mutex_lock(&foreign_lock);
	map = xa_load(&foreign_maps, map_key(bfn, ioserver));
	if (!map)
		rc = -ENOENT;
	else if (!map->invalidated)
		rc = unmap_op(bfn, ioserver);
	if (!rc && map)
		map->invalidated = true;
	mutex_unlock(&foreign_lock);
	return rc;
}
EXPORT_SYMBOL_GPL(pv_iommu_foreign_invalidate);
