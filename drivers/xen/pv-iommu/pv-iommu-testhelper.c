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
 * MFNs are printed in hex with a 0x prefix.
 */

#define pr_fmt(fmt) "xen-pv-iommu-test: " fmt

#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <xen/xen.h>
#include <asm/xen/page.h>

#define CONTIG_ORDER	9

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
	unsigned long first = __pfn_to_mfn(pfn), i;

	if (first == INVALID_P2M_ENTRY ||
	    (first & (FOREIGN_FRAME_BIT | IDENTITY_FRAME_BIT)) ||
	    (first & ((1UL << order) - 1)))
		return false;

	for (i = 0; i < (1UL << order); i++)
		if (!page_is_ram(pfn + i) || __pfn_to_mfn(pfn + i) != first + i)
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

static int __init pv_iommu_test_init(void)
{
	if (!xen_pv_domain() || !xen_initial_domain())
		return -ENODEV;

	pv_iommu_test_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!pv_iommu_test_page)
		return -ENOMEM;

	pv_iommu_test_dir = debugfs_create_dir("pv_iommu_test", NULL);
	debugfs_create_file("page", 0400, pv_iommu_test_dir, NULL, &page_fops);
	debugfs_create_file("pgd", 0400, pv_iommu_test_dir, NULL, &pgd_fops);
	debugfs_create_file("contig", 0400, pv_iommu_test_dir, NULL,
			    &contig_fops);
	return 0;
}
module_init(pv_iommu_test_init);

static void __exit pv_iommu_test_exit(void)
{
	debugfs_remove_recursive(pv_iommu_test_dir);
	__free_page(pv_iommu_test_page);
}
module_exit(pv_iommu_test_exit);

MODULE_DESCRIPTION("Xen PV-IOMMU kselftest helper: MFNs of test frames");
MODULE_LICENSE("GPL");
