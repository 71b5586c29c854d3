/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the kselftests of the foreign subops (foreign, races): the test
 * guest, its GFNs, and the ops on them.
 */
#ifndef __PV_IOMMU_FOREIGN_OPS_H__
#define __PV_IOMMU_FOREIGN_OPS_H__

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pv_iommu_user.h"

#define RW		(IOMMU_OP_readable | IOMMU_OP_writeable)
/* Above dom0's memory, below the kernel's foreign window */
#define TEST_BFN	free_bfn()
#define BAD_DOMID	0x7fe0
/* The guest's RAM: 128 MiB, plus room for what sits above its holes. */
#define GUEST_GFNS	0x9000
/* GFNs above the guest's RAM, where the tests put frames of their own. */
#define FOREIGN_SPARE_GFN	0xf0000

/* The test guest's domid (the stage's PV_IOMMU_DOMU), or BAD_DOMID. */
static inline __u16 domu(void)
{
	const char *s = getenv("PV_IOMMU_DOMU");

	return s ? strtoul(s, NULL, 0) : BAD_DOMID;
}

/* Ops live in populated memory: Xen cannot fault pages in. */
static inline struct pv_iommu_op *ops_alloc(size_t count)
{
	void *p = mmap(NULL, count * sizeof(struct pv_iommu_op),
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline void map_op(struct pv_iommu_op *op, __u16 flags, __u64 bfn,
			  __u64 gfn, __u16 domid, __u16 ioserver)
{
	*op = (struct pv_iommu_op){
		.subop_id = IOMMUOP_map_foreign_page, .flags = flags,
		.status = 1,
		.u.map_foreign_page = { .bfn = bfn, .gfn = gfn, .domid = domid,
					.ioserver = ioserver },
	};
}

static inline void lookup_op(struct pv_iommu_op *op, __u64 gfn,
			     __u16 domid, __u16 ioserver)
{
	*op = (struct pv_iommu_op){
		.subop_id = IOMMUOP_lookup_foreign_page, .status = 1,
		.u.lookup_foreign_page = { .gfn = gfn, .domid = domid,
					   .ioserver = ioserver },
	};
}

static inline void unmap_op(struct pv_iommu_op *op, __u16 flags, __u64 bfn,
			    __u16 ioserver)
{
	*op = (struct pv_iommu_op){
		.subop_id = IOMMUOP_unmap_foreign_page, .flags = flags,
		.status = 1,
		.u.unmap_foreign_page = { .bfn = bfn, .ioserver = ioserver },
	};
}

/* The domU agent's answer to a command (PV_IOMMU_DOMU_CMD runs it). */
static inline int domu_says(const char *cmd, char *answer, size_t size)
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

#endif /* __PV_IOMMU_FOREIGN_OPS_H__ */
