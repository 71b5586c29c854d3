// SPDX-License-Identifier: GPL-2.0-only
/*
 * Xen PV-IOMMU: take dom0's bus address space over at boot.
 */

#define pr_fmt(fmt) "xen-pv-iommu: " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <xen/xen.h>
#include <xen/pv-iommu-dma.h>

#include "pv-iommu.h"

static bool pv_iommu_disabled __initdata;
/* Largest page order of the boot map (benchmarks); the IOMMU's by default. */
static unsigned int pv_iommu_max_order __initdata = UINT_MAX;

#if IS_ENABLED(CONFIG_XEN_PV_IOMMU_TEST_HELPER)
/* xen_pv_iommu=fail_op:N: operation N (from 0) of the boot map fails. */
static bool __init pv_iommu_parse_fail_op(const char *arg)
{
	unsigned int n;

	if (sscanf(arg, "fail_op:%u", &n) != 1)
		return false;
	atomic_set(&pv_iommu_fail_skip_ops, n);
	atomic_set(&pv_iommu_fail_next_ops, 1);
	return true;
}
#else
static bool __init pv_iommu_parse_fail_op(const char *arg)
{
	return false;
}
#endif

/* xen_pv_iommu=off, xen_pv_iommu=max_order:N (or, for tests, fail_op:N) */
static int __init pv_iommu_parse_param(char *arg)
{
	if (arg && !strcmp(arg, "off"))
		pv_iommu_disabled = true;
	else if (!arg || (sscanf(arg, "max_order:%u", &pv_iommu_max_order) != 1 &&
			  !pv_iommu_parse_fail_op(arg)))
		pr_warn("xen_pv_iommu=%s: not 'off' or 'max_order:N'\n",
			arg ?: "");
	return 0;
}
early_param("xen_pv_iommu", pv_iommu_parse_param);

/* Why dom0 cannot use the interface, or NULL if it can. */
static const char * __init pv_iommu_unusable(struct pv_iommu_caps *caps)
{
	int rc;

	if (!xen_initial_domain())
		return "not the hardware domain";
	if (pv_iommu_disabled)
		return "disabled by xen_pv_iommu=off";

	rc = pv_iommu_query_caps(caps);
	if (rc) {
		pr_info("IOMMUOP_query_caps: %d\n", rc);
		return "the hypervisor has no PV-IOMMU interface";
	}
	if (!(caps->flags & IOMMU_QUERY_map_cap))
		return "the hypervisor does not let dom0 map (no IOMMU, or passthrough)";
	/* Without it every page would need a reference: see batch.c. */
	if (!(caps->flags & IOMMU_QUERY_map_all_gfns))
		return "dom0-strict mode: dom0 may not map without references";

	/* Before anything is mapped: a map that cannot finish changes Xen's. */
	pv_iommu_bfn_limit = pv_iommu_probe_bfn_limit();
	if (max_pfn > pv_iommu_bfn_limit) {
		pr_info("dom0's frames go up to %#lx, Xen's bus frames to %#lx\n",
			max_pfn, pv_iommu_bfn_limit);
		return "dom0's memory lies beyond the bus address space Xen offers";
	}
	return NULL;
}

/**
 * pv_iommu_setup() - map dom0's memory at bus address = physical address
 *
 * Return: 0 when every RAM page of dom0 is mapped 1:1; -ENODEV when dom0
 * must stay on xen-swiotlb (the reason is logged).
 */
int __init pv_iommu_setup(void)
{
	struct pv_iommu_caps caps;
	const char *why = pv_iommu_unusable(&caps);

	if (why) {
		pr_info("%s: using xen-swiotlb\n", why);
		return -ENODEV;
	}

	caps.max_order = min(caps.max_order, pv_iommu_max_order);
	if (pv_iommu_map_dom0(caps.max_order)) {
		pv_iommu_restore_xen_map();
		pr_err("the 1:1 map of dom0's memory failed: using xen-swiotlb\n");
		return -ENODEV;
	}

	pv_iommu_active = true;
	pr_info("dom0's memory mapped at bus address = physical address (max order %u, %lld hypercalls, %llu us): using dma-direct\n",
		caps.max_order, atomic64_read(&pv_iommu_stats.hypercalls),
		pv_iommu_stats.boot_map_ns / NSEC_PER_USEC);
	return 0;
}
