// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMUOP_map_page and IOMMUOP_unmap_page from dom0: one test at least per
 * row of their status tables, reference counting checked through Xen's
 * debug audit, which must be back at its baseline after every test.
 *
 * MFNs of dom0 frames come from the pv-iommu-testhelper module (debugfs);
 * Xen's own frames are those of its machine-to-phys table. The BFNs used
 * are far above dom0's memory (64 GiB and up) so that dom0's own DMA is
 * never disturbed.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "pv_iommu_user.h"
#include "../kselftest_harness.h"

/* Above dom0's memory, below the kernel's foreign window */
#define TEST_BFN	free_bfn()
#define BAD_BFN		bfn_space_end()	/* beyond the interface */
#define MSI_BFN		0xfee00ULL
#define NOT_A_FRAME	0x10000000000ULL

#define RW		(IOMMU_OP_readable | IOMMU_OP_writeable)

/* The first 2 MiB extent of Xen's machine-to-phys table: Xen's frames. */
static int one_op(int fd, struct pv_iommu_op *op)
{
	long rc;

	op->status = 1;
	rc = iommu_op(fd, op, 1);
	return rc ? rc : op->status;
}

static int map(int fd, __u64 bfn, __u64 mfn, unsigned int flags)
{
	struct pv_iommu_op op = {
		.subop_id = IOMMUOP_map_page,
		.flags = flags,
		.u.map_page = { .bfn = bfn, .gfn = mfn },
	};

	return one_op(fd, &op);
}

static int unmap(int fd, __u64 bfn, unsigned int order)
{
	struct pv_iommu_op op = {
		.subop_id = IOMMUOP_unmap_page,
		.flags = IOMMU_page_order(order),
		.u.unmap_page = { .bfn = bfn },
	};

	return one_op(fd, &op);
}

/* map_page, its IOMMU operations failing as @pattern says. */
static int map_failing(int fd, __u64 pattern, __u64 bfn, __u64 mfn,
		       unsigned int flags)
{
	struct pv_iommu_op op = {
		.subop_id = IOMMUOP_map_page,
		.flags = flags,
		.u.map_page = { .bfn = bfn, .gfn = mfn },
	};

	return pv_iommu_op_failing(fd, pattern, &op);
}

FIXTURE(map) {
	int fd;
	unsigned int max_order;
	bool map_all_gfns;	/* non-strict hardware domain */
	__u64 page;		/* a page the helper owns */
	struct pv_iommu_audit_op base;
};

FIXTURE_SETUP(map)
{
	struct pv_iommu_op caps = { .subop_id = IOMMUOP_query_caps };

	self->fd = privcmd_open();
	ASSERT_LE(0, self->fd) TH_LOG("no /dev/xen/privcmd: not a Xen dom0?");
	ASSERT_EQ(0, one_op(self->fd, &caps));
	ASSERT_TRUE(caps.flags & IOMMU_QUERY_map_cap);
	self->max_order = IOMMU_get_page_order(caps.flags);
	self->map_all_gfns = caps.flags & IOMMU_QUERY_map_all_gfns;

	ASSERT_NE(0, TEST_BFN) TH_LOG("no free_bfns range in pv-iommu/stats");
	load_helper();
	ASSERT_EQ(0, helper_read("page", &self->page, NULL))
		TH_LOG("no " HELPER_DIR ": is %s there?", HELPER_KO);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF,
				    &self->base));
}

FIXTURE_TEARDOWN(map)
{
	struct pv_iommu_audit_op now;

	/* A test that stopped half-way may have left failures armed. */
	pv_iommu_fail_iommu_ops(self->fd, 0);
	/* Whatever the test did, the audit must be back at its baseline. */
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_AUDIT_EQ(self->base, now);
	close(self->fd);
}

/* Audit deltas since the fixture's baseline. */
#define EXPECT_AUDIT(maps, refs, trefs) do {				\
	struct pv_iommu_audit_op _a;					\
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &_a)); \
	EXPECT_EQ(self->base.mappings + (maps), _a.mappings);		\
	EXPECT_EQ(self->base.page_refs + (refs), _a.page_refs);		\
	EXPECT_EQ(self->base.type_refs + (trefs), _a.type_refs);	\
} while (0)

/* map_page status 0, writable: a page reference and a type reference. */
TEST_F(map, writable_takes_page_and_type_ref)
{
	ASSERT_EQ(0, map(self->fd, TEST_BFN, self->page, RW));
	EXPECT_AUDIT(1, 1, 1);
	/* unmap_page status 0. */
	ASSERT_EQ(0, unmap(self->fd, TEST_BFN, 0));
	EXPECT_AUDIT(0, 0, 0);
}

TEST_F(map, read_only_takes_page_ref_only)
{
	ASSERT_EQ(0, map(self->fd, TEST_BFN, self->page, IOMMU_OP_readable));
	EXPECT_AUDIT(1, 1, 0);
	ASSERT_EQ(0, unmap(self->fd, TEST_BFN, 0));
}

/* no_ref_cnt: only for a hardware domain outside dom0-strict mode. */
TEST_F(map, no_ref_cnt_takes_no_reference)
{
	if (!self->map_all_gfns) {
		EXPECT_EQ(-EPERM, map(self->fd, TEST_BFN, self->page,
				      RW | IOMMU_MAP_OP_no_ref_cnt));
		return;
	}
	ASSERT_EQ(0, map(self->fd, TEST_BFN, self->page,
			 RW | IOMMU_MAP_OP_no_ref_cnt));
	EXPECT_AUDIT(1, 0, 0);
	ASSERT_EQ(0, unmap(self->fd, TEST_BFN, 0));
}

/* Each mapping holds its own reference, even of the same frame. */
TEST_F(map, one_reference_per_mapping)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, map(self->fd, TEST_BFN + i, self->page, RW));
	EXPECT_AUDIT(8, 8, 8);
	ASSERT_EQ(0, unmap(self->fd, TEST_BFN, 3));
}

/* Mapping over a mapped BFN drops what the old mapping held. */
TEST_F(map, remap_drops_the_old_references)
{
	ASSERT_EQ(0, map(self->fd, TEST_BFN, self->page, RW));
	ASSERT_EQ(0, map(self->fd, TEST_BFN, self->page, IOMMU_OP_readable));
	EXPECT_AUDIT(1, 1, 0);
	if (self->map_all_gfns) {
		ASSERT_EQ(0, map(self->fd, TEST_BFN, self->page,
				 IOMMU_OP_readable | IOMMU_MAP_OP_no_ref_cnt));
		EXPECT_AUDIT(1, 0, 0);
	}
	ASSERT_EQ(0, unmap(self->fd, TEST_BFN, 0));
}

TEST_F(map, unmapping_an_unmapped_bfn_succeeds)
{
	ASSERT_EQ(0, unmap(self->fd, TEST_BFN + 12345, 0));
	EXPECT_AUDIT(0, 0, 0);
}

/* Orders > 0: aligned BFN and MFN, contiguous frames. */
TEST_F(map, order9_maps_and_unmaps_512_frames)
{
	unsigned int order = 0;
	__u64 mfn;

	if (self->max_order < 9)
		SKIP(return, "the IOMMU maps no 2 MiB pages");
	ASSERT_EQ(0, helper_read("contig", &mfn, &order));
	ASSERT_EQ(9, order);
	ASSERT_EQ(0, map(self->fd, TEST_BFN, mfn,
			 IOMMU_OP_readable | IOMMU_page_order(9)));
	EXPECT_AUDIT(512, 512, 0);
	/* A 4K unmap inside it releases exactly that frame. */
	ASSERT_EQ(0, unmap(self->fd, TEST_BFN + 7, 0));
	EXPECT_AUDIT(511, 511, 0);
	ASSERT_EQ(0, unmap(self->fd, TEST_BFN, 9));
	EXPECT_AUDIT(0, 0, 0);
}

#define XENMEM_maximum_ram_page		2
#define XENMEM_maximum_reservation	4
#define DOMID_SELF_			0x7ff0U

/* Where the free BFN range ends ("free_bfns: <first> <end>"), or 0. */
static __u64 free_bfns_end(void)
{
	unsigned long long a, b;

	return pv_iommu_stats_scan("free_bfns: %llx %llx", &a, &b) == 2 ? b : 0;
}

/*
 * Review C2: every 4K BFN Xen tracks for a domain costs Xen heap the domain
 * does not pay for. It may have as many as the frames it may own (every
 * frame of the host with map_all_gfns) plus 2^18 for grants; a map_page
 * beyond that is -ENOMEM and maps nothing. Order-9 maps of one 2 MiB run
 * at ever new BFNs get there.
 */
TEST_F_TIMEOUT(map, tracked_bfns_are_bounded, 600)
{
	const unsigned int batch = 256;
	__u64 mfn, first, end, own, bound, done = 0, i;
	__u16 self_id = DOMID_SELF_;
	struct pv_iommu_op *ops;
	unsigned int order = 0;
	bool refused = false;
	long rc;

	if (self->max_order < 9)
		SKIP(return, "the IOMMU maps no 2 MiB pages");
	ASSERT_EQ(0, helper_read("contig", &mfn, &order));
	ASSERT_EQ(9, order);
	rc = xen_hypercall3(self->fd, __HYPERVISOR_memory_op,
			    XENMEM_maximum_ram_page, 0, 0);
	ASSERT_LT(0, rc);
	own = rc;
	if (!self->map_all_gfns) {
		rc = xen_hypercall3(self->fd, __HYPERVISOR_memory_op,
				    XENMEM_maximum_reservation,
				    (__u64)(unsigned long)&self_id, 0);
		ASSERT_LT(0, rc);
		if ((__u64)rc < own)
			own = rc;
	}
	bound = own + (1ULL << 18);
	/* Above the interrupt range (BFN 0xfee00), which is -EACCES. */
	first = (TEST_BFN + 511) & ~511ULL;
	if (first < 0x100000)
		first = 0x100000;
	end = free_bfns_end();
	ASSERT_LE(first + bound + 512 * batch, end)
		TH_LOG("free BFNs %#llx-%#llx: too few for %#llx", first, end,
		       bound);
	ops = calloc(batch, sizeof(*ops));
	ASSERT_NE(NULL, ops);

	while (!refused && self->base.mappings + done <= bound) {
		for (i = 0; i < batch; i++)
			ops[i] = (struct pv_iommu_op){
				.subop_id = IOMMUOP_map_page,
				.flags = IOMMU_OP_readable |
					 IOMMU_page_order(9),
				.u.map_page = { .bfn = first + done + i * 512,
						.gfn = mfn },
			};
		ASSERT_EQ(0, iommu_op(self->fd, ops, batch));
		for (i = 0; i < batch; i++) {
			if (!refused && !ops[i].status) {
				done += 512;
				continue;
			}
			/* Refused, and so is everything after it. */
			EXPECT_EQ(-ENOMEM, ops[i].status);
			refused = true;
		}
	}
	EXPECT_TRUE(refused)
		TH_LOG("%llu BFNs tracked, beyond the bound of %llu",
		       self->base.mappings + done, bound);
	/* Refused at the bound, not before. */
	EXPECT_GT(self->base.mappings + done + 512, bound);
	EXPECT_AUDIT(done, done, 0);

	for (i = 0; i < done; i += 512 * batch) {
		unsigned int j, n = 0;

		for (j = 0; j < batch && i + j * 512 < done; j++, n++)
			ops[j] = (struct pv_iommu_op){
				.subop_id = IOMMUOP_unmap_page,
				.flags = IOMMU_page_order(9),
				.u.unmap_page = { .bfn = first + i + j * 512 },
			};
		ASSERT_EQ(0, iommu_op(self->fd, ops, n));
		for (j = 0; j < n; j++)
			EXPECT_EQ(0, ops[j].status);
	}
	free(ops);
}

/* -ENOSPC: BFN not aligned to the order. */
TEST_F(map, unaligned_bfn_is_enospc)
{
	ASSERT_EQ(-ENOSPC, map(self->fd, TEST_BFN + 1, self->page,
			       IOMMU_OP_readable | IOMMU_page_order(1)));
	/* unmap_page -ENOSPC: the BFN too. */
	ASSERT_EQ(-ENOSPC, unmap(self->fd, TEST_BFN + 1, 1));
}

/* -ENOSPC: GFN (MFN) not aligned to the order. */
TEST_F(map, unaligned_gfn_is_enospc)
{
	ASSERT_EQ(-ENOSPC, map(self->fd, TEST_BFN, self->page | 1,
			       IOMMU_OP_readable | IOMMU_page_order(1)));
}

/* -ENOSPC: an order larger than the IOMMU maps. */
TEST_F(map, order_above_the_iommu_is_enospc)
{
	unsigned int order = self->max_order + 1;

	ASSERT_EQ(-ENOSPC, map(self->fd, 0, 0,
			       IOMMU_OP_readable | IOMMU_page_order(order)));
	ASSERT_EQ(-ENOSPC, unmap(self->fd, 0, order));
	ASSERT_EQ(-ENOSPC, unmap(self->fd, 0, 63));
}

/* -EPERM: the frame belongs to Xen, with or without references. */
TEST_F(map, xen_frame_is_eperm)
{
	__u64 mfn;

	ASSERT_EQ(0, xen_frame(self->fd, &mfn));
	EXPECT_EQ(-EPERM, map(self->fd, TEST_BFN, mfn, IOMMU_OP_readable));
	EXPECT_EQ(-EPERM, map(self->fd, TEST_BFN, mfn, RW));
	EXPECT_EQ(-EPERM, map(self->fd, TEST_BFN, mfn,
			      RW | IOMMU_MAP_OP_no_ref_cnt));
	if (self->max_order >= 9 && !(mfn & 511))
		EXPECT_EQ(-EPERM, map(self->fd, TEST_BFN, mfn,
				      IOMMU_OP_readable |
				      IOMMU_page_order(9)));
	EXPECT_AUDIT(0, 0, 0);
}

/* -EPERM: not a frame at all. */
TEST_F(map, nonexistent_frame_is_eperm)
{
	EXPECT_EQ(-EPERM, map(self->fd, TEST_BFN, NOT_A_FRAME, RW));
	EXPECT_EQ(-EPERM, map(self->fd, TEST_BFN, ~0ULL,
			      RW | IOMMU_MAP_OP_no_ref_cnt));
}

/*
 * -EPERM: a frame dom0 owns but may not map writable: its pinned
 * top-level page table. Read-only is fine.
 */
TEST_F(map, pinned_page_table_writable_is_eperm)
{
	__u64 pgd;

	ASSERT_EQ(0, helper_read("pgd", &pgd, NULL));
	EXPECT_EQ(-EPERM, map(self->fd, TEST_BFN, pgd, RW));
	EXPECT_AUDIT(0, 0, 0);
	ASSERT_EQ(0, map(self->fd, TEST_BFN, pgd, IOMMU_OP_readable));
	EXPECT_AUDIT(1, 1, 0);
	ASSERT_EQ(0, unmap(self->fd, TEST_BFN, 0));
}

/* -EPERM: a mapping that grants no access. */
TEST_F(map, no_access_is_eperm)
{
	EXPECT_EQ(-EPERM, map(self->fd, TEST_BFN, self->page, 0));
	EXPECT_EQ(-EPERM, map(self->fd, TEST_BFN, self->page,
			      IOMMU_MAP_OP_no_ref_cnt));
}

/*
 * -EACCES: BFNs reserved for the devices. The test machine has no RMRR;
 * the interrupt address range is the reserved range it has.
 */
TEST_F(map, interrupt_range_is_eacces)
{
	EXPECT_EQ(-EACCES, map(self->fd, MSI_BFN, self->page, RW));
	EXPECT_EQ(-EACCES, map(self->fd, MSI_BFN + 0xff, self->page, RW));
}

/*
 * The bus address bits of the machine's IOMMU, as the rig's QEMU set them
 * (rig.iommu_bits=N on dom0's command line), or 0.
 */
static unsigned int rig_iommu_bits(void)
{
	char cmdline[4096] = " ";
	unsigned int bits = 0;
	FILE *f = fopen("/proc/cmdline", "r");
	char *p;

	if (f) {
		if (!fgets(cmdline + 1, sizeof(cmdline) - 1, f))
			cmdline[1] = 0;
		fclose(f);
	}
	p = strstr(cmdline, " rig.iommu_bits=");
	if (p)
		sscanf(p, " rig.iommu_bits=%u", &bits);
	return bits;
}

/*
 * Review M6: the space is as wide as the IOMMU translates, not 39 bits
 * whatever the IOMMU (a dom0 beyond 512 GiB could not map itself): its
 * last BFN maps, the next is -EIO.
 */
TEST_F(map, bfn_space_is_the_iommus_width)
{
	unsigned int bits = rig_iommu_bits();

	if (!bits)
		SKIP(return, "the rig did not say how wide the IOMMU is");
	EXPECT_EQ(1ULL << (bits - 12), bfn_space_end());
	ASSERT_EQ(0, map(self->fd, bfn_space_end() - 1, self->page, RW));
	EXPECT_EQ(0, unmap(self->fd, bfn_space_end() - 1, 0));
}

/* -EIO: BFNs the IOMMU cannot translate. */
TEST_F(map, bfn_beyond_the_iommu_is_eio)
{
	ASSERT_NE(0, BAD_BFN) TH_LOG("no bfn_limit in pv-iommu/stats");
	EXPECT_EQ(-EIO, map(self->fd, BAD_BFN, self->page, RW));
	EXPECT_EQ(-EIO, map(self->fd, ~0ULL, self->page, RW));
	/* unmap_page -EIO. */
	EXPECT_EQ(-EIO, unmap(self->fd, BAD_BFN, 0));
	EXPECT_EQ(-EIO, unmap(self->fd, ~0ULL, 0));
	EXPECT_EQ(-EIO, unmap(self->fd, BAD_BFN, 9));
}

/* One call, several subops: each gets its own status. */
TEST_F(map, mixed_batch_has_a_status_per_op)
{
	struct pv_iommu_op ops[] = {
		{ .subop_id = IOMMUOP_map_page, .flags = RW,
		  .u.map_page = { .bfn = TEST_BFN, .gfn = self->page } },
		{ .subop_id = IOMMUOP_map_page, .flags = RW,
		  .u.map_page = { .bfn = MSI_BFN, .gfn = self->page } },
		{ .subop_id = IOMMUOP_query_caps },
		{ .subop_id = IOMMUOP_map_page, .flags = RW,
		  .u.map_page = { .bfn = TEST_BFN + 1, .gfn = NOT_A_FRAME } },
		{ .subop_id = IOMMUOP_unmap_page,
		  .u.unmap_page = { .bfn = TEST_BFN } },
		{ .subop_id = 77 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		ops[i].status = 1;
	ASSERT_EQ(0, iommu_op(self->fd, ops, ARRAY_SIZE(ops)));
	EXPECT_EQ(0, ops[0].status);
	EXPECT_EQ(-EACCES, ops[1].status);
	EXPECT_EQ(0, ops[2].status);
	EXPECT_EQ(-EPERM, ops[3].status);
	EXPECT_EQ(0, ops[4].status);
	EXPECT_EQ(-EOPNOTSUPP, ops[5].status);
}

/*
 * Many references in one batch, then released in one batch: more than
 * Xen releases per flush, and long enough to be continued.
 */
TEST_F(map, large_batches_release_every_reference)
{
	const unsigned int n = 20000;
	struct pv_iommu_op *ops = calloc(n, sizeof(*ops));
	unsigned int i, ok = 0;

	ASSERT_NE(NULL, ops);
	for (i = 0; i < n; i++) {
		ops[i].subop_id = IOMMUOP_map_page;
		ops[i].flags = RW;
		ops[i].status = 1;
		ops[i].u.map_page.bfn = TEST_BFN + i;
		ops[i].u.map_page.gfn = self->page;
	}
	ASSERT_EQ(0, iommu_op(self->fd, ops, n));
	for (i = 0; i < n; i++)
		ok += ops[i].status == 0;
	EXPECT_EQ(n, ok);
	EXPECT_AUDIT(n, n, n);

	for (i = 0; i < n; i++) {
		memset(&ops[i], 0, sizeof(ops[i]));
		ops[i].subop_id = IOMMUOP_unmap_page;
		ops[i].status = 1;
		ops[i].u.unmap_page.bfn = TEST_BFN + i;
	}
	ASSERT_EQ(0, iommu_op(self->fd, ops, n));
	for (i = 0, ok = 0; i < n; i++)
		ok += ops[i].status == 0;
	EXPECT_EQ(n, ok);
	free(ops);
}

/*
 * Reserved flag bits (map_page 3-9, unmap_page 0-9) are refused with
 * -EINVAL and the op does nothing, so that they can get a meaning later.
 */
TEST_F(map, reserved_flag_bits_are_einval)
{
	unsigned int bit;

	for (bit = 3; bit < 10; bit++) {
		EXPECT_EQ(-EINVAL, map(self->fd, TEST_BFN, self->page,
				       RW | (1U << bit)))
			TH_LOG("map_page, flag bit %u", bit);
		EXPECT_AUDIT(0, 0, 0);
		/* Whatever it did, the BFN goes (a reserved bit or not). */
		unmap(self->fd, TEST_BFN, 0);
	}

	ASSERT_EQ(0, map(self->fd, TEST_BFN, self->page, RW));
	for (bit = 0; bit < 10; bit++) {
		struct pv_iommu_op op = {
			.subop_id = IOMMUOP_unmap_page,
			.flags = 1U << bit,
			.u.unmap_page = { .bfn = TEST_BFN },
		};

		EXPECT_EQ(-EINVAL, one_op(self->fd, &op))
			TH_LOG("unmap_page, flag bit %u", bit);
		EXPECT_AUDIT(1, 1, 1);
		if (op.status == 0)
			ASSERT_EQ(0, map(self->fd, TEST_BFN, self->page, RW));
	}
	ASSERT_EQ(0, unmap(self->fd, TEST_BFN, 0));
}

/*
 * unmap_page -EIO, the IOMMU failed: the mapping and its references stay,
 * for a later unmap to drop.
 */
TEST_F(map, failed_unmap_keeps_the_mapping)
{
	struct pv_iommu_op op = {
		.subop_id = IOMMUOP_unmap_page,
		.u.unmap_page = { .bfn = TEST_BFN },
	};

	ASSERT_EQ(0, map(self->fd, TEST_BFN, self->page, RW));
	EXPECT_EQ(-EIO, pv_iommu_op_failing(self->fd, FAIL_OP(0), &op));
	EXPECT_AUDIT(1, 1, 1);
	ASSERT_EQ(0, unmap(self->fd, TEST_BFN, 0));
}

/*
 * map_page -EIO, the IOMMU failed: the op's undo unmaps the BFN, and the
 * references of the mapping it held go too.
 */
TEST_F(map, failed_map_unmaps_the_bfn)
{
	ASSERT_EQ(0, map(self->fd, TEST_BFN, self->page, RW));
	EXPECT_EQ(-EIO, map_failing(self->fd, FAIL_OP(0), TEST_BFN, self->page,
				    IOMMU_OP_readable));
	EXPECT_AUDIT(0, 0, 0);
}

/*
 * Review L6: when the undo of a failed map_page fails too, a device may
 * still reach the old frame, so the old mapping stays with its references.
 * The new frame's reference is kept for good and not counted (a read-only
 * map: a page reference, on the helper's page).
 */
TEST_F(map, failed_map_and_undo_keep_the_old_mapping)
{
	ASSERT_EQ(0, map(self->fd, TEST_BFN, self->page, RW));
	/* The map, then its undo's unmap. */
	EXPECT_EQ(-EIO, map_failing(self->fd, FAIL_OP(0) | FAIL_OP(1),
				    TEST_BFN, self->page, IOMMU_OP_readable));
	EXPECT_AUDIT(1, 1, 1);
	ASSERT_EQ(0, unmap(self->fd, TEST_BFN, 0));
}

/*
 * Review L1: when the IOTLB flush fails, the references of what it was to
 * flush are kept for good and no longer counted: the unmap's status is 0,
 * the call's -EIO, and the audit is back at its baseline, as a teardown's
 * must add up. (A read-only map: a page reference, on the helper's page.)
 */
TEST_F(map, failed_flush_keeps_references_uncounted)
{
	struct pv_iommu_op op = {
		.subop_id = IOMMUOP_unmap_page,
		.status = 1,
		.u.unmap_page = { .bfn = TEST_BFN },
	};

	ASSERT_EQ(0, map(self->fd, TEST_BFN, self->page, IOMMU_OP_readable));
	/* The unmap, then the flush at the end of its call. */
	EXPECT_EQ(-EIO, pv_iommu_op_failing(self->fd, FAIL_OP(1), &op));
	EXPECT_EQ(0, op.status);
	EXPECT_AUDIT(0, 0, 0);
}

TEST_F(map, audit_of_a_missing_domain_is_enxio)
{
	struct pv_iommu_audit_op a;

	EXPECT_EQ(-ENXIO, pv_iommu_audit(self->fd, 0x7fe0, &a));
}

TEST_HARNESS_MAIN
