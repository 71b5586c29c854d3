// SPDX-License-Identifier: GPL-2.0
/*
 * Real DMA by QEMU's edu device (pv-iommu-edu-test module) under the
 * running DMA backend: every byte of every random buffer is checked.
 *
 * The test machine has a 28-bit edu at 00:10.0 and a 64-bit one at 00:11.0.
 * Under the PV-IOMMU the 64-bit one must never bounce and must see bus
 * address = physical address; the 28-bit one bounces through the SWIOTLB
 * exactly the buffers that lie beyond its mask.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv_iommu_user.h"
#include "../kselftest_harness.h"

#define EDU_DIR		"/sys/kernel/debug/pv-iommu-edu/"
#define EDU_28BIT	"0000:00:10.0"
#define EDU_64BIT	"0000:00:11.0"
#define PV_IOMMU_STATS	"/sys/kernel/debug/pv-iommu/stats"
#define BUFFERS		"40"

static int write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fputs(val, f) < 0;
	return fclose(f) || rc ? -1 : 0;
}

/* The value of "key value" or "key: value" in a file, or -1. */
static long long read_key(const char *path, const char *key)
{
	char line[256];
	long long val = -1;
	size_t n = strlen(key);
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && (line[n] == ' ' || line[n] == ':'))
			val = strtoll(line + n + 1 + (line[n] == ':'), NULL, 0);
	fclose(f);
	return val;
}

static int pv_iommu_active(void)
{
	FILE *f = fopen(PV_IOMMU_STATS, "r");
	char line[64] = "";

	if (!f)
		return 0;
	fgets(line, sizeof(line), f);
	fclose(f);
	return !strcmp(line, "active: yes\n");
}

static long long bounced(void)
{
	return read_key(PV_IOMMU_STATS, "bounced_bytes");
}

FIXTURE(edu) {
	char run[128];
	char result[128];
};

FIXTURE_VARIANT(edu) {
	const char *device;
	const char *dma_bits;
};

FIXTURE_VARIANT_ADD(edu, mask64) {
	.device = EDU_64BIT,
	.dma_bits = "64",
};

FIXTURE_VARIANT_ADD(edu, mask28) {
	.device = EDU_28BIT,
	.dma_bits = "28",
};

FIXTURE_SETUP(edu)
{
	char bits[128];

	snprintf(self->run, sizeof(self->run), EDU_DIR "%s/run", variant->device);
	snprintf(self->result, sizeof(self->result), EDU_DIR "%s/result",
		 variant->device);
	snprintf(bits, sizeof(bits), EDU_DIR "%s/dma_bits", variant->device);
	ASSERT_EQ(0, write_file(bits, variant->dma_bits))
		TH_LOG("no edu test device %s: pv-iommu-edu-test not loaded?",
		       variant->device);
}

FIXTURE_TEARDOWN(edu)
{
}

TEST_F(edu, random_buffers_round_trip)
{
	long long before = bounced();

	ASSERT_EQ(0, write_file(self->run, BUFFERS " 1"));
	EXPECT_EQ(atoll(BUFFERS), read_key(self->result, "buffers"));
	EXPECT_EQ(0, read_key(self->result, "errors"));
	EXPECT_LT(0, read_key(self->result, "bytes"));

	if (!pv_iommu_active())
		return;
	/* Bus address = physical address wherever the mask reaches. */
	EXPECT_EQ(0, read_key(self->result, "bus_not_phys"));
	/* Only memory beyond the device's mask bounces. */
	EXPECT_EQ(read_key(self->result, "above_mask") > 0, bounced() > before);
	TH_LOG("%s: %lld bytes, %lld bytes bounced", variant->device,
	       read_key(self->result, "bytes"), bounced() - before);
}

/* Where Xen lets dom0 map without references, dom0 must have switched. */
TEST(backend_active_where_xen_allows_it)
{
	struct pv_iommu_op op = { .subop_id = IOMMUOP_query_caps };
	const u16 needed = IOMMU_QUERY_map_cap | IOMMU_QUERY_map_all_gfns;
	int fd = privcmd_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, iommu_op(fd, &op, 1));
	close(fd);
	if ((op.flags & needed) != needed)
		SKIP(return, "Xen does not let dom0 map without references");
	EXPECT_TRUE(pv_iommu_active())
		TH_LOG("see the xen-pv-iommu lines of dmesg");
}

TEST_HARNESS_MAIN
