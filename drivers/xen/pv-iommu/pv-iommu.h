/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interfaces of the Xen PV-IOMMU driver.
 */
#ifndef __XEN_PV_IOMMU_INTERNAL_H__
#define __XEN_PV_IOMMU_INTERNAL_H__

#include <linux/types.h>

/**
 * struct pv_iommu_caps - what Xen's IOMMUOP_query_caps answered
 * @flags: IOMMU_QUERY_* bits
 * @max_order: largest page order map and unmap accept
 */
struct pv_iommu_caps {
	u16 flags;
	unsigned int max_order;
};

int pv_iommu_query_caps(struct pv_iommu_caps *caps);

#endif /* __XEN_PV_IOMMU_INTERNAL_H__ */
