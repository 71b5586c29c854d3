// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the PV-IOMMU ABI helpers.
 */

#include <kunit/test.h>
#include <xen/interface/pv_iommu.h>

static void pv_iommu_order_round_trip(struct kunit *test)
{
	unsigned int order;

	for (order = 0; order < 64; order++) {
		u16 flags = IOMMU_page_order(order) | IOMMU_OP_writeable;

		KUNIT_EXPECT_EQ(test, IOMMU_get_page_order(flags), order);
		KUNIT_EXPECT_TRUE(test, flags & IOMMU_OP_writeable);
	}
}

static void pv_iommu_order_does_not_spill(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, IOMMU_page_order(64U), 0U);
	KUNIT_EXPECT_EQ(test, IOMMU_page_order(63U), IOMMU_page_order_mask);
	KUNIT_EXPECT_EQ(test, IOMMU_get_page_order(0x3ffU), 0U);
}

static struct kunit_case pv_iommu_abi_cases[] = {
	KUNIT_CASE(pv_iommu_order_round_trip),
	KUNIT_CASE(pv_iommu_order_does_not_spill),
	{}
};

static struct kunit_suite pv_iommu_abi_suite = {
	.name = "pv_iommu_abi",
	.test_cases = pv_iommu_abi_cases,
};

kunit_test_suite(pv_iommu_abi_suite);

MODULE_DESCRIPTION("KUnit tests of the Xen PV-IOMMU ABI helpers");
MODULE_LICENSE("GPL");
