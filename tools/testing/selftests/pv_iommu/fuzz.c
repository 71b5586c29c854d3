// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded random run of the PV-IOMMU hypercall from dom0: random subops,
 * flags, orders, frames, BFNs, domids and batch sizes, overlapping and
 * unaligned. Every status must be one the interface lists for its subop,
 * Xen and dom0 must stay alive, and once the window is unmapped the audit
 * must be back at its baseline.
 *
 * BFNs stay in a window far above dom0's memory, or are ones Xen refuses
 * (beyond the interface, the interrupt range). Writable mappings with
 * references are only made of the helper's page: a writable type reference
 * on an arbitrary dom0 page could stop the kernel using it as a page table.
 *
 * usage: fuzz [ops [seed [seconds]]]
 *   default: 1000000 ops, seed from the clock, at most 300 seconds (the
 *   run stops early, and says so, when the time is up)
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "pv_iommu_user.h"

/* Above dom0's memory, below the kernel's foreign window */
#define WINDOW_BFN	free_bfn()
#define WINDOW_ORDER	16	/* FREE_BFNS_NEEDED */
#define MAX_BATCH	512

static __u64 rng_state;

static __u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static __u64 below(__u64 n)
{
	return rnd() % n;
}

static __u64 helper(const char *name)
{
	char path[128], buf[64] = "";
	unsigned long long v = 0;
	int fd;

	snprintf(path, sizeof(path), HELPER_DIR "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		sscanf(buf, "%llx", &v);
	close(fd);
	return v;
}

static __u64 page, contig, pgd, xenmfn;

static __u64 random_bfn(unsigned int order)
{
	unsigned int r = below(100);
	__u64 off = below(1ULL << WINDOW_ORDER);

	if (r < 3)
		return bfn_space_end() + below(1ULL << 30);	/* beyond */
	if (r < 5)
		return 0xfee00ULL + below(0x100);		/* MSI */
	if (r < 10 || order > WINDOW_ORDER)
		return WINDOW_BFN + off;			/* unaligned */
	return WINDOW_BFN + (off & ~((1ULL << order) - 1));
}

static unsigned int random_order(void)
{
	unsigned int r = below(100);

	if (r < 75)
		return 0;
	if (r < 97)
		return below(13);
	return below(64);
}

static void random_map(struct pv_iommu_op *op)
{
	unsigned int order = random_order();
	/* Now and then reserved bits, which must be refused. */
	unsigned int flags = below(8) ? below(8) : below(1 << 10);
	unsigned int r = below(100);
	__u64 mfn;
	bool ours = false;

	if (r < 40) {
		mfn = page;
		ours = true;
	} else if (r < 60) {
		mfn = contig + below(512);
	} else if (r < 70) {
		mfn = pgd;
	} else if (r < 78) {
		mfn = xenmfn + below(512);
	} else if (r < 85) {
		mfn = rnd();
	} else {
		mfn = below(0x100000);
	}
	if (below(2))
		mfn &= ~((1ULL << order) - 1);
	/* Writable references only on the helper's page (order 0). */
	if (!(flags & IOMMU_MAP_OP_no_ref_cnt) && (!ours || order))
		flags &= ~IOMMU_OP_writeable;

	op->subop_id = IOMMUOP_map_page;
	op->flags = flags | IOMMU_page_order(order);
	op->u.map_page.bfn = random_bfn(order);
	op->u.map_page.gfn = mfn;
}

static void random_op(struct pv_iommu_op *op)
{
	unsigned int r = below(100), order;

	memset(op, 0, sizeof(*op));
	if (r < 45) {
		random_map(op);
	} else if (r < 85) {
		order = random_order();
		op->subop_id = IOMMUOP_unmap_page;
		op->flags = (below(8) ? 0 : below(1 << 10)) |
			    IOMMU_page_order(order);
		op->u.unmap_page.bfn = random_bfn(order);
	} else if (r < 88) {
		op->subop_id = IOMMUOP_query_caps;
	} else if (r < 91) {
		struct pv_iommu_audit_op *a = (struct pv_iommu_audit_op *)op;

		a->subop_id = IOMMUOP_debug_audit;
		a->domid = below(2) ? PV_IOMMU_DOMID_SELF : rnd();
	} else {
		/*
		 * Foreign subops, and anything else but the other debug
		 * subops, which would make Xen fail this domain's IOMMU
		 * operations or hold a domain's teardown.
		 */
		op->subop_id = below(2) ? 4 + below(3) : rnd();
		if ((op->subop_id & 0xff00) == IOMMUOP_debug_audit)
			op->subop_id = IOMMUOP_debug_audit + 0xff;
		op->flags = rnd();
		op->u.map_foreign_page.bfn = random_bfn(0);
		op->u.map_foreign_page.gfn = rnd();
		op->u.map_foreign_page.domid = below(2) ? below(4) : rnd();
		op->u.map_foreign_page.ioserver = rnd();
	}
	op->status = 1;
}

/* The reserved flag bits of @subop, which make it -EINVAL. */
static unsigned int reserved_flags(__u16 subop)
{
	switch (subop) {
	case IOMMUOP_map_page:
	case IOMMUOP_map_foreign_page:
		return 0x3f8;		/* bits 3-9 */
	case IOMMUOP_unmap_page:
	case IOMMUOP_unmap_foreign_page:
		return 0x3ff;		/* bits 0-9 */
	default:
		return 0;
	}
}

/* Is @status one the interface lists for @subop? */
static bool status_in_table(__u16 subop, int status)
{
	switch (subop) {
	case IOMMUOP_query_caps:
		return status == 0;
	case IOMMUOP_map_page:
	case IOMMUOP_unmap_page:
		return status == 0 || status == -EIO || status == -EPERM ||
		       status == -EACCES || status == -ENOSPC;
	case IOMMUOP_map_foreign_page:
		return status == 0 || status == -EIO || status == -EPERM ||
		       status == -EACCES || status == -ENODEV ||
		       status == -ENXIO || status == -ENOSPC;
	case IOMMUOP_lookup_foreign_page:
		return status == 0 || status == -EPERM || status == -ENOENT ||
		       status == -ENODEV || status == -ENXIO;
	case IOMMUOP_unmap_foreign_page:
		return status == 0 || status == -ENOENT;
	case IOMMUOP_debug_audit:
		return status == 0 || status == -ENXIO || status == -EPERM;
	default:
		return status == -EOPNOTSUPP;
	}
}

/*
 * -EINVAL exactly for reserved flag bits among the op's @flags (as passed:
 * some subops write flags back), else a status of the table.
 */
static bool status_ok(const struct pv_iommu_op *op, unsigned int flags)
{
	if (flags & reserved_flags(op->subop_id))
		return op->status == -EINVAL;
	return status_in_table(op->subop_id, op->status);
}

static int audit(int fd, struct pv_iommu_audit_op *a)
{
	return pv_iommu_audit(fd, PV_IOMMU_DOMID_SELF, a);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	static struct pv_iommu_op ops[MAX_BATCH];
	static __u16 flags[MAX_BATCH];
	struct pv_iommu_audit_op base, now;
	unsigned long done = 0, bad = 0, succeeded = 0, bfn;
	unsigned int order = WINDOW_ORDER;
	long budget = argc > 3 ? strtol(argv[3], NULL, 0) : 300;
	int fd = privcmd_open(), kfd;
	time_t start;
	long rc;

	rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : (__u64)time(NULL);
	if (!rng_state)
		rng_state = 1;
	printf("TAP version 13\n1..1\n# seed %llu, %lu ops\n",
	       (unsigned long long)rng_state, n);
	if (fd < 0) {
		printf("not ok 1 fuzz.random_run # no /dev/xen/privcmd\n");
		return 1;
	}
	kfd = open(HELPER_KO, O_RDONLY | O_CLOEXEC);
	if (kfd >= 0) {
		syscall(__NR_finit_module, kfd, "", 0);
		close(kfd);
	}
	page = helper("page");
	contig = helper("contig");
	pgd = helper("pgd");
	if (xen_frame(fd, &xenmfn))
		xenmfn = 0;
	if (!page || audit(fd, &base)) {
		printf("not ok 1 fuzz.random_run # no helper or no audit\n");
		return 1;
	}

	start = time(NULL);
	while (done < n) {
		if (time(NULL) - start > budget) {
			printf("# time budget (%lds) reached after %lu ops\n",
			       budget, done);
			break;
		}
		unsigned int count = 1 + below(MAX_BATCH), i;

		if (count > n - done)
			count = n - done;
		for (i = 0; i < count; i++) {
			random_op(&ops[i]);
			flags[i] = ops[i].flags;
		}
		rc = iommu_op(fd, ops, count);
		if (rc) {
			printf("# call failed: %ld\n", rc);
			bad++;
			break;
		}
		for (i = 0; i < count; i++) {
			if (!status_ok(&ops[i], flags[i])) {
				if (bad++ < 10)
					printf("# subop %#x flags %#x status %d\n",
					       ops[i].subop_id, ops[i].flags,
					       ops[i].status);
			}
			succeeded += ops[i].status == 0;
		}
		done += count;
	}

	/* Clean the window up, then Xen must hold nothing more than before. */
	memset(ops, 0, sizeof(ops[0]));
	ops[0].subop_id = IOMMUOP_query_caps;
	rc = iommu_op(fd, ops, 1);
	if (rc || ops[0].status) {
		printf("# query_caps after the run: %ld/%d\n", rc, ops[0].status);
		return 1;
	}
	if (!WINDOW_BFN) {
		printf("# no free_bfns range in pv-iommu/stats\n");
		return 1;
	}
	if (IOMMU_get_page_order(ops[0].flags) < order)
		order = IOMMU_get_page_order(ops[0].flags);
	for (bfn = WINDOW_BFN; bfn < WINDOW_BFN + (1UL << WINDOW_ORDER);
	     bfn += 1UL << order) {
		memset(ops, 0, sizeof(ops[0]));
		ops[0].subop_id = IOMMUOP_unmap_page;
		ops[0].flags = IOMMU_page_order(order);
		ops[0].u.unmap_page.bfn = bfn;
		rc = iommu_op(fd, ops, 1);
		if (rc || ops[0].status) {
			printf("# window unmap: %ld/%d\n", rc, ops[0].status);
			bad++;
			break;
		}
	}
	if (audit(fd, &now) || now.mappings != base.mappings ||
	    now.page_refs != base.page_refs ||
	    now.type_refs != base.type_refs) {
		printf("# audit: %llu/%u/%u, baseline %llu/%u/%u\n",
		       (unsigned long long)now.mappings, now.page_refs,
		       now.type_refs, (unsigned long long)base.mappings,
		       base.page_refs, base.type_refs);
		bad++;
	}
	printf("# %lu ops in %lds, %lu succeeded, %lu bad\n", done,
	       (long)(time(NULL) - start), succeeded, bad);
	printf("%s 1 fuzz.random_run\n", bad ? "not ok" : "ok");
	return bad ? 1 : 0;
}
