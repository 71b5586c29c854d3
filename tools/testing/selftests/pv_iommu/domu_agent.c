// SPDX-License-Identifier: GPL-2.0
/*
 * The domU agent of the second-domain tests: runs as root in a PVH domU and
 * answers dom0 through the domU's own xenstore directory
 * (data/pv-iommu/, relative to /local/domain/<domid>/).
 *
 * At start it locks NPAGES pages in memory, publishes their GFNs (PVH:
 * PFN = GFN) as space separated hex in "gfns" and sets "ready" to 1. dom0
 * then writes "SEQ VERB [ARG]" into "cmd"; the agent answers "SEQ TEXT" in
 * "result":
 *   fill SEED   write pv_iommu_pattern(SEED, page, off) into every page: "ok"
 *   check SEED  verify it: "ok" or "bad page P off O got X want Y"
 *   privcmd     the PV-IOMMU hypercall as this domU, which has no right to
 *               it: TAP lines on the console, "ok N" or "fail K of N: ..."
 *   grant SEED [DOMID]
 *               grant NPAGES new pages to dom0 (gntalloc), or to domain
 *               DOMID, writable, with the pattern in them: "ok REF REF ..."
 *               (dom0 maps them through gntdev, as a user-space backend
 *               does)
 *   gcheck SEED verify the granted pages: as "check"
 *   gcopied A B granted page B begins with what "educopy A B" moves from
 *               page A: "ok" or "differ"
 * and, in a PV driver domain with an edu passed through (stage
 * 52-driver-domain):
 *   dmap DOMID  take the BFN space over from Xen, then map the grants of
 *               DOMID listed in "refs" (space separated) device-only, at
 *               BFN DMAP_BFN + i with GNTMAP_request_bfn_map, and leave
 *               them mapped: "ok N"
 *   educopy A B the edu copies EDU_COPY bytes of the page device map A
 *               reaches to the one map B reaches (DMA into its buffer and
 *               out): "ok"
 *   fmap DOMID GFN
 *               as DOMID's emulator (dom0 made this domain privileged over
 *               it): take the BFN space over, create an IOREQ server for
 *               DOMID, map its GFN at FMAP_BFN with swap_mfn and destroy
 *               the server (the map stays until this domain dies): "ok"
 * and, in a PV domain with two vCPUs and an IOMMU (stage 47-races):
 *   takeover    take the BFN space over while a process on the second
 *               vCPU forks without end: "ok"
 */
#define __XEN_TOOLS__ 1	/* <xendevicemodel.h>: the dm_op definitions */
#define _GNU_SOURCE	/* sched_setaffinity() */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <xen/gntalloc.h>
#include <xendevicemodel.h>
#include <xenstore.h>

#include "edu.h"
#include "pattern.h"
#include "pv_iommu_user.h"

#define NPAGES		64
#define PAGE_SZ		4096
#define DIR		"data/pv-iommu/"
#define RESULT_MAX	(NPAGES * 9 + 16)
#define POLL_MS		100
/* The device maps of "dmap": within the reach of the 28-bit edu. */
#define DMAP_BFN	0x1000ULL
/* The foreign map of "fmap", beside them. */
#define FMAP_BFN	(DMAP_BFN + 0x100)
/* QEMU's edu: DMA registers (8 bytes each) and its buffer, device side. */
#define EDU_DMA_SRC	(0x80 / 8)
#define EDU_DMA_DST	(0x88 / 8)
#define EDU_DMA_CNT	(0x90 / 8)
#define EDU_DMA_CMD	(0x98 / 8)
#define EDU_CMD_START	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUFFER	0x40000ULL
/* QEMU 7.2's edu refuses a transfer that ends at its buffer's end. */
#define EDU_COPY	(PAGE_SZ - 1)
#define PCI_CMD_MEM_MASTER	0x6
/* A domain id below DOMID_FIRST_RESERVED that the rig never creates. */
#define NO_SUCH_DOMID	0x7fef

/* Pagemap entries: bit 63 page present, bits 0-54 the PFN. */
#define PM_PRESENT	0x8000000000000000ULL
#define PM_PFN_MASK	0x007fffffffffffffULL

static struct xs_handle *xs;
static uint8_t *pages;
static __u64 gfns[NPAGES];
/* The pages granted to dom0 ("grant"), and their grant references. */
static uint8_t *granted;
static uint32_t grefs[NPAGES];

static bool xs_put(const char *node, const char *val)
{
	char path[64];

	snprintf(path, sizeof(path), DIR "%s", node);
	return xs_write(xs, XBT_NULL, path, val, strlen(val));
}

static int pages_alloc(void)
{
	size_t len = NPAGES * PAGE_SZ;
	int fd, i;

	pages = mmap(NULL, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (pages == MAP_FAILED)
		return -errno;
	/* Pinned: dom0 will hand these GFNs to devices. */
	if (mlock(pages, len))
		return -errno;
	memset(pages, 0, len);

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (i = 0; i < NPAGES; i++) {
		off_t at = (off_t)((uintptr_t)pages / PAGE_SZ + i) * 8;
		__u64 e;

		if (pread(fd, &e, sizeof(e), at) != sizeof(e)) {
			close(fd);
			return -EIO;
		}
		/* Without CAP_SYS_ADMIN the kernel reports PFN 0. */
		if (!(e & PM_PRESENT) || !(e & PM_PFN_MASK)) {
			close(fd);
			return -EPERM;
		}
		gfns[i] = e & PM_PFN_MASK;
	}
	close(fd);
	return 0;
}

static bool publish_gfns(void)
{
	char buf[NPAGES * 17 + 1];
	size_t n = 0;
	int i;

	for (i = 0; i < NPAGES; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%llx", i ? " " : "",
			      (unsigned long long)gfns[i]);
	return xs_put("gfns", buf);
}

static void fill(uint8_t *buf, uint32_t seed, char *res)
{
	uint32_t p, o;

	for (p = 0; p < NPAGES; p++)
		for (o = 0; o < PAGE_SZ; o++)
			buf[p * PAGE_SZ + o] = pv_iommu_pattern(seed, p, o);
	strcpy(res, "ok");
}

static void check(const uint8_t *buf, uint32_t seed, char *res)
{
	uint32_t p, o;

	for (p = 0; p < NPAGES; p++) {
		for (o = 0; o < PAGE_SZ; o++) {
			uint8_t got = buf[p * PAGE_SZ + o];
			uint8_t want = pv_iommu_pattern(seed, p, o);

			if (got != want) {
				snprintf(res, RESULT_MAX,
					 "bad page %u off %u got 0x%02x want 0x%02x",
					 p, o, got, want);
				return;
			}
		}
	}
	strcpy(res, "ok");
}

/* NPAGES new pages granted to dom0, writable, mapped here; once. */
static int grant_pages(unsigned int domid)
{
	struct ioctl_gntalloc_alloc_gref *alloc;
	int fd, rc = 0;

	if (granted)
		return 0;
	fd = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
	alloc = malloc(sizeof(*alloc) + NPAGES * sizeof(alloc->gref_ids[0]));
	if (fd < 0 || !alloc)
		return -errno;
	*alloc = (struct ioctl_gntalloc_alloc_gref){
		.domid = domid, .flags = GNTALLOC_FLAG_WRITABLE, .count = NPAGES,
	};
	if (ioctl(fd, IOCTL_GNTALLOC_ALLOC_GREF, alloc)) {
		rc = -errno;
	} else {
		granted = mmap(NULL, NPAGES * PAGE_SZ, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, alloc->index);
		if (granted == MAP_FAILED) {
			granted = NULL;
			rc = -errno;
		} else {
			memcpy(grefs, alloc->gref_ids, sizeof(grefs));
		}
	}
	free(alloc);
	/* The grants and the mapping outlive the file. */
	close(fd);
	return rc;
}

static void grant(uint32_t seed, unsigned int domid, char *res)
{
	size_t n;
	int i, rc = grant_pages(domid);

	if (rc) {
		snprintf(res, RESULT_MAX, "error gntalloc: %s", strerror(-rc));
		return;
	}
	fill(granted, seed, res);
	n = strlen(res);
	for (i = 0; i < NPAGES; i++)
		n += snprintf(res + n, RESULT_MAX - n, " %u", grefs[i]);
}

static void gcopied(unsigned int a, unsigned int b, char *res)
{
	if (a >= NPAGES || b >= NPAGES)
		snprintf(res, RESULT_MAX, "error no page %u or %u", a, b);
	else if (memcmp(granted + a * PAGE_SZ, granted + b * PAGE_SZ, EDU_COPY))
		snprintf(res, RESULT_MAX, "differ");
	else
		strcpy(res, "ok");
}

/*
 * A buffer the hypercalls read and write: populated, since Xen cannot
 * fault a page in.
 */
static void *hypercall_buffer(void)
{
	void *buf = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return buf == MAP_FAILED ? NULL : buf;
}

/* Map up to NPAGES grant references from "refs" at DMAP_BFN + i. */
static long map_refs(int fd, struct gnttab_map_grant_ref *m,
		     unsigned int domid, unsigned int *nr)
{
	unsigned int len, ref, i;
	char *refs = xs_read(xs, XBT_NULL, DIR "refs", &len), *p;
	int used;
	long rc;

	if (!refs)
		return -errno;
	for (i = 0, p = refs; i < NPAGES && sscanf(p, "%u%n", &ref, &used) == 1;
	     i++, p += used)
		m[i] = (struct gnttab_map_grant_ref){
			.flags = GNTMAP_device_map | GNTMAP_request_bfn_map,
			.ref = ref, .dom = domid,
			.dev_bus_addr = (DMAP_BFN + i) << 12,
		};
	free(refs);
	*nr = i;
	rc = xen_hypercall3(fd, __HYPERVISOR_grant_table_op,
			    GNTTABOP_map_grant_ref, (unsigned long)m, i);
	for (i = 0; !rc && i < *nr; i++)
		if (m[i].status != GNTST_okay)
			rc = m[i].status;
	return rc;
}

/* Take the BFN space over (unmapping a BFN nothing maps is enough). */
static long take_over(int fd, struct pv_iommu_op *op, __u64 bfn)
{
	*op = (struct pv_iommu_op){ .subop_id = IOMMUOP_unmap_page,
				    .u.unmap_page.bfn = bfn };
	return iommu_op(fd, op, 1) ?: op->status;
}

/*
 * A driver domain's device maps of a guest's grants, as its backend would
 * make them for DMA, once it took its BFN space over; the maps stay until
 * the domain dies.
 */
static void dmap(unsigned int domid, char *res)
{
	struct pv_iommu_op *op = hypercall_buffer();
	struct gnttab_map_grant_ref *m = (void *)(op + 1);
	int fd = privcmd_open();
	unsigned int nr = 0;
	long rc = -ENOMEM;

	if (op && fd >= 0) {
		rc = take_over(fd, op, DMAP_BFN);
		if (!rc)
			rc = map_refs(fd, m, domid, &nr);
	}
	if (rc)
		snprintf(res, RESULT_MAX, "error %ld after %u maps", rc, nr);
	else
		snprintf(res, RESULT_MAX, "ok %u", nr);
	if (fd >= 0)
		close(fd);
	if (op)
		munmap(op, PAGE_SZ);
}

/*
 * An emulator's map of a frame of the guest it serves, for the guest's
 * devices it emulates: its IOREQ server has a buffered ring, to which Xen
 * sends an invalidation when the guest gives the frame up.
 */
static void fmap(unsigned int domid, unsigned int gfn, char *res)
{
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	struct pv_iommu_op *op = hypercall_buffer();
	int fd = privcmd_open();
	ioservid_t id;
	long rc = -ENOMEM;

	if (op && fd >= 0 && dm) {
		rc = take_over(fd, op, FMAP_BFN);
		if (!rc &&
		    xendevicemodel_create_ioreq_server(dm, domid,
						       HVM_IOREQSRV_BUFIOREQ_ATOMIC,
						       &id))
			rc = -errno;
	}
	if (!rc) {
		*op = (struct pv_iommu_op){
			.subop_id = IOMMUOP_map_foreign_page,
			.flags = IOMMU_OP_readable | IOMMU_OP_writeable |
				 IOMMUOP_swap_mfn,
			.u.map_foreign_page = { .bfn = FMAP_BFN, .gfn = gfn,
						.domid = domid, .ioserver = id },
		};
		rc = iommu_op(fd, op, 1) ?: op->status;
		/* It would keep this domain until the guest dies. */
		if (xendevicemodel_destroy_ioreq_server(dm, domid, id) && !rc)
			rc = -errno;
	}
	if (rc)
		snprintf(res, RESULT_MAX, "error %ld", rc);
	else
		snprintf(res, RESULT_MAX, "ok");
	if (dm)
		xendevicemodel_close(dm);
	if (fd >= 0)
		close(fd);
	if (op)
		munmap(op, PAGE_SZ);
}

/*
 * The edu's registers, one 8-byte access each: atomic accesses, which the
 * compiler neither merges nor drops, are plain moves on x86.
 */
static void edu_write(uint64_t *regs, unsigned int reg, uint64_t val)
{
	__atomic_store_n(&regs[reg], val, __ATOMIC_RELEASE);
}

static uint64_t edu_read(uint64_t *regs, unsigned int reg)
{
	return __atomic_load_n(&regs[reg], __ATOMIC_ACQUIRE);
}

/* EDU_COPY bytes between the edu's buffer and a bus address; 0 once done. */
static int edu_dma(uint64_t *regs, uint64_t src, uint64_t dst, uint64_t dir)
{
	const struct timespec tick = { .tv_nsec = 10000000L };
	int i;

	edu_write(regs, EDU_DMA_SRC, src);
	edu_write(regs, EDU_DMA_DST, dst);
	edu_write(regs, EDU_DMA_CNT, EDU_COPY);
	edu_write(regs, EDU_DMA_CMD, EDU_CMD_START | dir);
	for (i = 0; i < 1000; i++) {
		if (!(edu_read(regs, EDU_DMA_CMD) & EDU_CMD_START))
			return 0;
		nanosleep(&tick, NULL);
	}
	return -ETIMEDOUT;
}

/* The edu, driven from user space: its registers, bus mastering on. */
static uint64_t *edu_open(void)
{
	char path[300];
	uint16_t cmd = 0;
	void *regs;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config",
		 edu_device(EDU_28BIT));
	fd = open(path, O_RDWR);
	if (fd < 0)
		return NULL;
	if (pread(fd, &cmd, 2, 4) == 2) {
		cmd |= PCI_CMD_MEM_MASTER;
		if (pwrite(fd, &cmd, 2, 4) != 2)
			cmd = 0;
	}
	close(fd);
	if (!(cmd & PCI_CMD_MEM_MASTER))
		return NULL;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0",
		 edu_device(EDU_28BIT));
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		return NULL;
	regs = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return regs == MAP_FAILED ? NULL : regs;
}

static void educopy(unsigned int a, unsigned int b, char *res)
{
	uint64_t *regs = edu_open();
	int rc;

	if (!regs) {
		snprintf(res, RESULT_MAX, "error no edu: %s", strerror(errno));
		return;
	}
	rc = edu_dma(regs, (DMAP_BFN + a) << 12, EDU_BUFFER, 0) ?:
	     edu_dma(regs, EDU_BUFFER, (DMAP_BFN + b) << 12, EDU_CMD_TO_RAM);
	munmap(regs, PAGE_SZ);
	if (rc)
		snprintf(res, RESULT_MAX, "error edu: %s", strerror(-rc));
	else
		strcpy(res, "ok");
}

/* One op of the refusal test and the status it must get. */
struct refusal {
	const char *name;
	struct pv_iommu_op op;
	int want;
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static void run_on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Fork and reap children, each exiting at once, until killed. */
static void churn_page_tables(void)
{
	pid_t child;

	run_on_cpu(1);
	for (;;) {
		child = fork();
		if (!child)
			_exit(0);
		if (child > 0)
			waitpid(child, NULL, 0);
	}
}

/*
 * Review M1: take the BFN space over while the other vCPU changes page
 * types. Each fork builds page tables, each exit frees them, and the
 * kernel maps a freed page table writable again: in a domain whose IOMMU
 * Xen keeps in sync, each of those maps or unmaps the frame at BFN = MFN.
 * Once the take-over is done none of those entries may be left (stage
 * 47-races looks).
 */
static void takeover(char *res)
{
	struct pv_iommu_op *op = hypercall_buffer();
	int fd = privcmd_open();
	pid_t churn = fork();
	long rc = -ENOMEM;

	if (!churn)
		churn_page_tables();
	run_on_cpu(0);
	sleep(1);
	if (op && fd >= 0 && churn > 0)
		rc = take_over(fd, op, DMAP_BFN);
	sleep(1);
	if (churn > 0) {
		kill(churn, SIGKILL);
		waitpid(churn, NULL, 0);
	}
	if (churn < 0)
		rc = -errno;
	if (rc)
		snprintf(res, RESULT_MAX, "error %ld", rc);
	else
		snprintf(res, RESULT_MAX, "ok");
	if (fd >= 0)
		close(fd);
	if (op)
		munmap(op, PAGE_SZ);
}

/* Print one TAP line; on failure remember the first reason in @res. */
static void tap(int n, bool ok, const char *name, char *res, int *failed,
		const char *fmt, ...)
{
	char why[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!ok) {
		printf("# %s: %s\n", name, why);
		if (!(*failed)++)
			snprintf(res, RESULT_MAX, "%s: %s", name, why);
	}
	printf("%sok %d domu.privcmd.%s\n", ok ? "" : "not ", n, name);
}

/*
 * A domU has no right to the PV-IOMMU: it may ask for the capabilities
 * (no map_cap) and must be refused everything else. One op per call, from
 * a populated buffer (Xen cannot fault the page in).
 */
static void refusal_test(char *res)
{
	const struct refusal r[] = {
		{ "map_page", { .subop_id = IOMMUOP_map_page,
			.flags = IOMMU_OP_readable | IOMMU_OP_writeable,
			.u.map_page = { .bfn = 0x1000, .gfn = gfns[0] } },
		  -EPERM },
		{ "unmap_page", { .subop_id = IOMMUOP_unmap_page,
			.u.unmap_page.bfn = 0x1000 }, -EPERM },
		{ "map_foreign_page_dom0", {
			.subop_id = IOMMUOP_map_foreign_page,
			.flags = IOMMUOP_readable,
			.u.map_foreign_page = { .bfn = 0x1000, .gfn = 1,
						.domid = 0, .ioserver = 0 } },
		  -EPERM },
		{ "map_foreign_page_self", {
			.subop_id = IOMMUOP_map_foreign_page,
			.flags = IOMMUOP_readable,
			.u.map_foreign_page = { .bfn = 0x1000, .gfn = gfns[0],
						.domid = PV_IOMMU_DOMID_SELF } },
		  -EPERM },
		{ "lookup_foreign_page_dom0", {
			.subop_id = IOMMUOP_lookup_foreign_page,
			.u.lookup_foreign_page = { .gfn = 1, .domid = 0 } },
		  -EPERM },
		/*
		 * XSM judges only a domain that exists (as for dm_op): no
		 * such domain is told before the privilege.
		 */
		{ "map_foreign_page_no_such_domain", {
			.subop_id = IOMMUOP_map_foreign_page,
			.flags = IOMMUOP_readable,
			.u.map_foreign_page = { .bfn = 0x1000, .gfn = 1,
						.domid = NO_SUCH_DOMID } },
		  -ENXIO },
		{ "lookup_foreign_page_no_such_domain", {
			.subop_id = IOMMUOP_lookup_foreign_page,
			.u.lookup_foreign_page = { .gfn = 1,
						   .domid = NO_SUCH_DOMID } },
		  -ENXIO },
		/* Nothing mapped, so nothing to refuse: not found. */
		{ "unmap_foreign_page", {
			.subop_id = IOMMUOP_unmap_foreign_page,
			.u.unmap_foreign_page = { .bfn = 0x1000,
						  .ioserver = 0 } },
		  -ENOENT },
		/* struct pv_iommu_audit_op overlay, all zero: domid 0. */
		{ "debug_audit_dom0", { .subop_id = IOMMUOP_debug_audit },
		  -EPERM },
	};
	const int total = ARRAY_SIZE(r) + 1;	/* and query_caps */
	struct pv_iommu_op *op;
	char first[RESULT_MAX] = "";
	int fd, i, failed = 0;
	long rc;

	fd = privcmd_open();
	op = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (fd < 0 || op == MAP_FAILED) {
		snprintf(res, RESULT_MAX, "fail cannot open privcmd or map a buffer: %s",
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	printf("TAP version 13\n1..%d\n", total);

	*op = (struct pv_iommu_op){ .subop_id = IOMMUOP_query_caps,
				    .status = 1 };
	rc = iommu_op(fd, op, 1);
	tap(1, !rc && !op->status && !(op->flags & IOMMU_QUERY_map_cap),
	    "query_caps", first, &failed, "call %ld status %d flags %#x",
	    rc, op->status, op->flags);

	for (i = 0; i < total - 1; i++) {
		*op = r[i].op;
		op->status = 1;
		rc = iommu_op(fd, op, 1);
		tap(i + 2, !rc && op->status == r[i].want, r[i].name, first,
		    &failed, "call %ld status %d want %d", rc, op->status,
		    r[i].want);
	}
	munmap(op, PAGE_SZ);
	close(fd);
	if (failed)
		snprintf(res, RESULT_MAX, "fail %d of %d: %s", failed,
			 total, first);
	else
		snprintf(res, RESULT_MAX, "ok %d", total);
}

static void run(const char *verb, const char *arg, char *res)
{
	/* Decimal or 0x hex, as strtoul(, , 0) reads them. */
	int a, b = 0, nargs = sscanf(arg, "%i %i", &a, &b);

	if (!strcmp(verb, "fill") && nargs == 1)
		fill(pages, a, res);
	else if (!strcmp(verb, "check") && nargs == 1)
		check(pages, a, res);
	else if (!strcmp(verb, "grant") && nargs >= 1)
		grant(a, b, res);
	else if (!strcmp(verb, "gcheck") && nargs == 1 && granted)
		check(granted, a, res);
	else if (!strcmp(verb, "gcopied") && nargs == 2 && granted)
		gcopied(a, b, res);
	else if (!strcmp(verb, "dmap") && nargs == 1)
		dmap(a, res);
	else if (!strcmp(verb, "educopy") && nargs == 2)
		educopy(a, b, res);
	else if (!strcmp(verb, "fmap") && nargs == 2)
		fmap(a, b, res);
	else if (!strcmp(verb, "takeover"))
		takeover(res);
	else if (!strcmp(verb, "privcmd"))
		refusal_test(res);
	else
		snprintf(res, RESULT_MAX, "error bad command '%s %s'", verb,
			 arg);
}

/*
 * Answer each new "SEQ VERB [ARG]" in cmd once, with "SEQ TEXT". cmd is
 * polled: libxenstore's watches need its reader thread, which does not
 * work in this static binary (the first request after xs_watch() fails).
 */
static void serve(void)
{
	const struct timespec poll = { .tv_nsec = POLL_MS * 1000000L };
	unsigned long last = 0;

	for (;;) {
		char verb[16] = "", arg[32] = "", res[RESULT_MAX];
		char out[RESULT_MAX + 24];
		unsigned long seq;
		unsigned int n;
		char *cmd;

		nanosleep(&poll, NULL);
		cmd = xs_read(xs, XBT_NULL, DIR "cmd", &n);
		if (!cmd)
			return;
		if (sscanf(cmd, "%lu %15s %31[^\n]", &seq, verb, arg) < 2 ||
		    seq == last) {
			free(cmd);
			continue;
		}
		free(cmd);
		last = seq;
		run(verb, arg, res);
		snprintf(out, sizeof(out), "%lu %s", seq, res);
		printf("domu_agent: %lu %s %s -> %s\n", seq, verb, arg, res);
		if (!xs_put("result", out))
			return;
	}
}

int main(void)
{
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	xs = xs_open(0);
	if (!xs) {
		printf("domu_agent: no xenstore: %s\n", strerror(errno));
		return 1;
	}
	rc = pages_alloc();
	if (rc) {
		printf("domu_agent: cannot pin and translate pages: %s\n",
		       strerror(-rc));
		return 1;
	}
	/* Created by the domU, so that the nodes stay its own. */
	if (!xs_put("cmd", "") || !xs_put("result", "") || !publish_gfns() ||
	    !xs_put("ready", "1")) {
		printf("domu_agent: xenstore write failed: %s\n",
		       strerror(errno));
		return 1;
	}
	printf("domu_agent: ready, %d pages, first gfn %#llx\n", NPAGES,
	       (unsigned long long)gfns[0]);
	serve();
	printf("domu_agent: xenstore failed: %s\n", strerror(errno));
	return 1;
}
