/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's edu DMA engines (PCI 1234:11e8), found by their id. The test
 * machine has two; rig/run-vm.sh gives the one at the lower PCI address a
 * 28-bit DMA mask and the other a 64-bit one, which the guest cannot read
 * from the device itself.
 */
#ifndef PV_IOMMU_EDU_H
#define PV_IOMMU_EDU_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EDU_DEBUGFS	"/sys/kernel/debug/pv-iommu-edu/"

enum edu_which { EDU_28BIT, EDU_64BIT };

static inline int edu_id_is(const char *dev, const char *file, unsigned int want)
{
	char path[300];
	unsigned int id = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", dev, file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%x", &id) != 1)
		id = 0;
	fclose(f);
	return id == want;
}

static inline int edu_filter(const struct dirent *d)
{
	return edu_id_is(d->d_name, "vendor", 0x1234) &&
	       edu_id_is(d->d_name, "device", 0x11e8);
}

/*
 * The PCI name of edu device @which ("" if there is no such device), in a
 * static buffer.
 */
static inline const char *edu_device(enum edu_which which)
{
	static char name[2][sizeof(((struct dirent *)0)->d_name)];
	struct dirent **list;
	int i, n;

	if (name[which][0])
		return name[which];
	n = scandir("/sys/bus/pci/devices", &list, edu_filter, alphasort);
	for (i = 0; i < n; i++) {
		if (i == (int)which)
			snprintf(name[which], sizeof(name[which]), "%s",
				 list[i]->d_name);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	return name[which];
}

/* @file of the 64-bit edu's pv-iommu-edu debugfs directory, in a static buffer. */
static inline const char *edu64_file(const char *file)
{
	static char path[160 + sizeof(((struct dirent *)0)->d_name)];

	snprintf(path, sizeof(path), EDU_DEBUGFS "%s/%s",
		 edu_device(EDU_64BIT), file);
	return path;
}

#endif
