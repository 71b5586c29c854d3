// SPDX-License-Identifier: GPL-2.0
/*
 * Review H4: an emulator domain that dies with its devices still assigned.
 * A PV domain EMU with a passed-through device maps a frame of GUEST with
 * swap_mfn (the domU agent's "fmap"). It is then destroyed directly, not
 * through libxl, which would take its devices away first: until Xen's
 * teardown releases them, its IOMMU tables stay live, and its mapping of
 * the frame with them. Xen's debug_hold keeps the teardown there while the
 * guest gives the frame up. Xen must keep the mapping's references until
 * the devices are gone: it cannot swap the BFN to the scratch page (the
 * IOMMU code maps nothing for a dying domain), so dropping them would let
 * the frame be freed while a device still reaches it.
 *
 * usage: dying_emulator prepare EMU GUEST GFN
 *          EMU may act on GUEST (set_target); GUEST gets a frame at GFN
 *        dying_emulator destroy EMU GUEST GFN
 *          hold EMU's teardown and destroy EMU: it is dying, and its
 *          destroy "held -16" (-EBUSY); GUEST gives GFN up; print EMU's
 *          audit ("dying: mappings N page_refs N type_refs N m2b_entries
 *          N"), let the teardown go, destroy EMU and print "destroyed 0"
 * Exit status 0 if every step could be done.
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_mem.h"
#include "pv_iommu_user.h"

static int prepare(uint16_t emu, uint16_t guest, uint64_t gfn)
{
	int rc = domain_set_target(emu, guest);

	rc = rc ?: guest_mem_grow(guest, 1) ?: guest_mem_populate(guest, gfn);
	if (rc) {
		fprintf(stderr, "no frame to map: %s\n", strerror(-rc));
		return 1;
	}
	printf("ok\n");
	return 0;
}

static int destroy(uint16_t emu, uint16_t guest, uint64_t gfn)
{
	struct pv_iommu_audit_op a;
	int fd = privcmd_open(), rc;

	if (fd < 0 || pv_iommu_hold_teardown(fd, emu, true)) {
		fprintf(stderr, "no debug_hold\n");
		return 1;
	}
	/* -EBUSY: dying, held before its devices are released. */
	rc = pv_domain_destroy(emu);
	printf("held %d\n", rc);
	rc = rc == -EBUSY ? guest_mem_release(guest, gfn) : rc;
	rc = rc ?: pv_iommu_audit(fd, emu, &a);
	if (!rc)
		printf("dying: mappings %llu page_refs %u type_refs %u m2b_entries %u\n",
		       (unsigned long long)a.mappings, a.page_refs,
		       a.type_refs, a.m2b_entries);
	else
		fprintf(stderr, "while dying: %s\n", strerror(-rc));
	/* Whatever happened, the domain must go. */
	pv_iommu_hold_teardown(fd, emu, false);
	rc = pv_domain_destroy(emu) ?: rc;
	printf("destroyed %d\n", rc);
	return !!rc;
}

int main(int argc, char **argv)
{
	uint16_t emu, guest;
	uint64_t gfn;

	if (argc != 5) {
		fprintf(stderr, "usage: %s prepare|destroy EMU GUEST GFN\n",
			argv[0]);
		return 2;
	}
	emu = strtoul(argv[2], NULL, 0);
	guest = strtoul(argv[3], NULL, 0);
	gfn = strtoull(argv[4], NULL, 0);
	if (!strcmp(argv[1], "prepare"))
		return prepare(emu, guest, gfn);
	if (!strcmp(argv[1], "destroy"))
		return destroy(emu, guest, gfn);
	return 2;
}
