// SPDX-License-Identifier: GPL-2.0
/*
 * Real DMA by QEMU's edu device (pv-iommu-edu-test module) under the
 * running DMA backend: every byte of every random buffer is checked, and
 * the bytes the backend bounced (debugfs pv-iommu/stats) must be exactly
 * those the test driver worked out from each buffer's frames.
 *
 * The test machine has a 28-bit edu and a 64-bit one (edu.h finds them).
 * Under the PV-IOMMU (dma-direct) the 64-bit one must never bounce and must
 * see bus address = physical address, and the 28-bit one bounces through
 * the native SWIOTLB the buffers that lie beyond its mask. Booted with
 * xen_pv_iommu=off, dom0 is on xen-swiotlb, which bounces every buffer
 * whose machine frames are not contiguous, whatever the device's mask.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "edu.h"
#include "pv_iommu_user.h"
#include "../kselftest_harness.h"

#define PV_IOMMU_STATS	"/sys/kernel/debug/pv-iommu/stats"
#define PV_IOMMU_DEVICES "/sys/kernel/debug/pv-iommu/devices"

static int write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fputs(val, f) < 0;
	return fclose(f) || rc ? -1 : 0;
}

/* The line of a file that starts with "key " or "key:", or "". */
static void read_line(const char *path, const char *key, char *buf,
		      size_t size)
{
	size_t n = strlen(key);
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(buf, size, f))
		if (!strncmp(buf, key, n) && (buf[n] == ' ' || buf[n] == ':'))
			break;
	if (feof(f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* The value of "key value" or "key: value" in a file, or -1. */
static long long read_key(const char *path, const char *key)
{
	char line[256];
	size_t n = strlen(key);

	read_line(path, key, line, sizeof(line));
	if (!line[0])
		return -1;
	return strtoll(line + n + 1 + (line[n] == ':'), NULL, 0);
}

static int pv_iommu_active(void)
{
	char line[64];

	read_line(PV_IOMMU_STATS, "active", line, sizeof(line));
	return !strcmp(line, "active: yes");
}

/* Whether this boot asked dom0 to stay on xen-swiotlb. */
static int xen_swiotlb_boot(void)
{
	char cmdline[4096] = " ";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		fgets(cmdline + 1, sizeof(cmdline) - 1, f);
		fclose(f);
	}
	return strstr(cmdline, " xen_pv_iommu=off") ||
	       strstr(cmdline, " xen_pv_iommu=fail_op:");
}

static long long bounced(void)
{
	return read_key(PV_IOMMU_STATS, "bounced_bytes");
}

/* What pv-iommu/devices must say about a device with a DMA mask. */
static void expected_path(char *buf, size_t size, const char *device,
			  const char *mask, int reaches_all)
{
	const char *path = "xen-swiotlb";

	if (!xen_swiotlb_boot())
		path = reaches_all ? "direct" : "direct, swiotlb above mask";
	snprintf(buf, size, "%s 1234:11e8 mask %s %s", device, mask, path);
}

FIXTURE(edu) {
	const char *device;
	char dir[128];
	char path[160];
};

FIXTURE_VARIANT(edu) {
	enum edu_which edu;
	const char *dma_bits;
	const char *mask;
	int reaches_all;	/* the mask reaches all of dom0's memory */
	int buffers;
};

FIXTURE_VARIANT_ADD(edu, mask64) {
	.edu = EDU_64BIT,
	.dma_bits = "64",
	.mask = "0xffffffffffffffff",
	.reaches_all = 1,
	.buffers = 10000,
};

FIXTURE_VARIANT_ADD(edu, mask28) {
	.edu = EDU_28BIT,
	.dma_bits = "28",
	.mask = "0xfffffff",
	.buffers = 300,
};

/* The 64-bit device's driver narrows its mask after probe. */
FIXTURE_VARIANT_ADD(edu, mask64_narrowed_to_28) {
	.edu = EDU_64BIT,
	.dma_bits = "28",
	.mask = "0xfffffff",
	.buffers = 300,
};

/* @path (160 bytes) = @dir/@name */
static const char *edu_path(char *path, const char *dir, const char *name)
{
	snprintf(path, 160, "%s/%s", dir, name);
	return path;
}

FIXTURE_SETUP(edu)
{
	self->device = edu_device(variant->edu);
	ASSERT_NE(0, self->device[0]) TH_LOG("no edu device %d", variant->edu);
	snprintf(self->dir, sizeof(self->dir), EDU_DEBUGFS "%s", self->device);
	ASSERT_EQ(0, write_file(edu_path(self->path, self->dir, "dma_bits"), variant->dma_bits))
		TH_LOG("no edu test device %s, or mask refused",
		       self->device);
}

/* The 64-bit device gets its full mask back, and its path with it. */
FIXTURE_TEARDOWN(edu)
{
	char want[128], line[128];

	if (variant->edu != EDU_64BIT || !strcmp(variant->dma_bits, "64"))
		return;
	ASSERT_EQ(0, write_file(edu_path(self->path, self->dir, "dma_bits"), "64"));
	expected_path(want, sizeof(want), self->device, "0xffffffffffffffff", 1);
	read_line(PV_IOMMU_DEVICES, self->device, line, sizeof(line));
	EXPECT_STREQ(want, line);
}

/*
 * Each transfer takes edu 100 ms of virtual time (the VM may run under
 * QEMU's -icount, where an idle VM skips it): 0.2 s per buffer at most.
 */
TEST_F_TIMEOUT(edu, random_buffers_round_trip, 3000)
{
	char run[64], want[128], line[128];
	long long before = bounced(), delta, expected;
	struct timespec t0, t1;

	expected_path(want, sizeof(want), self->device, variant->mask,
		      variant->reaches_all);
	read_line(PV_IOMMU_DEVICES, self->device, line, sizeof(line));
	EXPECT_STREQ(want, line);

	snprintf(run, sizeof(run), "%d 1", variant->buffers);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, write_file(edu_path(self->path, self->dir, "run"), run));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	delta = bounced() - before;
	expected = read_key(edu_path(self->path, self->dir, "result"), "bounce_expected");

	EXPECT_EQ(variant->buffers, read_key(self->path, "buffers"));
	EXPECT_EQ(0, read_key(self->path, "errors"));
	EXPECT_LT(0, read_key(self->path, "bytes"));
	/* Bus address = physical address, or a bounce buffer within reach. */
	EXPECT_EQ(0, read_key(self->path, "bad_bus_addr"));
	/* Buffers across machine-discontiguous pages were among them. */
	EXPECT_LT(0, read_key(self->path, "mfn_discontig"));
	/* The backend bounced exactly what it had to, byte for byte. */
	EXPECT_EQ(expected, delta);

	read_line(self->path, "dma_ops", line, sizeof(line));
	if (xen_swiotlb_boot()) {
		EXPECT_STREQ("dma_ops xen_swiotlb_dma_ops", line);
		/* What the PV-IOMMU saves: xen-swiotlb copies such buffers. */
		EXPECT_LT(0, delta);
	} else {
		EXPECT_STREQ("dma_ops dma-direct", line);
		if (variant->reaches_all) {
			EXPECT_EQ(0, delta);
		} else {
			/* Half the buffers lie beyond the mask. */
			EXPECT_LT(0, read_key(self->path, "high_blocks"));
			EXPECT_LT(0, delta);
		}
	}
	TH_LOG("%s mask %s: %d buffers, %lld bytes in %.1f s",
	       self->device, variant->mask, variant->buffers,
	       read_key(self->path, "bytes"),
	       t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	TH_LOG("%lld bytes bounced (%lld expected), %lld mappings across discontiguous MFNs",
	       delta, expected, read_key(self->path, "mfn_discontig"));
}

/*
 * A page dom0 grant-maps, as blkback, netback and gntdev map a guest's:
 * the device must reach the granted frame through it, both ways, on any
 * backend (edu's grant file: dom0 grants itself a page).
 */
TEST(grant_mapped_page_round_trip)
{
	EXPECT_EQ(0, write_file(edu64_file("dma_bits"), "64"));
	EXPECT_EQ(0, write_file(edu64_file("grant"), "7"))
		TH_LOG("the device did not move the granted page's data");
}

/*
 * A bus address beyond dom0's RAM (in /proc/iomem) and beyond 4 GiB: below
 * 4 GiB lie firmware-reserved ranges and the MMIO hole, which Xen keeps
 * mapped for devices by design.
 */
static unsigned long long beyond_ram(void)
{
	unsigned long long start, end, top = 1ULL << 32;
	FILE *f = fopen("/proc/iomem", "r");
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx-%llx", &start, &end) == 2 &&
		    strstr(line, " : System RAM") && end + 1 > top)
			top = end + 1;
	if (f)
		fclose(f);
	return top;
}

/*
 * The 64-bit edu writes to @addr, announced as a fault that must come: Xen
 * reports it on its console, which check-log.py holds to the announcement.
 * A second fault of the device is lost while the IOMMU still holds the
 * first one's record: wait for Xen to take it.
 */
static int stray_dma(const char *what, unsigned long long addr)
{
	char val[32];
	int rc;

	printf("# stray DMA to %s, bus address %#llx\n", what, addr);
	printf("@@EXPECT-IOMMU-FAULT %s %llx\n", edu_device(EDU_64BIT), addr);
	fflush(stdout);
	snprintf(val, sizeof(val), "%#llx", addr);
	rc = write_file(edu64_file("stray"), val);
	sleep(1);
	return rc;
}

/*
 * Under the PV-IOMMU a bus address reaches a frame dom0 owns or was
 * granted, or faults: a DMA to a page of dom0's balloon (no memory behind
 * it), or beyond dom0's RAM, must be an IOMMU fault that Xen reports.
 * Xen's boot-time map had BFN = MFN at the first.
 */
TEST(stray_dma_faults)
{
	unsigned long long ballooned = 0;
	FILE *f;

	if (xen_swiotlb_boot())
		SKIP(return, "xen-swiotlb: Xen's own BFN=MFN map");
	f = fopen(EDU_DEBUGFS "stray_targets", "r");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(1, fscanf(f, "ballooned %llx", &ballooned));
	fclose(f);
	ASSERT_NE(0, ballooned);
	EXPECT_EQ(0, stray_dma("a page of the balloon", ballooned));
	EXPECT_EQ(0, stray_dma("a page beyond dom0's RAM", beyond_ram()));
}

/*
 * What firmware keeps in memory: the BIOS ("System ROM", below dom0's
 * highest machine frame, where Xen's BFN = MFN map of RAM was) and
 * page-aligned top-level "Reserved" ranges of /proc/iomem above 1 MiB and
 * below the PCI hole, where MMIO begins (ACPI tables and the like). Up to
 * @max starts into @starts; returns how many.
 */
static int firmware_ranges(unsigned long long *starts, int max)
{
	unsigned long long start, end, pci_hole = 1ULL << 32;
	char line[256];
	int n = 0;
	FILE *f = fopen("/proc/iomem", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx-%llx", &start, &end) == 2 &&
		    strstr(line, " : PCI Bus ") && start >= 1ULL << 20 &&
		    start < pci_hole)
			pci_hole = start;
	if (f)
		rewind(f);
	while (f && n < max && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx", &start, &end) != 2)
			continue;
		if (strstr(line, " : System ROM") ||
		    (line[0] != ' ' && strstr(line, " : Reserved") &&
		     !(start & 0xfff) && start >= 1ULL << 20 && end < pci_hole))
			starts[n++] = start;
	}
	if (f)
		fclose(f);
	return n;
}

/*
 * Review M5: taking the BFN space over removes Xen's BFN = MFN entries of
 * RAM only. What firmware keeps between dom0's RAM (ACPI tables, the BIOS)
 * stays where Xen mapped it for dom0's devices (dom0-iommu=map-reserved):
 * the 64-bit edu reads each such range and gets what the CPU reads there,
 * on either backend.
 */
TEST(firmware_ranges_stay_reachable)
{
	unsigned long long starts[8];
	char val[32];
	int i, n = firmware_ranges(starts, 8);

	ASSERT_LT(0, n) TH_LOG("no firmware range in /proc/iomem");
	ASSERT_EQ(0, write_file(edu64_file("dma_bits"), "64"));
	for (i = 0; i < n; i++) {
		printf("# the device reads firmware's range at %#llx\n", starts[i]);
		snprintf(val, sizeof(val), "%#llx", starts[i]);
		EXPECT_EQ(0, write_file(edu64_file("peek"), val));
	}
}

/*
 * Where Xen lets dom0 map without references, dom0 must have switched,
 * unless xen_pv_iommu=off kept it on xen-swiotlb.
 */
TEST(backend_active_where_xen_allows_it)
{
	struct pv_iommu_op op = { .subop_id = IOMMUOP_query_caps };
	const __u16 needed = IOMMU_QUERY_map_cap | IOMMU_QUERY_map_all_gfns;
	int fd;

	if (xen_swiotlb_boot()) {
		EXPECT_FALSE(pv_iommu_active());
		return;
	}
	fd = privcmd_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, iommu_op(fd, &op, 1));
	close(fd);
	if ((op.flags & needed) != needed)
		SKIP(return, "Xen does not let dom0 map without references");
	EXPECT_TRUE(pv_iommu_active())
		TH_LOG("see the xen-pv-iommu lines of dmesg");
}

TEST_HARNESS_MAIN
