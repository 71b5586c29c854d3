/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __PV_IOMMU_SERVED_H__
#define __PV_IOMMU_SERVED_H__

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "foreign_ops.h"
#include "ioreq_server.h"

/*
 * An IOREQ server of ours, answered from a thread for as long as it lives,
 * as an emulator's would be: once a guest's frame left its p2m, Xen sends
 * every enabled server a synchronous "flush all" invalidation at the
 * guest's next hypercall, and the guest's vCPU waits for the answer. The
 * BFNs of the invalidations it receives are kept for the tests.
 */
struct served {
	struct ioreq_server *srv;
	pthread_t thread;
	pthread_mutex_t lock;
	bool stop;		/* __atomic: read by the thread */
	__u64 bfns[GUEST_GFNS];
	size_t seen;
	size_t lost;	/* beyond room: the test fails on any */
};

/* A server for @domid, answered until serve_end(); NULL on failure. */
struct served *serve_new(__u16 domid);
void serve_end(struct served *s);
/* How many invalidations it has received so far. */
size_t served_count(struct served *s);
/* Wait until it has heard nothing new for a second; then served_count(). */
size_t served_settled(struct served *s);

#endif /* __PV_IOMMU_SERVED_H__ */
