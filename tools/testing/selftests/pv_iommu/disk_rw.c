// SPDX-License-Identifier: GPL-2.0
/*
 * Write a pseudo-random stream to a block device with O_DIRECT in 4 MiB
 * requests, read it back the same way, and compare: every byte against
 * the regenerated stream, and a checksum of what was written with one of
 * what was read. The rig's device stage runs it on each disk of the test
 * VM (busybox dd from /dev/urandom and md5sum take minutes for 256 MiB
 * under QEMU TCG).
 *
 * usage: disk_rw DEVICE MIB SEED [check]   exit status 0 if all came back
 * intact; with "check", only read and compare what an earlier run (in
 * another domain, say) wrote.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	(4 << 20)
#define WORDS	(CHUNK / sizeof(uint64_t))

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* FNV-1a over 64-bit words */
static uint64_t checksum(uint64_t sum, const uint64_t *w, size_t n)
{
	while (n--)
		sum = (sum ^ *w++) * 0x100000001b3ULL;
	return sum;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint64_t sum_w = 0xcbf29ce484222325ULL, sum_r = sum_w, x, seed;
	unsigned long long differ = 0;
	long i, mib = 0, chunks;
	int check_only;
	double t0, t1, t2;
	uint64_t *buf;
	size_t j;
	int fd;

	if (argc == 4 || (argc == 5 && !strcmp(argv[4], "check")))
		mib = atol(argv[2]);
	if (mib <= 0 || mib % (CHUNK >> 20)) {
		fprintf(stderr, "usage: disk_rw DEVICE MIB(multiple of 4) SEED [check]\n");
		return 2;
	}
	check_only = argc == 5;
	seed = strtoull(argv[3], NULL, 0) | 1;	/* xorshift: never 0 */
	chunks = mib / (CHUNK >> 20);
	fd = open(argv[1], O_RDWR | O_DIRECT);
	buf = aligned_alloc(4096, CHUNK);
	if (fd < 0 || !buf) {
		perror(argv[1]);
		return 2;
	}

	t0 = now();
	for (x = seed, i = 0; i < chunks; i++) {
		for (j = 0; j < WORDS; j++)
			buf[j] = next(&x);
		sum_w = checksum(sum_w, buf, WORDS);
		if (!check_only &&
		    pwrite(fd, buf, CHUNK, (off_t)i * CHUNK) != CHUNK) {
			perror("write");
			return 1;
		}
	}
	if (!check_only && fsync(fd)) {
		perror("fsync");
		return 1;
	}
	t1 = now();
	for (x = seed, i = 0; i < chunks; i++) {
		if (pread(fd, buf, CHUNK, (off_t)i * CHUNK) != CHUNK) {
			perror("read");
			return 1;
		}
		sum_r = checksum(sum_r, buf, WORDS);
		for (j = 0; j < WORDS; j++)
			differ += buf[j] != next(&x);
	}
	t2 = now();
	close(fd);
	free(buf);

	printf("# %s: %ld MiB (seed %llu) %s in %.1f s, checksum %016llx\n",
	       argv[1], mib, (unsigned long long)seed,
	       check_only ? "expected" : "written", t1 - t0,
	       (unsigned long long)sum_w);
	printf("# read back in %.1f s, checksum %016llx, %llu words differ\n",
	       t2 - t1, (unsigned long long)sum_r, differ);
	return sum_w != sum_r || differ;
}
