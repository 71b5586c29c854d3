// SPDX-License-Identifier: GPL-2.0
/*
 * gntdev's dma-buf of a guest's grants (IOCTL_GNTDEV_DMABUF_EXP_FROM_REFS),
 * for the backends stage: dom0 exports the domU agent's granted pages as a
 * dma-buf, and pv-iommu-edu-test imports it for an edu device, as a
 * device's driver would (its dmabuf file, written from this process, which
 * holds the fd): the device reads every page, which must hold the guest's
 * pattern SEED_IN, then writes pattern SEED_OUT into every page; the stage
 * then asks the guest to check it. The buffer must be released at the end.
 *
 * usage: gntdev_dmabuf DOMID EDU_DIR SEED_IN SEED_OUT REF...
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Xen's public types that its gntdev.h needs and does not include. */
typedef uint32_t grant_ref_t;
typedef uint16_t domid_t;
#include <xen/gntdev.h>

/* "to|from FD SEED" into the edu's dmabuf file: 0 if the write succeeded. */
static int edu_dmabuf(const char *dir, const char *verb, int fd,
		      const char *seed)
{
	char path[256], cmd[64];
	int efd, len, rc = 0;

	snprintf(path, sizeof(path), "%s/dmabuf", dir);
	len = snprintf(cmd, sizeof(cmd), "%s %d %s", verb, fd, seed);
	efd = open(path, O_WRONLY | O_CLOEXEC);
	if (efd < 0 || write(efd, cmd, len) != len) {
		printf("# gntdev_dmabuf: %s: '%s': %s\n", path, cmd,
		       strerror(errno));
		rc = 1;
	}
	if (efd >= 0)
		close(efd);
	return rc;
}

int main(int argc, char **argv)
{
	struct ioctl_gntdev_dmabuf_exp_wait_released wait = {
		.wait_to_ms = 10000,
	};
	struct ioctl_gntdev_dmabuf_exp_from_refs *exp;
	unsigned int n = argc - 5, i;
	int gfd, failed = 0;

	if (argc < 6) {
		fprintf(stderr, "usage: gntdev_dmabuf DOMID EDU_DIR SEED_IN SEED_OUT REF...\n");
		return 2;
	}
	exp = calloc(1, sizeof(*exp) + n * sizeof(exp->refs[0]));
	gfd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
	if (!exp || gfd < 0) {
		perror("gntdev_dmabuf");
		return 2;
	}
	exp->count = n;
	exp->domid = strtoul(argv[1], NULL, 0);
	for (i = 0; i < n; i++)
		exp->refs[i] = strtoul(argv[5 + i], NULL, 0);

	if (ioctl(gfd, IOCTL_GNTDEV_DMABUF_EXP_FROM_REFS, exp)) {
		printf("# gntdev_dmabuf: IOCTL_GNTDEV_DMABUF_EXP_FROM_REFS of %u grants: %s\n",
		       n, strerror(errno));
		return 1;
	}
	printf("# gntdev_dmabuf: %u grants exported as dma-buf fd %u\n", n,
	       exp->fd);

	if (edu_dmabuf(argv[2], "from", exp->fd, argv[3]))
		failed = 1;
	else
		printf("# gntdev_dmabuf: the device read the guest's data\n");
	if (edu_dmabuf(argv[2], "to", exp->fd, argv[4]))
		failed = 1;
	else
		printf("# gntdev_dmabuf: the device wrote the buffer\n");

	/* The last reference goes: gntdev unmaps the grants. */
	wait.fd = exp->fd;
	close(exp->fd);
	if (ioctl(gfd, IOCTL_GNTDEV_DMABUF_EXP_WAIT_RELEASED, &wait) &&
	    errno != ENOENT) {
		printf("# gntdev_dmabuf: the dma-buf was not released: %s\n",
		       strerror(errno));
		failed = 1;
	}
	close(gfd);
	return failed;
}
