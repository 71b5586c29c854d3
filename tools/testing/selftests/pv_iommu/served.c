// SPDX-License-Identifier: GPL-2.0
/* An IOREQ server of the tests', answered from a thread (served.h). */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "served.h"

static void *serve_loop(void *arg)
{
	/* Room for as many as the guest has frames: one call may see all. */
	uint64_t *bfns = calloc(GUEST_GFNS, sizeof(*bfns));
	struct served *s = arg;
	size_t i, got;
	int rc;

	while (bfns && !__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		rc = ioreq_server_collect_invalidations(s->srv, bfns,
							GUEST_GFNS, 50);
		got = rc > 0 ? rc : 0;
		pthread_mutex_lock(&s->lock);
		s->lost += got > GUEST_GFNS ? got - GUEST_GFNS : 0;
		for (i = 0; i < got && i < GUEST_GFNS; i++)
			if (s->seen < GUEST_GFNS)
				s->bfns[s->seen++] = bfns[i];
			else
				s->lost++;
		pthread_mutex_unlock(&s->lock);
	}
	free(bfns);
	return NULL;
}

struct served *serve_new(__u16 domid)
{
	struct served *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->srv = ioreq_server_create(domid);
	pthread_mutex_init(&s->lock, NULL);
	if (!s->srv || pthread_create(&s->thread, NULL, serve_loop, s)) {
		ioreq_server_destroy(s->srv);
		free(s);
		return NULL;
	}
	return s;
}

void serve_end(struct served *s)
{
	if (!s)
		return;
	__atomic_store_n(&s->stop, true, __ATOMIC_RELEASE);
	pthread_join(s->thread, NULL);
	ioreq_server_destroy(s->srv);
	free(s);
}

size_t served_count(struct served *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->seen;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* Wait until the server has heard nothing new for a second. */
size_t served_settled(struct served *s)
{
	size_t seen;

	do {
		seen = served_count(s);
		sleep(1);
	} while (served_count(s) != seen);
	return seen;
}

