// SPDX-License-Identifier: GPL-2.0-only
/*
 * Xen PV-IOMMU: what the driver did, in debugfs (root only).
 *
 * pv-iommu/stats    hypercalls, operations, pages mapped by order, ...
 * pv-iommu/devices  each PCI device's DMA mask and DMA path
 */

#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <trace/events/swiotlb.h>
#include <xen/xen.h>
#include <xen/pv-iommu-dma.h>

#include "pv-iommu.h"

/*
 * The first BFN nothing maps: above all of dom0's memory, 1 GiB aligned.
 * Up to the foreign window, raw hypercalls (the tests) may use it.
 */
static unsigned long pv_iommu_free_bfns(void)
{
	return round_up(max_possible_pfn, 1UL << (30 - PAGE_SHIFT));
}

static int pv_iommu_stats_show(struct seq_file *m, void *unused)
{
	struct pv_iommu_stats *s = &pv_iommu_stats;
	unsigned int order;

	seq_printf(m, "active: %s\n", pv_iommu_active ? "yes" : "no");
	seq_printf(m, "hypercalls: %lld\n", atomic64_read(&s->hypercalls));
	seq_printf(m, "ops: %lld\n", atomic64_read(&s->ops));
	seq_printf(m, "failed_ops: %lld\n", atomic64_read(&s->failed_ops));
	for (order = 0; order < PV_IOMMU_NR_ORDERS; order++)
		if (atomic64_read(&s->mapped[order]))
			seq_printf(m, "mapped_order_%u: %lld\n", order,
				   atomic64_read(&s->mapped[order]));
	seq_printf(m, "unmapped_pages: %lld\n",
		   atomic64_read(&s->unmapped_pages));
	seq_printf(m, "remapped_pages: %lld\n",
		   atomic64_read(&s->remapped_pages));
	seq_printf(m, "grant_maps: %lld\n", atomic64_read(&s->grant_maps));
	seq_printf(m, "grant_unmaps: %lld\n", atomic64_read(&s->grant_unmaps));
	seq_printf(m, "unmap_failed_pages: %lld\n",
		   atomic64_read(&s->unmap_failed_pages));
	seq_printf(m, "map_failed_pages: %lld\n",
		   atomic64_read(&s->map_failed_pages));
	seq_printf(m, "bounced_bytes: %lld\n", atomic64_read(&s->bounced_bytes));
	seq_printf(m, "emu_contexts: %lld\n", atomic64_read(&s->emu_contexts));
	seq_printf(m, "emu_pages: %lld\n", atomic64_read(&s->emu_pages));
	seq_printf(m, "emu_invalidations: %lld\n",
		   atomic64_read(&s->emu_invalidations));
	seq_printf(m, "boot_map_us: %llu\n", s->boot_map_ns / NSEC_PER_USEC);
	seq_printf(m, "boot_map_hypercalls: %llu\n", s->boot_map_hypercalls);
	seq_printf(m, "boot_map_ops: %llu\n", s->boot_map_ops);
	seq_printf(m, "boot_map_pages: %llu\n", s->boot_map_pages);
	seq_printf(m, "boot_map_max_order: %u\n", s->boot_map_max_order);
	seq_printf(m, "bfn_limit: %#lx\n", pv_iommu_bfn_limit);
	seq_printf(m, "free_bfns: %#lx %#lx\n", pv_iommu_free_bfns(),
		   pv_iommu_foreign_window());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pv_iommu_stats);

static const char *pv_iommu_dma_path(struct device *dev)
{
	if (!pv_iommu_active)
		return "xen-swiotlb";
	if (dma_get_mask(dev) >= dma_get_required_mask(dev))
		return "direct";
	return "direct, swiotlb above mask";
}

static int pv_iommu_devices_show(struct seq_file *m, void *unused)
{
	struct pci_dev *pdev = NULL;

	for_each_pci_dev(pdev) {
		struct device *dev = &pdev->dev;

		seq_printf(m, "%s %04x:%04x mask %#llx %s\n", dev_name(dev),
			   pdev->vendor, pdev->device, dma_get_mask(dev),
			   pv_iommu_dma_path(dev));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pv_iommu_devices);

static void pv_iommu_count_bounce(void *unused, struct device *dev, dma_addr_t addr,
				  size_t size)
{
	atomic64_add(size, &pv_iommu_stats.bounced_bytes);
}

static int __init pv_iommu_debugfs_init(void)
{
	struct dentry *dir;

	if (!pv_iommu_pv_dom0())
		return 0;

	/* Bounces of the native SWIOTLB and of xen-swiotlb alike. */
	register_trace_swiotlb_bounced(pv_iommu_count_bounce, NULL);

	dir = debugfs_create_dir("pv-iommu", NULL);
	debugfs_create_file("stats", 0400, dir, NULL, &pv_iommu_stats_fops);
	debugfs_create_file("devices", 0400, dir, NULL, &pv_iommu_devices_fops);
	return 0;
}
late_initcall(pv_iommu_debugfs_init);
