// SPDX-License-Identifier: GPL-2.0
/*
 * GNTMAP_request_bfn_map: a grant's device mapping at a BFN dom0 chooses.
 * dom0 grants one of its pages to itself (gntalloc) and maps the grant
 * device-only through GNTTABOP_map_grant_ref, as a backend would. The
 * mapping holds references like map_page's, dev_bus_addr gives the MFN
 * back, and once dom0 manages its BFN space, a device map must say where.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xen/gntalloc.h>

#include "../kselftest_harness.h"
#include "pv_iommu_user.h"

/* Above dom0's memory, below the kernel's foreign window */
#define TEST_BFN			free_bfn()

FIXTURE(grant) {
	int fd, gfd;
	__u32 ref;
	void *page;
	struct gnttab_map_grant_ref *map;
	struct gnttab_unmap_grant_ref *unmap;
	struct pv_iommu_audit_op base;
};

FIXTURE_SETUP(grant)
{
	struct ioctl_gntalloc_alloc_gref alloc = {
		.domid = 0, .flags = GNTALLOC_FLAG_WRITABLE, .count = 1,
	};

	self->fd = privcmd_open();
	ASSERT_LE(0, self->fd);
	ASSERT_NE(0, TEST_BFN) TH_LOG("no free_bfns range in pv-iommu/stats");
	self->gfd = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->gfd);
	ASSERT_EQ(0, ioctl(self->gfd, IOCTL_GNTALLOC_ALLOC_GREF, &alloc));
	self->ref = alloc.gref_ids[0];
	self->page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			  self->gfd, alloc.index);
	ASSERT_NE(MAP_FAILED, self->page);
	self->map = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	self->unmap = (void *)(self->map + 1);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF,
				    &self->base));
}

FIXTURE_TEARDOWN(grant)
{
	struct pv_iommu_audit_op now;

	/* A test that stopped half-way may have left failures armed. */
	pv_iommu_fail_iommu_ops(self->fd, 0);
	EXPECT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_AUDIT_EQ(self->base, now);
	munmap(self->page, 4096);
	munmap(self->map, 4096);
	close(self->gfd);
	close(self->fd);
}

/* Map the grant at @host (a linear address, 0 for none) and bus @addr. */
static int map_host_grant(int fd, struct gnttab_map_grant_ref *m, __u32 ref,
			  __u32 flags, __u64 host, __u64 addr)
{
	long rc;

	*m = (struct gnttab_map_grant_ref){
		.host_addr = host, .flags = flags, .ref = ref, .dom = 0,
		.dev_bus_addr = addr,
	};
	rc = xen_hypercall3(fd, __HYPERVISOR_grant_table_op,
			    GNTTABOP_map_grant_ref, (unsigned long)m, 1);
	return rc ?: m->status;
}

static int map_grant(int fd, struct gnttab_map_grant_ref *m, __u32 ref,
		     __u32 flags, __u64 addr)
{
	return map_host_grant(fd, m, ref, flags, 0, addr);
}

/* Map the grant for devices only, at bus address @addr. */
static int map_device_grant(int fd, struct gnttab_map_grant_ref *m, __u32 ref,
			    bool read_only, __u64 addr)
{
	return map_grant(fd, m, ref,
			 GNTMAP_device_map | GNTMAP_request_bfn_map |
			 (read_only ? GNTMAP_readonly : 0), addr);
}

static int unmap_host_grant(int fd, struct gnttab_unmap_grant_ref *u,
			    __u32 handle, __u64 host, __u64 addr)
{
	long rc;

	*u = (struct gnttab_unmap_grant_ref){
		.host_addr = host, .handle = handle, .dev_bus_addr = addr,
	};
	rc = xen_hypercall3(fd, __HYPERVISOR_grant_table_op,
			    GNTTABOP_unmap_grant_ref, (unsigned long)u, 1);
	return rc ?: u->status;
}

static int unmap_grant(int fd, struct gnttab_unmap_grant_ref *u,
		       __u32 handle, __u64 addr)
{
	return unmap_host_grant(fd, u, handle, 0, addr);
}

TEST_F(grant, device_map_at_the_requested_bfn)
{
	const __u64 addr = TEST_BFN << 12;
	struct pv_iommu_audit_op now;
	__u32 handle;

	ASSERT_EQ(GNTST_okay,
		  map_device_grant(self->fd, self->map, self->ref, false,
				   addr));
	/* dev_bus_addr comes back as the frame's machine address. */
	EXPECT_NE(addr, self->map->dev_bus_addr);
	EXPECT_EQ(0, self->map->dev_bus_addr & 4095);
	handle = self->map->handle;
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.mappings + 1, now.mappings);
	/* Like map_page: a page and a writable type reference. */
	EXPECT_EQ(self->base.page_refs + 1, now.page_refs);
	EXPECT_EQ(self->base.type_refs + 1, now.type_refs);

	EXPECT_EQ(GNTST_bad_dev_addr,
		  unmap_grant(self->fd, self->unmap, handle, addr + 4096));
	EXPECT_EQ(GNTST_okay,
		  unmap_grant(self->fd, self->unmap, handle, addr));
}

TEST_F(grant, read_only_device_map_takes_no_type_reference)
{
	const __u64 addr = TEST_BFN << 12;
	struct pv_iommu_audit_op now;

	ASSERT_EQ(GNTST_okay,
		  map_device_grant(self->fd, self->map, self->ref, true,
				   addr));
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.page_refs + 1, now.page_refs);
	EXPECT_EQ(self->base.type_refs, now.type_refs);
	EXPECT_EQ(GNTST_okay, unmap_grant(self->fd, self->unmap,
					  self->map->handle, addr));
}

/*
 * Review L4: an unmap whose device part is done but whose host part fails
 * (a linear address that does not map the grant) must still count the
 * device part done. Its BFN is gone, so a retry of it would find none
 * (GNTST_bad_dev_addr, for ever) and the device pin could never go.
 * The host mapping goes at a linear address whose PTE Linux leaves empty,
 * beside a page it populated (so that the page table exists); the wrong
 * address is that page's.
 */
TEST_F(grant, a_failed_host_unmap_still_releases_the_device_map)
{
	const __u64 addr = TEST_BFN << 12;
	struct pv_iommu_audit_op now;
	__u64 filled, empty;
	char *region;
	__u32 handle;
	int i, rc;

	region = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, region);
	/* Two pages under one page table (one 2 MiB range). */
	for (i = 0; i < 3; i++)
		if (((unsigned long)(region + i * 4096) >> 21) ==
		    ((unsigned long)(region + (i + 1) * 4096) >> 21))
			break;
	filled = (unsigned long)(region + i * 4096);
	empty = filled + 4096;
	region[i * 4096] = 1;

	ASSERT_EQ(GNTST_okay,
		  map_host_grant(self->fd, self->map, self->ref,
				 GNTMAP_host_map | GNTMAP_device_map |
				 GNTMAP_request_bfn_map, empty, addr));
	handle = self->map->handle;

	EXPECT_EQ(GNTST_general_error,
		  unmap_host_grant(self->fd, self->unmap, handle, filled,
				   addr));
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.mappings, now.mappings);

	/* Retried whole, the device part is no longer there to fail. */
	rc = unmap_host_grant(self->fd, self->unmap, handle, empty, addr);
	EXPECT_EQ(GNTST_okay, rc);
	/* Linux must not find the grant's PTE at munmap(). */
	if (rc != GNTST_okay)
		unmap_host_grant(self->fd, self->unmap, handle, empty, 0);
	munmap(region, 4 * 4096);
}

/*
 * Review L6, for grant maps: a grant map at a BFN whose IOMMU map fails,
 * and then its undo, leaves what the BFN held before (here a map of the
 * same grant) with its references, since a device may still reach it. The
 * new map's page reference is kept for good, uncounted (read-only: no type
 * reference on a page gntalloc will free).
 */
TEST_F(grant, failed_map_and_undo_keep_the_old_mapping)
{
	const __u64 addr = TEST_BFN << 12;
	struct pv_iommu_audit_op now;
	__u32 handle;

	ASSERT_EQ(GNTST_okay,
		  map_device_grant(self->fd, self->map, self->ref, false,
				   addr));
	handle = self->map->handle;
	/* The map, then its undo's unmap. */
	ASSERT_EQ(0, pv_iommu_fail_iommu_ops(self->fd,
					     FAIL_OP(0) | FAIL_OP(1)));
	EXPECT_EQ(GNTST_general_error,
		  map_device_grant(self->fd, self->map, self->ref, true,
				   addr));
	ASSERT_EQ(0, pv_iommu_fail_iommu_ops(self->fd, 0));
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.mappings + 1, now.mappings);
	EXPECT_EQ(self->base.page_refs + 1, now.page_refs);
	EXPECT_EQ(self->base.type_refs + 1, now.type_refs);

	EXPECT_EQ(GNTST_okay, unmap_grant(self->fd, self->unmap, handle, addr));
}

/*
 * A grant unmap whose IOMMU unmap fails is GNTST_general_error: the BFN
 * still maps the frame, so the device map and its pin stay, and a retry
 * releases them once the IOMMU works.
 */
TEST_F(grant, a_failed_iommu_unmap_keeps_the_device_map)
{
	const __u64 addr = TEST_BFN << 12;
	struct pv_iommu_audit_op now;
	__u32 handle;

	ASSERT_EQ(GNTST_okay,
		  map_device_grant(self->fd, self->map, self->ref, false,
				   addr));
	handle = self->map->handle;
	ASSERT_EQ(0, pv_iommu_fail_iommu_ops(self->fd, FAIL_OP(0)));
	EXPECT_EQ(GNTST_general_error,
		  unmap_grant(self->fd, self->unmap, handle, addr));
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.mappings + 1, now.mappings);
	EXPECT_EQ(self->base.page_refs + 1, now.page_refs);

	EXPECT_EQ(GNTST_okay, unmap_grant(self->fd, self->unmap, handle, addr));
}

/*
 * A grant unmap whose IOTLB flush fails is done all the same: Xen keeps
 * the frame's references for good (uncounted), so it can never be freed
 * while a device may reach it, and the device pin goes; a failure would
 * leave a pin that no retry could release (the BFN is gone). Read-only:
 * no type reference is kept on a page gntalloc will free.
 */
TEST_F(grant, a_failed_flush_still_releases_the_device_map)
{
	const __u64 addr = TEST_BFN << 12;

	ASSERT_EQ(GNTST_okay,
		  map_device_grant(self->fd, self->map, self->ref, true,
				   addr));
	/* The unmap, then the flush. */
	ASSERT_EQ(0, pv_iommu_fail_iommu_ops(self->fd, FAIL_OP(1)));
	EXPECT_EQ(GNTST_okay, unmap_grant(self->fd, self->unmap,
					  self->map->handle, addr));
}

/* Xen no longer maps grants BFN=MFN for dom0: the MFN is no bus address. */
TEST_F(grant, device_map_without_a_bfn_is_refused)
{
	EXPECT_EQ(GNTST_general_error,
		  map_grant(self->fd, self->map, self->ref,
			    GNTMAP_device_map, 0));
}

TEST_F(grant, bfn_request_needs_a_device_map)
{
	EXPECT_EQ(GNTST_bad_dev_addr,
		  map_grant(self->fd, self->map, self->ref,
			    GNTMAP_host_map | GNTMAP_request_bfn_map,
			    TEST_BFN << 12));
}

TEST_F(grant, unaligned_bfn_address_is_refused)
{
	EXPECT_EQ(GNTST_bad_dev_addr,
		  map_grant(self->fd, self->map, self->ref,
			    GNTMAP_device_map | GNTMAP_request_bfn_map,
			    (TEST_BFN << 12) + 8));
}

TEST_HARNESS_MAIN
