// SPDX-License-Identifier: GPL-2.0
/*
 * A user-space backend's O_DIRECT I/O from and to a guest's grants (as qemu
 * qdisk or tapdisk do), for the backends stage: map the domU agent's
 * granted pages through /dev/xen/gntdev, write them to a disk with
 * O_DIRECT and read them back into ordinary memory (the device reads the
 * grants), then write other data to the disk and read it into the grants
 * (the device writes them). Both are compared byte for byte; the stage
 * then asks the agent to check its pages too.
 *
 * usage: gntdev_disk DOMID DISK SEED REF...   (NPAGES refs; the pages hold
 *        pattern SEED; they are left holding pattern SEED + 1)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* Xen's public types that its gntdev.h needs and does not include. */
typedef uint32_t grant_ref_t;
typedef uint16_t domid_t;
#include <xen/gntdev.h>

#include "pattern.h"

#define PAGE_SZ	4096

/* The first byte of @buf (@n pages) that is not pattern @seed, or -1. */
static long mismatch(const uint8_t *buf, unsigned int n, uint32_t seed)
{
	unsigned long i;

	for (i = 0; i < (unsigned long)n * PAGE_SZ; i++)
		if (buf[i] != pv_iommu_pattern(seed, i / PAGE_SZ, i % PAGE_SZ))
			return i;
	return -1;
}

static void fill(uint8_t *buf, unsigned int n, uint32_t seed)
{
	unsigned long i;

	for (i = 0; i < (unsigned long)n * PAGE_SZ; i++)
		buf[i] = pv_iommu_pattern(seed, i / PAGE_SZ, i % PAGE_SZ);
}

static int verdict(const char *what, long bad)
{
	if (bad < 0)
		printf("# gntdev_disk: %s: ok\n", what);
	else
		printf("# gntdev_disk: %s: byte %ld differs\n", what, bad);
	return bad >= 0;
}

int main(int argc, char **argv)
{
	unsigned int n = argc - 4, i;
	struct ioctl_gntdev_map_grant_ref *map;
	struct ioctl_gntdev_unmap_grant_ref unmap;
	uint32_t seed;
	size_t len;
	uint8_t *grants, *buf;
	int gfd, dfd, failed = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: gntdev_disk DOMID DISK SEED REF...\n");
		return 2;
	}
	seed = strtoul(argv[3], NULL, 0);
	len = (size_t)n * PAGE_SZ;
	map = calloc(1, sizeof(*map) + n * sizeof(map->refs[0]));
	gfd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
	dfd = open(argv[2], O_RDWR | O_DIRECT | O_CLOEXEC);
	buf = aligned_alloc(PAGE_SZ, len);
	if (!map || gfd < 0 || dfd < 0 || !buf) {
		perror("gntdev_disk");
		return 2;
	}
	map->count = n;
	for (i = 0; i < n; i++) {
		map->refs[i].domid = strtoul(argv[1], NULL, 0);
		map->refs[i].ref = strtoul(argv[4 + i], NULL, 0);
	}
	if (ioctl(gfd, IOCTL_GNTDEV_MAP_GRANT_REF, map)) {
		perror("IOCTL_GNTDEV_MAP_GRANT_REF");
		return 1;
	}
	grants = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, gfd,
		      map->index);
	if (grants == MAP_FAILED) {
		perror("mmap of the grants");
		return 1;
	}

	failed |= verdict("the grants hold the guest's data",
			  mismatch(grants, n, seed));
	if (pwrite(dfd, grants, len, 0) != (ssize_t)len ||
	    pread(dfd, buf, len, 0) != (ssize_t)len) {
		perror("O_DIRECT from the grants");
		return 1;
	}
	failed |= verdict("the device read the grants",
			  mismatch(buf, n, seed));

	fill(buf, n, seed + 1);
	if (pwrite(dfd, buf, len, len) != (ssize_t)len ||
	    pread(dfd, grants, len, len) != (ssize_t)len) {
		perror("O_DIRECT into the grants");
		return 1;
	}
	failed |= verdict("the device wrote the grants",
			  mismatch(grants, n, seed + 1));

	munmap(grants, len);
	unmap = (struct ioctl_gntdev_unmap_grant_ref){
		.index = map->index, .count = n,
	};
	if (ioctl(gfd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap)) {
		perror("IOCTL_GNTDEV_UNMAP_GRANT_REF");
		failed = 1;
	}
	return failed;
}
