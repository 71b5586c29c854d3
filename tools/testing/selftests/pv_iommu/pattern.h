/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data pattern of the second-domain tests: byte @off of page @page (the
 * page's index in the domU agent's list of GFNs) for a given @seed. The domU
 * agent writes and checks it; dom0 computes the same bytes for DMA.
 */
#ifndef __PV_IOMMU_PATTERN_H__
#define __PV_IOMMU_PATTERN_H__

#include <stdint.h>

static inline uint8_t pv_iommu_pattern(uint32_t seed, uint32_t page, uint32_t off)
{ return (uint8_t)(((seed * 2654435761u) >> 24) ^ (page * 131u + off * 7u)); }

#endif /* __PV_IOMMU_PATTERN_H__ */
