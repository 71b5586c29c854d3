// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the PV-IOMMU driver's pure logic.
 */

#include <kunit/test.h>
#include <xen/interface/pv_iommu.h>

#include "pv-iommu.h"

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

static void pv_iommu_order_of_aligned_frames(struct kunit *test)
{
	/* 2 MiB-aligned on both sides: as large as the IOMMU allows. */
	KUNIT_EXPECT_EQ(test, pv_iommu_aligned_order(0x200, 0x7400, 4096, 18), 9U);
	KUNIT_EXPECT_EQ(test, pv_iommu_aligned_order(0x200, 0x7400, 4096, 4), 4U);
	/* Frame 0 is aligned to every order. */
	KUNIT_EXPECT_EQ(test, pv_iommu_aligned_order(0, 0, 1UL << 20, 18), 18U);
}

static void pv_iommu_order_of_misaligned_frames(struct kunit *test)
{
	/* The machine frame is only 2-aligned. */
	KUNIT_EXPECT_EQ(test, pv_iommu_aligned_order(0x200, 0x7402, 4096, 18), 1U);
	/* The pseudo-physical frame is odd. */
	KUNIT_EXPECT_EQ(test, pv_iommu_aligned_order(0x201, 0x7400, 4096, 18), 0U);
}

static void pv_iommu_order_fits_the_range(struct kunit *test)
{
	/* 300 frames left: a 256-frame mapping, never beyond the end. */
	KUNIT_EXPECT_EQ(test, pv_iommu_aligned_order(0x400, 0x800, 300, 18), 8U);
	KUNIT_EXPECT_EQ(test, pv_iommu_aligned_order(0x400, 0x800, 1, 18), 0U);
}

static struct kunit_case pv_iommu_map_cases[] = {
	KUNIT_CASE(pv_iommu_order_of_aligned_frames),
	KUNIT_CASE(pv_iommu_order_of_misaligned_frames),
	KUNIT_CASE(pv_iommu_order_fits_the_range),
	{}
};

static struct kunit_suite pv_iommu_map_suite = {
	.name = "pv_iommu_dom0_map",
	.test_cases = pv_iommu_map_cases,
};

kunit_test_suites(&pv_iommu_abi_suite, &pv_iommu_map_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of the Xen PV-IOMMU driver's pure logic");
MODULE_LICENSE("GPL");
