/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen PV-IOMMU tracepoints, on the slow paths only: each iommu_op hypercall
 * and the balloon hooks. The DMA map and unmap paths are dma-direct's and
 * have none of their own.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pv_iommu

#if !defined(__XEN_PV_IOMMU_TRACE_H__) || defined(TRACE_HEADER_MULTI_READ)
#define __XEN_PV_IOMMU_TRACE_H__

#include <linux/tracepoint.h>

/* One hypercall: how many operations, its return code, how many failed. */
TRACE_EVENT(pv_iommu_batch_submit,
	    TP_PROTO(unsigned int ops, u64 first_bfn, int rc,
		     unsigned int failed),
	    TP_ARGS(ops, first_bfn, rc, failed),
	    TP_STRUCT__entry(__field(unsigned int, ops)
			     __field(u64, first_bfn)
			     __field(int, rc)
			     __field(unsigned int, failed)),
	    TP_fast_assign(__entry->ops = ops;
			   __entry->first_bfn = first_bfn;
			   __entry->rc = rc;
			   __entry->failed = failed;),
	    TP_printk("ops=%u first_bfn=%#llx rc=%d failed=%u", __entry->ops,
		      __entry->first_bfn, __entry->rc, __entry->failed)
);

/* Pages leaving dom0 (unmap) or coming back (map), and how many failed. */
DECLARE_EVENT_CLASS(pv_iommu_pages,
		    TP_PROTO(unsigned long count, unsigned long first_pfn,
			     unsigned long failed),
		    TP_ARGS(count, first_pfn, failed),
		    TP_STRUCT__entry(__field(unsigned long, count)
				     __field(unsigned long, first_pfn)
				     __field(unsigned long, failed)),
		    TP_fast_assign(__entry->count = count;
				   __entry->first_pfn = first_pfn;
				   __entry->failed = failed;),
		    TP_printk("count=%lu first_pfn=%#lx failed=%lu",
			      __entry->count, __entry->first_pfn,
			      __entry->failed)
);

DEFINE_EVENT(pv_iommu_pages, pv_iommu_unmap_pages,
	     TP_PROTO(unsigned long count, unsigned long first_pfn,
		      unsigned long failed),
	     TP_ARGS(count, first_pfn, failed)
);

DEFINE_EVENT(pv_iommu_pages, pv_iommu_map_pages,
	     TP_PROTO(unsigned long count, unsigned long first_pfn,
		      unsigned long failed),
	     TP_ARGS(count, first_pfn, failed)
);

#endif /* __XEN_PV_IOMMU_TRACE_H__ */

/* Out of include/trace/: this directory is on batch.o's include path. */
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
