// SPDX-License-Identifier: GPL-2.0
/*
 * Count the BFNs below END at which the IOMMU of domain DOMID maps
 * anything, whoever mapped it (Xen's debug lookup subop), for stages that
 * look for entries left behind: "entries N", then "bfn B mfn M" for up to
 * the first eight.
 *
 * usage: iommu_entries DOMID END   exit status 0 if Xen answered them all
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "pv_iommu_user.h"

#define BATCH	4096
#define SHOWN	8

static struct pv_iommu_lookup_op *ops_alloc(void)
{
	void *p = mmap(NULL, BATCH * sizeof(struct pv_iommu_lookup_op),
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int main(int argc, char **argv)
{
	struct pv_iommu_lookup_op *ops = ops_alloc();
	unsigned long long bfn, end, entries = 0;
	int fd = privcmd_open();
	unsigned int i, n;
	__u16 domid;
	long rc;

	if (argc != 3 || fd < 0 || !ops) {
		fprintf(stderr, "usage: iommu_entries DOMID END (as root)\n");
		return 1;
	}
	domid = strtoul(argv[1], NULL, 0);
	end = strtoull(argv[2], NULL, 0);
	for (bfn = 0; bfn < end; bfn += n) {
		n = end - bfn < BATCH ? end - bfn : BATCH;
		for (i = 0; i < n; i++)
			ops[i] = (struct pv_iommu_lookup_op){
				.subop_id = IOMMUOP_debug_lookup,
				.bfn = bfn + i, .domid = domid,
			};
		rc = iommu_op(fd, (struct pv_iommu_op *)ops, n);
		if (rc) {
			fprintf(stderr, "iommu_op: %ld\n", rc);
			return 1;
		}
		for (i = 0; i < n; i++) {
			if (ops[i].status == -ENOENT)
				continue;
			if (ops[i].status) {
				fprintf(stderr, "bfn %#llx: %d\n", bfn + i,
					ops[i].status);
				return 1;
			}
			if (entries++ < SHOWN)
				printf("bfn %#llx mfn %#llx\n", bfn + i,
				       (unsigned long long)ops[i].mfn);
		}
	}
	printf("entries %llu\n", entries);
	return 0;
}
