// SPDX-License-Identifier: GPL-2.0
/*
 * The second-domain infrastructure, end to end from dom0: an IOREQ server
 * for a running domU, which the domU then balloons under. With `xl mem-set`
 * the domU gives SHRINK_MIB of its memory back while this program serves
 * the server; Xen must tell the server to flush its mapcache (a synchronous
 * IOREQ_TYPE_INVALIDATE with data ~0) and the domU, whose vCPU waits for
 * each of them, must get through and really give its memory up.
 *
 * usage: domu_smoke DOMID [SHRINK_MIB [TIMEOUT_S]]   (default 32 MiB, 60 s)
 */
#define __XEN_TOOLS__ 1
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenstore.h>

#include "ioreq_server.h"
#include "../kselftest.h"

#define QUIET_MS	1000
#define MAX_BFNS	64

/* The domain's pages as Xen counts them, or 0 when it has none. */
static unsigned long domain_pages(xc_interface *xch, domid_t domid)
{
	xc_dominfo_t info;

	if (xc_domain_getinfo(xch, domid, 1, &info) != 1 || info.domid != domid)
		return 0;
	return info.nr_pages;
}

/* The domain's balloon target in KiB (xenstore memory/target), or 0. */
static unsigned long target_kib(domid_t domid)
{
	struct xs_handle *xs = xs_open(0);
	unsigned long kib = 0;
	char path[64], *v;
	unsigned int len;

	if (!xs)
		return 0;
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
	v = xs_read(xs, XBT_NULL, path, &len);
	if (v)
		kib = strtoul(v, NULL, 10);
	free(v);
	xs_close(xs);
	return kib;
}

/* Run `xl mem-set DOMID MIBm`; return its exit status, or -1. */
static int xl_mem_set(domid_t domid, unsigned long mib)
{
	char dom[8], mem[24];
	int status;
	pid_t pid;

	snprintf(dom, sizeof(dom), "%u", domid);
	snprintf(mem, sizeof(mem), "%lum", mib);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		execlp("xl", "xl", "mem-set", dom, mem, NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Serve @s until the domain has no more than @goal pages or @timeout_s
 * passed, then until it is quiet. Return the BFN invalidations seen.
 */
static int serve_balloon(struct ioreq_server *s, xc_interface *xch,
			 domid_t domid, unsigned long goal, int timeout_s)
{
	uint64_t bfns[MAX_BFNS];
	double end = now() + timeout_s;
	int n, seen = 0;

	do {
		n = ioreq_server_collect_invalidations(s, bfns, MAX_BFNS,
						       QUIET_MS);
		if (n < 0)
			return n;
		seen += n;
	} while (domain_pages(xch, domid) > goal && now() < end);
	n = ioreq_server_collect_invalidations(s, bfns, MAX_BFNS, QUIET_MS);
	return n < 0 ? n : seen + n;
}

int main(int argc, char **argv)
{
	domid_t domid = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
	unsigned long shrink_mib = argc > 2 ? strtoul(argv[2], NULL, 0) : 32;
	int timeout_s = argc > 3 ? atoi(argv[3]) : 60;
	unsigned long before, after, kib, shrink_pages = shrink_mib * 256;
	struct ioreq_server *s;
	xc_interface *xch;
	double t0;
	int bfns;

	ksft_print_header();
	if (!domid || !shrink_mib || timeout_s <= 0)
		ksft_exit_fail_msg("usage: domu_smoke DOMID [SHRINK_MIB [TIMEOUT_S]]\n");
	ksft_set_plan(5);
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch)
		ksft_exit_fail_msg("xc_interface_open: %s\n", strerror(errno));
	before = domain_pages(xch, domid);
	kib = target_kib(domid);
	if (!before || kib < shrink_mib * 2048)
		ksft_exit_fail_msg("domain %u: %lu pages, target %lu KiB\n",
				   domid, before, kib);
	ksft_print_msg("domain %u: %lu pages, target %lu KiB\n", domid, before,
		       kib);

	s = ioreq_server_create(domid);
	ksft_test_result(s, "domu_smoke.ioreq_server_create\n");
	if (!s)
		ksft_exit_fail_msg("ioreq_server_create: %s\n", strerror(errno));
	ksft_print_msg("ioreq server %u\n", ioreq_server_id(s));

	t0 = now();
	ksft_test_result(!xl_mem_set(domid, kib / 1024 - shrink_mib),
			 "domu_smoke.xl_mem_set\n");
	bfns = serve_balloon(s, xch, domid, before - shrink_pages, timeout_s);
	after = domain_pages(xch, domid);
	ksft_print_msg("after %.1f s: %lu pages (%ld KiB less), target %lu KiB\n",
		       now() - t0, after, (long)(before - after) * 4,
		       target_kib(domid));
	ksft_print_msg("%lu flush-all and %d BFN invalidations, %lu other ioreqs\n",
		       ioreq_server_flush_all_count(s), bfns,
		       ioreq_server_other_count(s));
	ksft_test_result(after && after <= before - shrink_pages,
			 "domu_smoke.memory_went_down\n");
	ksft_test_result(ioreq_server_flush_all_count(s) >= 1,
			 "domu_smoke.flush_all_invalidation\n");
	/* Nothing of the domU is mapped at a BFN. */
	ksft_test_result(bfns == 0, "domu_smoke.no_bfn_invalidation\n");

	ioreq_server_destroy(s);
	xc_interface_close(xch);
	ksft_finished();
}
