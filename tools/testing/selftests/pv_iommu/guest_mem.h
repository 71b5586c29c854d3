/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a toolstack does to a guest, for the foreign-subop tests: move,
 * add and remove the guest's frames from dom0, map them into dom0, and
 * create a bare PV domain. On libxenctrl and libxenforeignmemory; 0 or
 * -errno unless said otherwise.
 */
#ifndef __PV_IOMMU_GUEST_MEM_H__
#define __PV_IOMMU_GUEST_MEM_H__

#include <stddef.h>
#include <stdint.h>

/* Let @domid have @pages more pages than it has now (its max_pages). */
int guest_mem_grow(uint16_t domid, unsigned long pages);

/* Put a new frame at @gfn of @domid (populate_physmap). */
int guest_mem_populate(uint16_t domid, uint64_t gfn);

/* @domid gives the frame at @gfn up (decrease_reservation). */
int guest_mem_release(uint16_t domid, uint64_t gfn);
/* ... and those at [@gfn, @gfn + @n), in one call. */
int guest_mem_release_range(uint16_t domid, uint64_t gfn, unsigned long n);

/* Move the frame at @from of @domid to @to (XENMAPSPACE_gmfn). */
int guest_mem_move(uint16_t domid, uint64_t from, uint64_t to);

/* Map @n GFNs of @domid into dom0, read-write; NULL and errno on failure. */
void *guest_mem_map(uint16_t domid, const uint64_t *gfns, size_t n);
void guest_mem_unmap(void *p, size_t n);

/* Let @domid act on @target as a device model does (set_target). */
int domain_set_target(uint16_t domid, uint16_t target);

/*
 * A bare PV domain: created, never built or run. *@domid on success.
 * Destroy it, or any domain, with pv_domain_destroy().
 */
int pv_domain_create(uint32_t *domid);
int pv_domain_destroy(uint32_t domid);

/* 1 if @domid is dying, 0 if it lives, -ENXIO if there is no such domain. */
int domain_dying(uint16_t domid);

#endif /* __PV_IOMMU_GUEST_MEM_H__ */
