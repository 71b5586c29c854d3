/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PV-IOMMU ABI for user space tests, and raw hypercalls through
 * /dev/xen/privcmd (dom0 root only).
 */
#ifndef __PV_IOMMU_USER_H__
#define __PV_IOMMU_USER_H__

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../../../include/xen/interface/pv_iommu.h"

/* From <xen/interface/xen.h>, which is not written for user space. */
#define __HYPERVISOR_iommu_op		56

/*
 * From <xen/privcmd.h>, whose user space copy includes a kernel-only
 * header and so cannot be included here.
 */
struct privcmd_hypercall {
	__u64 op;
	__u64 arg[5];
};

#define IOCTL_PRIVCMD_HYPERCALL \
	_IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))

static inline int privcmd_open(void)
{
	return open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
}

/* Return the hypercall's value: 0, or a negative errno. */
static inline long iommu_op(int fd, struct pv_iommu_op *ops, unsigned int count)
{
	struct privcmd_hypercall call = {
		.op = __HYPERVISOR_iommu_op,
		.arg = { (__u64)(unsigned long)ops, count },
	};
	long rc = ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &call);

	return rc < 0 ? -errno : rc;
}

/* Any hypercall with up to three arguments, e.g. memory_op. */
static inline long xen_hypercall3(int fd, __u64 op, __u64 a0, __u64 a1,
				  __u64 a2)
{
	struct privcmd_hypercall call = { .op = op, .arg = { a0, a1, a2 } };
	long rc = ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &call);

	return rc < 0 ? -errno : rc;
}

/* Grant maps (<xen/interface/grant_table.h>), as a backend does them. */
#define __HYPERVISOR_grant_table_op	20
#define GNTTABOP_map_grant_ref		0
#define GNTTABOP_unmap_grant_ref	1
#define GNTMAP_device_map		0x1
#define GNTMAP_host_map			0x2
#define GNTMAP_readonly			0x4
#define GNTMAP_request_bfn_map		0x40
#define GNTST_okay			0
#define GNTST_general_error		(-1)
#define GNTST_bad_dev_addr		(-6)

struct gnttab_map_grant_ref {
	__u64 host_addr;
	__u32 flags;
	__u32 ref;
	__u16 dom;
	__s16 status;
	__u32 handle;
	__u64 dev_bus_addr;
};

struct gnttab_unmap_grant_ref {
	__u64 host_addr;
	__u64 dev_bus_addr;
	__u32 handle;
	__s16 status;
};

/*
 * Debug only (Xen's pv-iommu.h): what the interface holds for a domain.
 * Not part of the design's interface; an overlay of struct pv_iommu_op.
 */
#define IOMMUOP_debug_audit		0x8000
#define PV_IOMMU_DOMID_SELF		0x7ff0

struct pv_iommu_audit_op {
	__u16 subop_id;
	__u16 flags;
	__s32 status;
	__u64 mappings;		/* [out] BFNs (4K each) mapped */
	__u32 page_refs;	/* [out] page references held */
	__u32 type_refs;	/* [out] writable type references held */
	__u16 domid;		/* [in] */
	__u16 pad;
	__u32 m2b_entries;	/* [out] M2B entries held */
};

static_assert(sizeof(struct pv_iommu_audit_op) == sizeof(struct pv_iommu_op),
	      "audit op size");

/* Return the op's status, or the call's error. */
static inline int pv_iommu_audit(int fd, __u16 domid,
				 struct pv_iommu_audit_op *a)
{
	long rc;

	*a = (struct pv_iommu_audit_op){
		.subop_id = IOMMUOP_debug_audit,
		.domid = domid,
	};
	rc = iommu_op(fd, (struct pv_iommu_op *)a, 1);
	return rc ? rc : a->status;
}

/*
 * In a kselftest: the audit @now shows what @base did, field by field.
 * (A macro: the harness's EXPECT_EQ() needs the test's context.)
 */
#define EXPECT_AUDIT_EQ(base, now) do {				\
	const struct pv_iommu_audit_op *_b = &(base), *_n = &(now);	\
								\
	EXPECT_EQ(_b->mappings, _n->mappings);			\
	EXPECT_EQ(_b->page_refs, _n->page_refs);		\
	EXPECT_EQ(_b->type_refs, _n->type_refs);		\
	EXPECT_EQ(_b->m2b_entries, _n->m2b_entries);		\
} while (0)

/*
 * Debug only: the IOMMU operations (map, unmap, IOTLB flush) Xen does for
 * the caller from now on fail with -EIO before doing anything, bit i of
 * @pattern for the i-th of them; 0 disarms. Returns the op's status, or the
 * call's error.
 */
#define IOMMUOP_debug_fail		0x8001
/* The bit of the i-th IOMMU operation from now, counted from 0. */
#define FAIL_OP(i)			(1ULL << (i))

struct pv_iommu_fail_op {
	__u16 subop_id;
	__u16 flags;
	__s32 status;
	__u64 pattern;		/* [in] which operations fail */
	__u64 pad[2];
};

static_assert(sizeof(struct pv_iommu_fail_op) == sizeof(struct pv_iommu_op),
	      "fail op size");

static inline int pv_iommu_fail_iommu_ops(int fd, __u64 pattern)
{
	struct pv_iommu_fail_op op = {
		.subop_id = IOMMUOP_debug_fail,
		.pattern = pattern,
	};
	long rc = iommu_op(fd, (struct pv_iommu_op *)&op, 1);

	return rc ? rc : op.status;
}

/*
 * Do @op with the IOMMU operations it does failing as @pattern says, armed
 * in the same call so that no other operation of this domain (the kernel's
 * own) can take the pattern's bits. The op's status, or the call's error.
 */
static inline int pv_iommu_op_failing(int fd, __u64 pattern,
				      struct pv_iommu_op *op)
{
	struct pv_iommu_op ops[2] = { [1] = *op };
	struct pv_iommu_fail_op *arm = (struct pv_iommu_fail_op *)&ops[0];
	long rc;

	arm->subop_id = IOMMUOP_debug_fail;
	arm->pattern = pattern;
	ops[1].status = 1;
	rc = iommu_op(fd, ops, 2);
	*op = ops[1];
	return rc ? rc : arm->status ? arm->status : op->status;
}

/*
 * Debug only, the hardware domain's: hold (@hold) or let go the teardown
 * of @domid, once it is dying, before its devices are released. Returns
 * the op's status, or the call's error.
 */
#define IOMMUOP_debug_hold		0x8002
#define IOMMU_DEBUG_HOLD_teardown	0x1U

struct pv_iommu_hold_op {
	__u16 subop_id;
	__u16 flags;
	__s32 status;
	__u16 domid;		/* [in] */
	__u16 pad[11];
};

static_assert(sizeof(struct pv_iommu_hold_op) == sizeof(struct pv_iommu_op),
	      "hold op size");

static inline int pv_iommu_hold_teardown(int fd, __u16 domid, bool hold)
{
	struct pv_iommu_hold_op op = {
		.subop_id = IOMMUOP_debug_hold,
		.flags = hold ? IOMMU_DEBUG_HOLD_teardown : 0,
		.domid = domid,
	};
	long rc = iommu_op(fd, (struct pv_iommu_op *)&op, 1);

	return rc ? rc : op.status;
}

/*
 * Debug only: what the IOMMU of @domid maps at @bfn, whoever mapped it.
 * 0 and *@mfn, -ENOENT for no entry, or another op status or call error.
 */
#define IOMMUOP_debug_lookup		0x8003

struct pv_iommu_lookup_op {
	__u16 subop_id;
	__u16 flags;		/* [out] IOMMU_OP_readable, _writeable */
	__s32 status;
	__u64 bfn;		/* [in] */
	__u64 mfn;		/* [out] */
	__u16 domid;		/* [in] */
	__u16 pad[3];
};

static_assert(sizeof(struct pv_iommu_lookup_op) == sizeof(struct pv_iommu_op),
	      "lookup op size");

static inline int pv_iommu_iommu_entry(int fd, __u16 domid, __u64 bfn,
				       __u64 *mfn)
{
	struct pv_iommu_lookup_op op = {
		.subop_id = IOMMUOP_debug_lookup,
		.bfn = bfn,
		.domid = domid,
	};
	long rc = iommu_op(fd, (struct pv_iommu_op *)&op, 1);

	*mfn = op.mfn;
	return rc ? rc : op.status;
}

/* The test helper module (pv-iommu-testhelper) and its debugfs files. */
#define HELPER_KO	"/lib/modules/extra/pv-iommu-testhelper.ko"
#define HELPER_DIR	"/sys/kernel/debug/pv_iommu_test/"

#define __HYPERVISOR_memory_op		12
#define XENMEM_machphys_mfn_list	5

struct xen_machphys_mfn_list {
	unsigned int max_extents;
	__u64 extent_start;
	unsigned int nr_extents;
};

/* A frame of Xen's own: the first of its machine-to-phys table. */
static inline int xen_frame(int fd, __u64 *mfn)
{
	__u64 mfns[1] = { 0 };
	struct xen_machphys_mfn_list l = {
		.max_extents = 1,
		.extent_start = (__u64)(unsigned long)mfns,
	};
	long rc = xen_hypercall3(fd, __HYPERVISOR_memory_op,
				 XENMEM_machphys_mfn_list,
				 (__u64)(unsigned long)&l, 0);

	if (rc)
		return rc;
	if (l.nr_extents < 1)
		return -ENOENT;
	*mfn = mfns[0];
	return 0;
}

/* Load the test helper module, whose debugfs files give frames to map. */
static inline void load_helper(void)
{
	int fd = open(HELPER_KO, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	/* Already loaded (EEXIST) is fine; a missing helper fails later. */
	syscall(__NR_finit_module, fd, "", 0);
	close(fd);
}

/* Read "<hex mfn> [order]" from a helper file; return 0 or -errno. */
static inline int helper_read(const char *name, __u64 *mfn, unsigned int *order)
{
	char path[128], buf[64] = "";
	unsigned int o = 0;
	int fd, n;

	snprintf(path, sizeof(path), HELPER_DIR "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	n = n < 0 ? -errno : 0;
	close(fd);
	if (n)
		return n;
	if (sscanf(buf, "%llx %u", (unsigned long long *)mfn, &o) < 1)
		return -EINVAL;
	if (order)
		*order = o;
	return 0;
}

/*
 * The first line of the driver's pv-iommu/stats that @fmt (a key, then one
 * or two %llx) reads: how many values it read, 0 if none does.
 */
static inline int pv_iommu_stats_scan(const char *fmt, unsigned long long *a,
				      unsigned long long *b)
{
	char line[128];
	int n = 0;
	FILE *f = fopen("/sys/kernel/debug/pv-iommu/stats", "r");

	while (f && n <= 0 && fgets(line, sizeof(line), f))
		n = sscanf(line, fmt, a, b);
	if (f)
		fclose(f);
	return n > 0 ? n : 0;
}

/* Bus frames the tests may map with raw hypercalls: at least 2^16. */
#define FREE_BFNS_NEEDED	0x10000ULL

/*
 * The first of a range of BFNs nothing maps, from the driver's
 * "free_bfns: <first> <end>" line in pv-iommu/stats (above dom0's memory,
 * below the kernel's foreign window), or 0 if there is no such range of
 * FREE_BFNS_NEEDED frames. Read once.
 */
static inline __u64 free_bfn(void)
{
	static __u64 first = ~0ULL;
	unsigned long long a, b;

	if (first != ~0ULL)
		return first;
	first = 0;
	if (pv_iommu_stats_scan("free_bfns: %llx %llx", &a, &b) == 2 &&
	    b > a && b - a >= FREE_BFNS_NEEDED)
		first = a;
	return first;
}

/*
 * The first BFN beyond Xen's bus address space, as the driver found it
 * ("bfn_limit:" in pv-iommu/stats), or 0. Read once.
 */
static inline __u64 bfn_space_end(void)
{
	static __u64 limit = ~0ULL;
	unsigned long long v;

	if (limit != ~0ULL)
		return limit;
	limit = 0;
	if (pv_iommu_stats_scan("bfn_limit: %llx", &v, NULL) == 1)
		limit = v;
	return limit;
}

#endif /* __PV_IOMMU_USER_H__ */
