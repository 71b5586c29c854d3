// SPDX-License-Identifier: GPL-2.0
/*
 * Print what the PV-IOMMU interface holds for dom0, or for domain DOMID
 * (Xen's debug audit subop), one line, for stages that compare it before
 * and after a guest's life: "mappings N page_refs N type_refs N
 * m2b_entries N".
 *
 * usage: audit [DOMID]   exit status 0 if Xen answered
 */
#include <stdio.h>
#include <stdlib.h>

#include "pv_iommu_user.h"

int main(int argc, char **argv)
{
	struct pv_iommu_audit_op a;
	int fd = privcmd_open(), rc;

	if (fd < 0) {
		perror("privcmd");
		return 1;
	}
	rc = pv_iommu_audit(fd, argc > 1 ? atoi(argv[1]) : PV_IOMMU_DOMID_SELF,
			    &a);
	if (rc) {
		fprintf(stderr, "audit: %d\n", rc);
		return 1;
	}
	printf("mappings %llu page_refs %u type_refs %u m2b_entries %u\n",
	       (unsigned long long)a.mappings, a.page_refs, a.type_refs,
	       a.m2b_entries);
	return 0;
}
