/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driving the example emulator (pv-iommu-emu-test) from user space: its
 * debugfs commands, the 64-bit edu it takes over by driver_override, and
 * the PV-IOMMU counters around it. For foreign.c and emu_bench.c.
 */
#ifndef __PV_IOMMU_EMU_CTL_H__
#define __PV_IOMMU_EMU_CTL_H__

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edu.h"

#include "pv_iommu_user.h"

static inline int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

#define EMU_CTL		"/sys/kernel/debug/pv-iommu-emu/ctl"
#define EMU_RESULT	"/sys/kernel/debug/pv-iommu-emu/result"
#define PCI_DEVS	"/sys/bus/pci/devices/"
#define EMU_BATCH	512
/* GFNs per write of "map": the command buffer is 128 KiB. */
#define EMU_GFNS_PER_CMD	4096

/* Bind the 64-bit edu to @driver ("" for none). */
static inline int emu_bind(const char *driver)
{
	const char *edu = edu_device(EDU_64BIT);
	char name[64], path[320];
	int rc;

	/* Unbound already, or bound: either way not bound now. */
	snprintf(path, sizeof(path), PCI_DEVS "%s/driver/unbind", edu);
	write_file(path, edu);
	snprintf(name, sizeof(name), "%s\n", driver);
	snprintf(path, sizeof(path), PCI_DEVS "%s/driver_override", edu);
	rc = write_file(path, name);
	return rc ?: write_file("/sys/bus/pci/drivers_probe", edu);
}

static inline int emu_ctl(const char *fmt, ...)
{
	static char cmd[128 * 1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return write_file(EMU_CTL, cmd);
}

/* "VERB EMU [ARG] GFN..." for @nr GFNs, EMU_GFNS_PER_CMD to a write. */
static inline int emu_gfns(const char *verb, unsigned int emu,
			   const char *arg, const __u64 *gfns, unsigned int nr)
{
	static char cmd[128 * 1024];
	unsigned int i, j;
	int rc = 0, n;

	for (i = 0; i < nr && !rc; i += EMU_GFNS_PER_CMD) {
		n = snprintf(cmd, sizeof(cmd), "%s %u %s", verb, emu, arg);
		for (j = i; j < nr && j < i + EMU_GFNS_PER_CMD; j++)
			n += snprintf(cmd + n, sizeof(cmd) - n, " %llx",
				      (unsigned long long)gfns[j]);
		rc = write_file(EMU_CTL, cmd);
	}
	return rc;
}

/* A number of emulator @emu's line in the result file, -1 if none. */
static inline long emu_result(unsigned int emu, const char *field)
{
	char line[512], key[32], *p;
	unsigned int e;
	long v = -1;
	FILE *f = fopen(EMU_RESULT, "r");

	snprintf(key, sizeof(key), " %s ", field);
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "emu %u", &e) != 1 || e != emu)
			continue;
		p = strstr(line, key);
		if (p)
			v = strtol(p + strlen(key), NULL, 10);
	}
	if (f)
		fclose(f);
	return v;
}

/* A counter of pv-iommu/stats, -1 if none. */
static inline long long stat_of(const char *field)
{
	char line[128], key[40];
	long long v = -1;
	FILE *f = fopen("/sys/kernel/debug/pv-iommu/stats", "r");

	snprintf(key, sizeof(key), "%s: %%lld", field);
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, key, &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/*
 * The guest's RAM GFNs below @max: those a lookup for server @s finds,
 * with a BFN of @s (0) or without (-ENOENT); holes and frames given up
 * answer -ENXIO. Up to @max into @gfns.
 */
static inline unsigned int guest_ram(int fd, __u16 d, __u16 s, __u64 *gfns,
				     unsigned int max)
{
	struct pv_iommu_op *o = calloc(max, sizeof(*o));
	unsigned int gfn, n = 0;

	if (!o)
		return 0;
	for (gfn = 0; gfn < max; gfn++)
		o[gfn] = (struct pv_iommu_op){
			.subop_id = IOMMUOP_lookup_foreign_page, .status = 1,
			.u.lookup_foreign_page = { .gfn = gfn, .domid = d,
						   .ioserver = s },
		};
	if (iommu_op(fd, o, max) == 0)
		for (gfn = 0; gfn < max; gfn++)
			if (!o[gfn].status || o[gfn].status == -ENOENT)
				gfns[n++] = gfn;
	free(o);
	return n;
}

#endif /* __PV_IOMMU_EMU_CTL_H__ */
