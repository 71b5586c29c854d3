// SPDX-License-Identifier: GPL-2.0
/*
 * 4 KiB random reads with O_DIRECT, one at a time, over the first MIB MiB
 * of a block device for SECONDS seconds: the IOPS figure of make bench's
 * backends table (busybox has no fio).
 *
 * usage: disk_iops DEVICE MIB SECONDS   prints "iops N"
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define BLOCK	4096

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL, blocks, n = 0;
	double t0, secs;
	void *buf;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: disk_iops DEVICE MIB SECONDS\n");
		return 2;
	}
	blocks = strtoull(argv[2], NULL, 0) << 20 >> 12;
	secs = atof(argv[3]);
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	buf = aligned_alloc(BLOCK, BLOCK);
	if (fd < 0 || !buf || !blocks) {
		perror(argv[1]);
		return 2;
	}
	t0 = now();
	while (now() - t0 < secs) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (pread(fd, buf, BLOCK, (off_t)(x % blocks) * BLOCK) != BLOCK) {
			perror("read");
			return 1;
		}
		n++;
	}
	printf("iops %.0f\n", n / (now() - t0));
	return 0;
}
