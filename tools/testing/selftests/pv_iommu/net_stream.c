// SPDX-License-Identifier: GPL-2.0
/*
 * A checked TCP stream, for the backends stage: a domU sends MIB MiB of a
 * seeded pseudo-random stream through netfront, netback, dom0's bridge and
 * a real NIC; the receiver, which QEMU's user network starts for each
 * connection (guestfwd=...-cmd:), checks every byte and answers one line.
 * The stream starts with a header that carries MIB and SEED.
 *
 * usage: net_stream send ADDR PORT MIB SEED   (exit status 0: "ok" came back)
 *        net_stream check                     (stdin: the stream; stdout: verdict)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	(1024 * 1024)
#define WORDS	(CHUNK / sizeof(uint64_t))
#define MAGIC	0x7076696f6d6d7531ULL	/* "pviommu1" */

struct header {
	uint64_t magic;
	uint64_t mib;
	uint64_t seed;
};

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int full(int fd, void *buf, size_t len, int writing)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = writing ? write(fd, (char *)buf + done, len - done) :
			      read(fd, (char *)buf + done, len - done);
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int do_send(const char *addr, int port, uint64_t mib, uint64_t seed)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct header h = { MAGIC, mib, seed | 1 };
	uint64_t *buf = malloc(CHUNK), x = h.seed, i;
	char verdict[128] = "";
	double t0;
	size_t j;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (!buf || fd < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("net_stream: connect");
		return 2;
	}
	t0 = now();
	if (full(fd, &h, sizeof(h), 1))
		return 1;
	for (i = 0; i < mib; i++) {
		for (j = 0; j < WORDS; j++)
			buf[j] = next(&x);
		if (full(fd, buf, CHUNK, 1)) {
			perror("net_stream: send");
			return 1;
		}
	}
	shutdown(fd, SHUT_WR);
	if (read(fd, verdict, sizeof(verdict) - 1) <= 0)
		strcpy(verdict, "no verdict\n");
	printf("# net_stream: %llu MiB in %.1f s, receiver: %s",
	       (unsigned long long)mib, now() - t0, verdict);
	return strncmp(verdict, "ok ", 3) != 0;
}

static int do_check(void)
{
	uint64_t *buf = malloc(CHUNK), x, i, differ = 0;
	struct header h;
	size_t j;

	if (!buf || full(0, &h, sizeof(h), 0) || h.magic != MAGIC) {
		printf("bad header\n");
		return 1;
	}
	for (x = h.seed, i = 0; i < h.mib; i++) {
		if (full(0, buf, CHUNK, 0)) {
			printf("short stream: %llu of %llu MiB\n",
			       (unsigned long long)i, (unsigned long long)h.mib);
			return 1;
		}
		for (j = 0; j < WORDS; j++)
			differ += buf[j] != next(&x);
	}
	printf("%s %llu MiB, %llu words differ\n", differ ? "bad" : "ok",
	       (unsigned long long)h.mib, (unsigned long long)differ);
	fflush(stdout);
	return !!differ;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "send"))
		return do_send(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 0),
			       strtoull(argv[5], NULL, 0));
	if (argc == 2 && !strcmp(argv[1], "check"))
		return do_check();
	fprintf(stderr, "usage: net_stream send ADDR PORT MIB SEED | net_stream check\n");
	return 2;
}
