// SPDX-License-Identifier: GPL-2.0
/*
 * The PV-IOMMU hypercall as dom0 sees it: the call's own faults, and
 * IOMMUOP_query_caps.
 */
#include <sys/mman.h>

#include "pv_iommu_user.h"
#include "../kselftest_harness.h"

FIXTURE(hypercall) {
	int fd;
};

FIXTURE_SETUP(hypercall)
{
	self->fd = privcmd_open();
	ASSERT_LE(0, self->fd) TH_LOG("no /dev/xen/privcmd: not a Xen dom0?");
}

FIXTURE_TEARDOWN(hypercall)
{
	close(self->fd);
}

TEST_F(hypercall, query_caps_answers_map_cap)
{
	struct pv_iommu_op op = { .subop_id = IOMMUOP_query_caps, .status = 1 };

	ASSERT_EQ(0, iommu_op(self->fd, &op, 1));
	ASSERT_EQ(0, op.status);
	/* dom0 on the test machine: VT-d on, neither strict nor passthrough. */
	EXPECT_TRUE(op.flags & IOMMU_QUERY_map_cap);
	EXPECT_TRUE(op.flags & IOMMU_QUERY_map_all_gfns);
	/* VT-d maps 4K pages at least; its largest is 1G (order 18). */
	EXPECT_GE(18, IOMMU_get_page_order(op.flags));
	TH_LOG("caps %#x, max order %u", op.flags & ~IOMMU_page_order_mask,
	       IOMMU_get_page_order(op.flags));
}

TEST_F(hypercall, count_zero_is_a_no_op)
{
	struct pv_iommu_op op = { .subop_id = IOMMUOP_query_caps, .status = 7 };

	ASSERT_EQ(0, iommu_op(self->fd, &op, 0));
	EXPECT_EQ(7, op.status);
}

TEST_F(hypercall, unmapped_array_faults)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-EFAULT, iommu_op(self->fd, p, 1));
	EXPECT_EQ(-EFAULT, iommu_op(self->fd, (void *)16, 1));
	munmap(p, 4096);
}

TEST_F(hypercall, unknown_subop_fails_in_its_status)
{
	struct pv_iommu_op ops[3] = {
		{ .subop_id = IOMMUOP_query_caps, .status = 1 },
		{ .subop_id = 0 },
		{ .subop_id = 0xffff },
	};

	ASSERT_EQ(0, iommu_op(self->fd, ops, 3));
	EXPECT_EQ(0, ops[0].status);
	EXPECT_EQ(-EOPNOTSUPP, ops[1].status);
	EXPECT_EQ(-EOPNOTSUPP, ops[2].status);
}

/*
 * Xen cannot fault a guest's pages in: like libxencall's buffers, a large
 * op array must be populated before the hypercall.
 */
static struct pv_iommu_op *ops_alloc(size_t count)
{
	void *p = mmap(NULL, count * sizeof(struct pv_iommu_op),
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

TEST_F(hypercall, large_batch_completes_every_op)
{
	const unsigned int n = 1 << 16;
	struct pv_iommu_op *ops = ops_alloc(n);
	unsigned int i, answered = 0;

	ASSERT_NE(NULL, ops);
	for (i = 0; i < n; i++) {
		ops[i].subop_id = IOMMUOP_query_caps;
		ops[i].status = 1;
	}
	ASSERT_EQ(0, iommu_op(self->fd, ops, n));
	for (i = 0; i < n; i++)
		answered += ops[i].status == 0 && (ops[i].flags & IOMMU_QUERY_map_cap);
	EXPECT_EQ(n, answered);
	munmap(ops, n * sizeof(*ops));
}

TEST_HARNESS_MAIN
