/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PV-IOMMU ABI for user space tests, and raw hypercalls through
 * /dev/xen/privcmd (dom0 root only).
 */
#ifndef __PV_IOMMU_USER_H__
#define __PV_IOMMU_USER_H__

#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The kernel header is written with the kernel's type names. */
typedef __u16 u16;
typedef __s32 s32;
typedef __u64 u64;
#include "../../../../include/xen/interface/pv_iommu.h"

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

#endif /* __PV_IOMMU_USER_H__ */
