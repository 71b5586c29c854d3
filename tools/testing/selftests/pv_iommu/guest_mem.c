// SPDX-License-Identifier: GPL-2.0
/* What a toolstack does to a guest (see guest_mem.h). */
#define __XEN_TOOLS__ 1
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <xenctrl.h>
#include <xenforeignmemory.h>

#include "guest_mem.h"

static xc_interface *xch(void)
{
	static xc_interface *h;

	if (!h)
		h = xc_interface_open(NULL, NULL, 0);
	return h;
}

static int rc_of(int rc)
{
	return rc < 0 ? (errno ? -errno : -EIO) : 0;
}

/* What Xen says of @domid: 0, or -ENXIO for no such domain. */
static int dominfo(uint16_t domid, xc_dominfo_t *info)
{
	if (!xch())
		return -errno;
	if (xc_domain_getinfo(xch(), domid, 1, info) != 1 ||
	    info->domid != domid)
		return -ENXIO;
	return 0;
}

int guest_mem_grow(uint16_t domid, unsigned long pages)
{
	xc_dominfo_t info;
	int rc = dominfo(domid, &info);

	if (rc)
		return rc;
	return rc_of(xc_domain_setmaxmem(xch(), domid,
					 info.max_memkb + pages * 4));
}

int guest_mem_populate(uint16_t domid, uint64_t gfn)
{
	xen_pfn_t pfn = gfn;

	if (!xch())
		return -errno;
	return rc_of(xc_domain_populate_physmap_exact(xch(), domid, 1, 0, 0,
						      &pfn));
}

int guest_mem_release(uint16_t domid, uint64_t gfn)
{
	return guest_mem_release_range(domid, gfn, 1);
}

int guest_mem_release_range(uint16_t domid, uint64_t gfn, unsigned long n)
{
	xen_pfn_t *pfns = calloc(n, sizeof(*pfns));
	unsigned long i;
	int rc;

	if (!pfns || !xch()) {
		free(pfns);
		return -errno;
	}
	for (i = 0; i < n; i++)
		pfns[i] = gfn + i;
	rc = rc_of(xc_domain_decrease_reservation_exact(xch(), domid, n, 0,
							pfns));
	free(pfns);
	return rc;
}

int guest_mem_move(uint16_t domid, uint64_t from, uint64_t to)
{
	if (!xch())
		return -errno;
	return rc_of(xc_domain_add_to_physmap(xch(), domid, XENMAPSPACE_gmfn,
					      from, to));
}

int domain_set_target(uint16_t domid, uint16_t target)
{
	if (!xch())
		return -errno;
	return rc_of(xc_domain_set_target(xch(), domid, target));
}

static struct xenforeignmemory_handle *fm;

void *guest_mem_map(uint16_t domid, const uint64_t *gfns, size_t n)
{
	xen_pfn_t pfns[16];
	int err[16];
	void *p;
	size_t i;

	if (n > 16) {
		errno = EINVAL;
		return NULL;
	}
	if (!fm)
		fm = xenforeignmemory_open(NULL, 0);
	if (!fm)
		return NULL;
	for (i = 0; i < n; i++)
		pfns[i] = gfns[i];
	p = xenforeignmemory_map(fm, domid, PROT_READ | PROT_WRITE, n, pfns,
				 err);
	for (i = 0; p && i < n; i++)
		if (err[i]) {
			xenforeignmemory_unmap(fm, p, n);
			errno = -err[i];
			return NULL;
		}
	return p;
}

void guest_mem_unmap(void *p, size_t n)
{
	if (fm && p)
		xenforeignmemory_unmap(fm, p, n);
}

int pv_domain_create(uint32_t *domid)
{
	struct xen_domctl_createdomain cfg = {
		.max_vcpus = 1,
		.max_evtchn_port = 1023,
		.max_grant_frames = 1,
		.max_maptrack_frames = 1,
		.grant_opts = XEN_DOMCTL_GRANT_version(1),
	};

	if (!xch())
		return -errno;
	*domid = 0;
	return rc_of(xc_domain_create(xch(), domid, &cfg));
}

int pv_domain_destroy(uint32_t domid)
{
	if (!xch())
		return -errno;
	return rc_of(xc_domain_destroy(xch(), domid));
}

int domain_dying(uint16_t domid)
{
	xc_dominfo_t info;

	return dominfo(domid, &info) ?: info.dying;
}
