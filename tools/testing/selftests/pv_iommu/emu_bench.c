// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: what the emulator interface costs. The example emulator
 * (pv-iommu-emu-test, on the 64-bit edu) maps FRAMES of a PVH domU's RAM
 * and unmaps them, BATCH frames per call; the time of map + unmap and the
 * iommu_op hypercalls it took. Prints
 * "@@BENCH emu_foreign batch=B frames=N us=T hypercalls=H" (rig's bench.sh
 * adds Xen's IOTLB flush count). PV_IOMMU_DOMU is the domU's domid.
 * usage: emu_bench BATCH
 */
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "emu_ctl.h"
#include "ioreq_server.h"

#define FRAMES		4096
#define GUEST_GFNS	0x9000

static long long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

/* Map and unmap every frame, @batch per call. */
static int run(const __u64 *gfns, unsigned int nr, unsigned int batch)
{
	long long calls = stat_of("hypercalls"), t0 = now_us(), t1;
	char arg[16];
	int rc;

	snprintf(arg, sizeof(arg), "%x", batch);
	rc = emu_gfns("map", 0, arg, gfns, nr);
	rc = rc ?: emu_ctl("unmap 0 %x", batch);
	t1 = now_us();
	if (rc)
		printf("@@BENCH emu_foreign batch=%u error=%d\n", batch, rc);
	else
		printf("@@BENCH emu_foreign batch=%u frames=%u us=%lld hypercalls=%lld\n",
		       batch, nr, t1 - t0, stat_of("hypercalls") - calls);
	return rc;
}

int main(int argc, char **argv)
{
	const char *d = getenv("PV_IOMMU_DOMU");
	static __u64 gfns[GUEST_GFNS];
	struct ioreq_server *srv;
	unsigned int n, batch;
	__u16 domid, id;
	int fd, rc;

	batch = argc == 2 ? strtoul(argv[1], NULL, 0) : 0;
	if (!batch || batch > EMU_BATCH) {
		fprintf(stderr, "usage: emu_bench BATCH (1-%u)\n", EMU_BATCH);
		return 2;
	}
	if (!d) {
		printf("@@BENCH emu_foreign error=no_domu\n");
		return 1;
	}
	domid = strtoul(d, NULL, 0);
	fd = privcmd_open();
	srv = ioreq_server_create(domid);
	if (fd < 0 || !srv) {
		printf("@@BENCH emu_foreign error=no_ioreq_server\n");
		return 1;
	}
	id = ioreq_server_id(srv);
	n = guest_ram(fd, domid, id, gfns, GUEST_GFNS);
	if (n > FRAMES)
		n = FRAMES;
	rc = emu_bind("pv-iommu-emu-test");
	rc = rc ?: emu_ctl("open 0 %u %u", domid, id);
	if (rc) {
		printf("@@BENCH emu_foreign error=open_%d\n", rc);
	} else {
		rc = run(gfns, n, batch);
		emu_ctl("close 0");
	}
	emu_bind("");
	ioreq_server_destroy(srv);
	close(fd);
	return rc ? 1 : 0;
}
