// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the PV-IOMMU kselftests: user space cannot learn machine
 * frame numbers, so this module tells root, through debugfs, the MFNs of a
 * few dom0 frames with known properties:
 *
 *   pv_iommu_test/page    a zeroed page this module owns until it is removed
 *   pv_iommu_test/pgd     the reader's top-level page table (pinned by Xen)
 *   pv_iommu_test/contig  an MFN-contiguous, aligned run of dom0 RAM frames,
 *                         as "<mfn> <order>" (in use by anything: map it
 *                         read-only only)
 *
 *   pv_iommu_test/fail_next_ops  the next N PV-IOMMU operations fail (Xen
 *                        is handed a subop it does not know for each)
 *
 * MFNs are printed in hex with a 0x prefix.
 *
 * For the benchmark (make bench), it maps all of dom0's memory again at
 * BFN = PFN, at run time, in one of two ways:
 *
 *   pv_iommu_test/remap  write "xenserver": as XenServer's dom0 maps itself
 *                        at boot, order 0, an unmap and a map per page, 128
 *                        operations per hypercall;
 *                        write "ours <max order>": as the driver's boot
 *                        map, the largest orders, 512 operations per call;
 *                        read: "<way> pages <n> ns <n> error <n>" of the
 *                        last run
 *
 * The map is the same before and after, so DMA keeps working; a DMA to a
 * page between its unmap and its map (one hypercall) would fault, so run it
 * on an idle dom0 only. The hypercalls and operations are counted in
 * pv-iommu/stats like all others.
 */

#define pr_fmt(fmt) "xen-pv-iommu-test: " fmt

#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <xen/xen.h>
#include <xen/pv-iommu-dma.h>
#include <asm/xen/page.h>

#include "pv-iommu.h"

#define CONTIG_ORDER	9
/* Operations per hypercall: XenServer's dom0's, and the driver's. */
#define XENSERVER_BATCH_OPS	128
#define OURS_BATCH_OPS		512

static struct dentry *pv_iommu_test_dir;
static struct page *pv_iommu_test_page;

static int page_show(struct seq_file *m, void *v)
{
	seq_printf(m, "0x%lx\n", pfn_to_mfn(page_to_pfn(pv_iommu_test_page)));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(page);

static int pgd_show(struct seq_file *m, void *v)
{
	if (!current->mm)
		return -EINVAL;
	seq_printf(m, "0x%lx\n", virt_to_mfn(current->mm->pgd));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pgd);

/* Is [pfn, pfn + 2^order) RAM backed by aligned, contiguous MFNs? */
static bool contig_run(unsigned long pfn, unsigned int order)
{
	unsigned long first = pv_iommu_ram_mfn(pfn), i;

	if (first == INVALID_P2M_ENTRY || (first & ((1UL << order) - 1)))
		return false;

	for (i = 0; i < (1UL << order); i++)
		if (!page_is_ram(pfn + i) || pv_iommu_ram_mfn(pfn + i) != first + i)
			return false;

	return true;
}

static int contig_show(struct seq_file *m, void *v)
{
	unsigned long pfn;

	for (pfn = 0; pfn + (1UL << CONTIG_ORDER) <= xen_p2m_size;
	     pfn += 1UL << CONTIG_ORDER) {
		if (contig_run(pfn, CONTIG_ORDER)) {
			seq_printf(m, "0x%lx %u\n", __pfn_to_mfn(pfn),
				   CONTIG_ORDER);
			return 0;
		}
		cond_resched();
	}

	return -ENOENT;
}
DEFINE_SHOW_ATTRIBUTE(contig);

static struct {
	struct mutex lock;	/* one remap at a time; guards the rest */
	struct pv_iommu_op ops[OURS_BATCH_OPS];
	const char *way;
	unsigned long pages;
	u64 ns;
	int error;
} remap = { .lock = __MUTEX_INITIALIZER(remap.lock), .way = "none" };

/* Unmap and map again, order 0, every RAM page of dom0. */
static unsigned long remap_xenserver(struct pv_iommu_batch *b)
{
	unsigned long pfn, mfn, pages = 0;

	/* Up to the p2m's end: that is all the RAM dom0 holds. */
	for (pfn = 0; pfn < xen_p2m_size && !b->error; pfn++) {
		mfn = pv_iommu_ram_mfn(pfn);
		if (mfn == INVALID_P2M_ENTRY)
			continue;
		/* A pair never straddles two hypercalls: the size is even. */
		pv_iommu_batch_unmap(b, pfn, 0);
		pv_iommu_batch_map(b, pfn, mfn, 0);
		pages++;
		if (b->nr == b->size)
			cond_resched();
	}
	pv_iommu_batch_submit(b);
	return pages;
}

static ssize_t remap_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct pv_iommu_batch b = { .ops = remap.ops };
	unsigned int max_order;
	char cmd[32] = {};
	u64 start;

	if (count >= sizeof(cmd) || copy_from_user(cmd, ubuf, count))
		return -EINVAL;
	if (!pv_iommu_active)
		return -ENODEV;

	mutex_lock(&remap.lock);
	start = local_clock();
	if (sysfs_streq(cmd, "xenserver")) {
		b.size = XENSERVER_BATCH_OPS;
		remap.way = "xenserver";
		remap.pages = remap_xenserver(&b);
	} else if (sscanf(cmd, "ours %u", &max_order) == 1) {
		b.size = OURS_BATCH_OPS;
		remap.way = "ours";
		remap.pages = pv_iommu_map_ram(&b, max_order);
	} else {
		mutex_unlock(&remap.lock);
		return -EINVAL;
	}
	remap.ns = local_clock() - start;
	remap.error = b.error;
	mutex_unlock(&remap.lock);
	return b.error ?: count;
}

static int remap_show(struct seq_file *m, void *v)
{
	mutex_lock(&remap.lock);
	seq_printf(m, "%s pages %lu ns %llu error %d\n", remap.way,
		   remap.pages, remap.ns, remap.error);
	mutex_unlock(&remap.lock);
	return 0;
}

static int remap_open(struct inode *inode, struct file *file)
{
	return single_open(file, remap_show, NULL);
}

static const struct file_operations remap_fops = {
	.owner = THIS_MODULE,
	.open = remap_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = remap_write,
};

static int __init pv_iommu_test_init(void)
{
	if (!pv_iommu_pv_dom0())
		return -ENODEV;

	pv_iommu_test_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!pv_iommu_test_page)
		return -ENOMEM;

	pv_iommu_test_dir = debugfs_create_dir("pv_iommu_test", NULL);
	debugfs_create_file("page", 0400, pv_iommu_test_dir, NULL, &page_fops);
	debugfs_create_file("pgd", 0400, pv_iommu_test_dir, NULL, &pgd_fops);
	debugfs_create_file("contig", 0400, pv_iommu_test_dir, NULL,
			    &contig_fops);
	debugfs_create_file("remap", 0600, pv_iommu_test_dir, NULL,
			    &remap_fops);
	debugfs_create_atomic_t("fail_next_ops", 0600, pv_iommu_test_dir,
				&pv_iommu_fail_next_ops);
	return 0;
}
module_init(pv_iommu_test_init);

static void __exit pv_iommu_test_exit(void)
{
	debugfs_remove_recursive(pv_iommu_test_dir);
	atomic_set(&pv_iommu_fail_next_ops, 0);
	__free_page(pv_iommu_test_page);
}
module_exit(pv_iommu_test_exit);

MODULE_DESCRIPTION("Xen PV-IOMMU kselftest helper: MFNs of test frames");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(XEN_PV_IOMMU_TEST);
