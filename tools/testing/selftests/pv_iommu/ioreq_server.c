// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal IOREQ server (see ioreq_server.h), done as QEMU does it: the
 * server's pages are mapped through the resource interface before it is
 * enabled (Xen writes the vCPUs' event channel ports into the shared page on
 * enable), and for a PVH domU without gfns.
 */
#define __XEN_TOOLS__ 1
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xen/hvm/ioreq.h>
#include <xen/memory.h>

#include "ioreq_server.h"

#define PAGE_SZ		4096
/* The synchronous slots one shared page holds: one per vCPU. */
#define MAX_VCPUS	(PAGE_SZ / sizeof(ioreq_t))

struct ioreq_server {
	domid_t domid;
	ioservid_t id;
	bool created, enabled;
	xendevicemodel_handle *dm;
	xenforeignmemory_handle *fm;
	xenevtchn_handle *xce;
	xenforeignmemory_resource_handle *res;
	buffered_iopage_t *buf;		/* resource frame 0 */
	ioreq_t *slot;			/* resource frame 1: one per vCPU */
	int buf_port;			/* local ports, -1 when not bound */
	unsigned int nr_vcpus;
	int vcpu_port[MAX_VCPUS];
	unsigned long flush_all, other;
};

ioservid_t ioreq_server_id(const struct ioreq_server *s)
{
	return s->id;
}

unsigned long ioreq_server_flush_all_count(const struct ioreq_server *s)
{
	return s->flush_all;
}

unsigned long ioreq_server_other_count(const struct ioreq_server *s)
{
	return s->other;
}

/* Bind the buffered port and the port of every vCPU Xen gave one. */
static int bind_ports(struct ioreq_server *s)
{
	evtchn_port_t remote;
	unsigned int i;

	if (xendevicemodel_get_ioreq_server_info(s->dm, s->domid, s->id, NULL,
						 NULL, &remote))
		return -1;
	s->buf_port = xenevtchn_bind_interdomain(s->xce, s->domid, remote);
	if (s->buf_port < 0)
		return -1;
	/* vCPUs are numbered from 0; no vCPU has port 0. */
	for (i = 0; i < MAX_VCPUS && s->slot[i].vp_eport; i++) {
		s->vcpu_port[i] = xenevtchn_bind_interdomain(s->xce, s->domid,
							     s->slot[i].vp_eport);
		if (s->vcpu_port[i] < 0)
			return -1;
		s->nr_vcpus = i + 1;
	}
	if (!s->nr_vcpus) {
		errno = ENXIO;
		return -1;
	}
	return 0;
}

struct ioreq_server *ioreq_server_create(domid_t domid)
{
	struct ioreq_server *s = calloc(1, sizeof(*s));
	void *addr = NULL;
	int err;

	if (!s)
		return NULL;
	s->domid = domid;
	s->buf_port = -1;
	s->dm = xendevicemodel_open(NULL, 0);
	s->fm = xenforeignmemory_open(NULL, 0);
	s->xce = xenevtchn_open(NULL, 0);
	if (!s->dm || !s->fm || !s->xce)
		goto fail;
	if (xendevicemodel_create_ioreq_server(s->dm, domid,
					       HVM_IOREQSRV_BUFIOREQ_ATOMIC,
					       &s->id))
		goto fail;
	s->created = true;
	s->res = xenforeignmemory_map_resource(s->fm, domid,
					       XENMEM_resource_ioreq_server,
					       s->id,
					       XENMEM_resource_ioreq_server_frame_bufioreq,
					       2, &addr, PROT_READ | PROT_WRITE, 0);
	if (!s->res)
		goto fail;
	s->buf = addr;
	s->slot = (ioreq_t *)((char *)addr + PAGE_SZ);
	if (xendevicemodel_set_ioreq_server_state(s->dm, domid, s->id, 1))
		goto fail;
	s->enabled = true;
	if (bind_ports(s))
		goto fail;
	return s;
fail:
	err = errno;
	ioreq_server_destroy(s);
	errno = err;
	return NULL;
}

/* Where collect_invalidations() puts what it sees. */
struct collected {
	uint64_t *bfns;
	size_t max;
	int seen;
};

static void note_invalidate(struct ioreq_server *s, struct collected *c,
			    uint64_t data, bool flush_all)
{
	if (flush_all) {
		s->flush_all++;
		return;
	}
	if ((size_t)c->seen < c->max)
		c->bfns[c->seen] = data;
	c->seen++;
}

/*
 * Buffered ioreqs need no answer. An 8-byte one takes two slots, its data
 * split in halves; a BFN comes in a 4-byte one.
 */
static void drain_buffered(struct ioreq_server *s, struct collected *c)
{
	buffered_iopage_t *b = s->buf;

	for (;;) {
		uint32_t rd = __atomic_load_n(&b->read_pointer, __ATOMIC_ACQUIRE);
		uint32_t wr = __atomic_load_n(&b->write_pointer, __ATOMIC_ACQUIRE);
		buf_ioreq_t *r, *hi;
		uint64_t data;
		bool qw;

		if (rd == wr)
			return;
		r = &b->buf_ioreq[rd % IOREQ_BUFFER_SLOT_NUM];
		qw = r->size == 3;
		data = r->data;
		if (qw) {
			hi = &b->buf_ioreq[(rd + 1) % IOREQ_BUFFER_SLOT_NUM];
			data |= (uint64_t)hi->data << 32;
		}
		if (r->type == IOREQ_TYPE_INVALIDATE)
			note_invalidate(s, c, data,
					data == (qw ? ~0ULL : 0xffffffffULL));
		else
			s->other++;
		__atomic_fetch_add(&b->read_pointer, qw + 1, __ATOMIC_RELEASE);
	}
}

/* Complete vCPU @i's synchronous ioreq, if it has one waiting. */
static void complete_sync(struct ioreq_server *s, struct collected *c,
			  unsigned int i)
{
	ioreq_t *r = &s->slot[i];

	if (r->state != STATE_IOREQ_READY)
		return;
	/* Read the request only after its state (Xen writes it first). */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	r->state = STATE_IOREQ_INPROCESS;
	if (r->type == IOREQ_TYPE_INVALIDATE) {
		note_invalidate(s, c, r->data, r->data == ~0ULL);
	} else {
		s->other++;
		/* Nothing is emulated: reads float. */
		if (r->dir == IOREQ_READ && !r->data_is_ptr)
			r->data = ~0ULL;
	}
	/* The answer before the state that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->state = STATE_IORESP_READY;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	xenevtchn_notify(s->xce, s->vcpu_port[i]);
}

/*
 * Disabled first, so that Xen sends it nothing more; then it answers what
 * it was sent: a vCPU waiting for a server that goes away is never woken
 * (Xen 4.17 frees the server's event channels and notifies nobody), and
 * Xen sends every enabled server the "flush all" at any time the guest
 * runs after a change of its p2m.
 */
void ioreq_server_destroy(struct ioreq_server *s)
{
	struct collected none = { 0 };
	unsigned int i;

	if (!s)
		return;
	if (s->enabled)
		xendevicemodel_set_ioreq_server_state(s->dm, s->domid, s->id, 0);
	for (i = 0; i < s->nr_vcpus; i++) {
		complete_sync(s, &none, i);
		xenevtchn_unbind(s->xce, s->vcpu_port[i]);
	}
	if (s->buf_port >= 0)
		xenevtchn_unbind(s->xce, s->buf_port);
	if (s->res)
		xenforeignmemory_unmap_resource(s->fm, s->res);
	if (s->created)
		xendevicemodel_destroy_ioreq_server(s->dm, s->domid, s->id);
	if (s->xce)
		xenevtchn_close(s->xce);
	if (s->fm)
		xenforeignmemory_close(s->fm);
	if (s->dm)
		xendevicemodel_close(s->dm);
	free(s);
}

int ioreq_server_collect_invalidations(struct ioreq_server *s, uint64_t *bfns,
				       size_t max, int quiet_ms)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(s->xce), .events = POLLIN };
	struct collected c = { .bfns = bfns, .max = max };
	unsigned int i;

	for (;;) {
		int n = poll(&pfd, 1, quiet_ms);
		xenevtchn_port_or_error_t port;

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0) {
			port = xenevtchn_pending(s->xce);
			if (port >= 0)
				xenevtchn_unmask(s->xce, port);
		}
		/*
		 * Look at everything: one event may stand for several, and a
		 * quiet spell too, so that a request whose event went missing
		 * waits @quiet_ms, not until the server is destroyed.
		 */
		drain_buffered(s, &c);
		for (i = 0; i < s->nr_vcpus; i++)
			complete_sync(s, &c, i);
		if (n == 0)
			return c.seen;
	}
}
