// SPDX-License-Identifier: GPL-2.0
/*
 * Races of the foreign subops with the guest's balloon (review L2, L3),
 * which need two CPUs (skipped on one): dom0 gives up the guest's frames,
 * as a toolstack balloons it, on one CPU while the test maps or unmaps
 * them on another, each release timed to meet one op in Xen. And, on the
 * same guest, the balloon against an emulator that never drains its ring
 * (review L7), and a foreign unmap whose IOTLB flush fails (L1), which
 * leaves the guest dying for good: the last test.
 *
 * Run by the 47-races stage, in make check's two-CPU boot, with the test
 * guest created but never run: PV_IOMMU_DOMU is its domid.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "foreign_ops.h"
#include "guest_mem.h"
#include "ioreq_server.h"
#include "pv_iommu_user.h"
#include "served.h"

/* A frame of the guest's RAM. */
#define GUEST_RAM_GFN	0x1000
/* Frames the guest gets for the races, and gives up one per round. */
#define RACE_GFN	(FOREIGN_SPARE_GFN + 0x100)
#define RACE_ROUNDS	512
/* Room for two ops per frame. */
#define RACE_OPS	(2 * RACE_ROUNDS)

struct releaser {
	pthread_t thread;
	__u16 domid;
	unsigned int go;	/* __atomic: frames [0, go) may be given up */
	int failed;		/* releases that failed */
};

static void run_on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/*
 * How many microseconds round i lets its op start before the release:
 * from -1024 (the release first) to 1020, in steps of 4. However long each
 * side takes to reach Xen (one run's op won 16 rounds of 512 at +-256),
 * some rounds meet there.
 */
static long head_start_us(unsigned int i)
{
	return ((long)(i % 512) - 256) * 4;
}

static void spin_us(long us)
{
	struct timespec t, now;

	clock_gettime(CLOCK_MONOTONIC, &t);
	do
		clock_gettime(CLOCK_MONOTONIC, &now);
	while ((now.tv_sec - t.tv_sec) * 1000000L +
	       (now.tv_nsec - t.tv_nsec) / 1000 < us);
}

static void *release_loop(void *arg)
{
	struct releaser *r = arg;
	unsigned int i;

	run_on_cpu(1);
	for (i = 0; i < RACE_ROUNDS; i++) {
		while (__atomic_load_n(&r->go, __ATOMIC_ACQUIRE) <= i)
			;
		spin_us(head_start_us(i));
		if (guest_mem_release(r->domid, RACE_GFN + i))
			r->failed++;
	}
	return NULL;
}

/* The guest gets RACE_ROUNDS new frames at RACE_GFN. */
static int race_frames(__u16 domid)
{
	unsigned int i;
	int rc = guest_mem_grow(domid, RACE_ROUNDS);

	for (i = 0; i < RACE_ROUNDS && !rc; i++)
		rc = guest_mem_populate(domid, RACE_GFN + i);
	return rc;
}

/*
 * The guest gets RACE_ROUNDS new frames; a thread on the second CPU gives
 * frame i up once race_step(i) lets it, while this thread, on the first,
 * does op i.
 */
static int race_start(struct releaser *r, __u16 domid)
{
	int rc;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return -ENODEV;
	*r = (struct releaser){ .domid = domid };
	rc = race_frames(domid);
	if (rc)
		return rc;
	run_on_cpu(0);
	return pthread_create(&r->thread, NULL, release_loop, r) ? -EAGAIN : 0;
}

/* Let round i's release go, and start its op when the head start says. */
static void race_step(struct releaser *r, unsigned int i)
{
	__atomic_store_n(&r->go, i + 1, __ATOMIC_RELEASE);
	spin_us(-head_start_us(i));
}

/* The number of releases that failed. */
static int race_end(struct releaser *r)
{
	pthread_join(r->thread, NULL);
	return r->failed;
}

FIXTURE(race) {
	int fd;
	__u16 domid;
	struct served *srv;
	__u16 id;
	struct pv_iommu_op *ops;
	struct pv_iommu_audit_op base;
};

FIXTURE_SETUP(race)
{
	self->fd = privcmd_open();
	ASSERT_LE(0, self->fd);
	ASSERT_NE(0, TEST_BFN) TH_LOG("no free_bfns range in pv-iommu/stats");
	self->domid = domu();
	ASSERT_NE(BAD_DOMID, self->domid) TH_LOG("PV_IOMMU_DOMU is not set");
	self->srv = serve_new(self->domid);
	ASSERT_NE(NULL, self->srv);
	self->id = ioreq_server_id(self->srv->srv);
	self->ops = ops_alloc(RACE_OPS);
	ASSERT_NE(NULL, self->ops);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF,
				    &self->base));
}

/* Every race leaves what the interface holds as it found it. */
FIXTURE_TEARDOWN(race)
{
	struct pv_iommu_audit_op now;

	EXPECT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_AUDIT_EQ(self->base, now);
	serve_end(self->srv);
	munmap(self->ops, RACE_OPS * sizeof(struct pv_iommu_op));
	close(self->fd);
}

/*
 * Review L3: a frame the guest gives up while map_foreign_page takes it,
 * after the map found it at its GFN but before its M2B entry is in, must
 * still be invalidated: every BFN mapped is one the server is told of.
 */
TEST_F_TIMEOUT(race, a_frame_given_up_while_mapped_is_invalidated, 300)
{
	static bool told[RACE_ROUNDS];
	struct pv_iommu_op *o = self->ops;
	unsigned int i, mapped = 0;
	struct releaser r;
	size_t seen;
	int rc;

	rc = race_start(&r, self->domid);
	if (rc == -ENODEV)
		SKIP(return, "one CPU: the race needs two");
	ASSERT_EQ(0, rc);
	for (i = 0; i < RACE_ROUNDS; i++) {
		map_op(&o[i], RW, TEST_BFN + i, RACE_GFN + i, self->domid,
		       self->id);
		race_step(&r, i);
		iommu_op(self->fd, &o[i], 1);
	}
	EXPECT_EQ(0, race_end(&r));

	seen = served_settled(self->srv);
	for (i = 0; i < seen; i++)
		if (self->srv->bfns[i] - TEST_BFN < RACE_ROUNDS)
			told[self->srv->bfns[i] - TEST_BFN] = true;
	for (i = 0; i < RACE_ROUNDS; i++) {
		/* Mapped, or the frame was gone first. */
		if (o[i].status == -ENXIO)
			continue;
		EXPECT_EQ(0, o[i].status) TH_LOG("round %u", i);
		EXPECT_TRUE(told[i]) TH_LOG("BFN %#llx: no invalidation",
					    TEST_BFN + i);
		mapped += !o[i].status;
		unmap_op(&o[i], 0, TEST_BFN + i, self->id);
		EXPECT_EQ(0, iommu_op(self->fd, &o[i], 1));
		EXPECT_EQ(0, o[i].status);
	}
	TH_LOG("%u of %u frames mapped before they went", mapped,
	       RACE_ROUNDS);
}

/*
 * Review L2: unmap_page of a BFN whose swap_mfn mapping the guest's
 * balloon is swapping to the scratch page at the same time: once unmapped,
 * the BFN maps nothing, whichever came first.
 */
TEST_F_TIMEOUT(race, a_bfn_unmapped_while_swapped_stays_unmapped, 300)
{
	struct pv_iommu_op *o = self->ops;
	struct releaser r;
	unsigned int i;
	__u64 mfn;
	int rc;

	rc = race_start(&r, self->domid);
	if (rc == -ENODEV)
		SKIP(return, "one CPU: the race needs two");
	ASSERT_EQ(0, rc);
	for (i = 0; i < RACE_ROUNDS; i++)
		map_op(&o[i], RW | IOMMUOP_swap_mfn, TEST_BFN + i,
		       RACE_GFN + i, self->domid, self->id);
	EXPECT_EQ(0, iommu_op(self->fd, o, RACE_ROUNDS));

	for (i = 0; i < RACE_ROUNDS; i++) {
		o[i] = (struct pv_iommu_op){
			.subop_id = IOMMUOP_unmap_page, .status = 1,
			.u.unmap_page = { .bfn = TEST_BFN + i },
		};
		race_step(&r, i);
		iommu_op(self->fd, &o[i], 1);
	}
	EXPECT_EQ(0, race_end(&r));

	for (i = 0; i < RACE_ROUNDS; i++) {
		EXPECT_EQ(0, o[i].status) TH_LOG("round %u", i);
		EXPECT_EQ(-ENOENT, pv_iommu_iommu_entry(self->fd,
							PV_IOMMU_DOMID_SELF,
							TEST_BFN + i, &mfn))
			TH_LOG("BFN %#llx still maps MFN %#llx", TEST_BFN + i,
			       mfn);
	}
	TH_LOG("%zu of %u swapped to the scratch page before the unmap",
	       served_settled(self->srv), RACE_ROUNDS);
}

/*
 * Review L7: an IOREQ server whose buffered ring nobody drains. Once the
 * ring is full the guest's balloon goes one extent per continuation, but
 * the call still completes: RACE_ROUNDS frames, each mapped through the
 * server at two BFNs (twice as many invalidations as frames, about twice
 * what the ring holds), given up in one call, all go. The ring holds what
 * fitted; the entries stay, stale, until they are unmapped.
 */
TEST_F_TIMEOUT(race, a_full_ring_slows_the_balloon_but_never_stops_it, 300)
{
	struct ioreq_server *idle = ioreq_server_create(self->domid);
	uint64_t *bfns = calloc(RACE_OPS, sizeof(*bfns));
	struct pv_iommu_op *o = self->ops;
	struct pv_iommu_audit_op now;
	unsigned int i;
	__u16 id;
	int told;

	ASSERT_NE(NULL, idle);
	ASSERT_NE(NULL, bfns);
	id = ioreq_server_id(idle);
	ASSERT_EQ(0, race_frames(self->domid));
	for (i = 0; i < RACE_OPS; i++)
		map_op(&o[i], RW, TEST_BFN + i, RACE_GFN + i % RACE_ROUNDS,
		       self->domid, id);
	ASSERT_EQ(0, iommu_op(self->fd, o, RACE_OPS));
	for (i = 0; i < RACE_OPS; i++)
		ASSERT_EQ(0, o[i].status) TH_LOG("map %u", i);

	EXPECT_EQ(0, guest_mem_release_range(self->domid, RACE_GFN,
					     RACE_ROUNDS));
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.m2b_entries + RACE_OPS, now.m2b_entries);
	told = ioreq_server_collect_invalidations(idle, bfns, RACE_OPS, 200);
	EXPECT_LT(0, told);
	EXPECT_GT(RACE_OPS, told) TH_LOG("the ring held them all");
	TH_LOG("the ring held %d invalidations of %u", told, RACE_OPS);

	for (i = 0; i < RACE_OPS; i++)
		unmap_op(&o[i], 0, TEST_BFN + i, id);
	ASSERT_EQ(0, iommu_op(self->fd, o, RACE_OPS));
	for (i = 0; i < RACE_OPS; i++)
		EXPECT_EQ(0, o[i].status) TH_LOG("unmap %u", i);
	ioreq_server_destroy(idle);
	free(bfns);
}

/*
 * Review L1, the foreign half: when the IOTLB flush of a foreign unmap
 * fails, a device may still reach the frame, so its references are kept
 * for good and no longer counted: the audit is back at its baseline at
 * once (the old code kept them counted until the next call dropped them,
 * flush or not). The guest can then never be freed whole: destroyed, it
 * stays dying. The last test: the guest is gone after it.
 */
TEST_F(race, a_failed_flush_keeps_the_guest_frame_for_good)
{
	struct pv_iommu_op *o = self->ops;
	struct pv_iommu_audit_op now;
	int tries;

	map_op(&o[0], RW, TEST_BFN, GUEST_RAM_GFN, self->domid, self->id);
	ASSERT_EQ(0, iommu_op(self->fd, o, 1));
	ASSERT_EQ(0, o[0].status);
	unmap_op(&o[0], 0, TEST_BFN, self->id);
	/* The unmap, then the flush at the end of its call. */
	EXPECT_EQ(-EIO, pv_iommu_op_failing(self->fd, FAIL_OP(1), &o[0]));
	EXPECT_EQ(0, o[0].status);
	/* Nor may a later batch that flushes nothing drop them. */
	o[1] = (struct pv_iommu_op){
		.subop_id = IOMMUOP_unmap_page, .status = 1,
		.u.unmap_page = { .bfn = TEST_BFN },
	};
	ASSERT_EQ(0, iommu_op(self->fd, &o[1], 1));
	EXPECT_EQ(0, o[1].status);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_AUDIT_EQ(self->base, now);

	/* Our server maps pages of the guest: it goes first. */
	serve_end(self->srv);
	self->srv = NULL;
	ASSERT_EQ(0, pv_domain_destroy(self->domid));
	for (tries = 0; tries < 100 && domain_dying(self->domid) == 1; tries++)
		usleep(100000);
	EXPECT_EQ(1, domain_dying(self->domid))
		TH_LOG("the guest was freed whole in %d ms", tries * 100);
	/* The grant maps of its rings by dom0's daemons went with it. */
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF,
				    &self->base));
}

TEST_HARNESS_MAIN
