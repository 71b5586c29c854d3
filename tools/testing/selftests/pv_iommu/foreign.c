// SPDX-License-Identifier: GPL-2.0
/*
 * The foreign subops against a real PVH guest: every row of the status
 * tables of map_foreign_page, lookup_foreign_page and unmap_foreign_page,
 * the M2B's references (debug audit), invalidations when the guest
 * balloons, and the teardown when it dies.
 *
 * Run by the 45-foreign stage with the guest up: PV_IOMMU_DOMU is its
 * domid. The last test destroys the guest.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "../kselftest_harness.h"
#include "edu.h"
#include "guest_mem.h"
#include "emu_ctl.h"
#include "foreign_ops.h"
#include "ioreq_server.h"
#include "pv_iommu_user.h"
#include "served.h"

#define NOT_A_GFN	0xfffffffffULL
#define MSI_BFN		0xfee00ULL
#define BFN_LIMIT	bfn_space_end()	/* beyond the IOMMU's reach */
/* A GFN above the guest's RAM where a grant-table frame can be put. */
#define SPARE_GFN	FOREIGN_SPARE_GFN
/* Two more, unknown to the guest's kernel, where dom0 moves a frame. */
#define MOVE_FROM_GFN	(SPARE_GFN + 0x10)
#define MOVE_TO_GFN	(SPARE_GFN + 0x11)
/* Even, and the GFN after it is no RAM of the guest. */
#define RANGE_GFN	(SPARE_GFN + 0x20)

#define __HYPERVISOR_memory_op_		12
#define XENMEM_add_to_physmap		7
#define XENMEM_remove_from_physmap	15
#define XENMAPSPACE_grant_table		1

struct xen_add_to_physmap {
	__u16 domid;
	__u16 size;
	__u32 space;
	__u64 idx;
	__u64 gpfn;
};

struct xen_remove_from_physmap {
	__u16 domid;
	__u64 gpfn;
};

FIXTURE(foreign) {
	int fd;
	__u16 domid;
	struct served *srv;
	__u16 id;
	struct pv_iommu_op *ops;
	struct pv_iommu_audit_op base;
};

FIXTURE_SETUP(foreign)
{
	self->fd = privcmd_open();
	ASSERT_LE(0, self->fd);
	ASSERT_NE(0, TEST_BFN) TH_LOG("no free_bfns range in pv-iommu/stats");
	self->domid = domu();
	ASSERT_NE(BAD_DOMID, self->domid) TH_LOG("PV_IOMMU_DOMU is not set");
	self->srv = serve_new(self->domid);
	ASSERT_NE(NULL, self->srv) TH_LOG("no IOREQ server: %s",
					  strerror(errno));
	self->id = ioreq_server_id(self->srv->srv);
	self->ops = ops_alloc(GUEST_GFNS);
	ASSERT_NE(NULL, self->ops);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF,
				    &self->base));
}

FIXTURE_TEARDOWN(foreign)
{
	struct pv_iommu_audit_op now;
	char answer[64];

	/* A test that stopped half-way may have left failures armed. */
	pv_iommu_fail_iommu_ops(self->fd, 0);
	/* Every test leaves what the interface holds as it found it. */
	EXPECT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_AUDIT_EQ(self->base, now);
	/*
	 * A p2m change the test made (add/remove_from_physmap) has the guest's
	 * vCPU send this server a synchronous invalidation the next time it
	 * runs: an emulator serves it before it destroys the server. Any
	 * answer of the agent (to a command it does not know) means it ran.
	 */
	EXPECT_EQ(0, domu_says("settle", answer, sizeof(answer)));
	serve_end(self->srv);
	munmap(self->ops, GUEST_GFNS * sizeof(struct pv_iommu_op));
	close(self->fd);
}

static long run(struct __test_metadata *_metadata, int fd,
		struct pv_iommu_op *ops, unsigned int n)
{
	long rc = iommu_op(fd, ops, n);

	EXPECT_EQ(0, rc);
	return rc;
}

/*
 * Review L5: a map of 2^order frames that fails part way undoes what it
 * mapped, and only that: the server's mapping of the first frame, made
 * before and found again by the failing op (a no-op), stays.
 */
TEST_F(foreign, a_failed_range_keeps_what_was_there)
{
	struct pv_iommu_op *o = self->ops;
	__u16 d = self->domid, s = self->id;

	ASSERT_EQ(0, guest_mem_grow(d, 1));
	ASSERT_EQ(0, guest_mem_populate(d, RANGE_GFN));
	map_op(&o[0], RW, TEST_BFN, RANGE_GFN, d, s);
	map_op(&o[1], RW | IOMMU_page_order(1), TEST_BFN, RANGE_GFN, d, s);
	lookup_op(&o[2], RANGE_GFN, d, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 3));
	EXPECT_EQ(0, o[0].status);
	EXPECT_EQ(-ENXIO, o[1].status);
	EXPECT_EQ(0, o[2].status);
	EXPECT_EQ(TEST_BFN, o[2].u.lookup_foreign_page.bfn);

	unmap_op(&o[0], 0, TEST_BFN, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 1));
	EXPECT_EQ(0, o[0].status);
	EXPECT_EQ(0, guest_mem_release(d, RANGE_GFN));
}

/*
 * Review H2: a frame put at a GFN that has an M2B entry (XENMAPSPACE_gmfn
 * onto a populated GFN) frees the GFN's old frame with the GFN's lock held.
 * Its invalidation must not be sent there: enabling or destroying an IOREQ
 * server takes the server's lock and then the p2m lock, so the reverse
 * order can deadlock. A debug Xen asserts the order; the invalidation must
 * still come.
 */
TEST_F_TIMEOUT(foreign, a_frame_replaced_in_place_is_invalidated, 120)
{
	struct pv_iommu_op *o = self->ops;
	__u16 d = self->domid, s = self->id;
	int tries;

	ASSERT_EQ(0, guest_mem_grow(d, 2));
	ASSERT_EQ(0, guest_mem_populate(d, MOVE_FROM_GFN));
	ASSERT_EQ(0, guest_mem_populate(d, MOVE_TO_GFN));
	map_op(&o[0], RW, TEST_BFN, MOVE_TO_GFN, d, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 1));
	ASSERT_EQ(0, o[0].status);
	ASSERT_EQ(0, guest_mem_move(d, MOVE_FROM_GFN, MOVE_TO_GFN));

	for (tries = 0; tries < 50 && !served_count(self->srv); tries++)
		usleep(100000);
	ASSERT_EQ(1, served_count(self->srv));
	EXPECT_EQ(TEST_BFN, self->srv->bfns[0]);

	unmap_op(&o[0], 0, TEST_BFN, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 1));
	EXPECT_EQ(0, o[0].status);
	EXPECT_EQ(0, guest_mem_release(d, MOVE_TO_GFN));
}

/* Any RAM GFN of the guest: its first one at or above @from. */
static __u64 guest_gfn(struct __test_metadata *_metadata, int fd,
		       __u16 domid, __u16 id, __u64 from)
{
	struct pv_iommu_op *op = ops_alloc(1);
	__u64 gfn;

	for (gfn = from; gfn < GUEST_GFNS; gfn++) {
		lookup_op(op, gfn, domid, id);
		if (iommu_op(fd, op, 1) == 0 && op->status != -ENXIO)
			break;
	}
	munmap(op, sizeof(*op));
	return gfn;
}

TEST_F(foreign, map_statuses_follow_the_table)
{
	__u64 gfn = guest_gfn(_metadata, self->fd, self->domid, self->id,
			      0x1000);
	struct pv_iommu_op *o = self->ops;
	__u16 d = self->domid, s = self->id;

	map_op(&o[0], RW, TEST_BFN, gfn, PV_IOMMU_DOMID_SELF, s);
	map_op(&o[1], RW, TEST_BFN, gfn, 0, s);
	map_op(&o[2], RW, TEST_BFN, gfn, BAD_DOMID, s);
	map_op(&o[3], RW, TEST_BFN, gfn, d, s + 1);
	map_op(&o[4], RW, TEST_BFN, NOT_A_GFN, d, s);
	map_op(&o[5], RW | IOMMU_page_order(40), TEST_BFN, gfn, d, s);
	map_op(&o[6], RW | IOMMU_page_order(1), TEST_BFN, gfn | 1, d, s);
	map_op(&o[7], RW | IOMMU_page_order(1), TEST_BFN + 1, gfn, d, s);
	map_op(&o[8], RW, MSI_BFN, gfn, d, s);
	map_op(&o[9], RW, BFN_LIMIT, gfn, d, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 10));
	EXPECT_EQ(-EPERM, o[0].status);		/* DOMID_SELF */
	EXPECT_EQ(-EPERM, o[1].status);		/* the caller's own id */
	EXPECT_EQ(-ENXIO, o[2].status);		/* no such domain */
	EXPECT_EQ(-ENODEV, o[3].status);	/* no such IOREQ server */
	EXPECT_EQ(-ENXIO, o[4].status);		/* not a GFN of the guest */
	EXPECT_EQ(-ENOSPC, o[5].status);	/* order beyond the IOMMU's */
	EXPECT_EQ(-ENOSPC, o[6].status);	/* GFN not aligned */
	EXPECT_EQ(-ENOSPC, o[7].status);	/* BFN not aligned */
	EXPECT_EQ(-EACCES, o[8].status);	/* the interrupt range */
	EXPECT_EQ(-EIO, o[9].status);		/* beyond the IOMMU's reach */
}

TEST_F(foreign, map_lookup_unmap_and_their_references)
{
	__u64 gfn[4], b = TEST_BFN;
	struct pv_iommu_op *o = self->ops;
	struct pv_iommu_audit_op now;
	__u16 d = self->domid, s = self->id;
	unsigned int i;

	gfn[0] = guest_gfn(_metadata, self->fd, d, s, 0x1000);
	for (i = 1; i < 4; i++)
		gfn[i] = guest_gfn(_metadata, self->fd, d, s, gfn[i - 1] + 1);
	for (i = 0; i < 4; i++)
		map_op(&o[i], RW, b + i, gfn[i], d, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 4));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, o[i].status);

	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.m2b_entries + 4, now.m2b_entries);
	EXPECT_EQ(self->base.page_refs + 4, now.page_refs);
	EXPECT_EQ(self->base.type_refs + 4, now.type_refs);
	EXPECT_EQ(self->base.mappings + 4, now.mappings);

	/* The same tuple again adds no entry and no reference. */
	map_op(&o[0], RW, b, gfn[0], d, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 1));
	EXPECT_EQ(0, o[0].status);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.m2b_entries + 4, now.m2b_entries);
	EXPECT_EQ(self->base.page_refs + 4, now.page_refs);

	lookup_op(&o[0], gfn[2], d, s);
	lookup_op(&o[1], gfn[3] + 1, d, s);
	lookup_op(&o[2], gfn[0], BAD_DOMID, s);
	lookup_op(&o[3], gfn[0], d, s + 1);
	lookup_op(&o[4], gfn[0], PV_IOMMU_DOMID_SELF, s);
	lookup_op(&o[5], NOT_A_GFN, d, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 6));
	EXPECT_EQ(0, o[0].status);
	EXPECT_EQ(b + 2, o[0].u.lookup_foreign_page.bfn);
	EXPECT_EQ(RW, o[0].flags & 0x3ff);
	EXPECT_TRUE(o[1].status == -ENOENT || o[1].status == -ENXIO);
	EXPECT_EQ(-ENXIO, o[2].status);
	EXPECT_EQ(-ENODEV, o[3].status);
	EXPECT_EQ(-EPERM, o[4].status);
	EXPECT_EQ(-ENXIO, o[5].status);

	unmap_op(&o[0], 0, b, s + 1);		/* another server's */
	for (i = 0; i < 4; i++)
		unmap_op(&o[1 + i], 0, b + i, s);
	unmap_op(&o[5], 0, b, s);		/* again */
	ASSERT_EQ(0, run(_metadata, self->fd, o, 6));
	EXPECT_EQ(-ENOENT, o[0].status);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, o[1 + i].status);
	EXPECT_EQ(-ENOENT, o[5].status);
}

TEST_F(foreign, no_entry_to_look_up_is_enoent)
{
	__u64 gfn = guest_gfn(_metadata, self->fd, self->domid, self->id,
			      0x1000);

	lookup_op(self->ops, gfn, self->domid, self->id);
	ASSERT_EQ(0, run(_metadata, self->fd, self->ops, 1));
	EXPECT_EQ(-ENOENT, self->ops[0].status);
}

/*
 * map_foreign_page and unmap_foreign_page -EIO, the IOMMU failed (made to
 * fail by IOMMUOP_debug_fail): a failed map holds nothing, a failed unmap
 * keeps the entry and its references, for a later unmap to drop.
 */
TEST_F(foreign, a_failing_iommu_is_eio)
{
	__u64 gfn = guest_gfn(_metadata, self->fd, self->domid, self->id,
			      0x1000);
	struct pv_iommu_op *o = self->ops;
	struct pv_iommu_audit_op now;
	__u16 d = self->domid, s = self->id;

	map_op(&o[0], RW, TEST_BFN, gfn, d, s);
	EXPECT_EQ(-EIO, pv_iommu_op_failing(self->fd, FAIL_OP(0), &o[0]));
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_AUDIT_EQ(self->base, now);

	map_op(&o[0], RW, TEST_BFN, gfn, d, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 1));
	EXPECT_EQ(0, o[0].status);
	unmap_op(&o[0], 0, TEST_BFN, s);
	EXPECT_EQ(-EIO, pv_iommu_op_failing(self->fd, FAIL_OP(0), &o[0]));
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.m2b_entries + 1, now.m2b_entries);
	EXPECT_EQ(self->base.page_refs + 1, now.page_refs);

	unmap_op(&o[0], 0, TEST_BFN, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 1));
	EXPECT_EQ(0, o[0].status);
}

TEST_F(foreign, two_servers_share_a_bfn)
{
	struct served *other = serve_new(self->domid);
	__u64 gfn = guest_gfn(_metadata, self->fd, self->domid, self->id,
			      0x1000);
	struct pv_iommu_op *o = self->ops;
	struct pv_iommu_audit_op now;
	__u16 d = self->domid, s = self->id, s2;

	ASSERT_NE(NULL, other);
	s2 = ioreq_server_id(other->srv);
	map_op(&o[0], RW, TEST_BFN, gfn, d, s);
	map_op(&o[1], RW, TEST_BFN, gfn, d, s2);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 2));
	EXPECT_EQ(0, o[0].status);
	EXPECT_EQ(0, o[1].status);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.m2b_entries + 2, now.m2b_entries);
	EXPECT_EQ(self->base.mappings + 1, now.mappings);

	/* One server's unmap leaves the other's mapping. */
	unmap_op(&o[0], 0, TEST_BFN, s);
	lookup_op(&o[1], gfn, d, s2);
	lookup_op(&o[2], gfn, d, s);
	unmap_op(&o[3], 0, TEST_BFN, s2);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 4));
	EXPECT_EQ(0, o[0].status);
	EXPECT_EQ(0, o[1].status);
	EXPECT_EQ(TEST_BFN, o[1].u.lookup_foreign_page.bfn);
	EXPECT_EQ(-ENOENT, o[2].status);
	EXPECT_EQ(0, o[3].status);
	serve_end(other);
}

TEST_F(foreign, map_page_over_a_foreign_bfn_retires_it)
{
	__u64 gfn = guest_gfn(_metadata, self->fd, self->domid, self->id,
			      0x1000);
	struct pv_iommu_op *o = self->ops;
	__u64 own;

	/* A frame of dom0's own, for map_page. */
	load_helper();
	ASSERT_EQ(0, helper_read("page", &own, NULL));
	map_op(&o[1], RW, TEST_BFN, gfn, self->domid, self->id);
	o[2] = (struct pv_iommu_op){
		.subop_id = IOMMUOP_map_page, .flags = RW, .status = 1,
		.u.map_page = { .bfn = TEST_BFN, .gfn = own },
	};
	lookup_op(&o[3], gfn, self->domid, self->id);
	o[4] = (struct pv_iommu_op){
		.subop_id = IOMMUOP_unmap_page, .status = 1,
		.u.unmap_page = { .bfn = TEST_BFN },
	};
	ASSERT_EQ(0, run(_metadata, self->fd, o + 1, 4));
	EXPECT_EQ(0, o[1].status);
	EXPECT_EQ(0, o[2].status);
	EXPECT_EQ(-ENOENT, o[3].status);
	EXPECT_EQ(0, o[4].status);
}

TEST_F(foreign, order_one_maps_two_frames)
{
	struct pv_iommu_op *o = self->ops;
	__u64 gfn = 0x1000;

	map_op(&o[0], RW | IOMMU_page_order(1), TEST_BFN, gfn, self->domid,
	       self->id);
	lookup_op(&o[1], gfn + 1, self->domid, self->id);
	unmap_op(&o[2], IOMMU_page_order(1), TEST_BFN, self->id);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 3));
	EXPECT_EQ(0, o[0].status);
	EXPECT_EQ(0, o[1].status);
	EXPECT_EQ(TEST_BFN + 1, o[1].u.lookup_foreign_page.bfn);
	EXPECT_EQ(0, o[2].status);
}

/* A grant-table frame is Xen's, even at a GFN of the guest. */
TEST_F(foreign, xen_frame_in_the_guest_is_eperm)
{
	struct xen_add_to_physmap *xatp = (void *)&self->ops[8];
	struct xen_remove_from_physmap *xrfp = (void *)&self->ops[16];
	struct pv_iommu_op *o = self->ops;

	*xatp = (struct xen_add_to_physmap){
		.domid = self->domid, .space = XENMAPSPACE_grant_table,
		.idx = 20, .gpfn = SPARE_GFN,
	};
	ASSERT_EQ(0, xen_hypercall3(self->fd, __HYPERVISOR_memory_op_,
				    XENMEM_add_to_physmap,
				    (__u64)(unsigned long)xatp, 0));
	map_op(&o[0], RW, TEST_BFN, SPARE_GFN, self->domid, self->id);
	EXPECT_EQ(0, run(_metadata, self->fd, o, 1));
	EXPECT_EQ(-EPERM, o[0].status);

	*xrfp = (struct xen_remove_from_physmap){
		.domid = self->domid, .gpfn = SPARE_GFN,
	};
	EXPECT_EQ(0, xen_hypercall3(self->fd, __HYPERVISOR_memory_op_,
				    XENMEM_remove_from_physmap,
				    (__u64)(unsigned long)xrfp, 0));
}

static int edu_foreign(const char *dir, __u16 domid, __u64 gfn, __u16 id,
		       unsigned int seed, unsigned int page)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "%s %u %llx %u %x %u", dir, domid,
		 (unsigned long long)gfn, id, seed, page);
	return write_file(edu64_file("foreign"), cmd);
}

/*
 * A device DMAs to and from the guest's pages through bus addresses from
 * pv_iommu_emu_map(), and the guest sees what it wrote.
 */
TEST_F_TIMEOUT(foreign, edu_dma_reaches_the_guest_pages, 300)
{
	const char *list = getenv("PV_IOMMU_DOMU_GFNS");
	unsigned int page, n = 0;
	__u64 gfns[64];
	char answer[128];

	ASSERT_NE(NULL, list);
	for (n = 0; n < 64 && *list; n++)
		gfns[n] = strtoull(list, (char **)&list, 16);
	ASSERT_EQ(64, n);
	ASSERT_EQ(0, write_file(edu64_file("dma_bits"), "64"));

	ASSERT_EQ(0, domu_says("fill 0x1234", answer, sizeof(answer)));
	ASSERT_STREQ("ok", answer);
	EXPECT_EQ(0, edu_foreign("from", self->domid, gfns[0], self->id,
				 0x1234, 0));
	EXPECT_EQ(-EILSEQ, edu_foreign("from", self->domid, gfns[1],
				       self->id, 0x1234, 0));
	EXPECT_EQ(0, edu_foreign("from", self->domid, gfns[63], self->id,
				 0x1234, 63));

	for (page = 0; page < n; page++)
		ASSERT_EQ(0, edu_foreign("to", self->domid, gfns[page],
					 self->id, 0xbeef, page));
	ASSERT_EQ(0, domu_says("check 0xbeef", answer, sizeof(answer)));
	EXPECT_STREQ("ok", answer);
	ASSERT_EQ(0, domu_says("check 0x1234", answer, sizeof(answer)));
	EXPECT_STRNE("ok", answer);
}

/* The largest page order of dom0's IOMMU, as query_caps says it. */
static unsigned int max_order(int fd)
{
	struct pv_iommu_op *op = ops_alloc(1);
	unsigned int order = 0;

	*op = (struct pv_iommu_op){ .subop_id = IOMMUOP_query_caps };
	if (op && iommu_op(fd, op, 1) == 0 && op->status == 0)
		order = IOMMU_get_page_order(op->flags);
	if (op)
		munmap(op, sizeof(*op));
	return order;
}

/*
 * Reserved flag bits are refused with -EINVAL and the op does nothing:
 * map_foreign_page bits 3-9, unmap_foreign_page bits 0-9.
 */
TEST_F(foreign, reserved_flag_bits_are_einval)
{
	__u64 gfn = guest_gfn(_metadata, self->fd, self->domid, self->id,
			      0x1000);
	struct pv_iommu_op *o = self->ops;
	__u16 d = self->domid, s = self->id;
	struct pv_iommu_audit_op now;
	unsigned int bit, n = 0;

	map_op(&o[n++], RW, TEST_BFN, gfn, d, s);
	for (bit = 3; bit < 10; bit++)
		map_op(&o[n++], RW | (1U << bit), TEST_BFN + bit, gfn + 1, d, s);
	for (bit = 0; bit < 10; bit++)
		unmap_op(&o[n++], 1U << bit, TEST_BFN, s);
	lookup_op(&o[n++], gfn, d, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, n));
	EXPECT_EQ(0, o[0].status);
	for (bit = 1; bit < n - 1; bit++)
		EXPECT_EQ(-EINVAL, o[bit].status) TH_LOG("op %u", bit);
	EXPECT_EQ(0, o[n - 1].status);
	EXPECT_EQ(TEST_BFN, o[n - 1].u.lookup_foreign_page.bfn);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.m2b_entries + 1, now.m2b_entries);

	/* Whatever the ops did, the BFNs go. */
	for (bit = 0; bit < 10; bit++)
		unmap_op(&o[bit], 0, TEST_BFN + bit, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 10));
	EXPECT_EQ(0, o[0].status);
}

/*
 * lookup_foreign_page's flags: the mapping's access and, in bits 10-15,
 * the largest page order of the other subops, as the spec's table says.
 */
TEST_F(foreign, lookup_returns_the_order_bits)
{
	__u64 gfn = guest_gfn(_metadata, self->fd, self->domid, self->id,
			      0x1000);
	struct pv_iommu_op *o = self->ops;
	unsigned int order = max_order(self->fd);

	ASSERT_LT(0, order);
	map_op(&o[0], IOMMU_OP_readable, TEST_BFN, gfn, self->domid,
	       self->id);
	lookup_op(&o[1], gfn, self->domid, self->id);
	unmap_op(&o[2], 0, TEST_BFN, self->id);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 3));
	EXPECT_EQ(0, o[0].status);
	EXPECT_EQ(0, o[1].status);
	EXPECT_EQ(IOMMU_OP_readable | IOMMU_page_order(order), o[1].flags);
	EXPECT_EQ(0, o[2].status);
}

/* Does the page hold @byte in every one of its first @len bytes? */
static bool all_bytes(const unsigned char *p, unsigned char byte, size_t len)
{
	while (len--)
		if (*p++ != byte)
			return false;
	return true;
}

/*
 * Review H3: the guest moves frame M from GFN X to Y (XENMAPSPACE_gmfn,
 * which sends no invalidation) and X gets a new frame M'. A second
 * server's map of X at the BFN that maps M for the first server must not
 * share that BFN: it would claim M' while the IOMMU still maps M, and once
 * the first server unmaps, M's references go with the BFN still on M.
 * The BFN must reach M', as a device's DMA shows.
 */
TEST_F_TIMEOUT(foreign, a_moved_frame_shares_no_bfn, 120)
{
	uint64_t gfns[2] = { MOVE_FROM_GFN, MOVE_TO_GFN };
	struct served *other = serve_new(self->domid);
	struct pv_iommu_op *o = self->ops;
	__u16 d = self->domid, s = self->id, s2;
	struct pv_iommu_audit_op now;
	unsigned char *p;
	char addr[32];

	ASSERT_NE(NULL, other);
	s2 = ioreq_server_id(other->srv);
	ASSERT_EQ(0, guest_mem_grow(d, 2));
	ASSERT_EQ(0, guest_mem_populate(d, MOVE_FROM_GFN));
	map_op(&o[0], RW, TEST_BFN, MOVE_FROM_GFN, d, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 1));
	ASSERT_EQ(0, o[0].status);

	ASSERT_EQ(0, guest_mem_move(d, MOVE_FROM_GFN, MOVE_TO_GFN));
	ASSERT_EQ(0, guest_mem_populate(d, MOVE_FROM_GFN));
	map_op(&o[0], RW, TEST_BFN, MOVE_FROM_GFN, d, s2);
	lookup_op(&o[1], MOVE_TO_GFN, d, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 2));
	EXPECT_EQ(0, o[0].status);
	/* The first server's entry went with M's mapping. */
	EXPECT_EQ(-ENOENT, o[1].status);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.m2b_entries + 1, now.m2b_entries);

	/* The device writes 64 bytes at the BFN: they land in M', at X. */
	p = guest_mem_map(d, gfns, 2);
	ASSERT_NE(NULL, p) TH_LOG("mapping the guest's frames: %s",
				  strerror(errno));
	memset(p, 0x5a, 2 * 4096);
	snprintf(addr, sizeof(addr), "%#llx", TEST_BFN << 12);
	EXPECT_EQ(0, write_file(edu64_file("stray"), addr));
	EXPECT_FALSE(all_bytes(p, 0x5a, 64)) TH_LOG("X (M') is untouched");
	EXPECT_TRUE(all_bytes(p + 4096, 0x5a, 4096))
		TH_LOG("the DMA wrote into Y (M), which X no longer is");
	guest_mem_unmap(p, 2);

	/* The second server's first, so that no entry outlives its BFN. */
	unmap_op(&o[0], 0, TEST_BFN, s2);
	unmap_op(&o[1], 0, TEST_BFN, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 2));
	EXPECT_EQ(0, o[0].status);
	EXPECT_EQ(0, guest_mem_release(d, MOVE_FROM_GFN));
	EXPECT_EQ(0, guest_mem_release(d, MOVE_TO_GFN));
	serve_end(other);
}

/* xorshift64: a reproducible stream from the seed the test prints. */
static __u64 next_random(__u64 *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* A random foreign op: mostly plausible, sometimes anything. */
static void random_foreign_op(struct pv_iommu_op *op, __u64 *rng, __u16 d,
			      __u16 s)
{
	__u64 r = next_random(rng);
	/* Now and then reserved bits, which must be refused. */
	bool reserved = r & (1ULL << 40);
	__u16 flags = (r >> 8) & (reserved ? 0x3ff : 0x7);
	unsigned int order = r & 64 ? (r >> 20) % 64 : (r >> 20) % 3;
	__u16 domid = r & 128 ? next_random(rng) : (r & 256 ? 0 : d);
	__u16 id = r & 512 ? next_random(rng) : s;
	__u64 bfn = TEST_BFN + (next_random(rng) % 4096);
	__u64 gfn = next_random(rng) % (GUEST_GFNS + 0x800);

	flags |= IOMMU_page_order(order);
	switch ((r >> 12) % 3) {
	case 0:
		map_op(op, flags, bfn, gfn, domid, id);
		break;
	case 1:
		lookup_op(op, gfn, domid, id);
		op->flags = flags;
		break;
	default:
		/* unmap_foreign_page has no flag bits below the order. */
		unmap_op(op, reserved ? flags : flags & ~0x3ff, bfn, id);
		break;
	}
}

/* -EINVAL exactly for reserved bits among the @flags the op was given. */
static bool foreign_status_ok(const struct pv_iommu_op *op, __u16 flags)
{
	int st = op->status;

	switch (op->subop_id) {
	case IOMMUOP_map_foreign_page:
		if (flags & 0x3f8)
			return st == -EINVAL;
		break;
	case IOMMUOP_unmap_foreign_page:
		if (flags & 0x3ff)
			return st == -EINVAL;
		break;
	}

	switch (op->subop_id) {
	case IOMMUOP_map_foreign_page:
		return st == 0 || st == -EIO || st == -EPERM || st == -EACCES ||
		       st == -ENODEV || st == -ENXIO || st == -ENOSPC;
	case IOMMUOP_lookup_foreign_page:
		return st == 0 || st == -EPERM || st == -ENOENT ||
		       st == -ENODEV || st == -ENXIO;
	default:
		return st == 0 || st == -ENOENT;
	}
}

/*
 * 300,000 random foreign ops in random batches (overlapping BFNs, orders,
 * bad domids, servers, GFNs, flags): every status is one of the tables',
 * and unmapping the window brings the audit back.
 */
TEST_F_TIMEOUT(foreign, random_ops_keep_to_the_tables, 600)
{
	__u64 rng = time(NULL) | 1, done = 0, bad = 0;
	struct pv_iommu_op *o = self->ops;
	static __u16 flags[512];
	unsigned int i, n;

	TH_LOG("seed %llu", (unsigned long long)rng);
	while (done < 300000) {
		n = 1 + next_random(&rng) % 512;
		for (i = 0; i < n; i++) {
			random_foreign_op(&o[i], &rng, self->domid, self->id);
			flags[i] = o[i].flags;
		}
		ASSERT_EQ(0, iommu_op(self->fd, o, n));
		for (i = 0; i < n; i++)
			if (!foreign_status_ok(&o[i], flags[i]) && bad++ < 10)
				TH_LOG("subop %u flags %#x status %d",
				       o[i].subop_id, flags[i], o[i].status);
		done += n;
	}
	EXPECT_EQ(0, bad);

	for (i = 0; i < 4096; i++)
		unmap_op(&o[i], 0, TEST_BFN + i, self->id);
	ASSERT_EQ(0, iommu_op(self->fd, o, 4096));
}

/* Map every RAM GFN of the guest at TEST_BFN + gfn; even ones swap_mfn. */
static unsigned int map_all(struct __test_metadata *_metadata, int fd,
			    struct pv_iommu_op *o, __u16 d, __u16 s,
			    bool *mapped)
{
	unsigned int gfn, n = 0;

	for (gfn = 0; gfn < GUEST_GFNS; gfn++)
		map_op(&o[gfn], RW | (gfn & 1 ? 0 : IOMMUOP_swap_mfn),
		       TEST_BFN + gfn, gfn, d, s);
	EXPECT_EQ(0, iommu_op(fd, o, GUEST_GFNS));
	for (gfn = 0; gfn < GUEST_GFNS; gfn++) {
		mapped[gfn] = o[gfn].status == 0;
		n += mapped[gfn];
		/* Holes, and the frames of Xen's the guest maps (grant table). */
		if (!mapped[gfn])
			EXPECT_TRUE(o[gfn].status == -ENXIO ||
				    o[gfn].status == -EPERM)
				TH_LOG("gfn %#x: %d", gfn, o[gfn].status);
	}
	return n;
}

static void mem_set(__u16 domid, unsigned int mib)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "xl mem-set %u %um", domid, mib);
	if (system(cmd))
		fprintf(stderr, "# '%s' failed\n", cmd);
}

/*
 * The guest gives 32 MiB back: its IOREQ server is told every BFN of a GFN
 * it gave up, once, and only those; the swap_mfn entries leave the M2B at
 * once, the others hold their frames until unmapped.
 */
TEST_F_TIMEOUT(foreign, ballooning_invalidates_each_mapped_gfn_given_up, 600)
{
	static bool mapped[GUEST_GFNS], told[GUEST_GFNS];
	unsigned int gfn, n, gone = 0, gone_swap = 0, seen, before;
	const __u64 *bfns = self->srv->bfns;
	struct pv_iommu_op *o = self->ops;
	struct pv_iommu_audit_op now;
	int tries;

	n = map_all(_metadata, self->fd, o, self->domid, self->id, mapped);
	ASSERT_LT(30000, n);
	before = served_count(self->srv);

	mem_set(self->domid, 96);
	/* Until 32 MiB came back, then until 3 s pass without news. */
	for (tries = 0; tries < 180 && served_count(self->srv) < 8192; tries++)
		sleep(1);
	do {
		seen = served_count(self->srv);
		sleep(3);
	} while (served_count(self->srv) != seen);
	EXPECT_EQ(0, before);
	EXPECT_EQ(0, self->srv->lost);
	TH_LOG("%u GFNs mapped, %u invalidations", n, seen);

	for (gfn = 0; gfn < seen; gfn++) {
		__u64 g = (__u64)bfns[gfn] - TEST_BFN;

		ASSERT_LT(g, GUEST_GFNS) TH_LOG("BFN %#llx", (__u64)bfns[gfn]);
		EXPECT_TRUE(mapped[g]) TH_LOG("gfn %#llx was not mapped", g);
		EXPECT_FALSE(told[g]) TH_LOG("gfn %#llx told twice", g);
		told[g] = true;
	}

	for (gfn = 0; gfn < GUEST_GFNS; gfn++)
		lookup_op(&o[gfn], gfn, self->domid, self->id);
	ASSERT_EQ(0, run(_metadata, self->fd, o, GUEST_GFNS));
	for (gfn = 0; gfn < GUEST_GFNS; gfn++) {
		if (!mapped[gfn])
			continue;
		/* A GFN given up is no GFN any more; a kept one still maps. */
		EXPECT_EQ(told[gfn] ? -ENXIO : 0, o[gfn].status)
			TH_LOG("gfn %#x", gfn);
		gone += told[gfn];
		gone_swap += told[gfn] && !(gfn & 1);
	}
	EXPECT_LE(8000, gone);

	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.m2b_entries + n - gone_swap, now.m2b_entries);
	EXPECT_EQ(self->base.page_refs + n - gone_swap, now.page_refs);

	/* Every BFN unmaps, swapped or not: the references all go. */
	for (gfn = 0; gfn < GUEST_GFNS; gfn++)
		unmap_op(&o[gfn], 0, TEST_BFN + gfn, self->id);
	ASSERT_EQ(0, run(_metadata, self->fd, o, GUEST_GFNS));
	for (gfn = 0; gfn < GUEST_GFNS; gfn++)
		EXPECT_EQ(mapped[gfn] ? 0 : -ENOENT, o[gfn].status);
	mem_set(self->domid, 128);
}

/*
 * Review H3, the other half: once moved (no invalidation), the frame of a
 * mapping without swap_mfn leaves the guest from GFN Y. Its server must be
 * told the BFN, and the entry must keep its references until unmapped: the
 * frame leaving is what counts, not the GFN it was mapped from. (After the
 * ballooning test, so that the caller has a scratch page: on the code
 * before the fix the entry was swapped to it.)
 */
TEST_F_TIMEOUT(foreign, a_moved_frame_given_up_is_invalidated, 120)
{
	struct pv_iommu_op *o = self->ops;
	__u16 d = self->domid, s = self->id;
	struct pv_iommu_audit_op now;
	int tries;

	ASSERT_EQ(0, guest_mem_grow(d, 1));
	ASSERT_EQ(0, guest_mem_populate(d, MOVE_FROM_GFN));
	map_op(&o[0], RW, TEST_BFN, MOVE_FROM_GFN, d, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 1));
	ASSERT_EQ(0, o[0].status);
	ASSERT_EQ(0, guest_mem_move(d, MOVE_FROM_GFN, MOVE_TO_GFN));
	ASSERT_EQ(0, served_count(self->srv));
	EXPECT_EQ(0, guest_mem_release(d, MOVE_TO_GFN));

	for (tries = 0; tries < 50 && !served_count(self->srv); tries++)
		usleep(100000);
	ASSERT_EQ(1, served_count(self->srv));
	EXPECT_EQ(TEST_BFN, self->srv->bfns[0]);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	/* Not swapped to the scratch page: it was mapped without swap_mfn. */
	EXPECT_EQ(self->base.m2b_entries + 1, now.m2b_entries);
	EXPECT_EQ(self->base.page_refs + 1, now.page_refs);

	unmap_op(&o[0], 0, TEST_BFN, s);
	ASSERT_EQ(0, run(_metadata, self->fd, o, 1));
	EXPECT_EQ(0, o[0].status);
}

/*
 * The example emulator (pv-iommu-emu-test) on the 64-bit edu, which it
 * takes from the edu test driver by driver_override for the test.
 */
/* The agent's pinned pages, from 45-foreign.sh. */
static unsigned int agent_gfns(__u64 *gfns)
{
	const char *list = getenv("PV_IOMMU_DOMU_GFNS");
	unsigned int n;

	for (n = 0; list && n < 64 && *list; n++)
		gfns[n] = strtoull(list, (char **)&list, 16);
	return n;
}

/*
 * Hand what a server heard since @from over to emulator @emu, as many to a
 * write as the command takes: one write each made 16,384 of them.
 */
static size_t emu_deliver(struct served *srv, size_t from, unsigned int emu)
{
	size_t n = served_count(srv);

	if (emu_gfns("inval", emu, "", srv->bfns + from, n - from))
		return 0;
	return n - from;
}

FIXTURE(emu) {
	int fd;
	__u16 domid;
	struct served *srv[2];
	struct pv_iommu_op *ops;
	__u64 ram[GUEST_GFNS];
	unsigned int nr_ram;
	__u64 agent[64];
	long long pages_before;
	struct pv_iommu_audit_op base;
};

FIXTURE_SETUP(emu)
{
	self->fd = privcmd_open();
	ASSERT_LE(0, self->fd);
	self->domid = domu();
	ASSERT_NE(BAD_DOMID, self->domid) TH_LOG("PV_IOMMU_DOMU is not set");
	self->srv[0] = serve_new(self->domid);
	self->srv[1] = serve_new(self->domid);
	ASSERT_NE(NULL, self->srv[0]);
	ASSERT_NE(NULL, self->srv[1]);
	self->ops = ops_alloc(GUEST_GFNS);
	ASSERT_NE(NULL, self->ops);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF,
				    &self->base));
	self->nr_ram = guest_ram(self->fd, self->domid,
				 ioreq_server_id(self->srv[0]->srv), self->ram,
				 GUEST_GFNS);
	ASSERT_LT(30000, self->nr_ram);
	ASSERT_EQ(64, agent_gfns(self->agent));
	self->pages_before = stat_of("emu_pages");
	ASSERT_EQ(0, self->pages_before);
	ASSERT_EQ(0, emu_bind("pv-iommu-emu-test"));
}

FIXTURE_TEARDOWN(emu)
{
	struct pv_iommu_audit_op now;
	char answer[64];

	/* Unbinding the device closes what is left open. */
	EXPECT_EQ(0, emu_bind("pv-iommu-edu-test"));
	EXPECT_EQ(0, stat_of("emu_pages"));
	EXPECT_EQ(0, stat_of("emu_contexts"));
	EXPECT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_AUDIT_EQ(self->base, now);
	EXPECT_EQ(0, domu_says("settle", answer, sizeof(answer)));
	serve_end(self->srv[0]);
	serve_end(self->srv[1]);
	munmap(self->ops, GUEST_GFNS * sizeof(struct pv_iommu_op));
	close(self->fd);
}

static int emu_open(struct served *srv, unsigned int emu, __u16 domid)
{
	return emu_ctl("open %u %u %u", emu, domid, ioreq_server_id(srv->srv));
}

static void emu_batch(char *arg, size_t size)
{
	snprintf(arg, size, "%x", EMU_BATCH);
}

/*
 * What a mediated GPU driver does: all of the guest's RAM mapped in batches
 * of 512 frames (one hypercall each), the device reads what the guest
 * wrote and writes what the guest then checks, byte for byte; closing the
 * context releases it all, and a second context of the same server is
 * refused while the first is open.
 */
TEST_F_TIMEOUT(emu, maps_in_batches_and_dma_is_right, 300)
{
	long long calls = stat_of("hypercalls");
	char answer[128], batch[8];

	emu_batch(batch, sizeof(batch));
	ASSERT_EQ(0, emu_open(self->srv[0], 0, self->domid));
	EXPECT_EQ(-EBUSY, emu_open(self->srv[0], 1, self->domid));
	ASSERT_EQ(0, emu_gfns("map", 0, batch, self->ram, self->nr_ram));
	EXPECT_EQ(self->nr_ram, stat_of("emu_pages"));
	EXPECT_EQ((self->nr_ram + EMU_BATCH - 1) / EMU_BATCH,
		  stat_of("hypercalls") - calls);
	EXPECT_EQ(self->nr_ram, emu_result(0, "frames"));

	ASSERT_EQ(0, domu_says("fill 0x1234", answer, sizeof(answer)));
	ASSERT_STREQ("ok", answer);
	EXPECT_EQ(0, emu_gfns("from", 0, "1234", self->agent, 64));
	EXPECT_EQ(-EILSEQ, emu_gfns("from", 0, "4321", self->agent, 1));
	ASSERT_EQ(0, emu_gfns("to", 0, "beef", self->agent, 64));
	ASSERT_EQ(0, domu_says("check 0xbeef", answer, sizeof(answer)));
	EXPECT_STREQ("ok", answer);

	calls = stat_of("hypercalls");
	EXPECT_EQ(0, emu_ctl("close 0"));
	EXPECT_EQ(0, stat_of("emu_pages"));
	/* Released 512 to a hypercall. */
	EXPECT_EQ((self->nr_ram + 511) / 512, stat_of("hypercalls") - calls);
}

/*
 * The PVH guest's kernel text: loaded at its ELF address, 16 MiB, and
 * never written once the guest runs; 2 MiB of it is a 2 MiB-aligned run.
 */
#define GUEST_TEXT_GFN	0x1000

/*
 * pv_iommu_emu_map_range(): a 2 MiB range gets a bus address aligned to
 * 2 MiB, and through it the device reads the same bytes as through
 * single-frame mappings of its first, middle and last frames (read-only
 * mappings: DMA_TO_DEVICE); a misaligned GFN and an order above 9 are
 * refused, and nothing stays mapped.
 */
TEST_F(emu, ranges_are_aligned_and_reach_the_frames)
{
	long long calls;

	ASSERT_EQ(0, emu_open(self->srv[0], 0, self->domid));
	calls = stat_of("hypercalls");
	EXPECT_EQ(0, emu_ctl("range 0 9 %x", GUEST_TEXT_GFN));
	/* The range, then a map and an unmap per frame read, its unmap. */
	EXPECT_EQ(1 + 3 * 2 + 1, stat_of("hypercalls") - calls);
	/* Xen's status for a GFN not aligned to the order. */
	EXPECT_EQ(-ENOSPC, emu_ctl("range 0 1 %x", GUEST_TEXT_GFN + 1));
	EXPECT_EQ(-EINVAL, emu_ctl("range 0 a %x", GUEST_TEXT_GFN));
	EXPECT_EQ(0, stat_of("emu_pages"));
	EXPECT_EQ(0, emu_ctl("close 0"));
}

/*
 * Two emulators, on two IOREQ servers, map all of the guest's RAM; the
 * guest gives 32 MiB back. Each callback fires once for each frame given
 * up and for no other, nothing is unmapped by it, the data of the pages
 * the guest kept stays right; once the guest has its memory back, what it
 * gave up is unmapped and mapped again, and the device reaches the guest's
 * pages as before.
 */
TEST_F_TIMEOUT(emu, two_emulators_hear_each_frame_given_up_once, 600)
{
	char answer[128], batch[8];
	size_t heard[2] = { 0, 0 };
	unsigned int e;
	long long pages;
	int tries;

	emu_batch(batch, sizeof(batch));
	for (e = 0; e < 2; e++) {
		ASSERT_EQ(0, emu_open(self->srv[e], e, self->domid));
		ASSERT_EQ(0, emu_gfns("map", e, batch, self->ram,
				      self->nr_ram));
	}
	pages = stat_of("emu_pages");
	EXPECT_EQ(2 * self->nr_ram, pages);
	ASSERT_EQ(0, domu_says("fill 0x77", answer, sizeof(answer)));
	ASSERT_STREQ("ok", answer);

	mem_set(self->domid, 96);
	for (tries = 0; tries < 180 && served_count(self->srv[1]) < 8192;
	     tries++)
		sleep(1);
	do {
		heard[0] = served_count(self->srv[0]);
		heard[1] = served_count(self->srv[1]);
		sleep(3);
	} while (served_count(self->srv[0]) != heard[0] ||
		 served_count(self->srv[1]) != heard[1]);
	for (e = 0; e < 2; e++) {
		EXPECT_EQ(0, self->srv[e]->lost);
		EXPECT_EQ(heard[e], emu_deliver(self->srv[e], 0, e));
		EXPECT_LE(8000, emu_result(e, "invalidations"));
		EXPECT_EQ(heard[e], emu_result(e, "invalidations"));
		EXPECT_EQ(heard[e], emu_result(e, "once"));
		EXPECT_EQ(0, emu_result(e, "more"));
		EXPECT_EQ(0, emu_result(e, "unknown"));
		EXPECT_EQ(heard[e], emu_result(e, "stale"));
	}
	EXPECT_EQ(heard[0], heard[1]);
	/*
	 * The invalidations alone unmapped nothing: the device, still at
	 * work on frames given up, reaches them without a fault.
	 */
	EXPECT_EQ(pages, stat_of("emu_pages"));
	EXPECT_EQ(0, emu_ctl("stale 0 8"));
	EXPECT_EQ(0, emu_gfns("from", 0, "77", self->agent, 64));
	EXPECT_EQ(0, emu_gfns("from", 1, "77", self->agent, 64));

	/*
	 * The emulators unmap what was given up, so that the guest can have
	 * its RAM again (Xen charges it the frames a device can still reach;
	 * later tests need all of it), and then map what came back.
	 */
	for (e = 0; e < 2; e++) {
		ASSERT_EQ(0, emu_ctl("drop %u", e));
		EXPECT_EQ(0, emu_result(e, "stale"));
	}
	mem_set(self->domid, 128);
	for (tries = 0; tries < 180 &&
	     guest_ram(self->fd, self->domid, ioreq_server_id(self->srv[0]->srv),
		       self->ram, GUEST_GFNS) < self->nr_ram; tries++)
		sleep(1);
	for (e = 0; e < 2; e++) {
		ASSERT_EQ(0, emu_ctl("remap %u %s", e, batch));
		EXPECT_EQ(heard[e], emu_result(e, "remapped") +
				    emu_result(e, "not_back"));
		/* The guest has its RAM again: every frame came back. */
		EXPECT_EQ(heard[e], emu_result(e, "remapped"));
		TH_LOG("emu %u: %zu given up, %ld mapped again", e, heard[e],
		       emu_result(e, "remapped"));
	}
	ASSERT_EQ(0, emu_gfns("to", 1, "99", self->agent, 64));
	ASSERT_EQ(0, domu_says("check 0x99", answer, sizeof(answer)));
	EXPECT_STREQ("ok", answer);
	EXPECT_EQ(0, emu_gfns("from", 0, "99", self->agent, 64));
	EXPECT_EQ(0, emu_ctl("close 0"));
	/* Emulator 1 is left open: the unbind must release it. */
}

/* Runs after the foreign fixture's tests: it destroys the guest. */
FIXTURE(teardown) {
	int fd;
	__u16 domid;
	struct served *srv;
	struct pv_iommu_op *ops;
};

FIXTURE_SETUP(teardown)
{
	self->fd = privcmd_open();
	ASSERT_LE(0, self->fd);
	ASSERT_NE(0, TEST_BFN) TH_LOG("no free_bfns range in pv-iommu/stats");
	self->domid = domu();
	self->srv = serve_new(self->domid);
	ASSERT_NE(NULL, self->srv);
	self->ops = ops_alloc(GUEST_GFNS);
	ASSERT_NE(NULL, self->ops);
}

FIXTURE_TEARDOWN(teardown)
{
	serve_end(self->srv);
	munmap(self->ops, GUEST_GFNS * sizeof(struct pv_iommu_op));
	close(self->fd);
}

/*
 * dom0's audit from before the guest existed, as 45-foreign.sh gives it
 * ("mappings N page_refs N type_refs N m2b_entries N"); false without it.
 */
static bool audit_before_domu(struct pv_iommu_audit_op *a)
{
	const char *s = getenv("PV_IOMMU_AUDIT_BEFORE_DOMU");
	unsigned long long mappings;

	if (!s || sscanf(s, "mappings %llu page_refs %u type_refs %u m2b_entries %u",
			 &mappings, &a->page_refs, &a->type_refs,
			 &a->m2b_entries) != 4)
		return false;
	a->mappings = mappings;
	return true;
}

/*
 * A guest that dies takes every M2B entry and reference with it, and the
 * grant mappings of its rings that xenstored and xenconsoled made through
 * gntdev (each with a BFN of dom0's, like any grant map): dom0 is left
 * with what it held before the guest existed.
 */
TEST_F_TIMEOUT(teardown, destroying_the_guest_drops_every_entry, 300)
{
	static bool mapped[GUEST_GFNS];
	struct pv_iommu_audit_op base, now, gone;
	struct served *srv2;
	char cmd[32];
	int tries;

	static __u64 ram[GUEST_GFNS];
	unsigned int nr_ram;
	char batch[8];

	ASSERT_TRUE(audit_before_domu(&base))
		TH_LOG("PV_IOMMU_AUDIT_BEFORE_DOMU: dom0's audit before the domU");
	/* An emulator maps all of the guest's RAM too, with a server of its own. */
	srv2 = serve_new(self->domid);
	ASSERT_NE(NULL, srv2);
	nr_ram = guest_ram(self->fd, self->domid, ioreq_server_id(srv2->srv),
			   ram, GUEST_GFNS);
	ASSERT_EQ(0, emu_bind("pv-iommu-emu-test"));
	ASSERT_EQ(0, emu_open(srv2, 0, self->domid));
	emu_batch(batch, sizeof(batch));
	ASSERT_EQ(0, emu_gfns("map", 0, batch, ram, nr_ram));
	EXPECT_EQ(nr_ram, stat_of("emu_pages"));
	serve_end(srv2);
	ASSERT_LT(30000, map_all(_metadata, self->fd, self->ops, self->domid,
				 ioreq_server_id(self->srv->srv), mapped));
	/* Its mapped pages would keep the guest alive: only ours may count. */
	serve_end(self->srv);
	self->srv = NULL;

	snprintf(cmd, sizeof(cmd), "xl destroy %u", self->domid);
	ASSERT_EQ(0, system(cmd));
	/* The domain must really go, not linger as a zombie on our refs. */
	for (tries = 0; tries < 60; tries++) {
		if (pv_iommu_audit(self->fd, self->domid, &gone) == -ENXIO)
			break;
		sleep(1);
	}
	EXPECT_EQ(-ENXIO, pv_iommu_audit(self->fd, self->domid, &gone));
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_AUDIT_EQ(base, now);
	/*
	 * The emulator's mappings went with the guest: it unmaps each of
	 * them without error and nothing of them is left in dom0.
	 */
	EXPECT_EQ(0, emu_ctl("unmap 0 %x", EMU_BATCH));
	EXPECT_EQ(0, stat_of("emu_pages"));
	EXPECT_EQ(0, emu_ctl("close 0"));
	EXPECT_EQ(0, emu_bind("pv-iommu-edu-test"));
	EXPECT_EQ(0, stat_of("emu_contexts"));
}

TEST_HARNESS_MAIN
