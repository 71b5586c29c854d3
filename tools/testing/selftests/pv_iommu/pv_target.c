// SPDX-License-Identifier: GPL-2.0
/*
 * Foreign subops naming a PV domain (review H1). A PV domain has no IOREQ
 * servers and Xen never initialised its IOREQ lock: the subops must say
 * -ENODEV without touching it. A bare PV domain (created, never built) is
 * target enough. No second guest needed: run by stage 30.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "guest_mem.h"
#include "pv_iommu_user.h"

#define RW		(IOMMU_OP_readable | IOMMU_OP_writeable)
#define TEST_BFN	0x4000000ULL

/*
 * Twice each, from the one CPU of the test VM (pCPU 0): before the fix the
 * first call ran spin_unlock() on the never-taken lock (its recurse_cpu
 * was 0, not SPINLOCK_NO_CPU), and the next one spun on it for good.
 */
TEST(pv_target_is_enodev)
{
	struct pv_iommu_op *o = mmap(NULL, 4 * sizeof(*o),
				     PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
				     -1, 0);
	int fd = privcmd_open(), i;
	uint32_t pv;

	ASSERT_LE(0, fd);
	ASSERT_NE(MAP_FAILED, o);
	ASSERT_EQ(0, pv_domain_create(&pv));
	TH_LOG("PV domain %u", pv);
	for (i = 0; i < 4; i++)
		o[i] = (struct pv_iommu_op){
			.subop_id = i < 2 ? IOMMUOP_lookup_foreign_page :
					    IOMMUOP_map_foreign_page,
			.flags = i < 2 ? 0 : RW,
			.status = 1,
			.u.map_foreign_page = { .bfn = TEST_BFN, .gfn = 0,
						.domid = pv, .ioserver = 0 },
		};
	EXPECT_EQ(0, iommu_op(fd, o, 4));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(-ENODEV, o[i].status) TH_LOG("op %d", i);
	EXPECT_EQ(0, pv_domain_destroy(pv));
	munmap(o, 4 * sizeof(*o));
	close(fd);
}

TEST_HARNESS_MAIN
