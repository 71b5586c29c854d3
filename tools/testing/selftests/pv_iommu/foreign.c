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
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "ioreq_server.h"
#include "pv_iommu_user.h"

#define RW		(IOMMU_OP_readable | IOMMU_OP_writeable)
/* BFNs for the tests: far above dom0's memory, below the 39-bit limit. */
#define TEST_BFN	0x4000000ULL
#define BAD_DOMID	0x7fe0
#define NOT_A_GFN	0xfffffffffULL
#define MSI_BFN		0xfee00ULL
#define BFN_LIMIT	(1ULL << 27)
/* The guest's RAM: 128 MiB, plus room for what sits above its holes. */
#define GUEST_GFNS	0x9000
/* A GFN above the guest's RAM where a grant-table frame can be put. */
#define SPARE_GFN	0xf0000

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

static __u16 domu(void)
{
	const char *s = getenv("PV_IOMMU_DOMU");

	return s ? strtoul(s, NULL, 0) : BAD_DOMID;
}

/* Ops live in populated memory: Xen cannot fault pages in. */
static struct pv_iommu_op *ops_alloc(size_t count)
{
	void *p = mmap(NULL, count * sizeof(struct pv_iommu_op),
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void map_op(struct pv_iommu_op *op, __u16 flags, __u64 bfn, __u64 gfn,
		   __u16 domid, __u16 ioserver)
{
	*op = (struct pv_iommu_op){
		.subop_id = IOMMUOP_map_foreign_page, .flags = flags,
		.status = 1,
		.u.map_foreign_page = { .bfn = bfn, .gfn = gfn, .domid = domid,
					.ioserver = ioserver },
	};
}

static void lookup_op(struct pv_iommu_op *op, __u64 gfn, __u16 domid,
		      __u16 ioserver)
{
	*op = (struct pv_iommu_op){
		.subop_id = IOMMUOP_lookup_foreign_page, .status = 1,
		.u.lookup_foreign_page = { .gfn = gfn, .domid = domid,
					   .ioserver = ioserver },
	};
}

static void unmap_op(struct pv_iommu_op *op, __u16 flags, __u64 bfn,
		     __u16 ioserver)
{
	*op = (struct pv_iommu_op){
		.subop_id = IOMMUOP_unmap_foreign_page, .flags = flags,
		.status = 1,
		.u.unmap_foreign_page = { .bfn = bfn, .ioserver = ioserver },
	};
}

FIXTURE(foreign) {
	int fd;
	__u16 domid;
	struct ioreq_server *srv;
	__u16 id;
	struct pv_iommu_op *ops;
	struct pv_iommu_audit_op base;
};

FIXTURE_SETUP(foreign)
{
	self->fd = privcmd_open();
	ASSERT_LE(0, self->fd);
	self->domid = domu();
	ASSERT_NE(BAD_DOMID, self->domid) TH_LOG("PV_IOMMU_DOMU is not set");
	self->srv = ioreq_server_create(self->domid);
	ASSERT_NE(NULL, self->srv) TH_LOG("no IOREQ server: %s",
					  strerror(errno));
	self->id = ioreq_server_id(self->srv);
	self->ops = ops_alloc(GUEST_GFNS);
	ASSERT_NE(NULL, self->ops);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF,
				    &self->base));
}

FIXTURE_TEARDOWN(foreign)
{
	struct pv_iommu_audit_op now;

	/* Every test leaves what the interface holds as it found it. */
	EXPECT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.mappings, now.mappings);
	EXPECT_EQ(self->base.page_refs, now.page_refs);
	EXPECT_EQ(self->base.type_refs, now.type_refs);
	EXPECT_EQ(self->base.m2b_entries, now.m2b_entries);
	if (self->srv)
		ioreq_server_destroy(self->srv);
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
	EXPECT_EQ(RW, o[0].flags);
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

TEST_F(foreign, two_servers_share_a_bfn)
{
	struct ioreq_server *other = ioreq_server_create(self->domid);
	__u64 gfn = guest_gfn(_metadata, self->fd, self->domid, self->id,
			      0x1000);
	struct pv_iommu_op *o = self->ops;
	struct pv_iommu_audit_op now;
	__u16 d = self->domid, s = self->id, s2;

	ASSERT_NE(NULL, other);
	s2 = ioreq_server_id(other);
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
	ioreq_server_destroy(other);
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

/* The 64-bit edu test device's debugfs directory. */
#define EDU_DIR		"/sys/kernel/debug/pv-iommu-edu/0000:00:11.0/"

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* The domU agent's answer to a command (PV_IOMMU_DOMU_CMD runs it). */
static int domu_says(const char *cmd, char *answer, size_t size)
{
	const char *tool = getenv("PV_IOMMU_DOMU_CMD");
	char line[160];
	FILE *f;

	if (!tool)
		return -ENOENT;
	snprintf(line, sizeof(line), "%s %s", tool, cmd);
	f = popen(line, "r");
	if (!f)
		return -errno;
	if (!fgets(answer, size, f))
		answer[0] = 0;
	answer[strcspn(answer, "\n")] = 0;
	return pclose(f) ? -EIO : 0;
}

static int edu_foreign(const char *dir, __u16 domid, __u64 gfn, __u16 id,
		       unsigned int seed, unsigned int page)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "%s %u %llx %u %x %u", dir, domid,
		 (unsigned long long)gfn, id, seed, page);
	return write_file(EDU_DIR "foreign", cmd);
}

/*
 * A device DMAs to and from the guest's pages through bus addresses from
 * pv_iommu_map_foreign(), and the guest sees what it wrote.
 */
TEST_F(foreign, edu_dma_reaches_the_guest_pages)
{
	const char *list = getenv("PV_IOMMU_DOMU_GFNS");
	unsigned int page, n = 0;
	__u64 gfns[64];
	char answer[128];

	ASSERT_NE(NULL, list);
	for (n = 0; n < 64 && *list; n++)
		gfns[n] = strtoull(list, (char **)&list, 16);
	ASSERT_EQ(64, n);
	ASSERT_EQ(0, write_file(EDU_DIR "dma_bits", "64"));

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
		if (!mapped[gfn])
			EXPECT_EQ(-ENXIO, o[gfn].status) TH_LOG("gfn %#x", gfn);
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
TEST_F(foreign, ballooning_invalidates_each_mapped_gfn_given_up)
{
	static uint64_t bfns[GUEST_GFNS];
	static bool mapped[GUEST_GFNS], told[GUEST_GFNS];
	unsigned int gfn, n, gone = 0, gone_swap = 0, seen = 0;
	struct pv_iommu_op *o = self->ops;
	struct pv_iommu_audit_op now;
	int got, tries;

	n = map_all(_metadata, self->fd, o, self->domid, self->id, mapped);
	ASSERT_LT(30000, n);

	mem_set(self->domid, 96);
	/* Serve the server until 32 MiB came back, then while it is busy. */
	for (tries = 0; tries < 180 && seen < 8192; tries++) {
		got = ioreq_server_collect_invalidations(self->srv, bfns + seen,
							 GUEST_GFNS - seen,
							 1000);
		ASSERT_LE(0, got);
		seen += got;
	}
	got = ioreq_server_collect_invalidations(self->srv, bfns + seen,
						 GUEST_GFNS - seen, 3000);
	ASSERT_LE(0, got);
	seen += got;
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

/* Last: a guest that dies takes every M2B entry and reference with it. */
TEST(destroying_the_guest_drops_every_entry)
{
	struct pv_iommu_audit_op base, now, gone;
	int fd = privcmd_open(), tries;
	__u16 d = domu();
	struct ioreq_server *srv = ioreq_server_create(d);
	struct pv_iommu_op *o = ops_alloc(GUEST_GFNS);
	static bool mapped[GUEST_GFNS];
	char cmd[32];

	ASSERT_NE(NULL, srv);
	ASSERT_NE(NULL, o);
	ASSERT_EQ(0, pv_iommu_audit(fd, PV_IOMMU_DOMID_SELF, &base));
	ASSERT_LT(30000, map_all(_metadata, fd, o, d, ioreq_server_id(srv),
				 mapped));

	snprintf(cmd, sizeof(cmd), "xl destroy %u", d);
	ASSERT_EQ(0, system(cmd));
	/* The domain must really go, not linger as a zombie on our refs. */
	for (tries = 0; tries < 60; tries++) {
		if (pv_iommu_audit(fd, d, &gone) == -ENXIO)
			break;
		sleep(1);
	}
	EXPECT_EQ(-ENXIO, pv_iommu_audit(fd, d, &gone));
	ASSERT_EQ(0, pv_iommu_audit(fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(base.mappings, now.mappings);
	EXPECT_EQ(base.page_refs, now.page_refs);
	EXPECT_EQ(base.type_refs, now.type_refs);
	EXPECT_EQ(base.m2b_entries, now.m2b_entries);
	ioreq_server_destroy(srv);
	close(fd);
}

TEST_HARNESS_MAIN
