/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal IOREQ server for the second-domain tests, run from dom0 for a
 * PVH (or HVM) domU: it serves no I/O range and only collects what Xen
 * broadcasts to every server, the mapcache invalidations
 * (IOREQ_TYPE_INVALIDATE).
 */
#ifndef __PV_IOMMU_IOREQ_SERVER_H__
#define __PV_IOMMU_IOREQ_SERVER_H__

#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>

typedef uint16_t ioservid_t;	/* as <xen/hvm/dm_op.h> */

struct ioreq_server;

/*
 * Create a server for @domid with buffered ioreqs (atomic ring pointers),
 * map its pages, bind its event channels and enable it. NULL and errno on
 * failure.
 */
struct ioreq_server *ioreq_server_create(domid_t domid);

ioservid_t ioreq_server_id(const struct ioreq_server *s);

/*
 * Serve @s until it has been quiet for @quiet_ms: drain the buffered ring
 * and complete every synchronous ioreq (the domU's vCPU waits for it).
 * Store the BFN (data) of each invalidation that is not Xen's "flush all"
 * into @bfns, up to @max of them. Return how many such invalidations were
 * seen, @max or not, or -errno.
 */
int ioreq_server_collect_invalidations(struct ioreq_server *s, uint64_t *bfns,
				       size_t max, int quiet_ms);

/* How many "flush all" invalidations (data ~0) @s has seen in all. */
unsigned long ioreq_server_flush_all_count(const struct ioreq_server *s);

/* How many other ioreqs (not invalidations) @s completed in all. */
unsigned long ioreq_server_other_count(const struct ioreq_server *s);

/* Disable and destroy @s; NULL is a no-op. */
void ioreq_server_destroy(struct ioreq_server *s);

#endif /* __PV_IOMMU_IOREQ_SERVER_H__ */
