// SPDX-License-Identifier: GPL-2.0-only
/*
 * An example emulator of the PV-IOMMU emulator interface
 * (<xen/pv_iommu_api.h>), for the kselftests: it does with QEMU's "edu"
 * what a mediated GPU driver does with its GPU. It opens a context per
 * (guest, IOREQ server), maps guest frames in batches, has the device DMA
 * to and from them, hears through its callback of the frames the guest
 * gives up, unmaps those and maps them again once the guest has them back.
 *
 * The device is bound by driver_override (the edu test driver owns edu
 * otherwise). An in-kernel emulator owns its IOREQ server; here the test
 * in user space serves it and hands each IOREQ_TYPE_INVALIDATE over. Root
 * drives it through debugfs, pv-iommu-emu/ctl, with "CMD EMU ARGS" (numbers
 * in hex, but for open's):
 *
 *   open EMU DOMID IOSERVER    a context on the device for emulator EMU (0-1)
 *   map EMU BATCH GFN...       map the GFNs (hex), BATCH to a call
 *   to EMU SEED GFN...         the device writes the agent's pattern for
 *                              (SEED, page i) into the i-th GFN
 *   from EMU SEED GFN...       the device reads them; the bytes are checked
 *   inval EMU DATA...          the IOREQ server got IOREQ_TYPE_INVALIDATE
 *   stale EMU N                the device writes to N frames given up
 *   drop EMU                   unmap what the guest gave up, in one call
 *   remap EMU BATCH            map what was dropped again, BATCH to a call
 *   unmap EMU BATCH            unmap every mapping, BATCH to a call
 *   close EMU                  close the context (releases all)
 *   range EMU ORDER GFN        map 2^ORDER frames from GFN as one range,
 *                              read-only; check it is aligned to its size
 *                              and reads what single mappings of its
 *                              frames read; unmap both
 *
 * pv-iommu-emu/result says for each emulator what it holds and heard.
 */

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <xen/pv_iommu_api.h>

#include "edu.h"

#define EMU_NR			2
#define EMU_CMD_MAX		SZ_128K

/* What one mapped guest frame is to the emulator. */
struct emu_frame {
	dma_addr_t addr;
	unsigned int invalidations;	/* callbacks for it */
	bool stale;			/* given up, still mapped */
	bool dropped;			/* given up and unmapped */
};

/**
 * struct emu - one emulator
 * @ctx: its context, or NULL
 * @frames: GFN -> struct emu_frame
 * @lock: protects @frames and the counts against the callback
 * @invalidations: callbacks
 * @unknown: callbacks for a frame it does not know
 * @remapped: frames given up and mapped again
 * @not_back: frames given up the guest did not have again
 */
struct emu {
	struct pv_iommu_emu *ctx;
	struct xarray frames;
	spinlock_t lock;	/* @frames' fields, the counts */
	unsigned long invalidations;
	unsigned long unknown;
	unsigned long remapped;
	unsigned long not_back;
};

static struct {
	struct pci_dev *pdev;
	struct edu_engine engine;
	struct mutex lock;	/* one command at a time */
	struct emu emus[EMU_NR];
	struct dentry *dir;
} emu_dev;

static int emu_edu_dma(dma_addr_t addr, size_t len, bool to_memory)
{
	return edu_engine_dma(&emu_dev.engine, addr, len, to_memory);
}

/* The bytes the domU agent writes and checks (selftests' pattern.h). */
static u8 emu_pattern(u32 seed, u32 page, u32 off)
{
	return (u8)(((seed * 2654435761u) >> 24) ^ (page * 131u + off * 7u));
}

/*
 * A page between dom0's @buf and the guest's @guest, through edu's buffer,
 * in halves (QEMU's edu refuses a transfer that ends at its buffer's end).
 */
static int emu_copy_page(void *buf, dma_addr_t guest, bool to_guest)
{
	enum dma_data_direction dir = to_guest ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	struct device *dev = &emu_dev.pdev->dev;
	const size_t half = PAGE_SIZE / 2;
	dma_addr_t a;
	size_t off;
	int rc = 0;

	a = dma_map_single(dev, buf, PAGE_SIZE, dir);
	if (dma_mapping_error(dev, a))
		return -ENOMEM;
	for (off = 0; off < PAGE_SIZE && !rc; off += half) {
		rc = emu_edu_dma((to_guest ? a : guest) + off, half, false);
		if (!rc)
			rc = emu_edu_dma((to_guest ? guest : a) + off, half, true);
	}
	dma_unmap_single(dev, a, PAGE_SIZE, dir);
	return rc;
}

/* The callback: the guest gave up @gfn, mapped at @addr. */
static void emu_invalidate(struct pv_iommu_emu *ctx, dma_addr_t addr,
			   xen_pfn_t gfn, void *data)
{
	struct emu *e = data;
	struct emu_frame *f;

	spin_lock(&e->lock);
	f = xa_load(&e->frames, gfn);
	if (f && f->addr == addr) {
		f->invalidations++;
		f->stale = true;
	} else {
		e->unknown++;
	}
	e->invalidations++;
	spin_unlock(&e->lock);
}

static int emu_open(struct emu *e, unsigned int domid, unsigned int ioserver)
{
	struct pv_iommu_emu *ctx;

	if (e->ctx)
		return -EBUSY;
	ctx = pv_iommu_emu_open(domid, ioserver, &emu_dev.pdev->dev,
				emu_invalidate, e);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	e->ctx = ctx;
	e->invalidations = 0;
	e->unknown = 0;
	e->remapped = 0;
	e->not_back = 0;
	return 0;
}

static void emu_forget_frames(struct emu *e)
{
	struct emu_frame *f;
	unsigned long gfn;

	xa_for_each(&e->frames, gfn, f)
		kfree(xa_erase(&e->frames, gfn));
}

static void emu_close(struct emu *e)
{
	pv_iommu_emu_close(e->ctx);
	e->ctx = NULL;
	emu_forget_frames(e);
}

/* Map @nr GFNs in one call and remember them; all or none. */
static int emu_map_batch(struct emu *e, const xen_pfn_t *gfns,
			 unsigned int nr, dma_addr_t *addrs)
{
	unsigned int i;
	int rc;

	rc = pv_iommu_emu_map(e->ctx, gfns, nr, DMA_BIDIRECTIONAL, 0, addrs);
	for (i = 0; !rc && i < nr; i++) {
		struct emu_frame *f = xa_load(&e->frames, gfns[i]);

		if (!f) {
			f = kzalloc(sizeof(*f), GFP_KERNEL);
			if (!f)
				return -ENOMEM;	/* mapped: close releases */
			rc = xa_insert(&e->frames, gfns[i], f, GFP_KERNEL);
			if (rc) {
				kfree(f);
				return rc;
			}
		}
		spin_lock(&e->lock);
		f->addr = addrs[i];
		f->stale = false;
		f->dropped = false;
		spin_unlock(&e->lock);
	}
	return rc;
}

static int emu_map(struct emu *e, unsigned int batch, const xen_pfn_t *gfns,
		   unsigned int nr)
{
	dma_addr_t *addrs;
	unsigned int i;
	int rc = 0;

	if (!batch)
		return -EINVAL;
	addrs = kvcalloc(batch, sizeof(*addrs), GFP_KERNEL);
	if (!addrs)
		return -ENOMEM;
	for (i = 0; i < nr && !rc; i += batch)
		rc = emu_map_batch(e, gfns + i, min(batch, nr - i), addrs);
	kvfree(addrs);
	return rc;
}

static int emu_dma(struct emu *e, bool to_guest, u32 seed,
		   const xen_pfn_t *gfns, unsigned int nr)
{
	u8 *buf = (u8 *)__get_free_page(GFP_KERNEL);
	struct emu_frame *f;
	unsigned int page, i;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	for (page = 0; page < nr && !rc; page++) {
		f = xa_load(&e->frames, gfns[page]);
		if (!f || f->stale) {
			rc = -ENOENT;
			break;
		}
		for (i = 0; i < PAGE_SIZE; i++)
			buf[i] = to_guest ? emu_pattern(seed, page, i) : 0;
		rc = emu_copy_page(buf, f->addr, to_guest);
		for (i = 0; !rc && !to_guest && i < PAGE_SIZE; i++)
			if (buf[i] != emu_pattern(seed, page, i))
				rc = -EILSEQ;
	}
	free_page((unsigned long)buf);
	return rc;
}

/*
 * The device writes a page to up to @nr frames the guest gave up, as a
 * device still working on them would: their addresses still reach the
 * frames, which Xen keeps, so this must not fault.
 */
static int emu_dma_stale(struct emu *e, unsigned int nr)
{
	u8 *buf = (u8 *)get_zeroed_page(GFP_KERNEL);
	struct emu_frame *f;
	unsigned long gfn;
	int rc = buf ? -ENOENT : -ENOMEM;

	xa_for_each(&e->frames, gfn, f) {
		if (!buf || !nr)
			break;
		if (!f->stale)
			continue;
		rc = emu_copy_page(buf, f->addr, true);
		if (rc)
			break;
		nr--;
	}
	free_page((unsigned long)buf);
	return rc;
}

/*
 * The GFNs (and addresses) of the frames that are stale, or dropped, in
 * arrays the caller frees; their number in @n.
 */
static int emu_collect(struct emu *e, bool dropped, xen_pfn_t **gfns,
		       dma_addr_t **addrs, unsigned int *n)
{
	struct emu_frame *f;
	unsigned long gfn;
	unsigned int nr = 0, i = 0;

	xa_for_each(&e->frames, gfn, f)
		nr += dropped ? f->dropped : f->stale;
	*gfns = kvcalloc(nr + 1, sizeof(**gfns), GFP_KERNEL);
	*addrs = kvcalloc(nr + 1, sizeof(**addrs), GFP_KERNEL);
	if (!*gfns || !*addrs)
		return -ENOMEM;
	xa_for_each(&e->frames, gfn, f) {
		if ((dropped ? f->dropped : f->stale) && i < nr) {
			(*gfns)[i] = gfn;
			(*addrs)[i++] = f->addr;
		}
	}
	*n = i;
	return 0;
}

/*
 * Unmap the frames the guest gave up, in one call: until then Xen keeps
 * them charged to the guest, which cannot have its memory back.
 */
static int emu_drop(struct emu *e)
{
	xen_pfn_t *gfns;
	dma_addr_t *addrs;
	unsigned int n, i;
	int rc;

	rc = emu_collect(e, false, &gfns, &addrs, &n);
	if (!rc)
		rc = pv_iommu_emu_unmap(e->ctx, addrs, n);
	for (i = 0; !rc && i < n; i++) {
		struct emu_frame *f = xa_load(&e->frames, gfns[i]);

		spin_lock(&e->lock);
		f->stale = false;
		f->dropped = true;
		spin_unlock(&e->lock);
	}
	kvfree(gfns);
	kvfree(addrs);
	return rc;
}

/*
 * Map the dropped frames again in batches: those the guest has again get
 * new addresses, the others go.
 */
static int emu_remap(struct emu *e, unsigned int batch)
{
	xen_pfn_t *gfns;
	dma_addr_t *addrs;
	unsigned int n, i, j;
	int rc;

	rc = emu_collect(e, true, &gfns, &addrs, &i);
	for (n = 0; !rc && n < i; n += batch) {
		unsigned int nr = min(batch, i - n);

		if (!emu_map_batch(e, gfns + n, nr, addrs)) {
			e->remapped += nr;
			continue;
		}
		/* Some are not back: one at a time. */
		for (j = n; j < n + nr; j++) {
			if (!emu_map_batch(e, gfns + j, 1, addrs)) {
				e->remapped++;
				continue;
			}
			e->not_back++;
			kfree(xa_erase(&e->frames, gfns[j]));
		}
	}
	kvfree(gfns);
	kvfree(addrs);
	return rc;
}

/* Unmap every frame, @batch to a call. */
static int emu_unmap_all(struct emu *e, unsigned int batch)
{
	xen_pfn_t *gfns = kvcalloc(batch, sizeof(*gfns), GFP_KERNEL);
	dma_addr_t *addrs = kvcalloc(batch, sizeof(*addrs), GFP_KERNEL);
	int rc = gfns && addrs ? 0 : -ENOMEM;
	struct emu_frame *f;
	unsigned long gfn;
	unsigned int n, i;

	while (!rc && !xa_empty(&e->frames)) {
		n = 0;
		xa_for_each(&e->frames, gfn, f) {
			gfns[n] = gfn;
			addrs[n] = f->addr;
			if (++n == batch)
				break;
		}
		rc = pv_iommu_emu_unmap(e->ctx, addrs, n);
		for (i = 0; !rc && i < n; i++)
			kfree(xa_erase(&e->frames, gfns[i]));
	}
	kvfree(gfns);
	kvfree(addrs);
	return rc;
}

/*
 * The device reads the page @index of a range at @range and the same frame
 * through a mapping of its own: the bytes must be the same (read-only
 * guest memory, such as its kernel text, keeps them so).
 */
static int emu_range_page(struct emu *e, dma_addr_t range, xen_pfn_t gfn,
			  unsigned long index, u8 *a, u8 *b)
{
	xen_pfn_t one = gfn + index;
	dma_addr_t single;
	int rc;

	rc = pv_iommu_emu_map(e->ctx, &one, 1, DMA_TO_DEVICE, 0, &single);
	if (rc)
		return rc;
	rc = emu_copy_page(a, range + PFN_PHYS(index), false) ?:
	     emu_copy_page(b, single, false);
	if (!rc && memcmp(a, b, PAGE_SIZE))
		rc = -EILSEQ;
	return pv_iommu_emu_unmap(e->ctx, &single, 1) ?: rc;
}

/*
 * An order > 0 range: aligned to its size, and its first, middle and last
 * pages are the guest's frames (-ERANGE for a misaligned address).
 */
static int emu_range(struct emu *e, unsigned int order, xen_pfn_t gfn)
{
	unsigned long index[] = { 0, BIT(order) / 2, BIT(order) - 1 };
	u8 *a = (u8 *)__get_free_page(GFP_KERNEL);
	u8 *b = (u8 *)__get_free_page(GFP_KERNEL);
	dma_addr_t range;
	unsigned int i;
	int rc;

	rc = a && b ? pv_iommu_emu_map_range(e->ctx, gfn, order,
					     DMA_TO_DEVICE, 0, &range) :
		      -ENOMEM;
	if (rc)
		goto out;
	if (!IS_ALIGNED(range, PAGE_SIZE << order))
		rc = -ERANGE;
	for (i = 0; i < ARRAY_SIZE(index) && !rc; i++)
		rc = emu_range_page(e, range, gfn, index[i], a, b);
	rc = pv_iommu_emu_unmap(e->ctx, &range, 1) ?: rc;
out:
	free_page((unsigned long)a);
	free_page((unsigned long)b);
	return rc;
}

/* Parse up to @max hex numbers from @s. */
static unsigned int emu_parse(char *s, xen_pfn_t *v, unsigned int max)
{
	unsigned int n = 0;
	char *tok;

	while (n < max && (tok = strsep(&s, "\n\t ")))
		if (*tok && !kstrtoull(tok, 16, (u64 *)&v[n]))
			n++;
	return n;
}

static int emu_command(char *cmd)
{
	unsigned int i, a, b, n, max;
	char verb[8], *rest;
	xen_pfn_t *v;
	struct emu *e;
	int rc, at;

	if (sscanf(cmd, "%7s %u %n", verb, &i, &at) != 2 || i >= EMU_NR)
		return -EINVAL;
	e = &emu_dev.emus[i];
	rest = cmd + at;
	if (!strcmp(verb, "open"))
		return sscanf(rest, "%u %u", &a, &b) == 2 ? emu_open(e, a, b) :
							    -EINVAL;
	if (!e->ctx)
		return -ENOENT;
	if (!strcmp(verb, "close")) {
		emu_close(e);
		return 0;
	}
	if (!strcmp(verb, "drop"))
		return emu_drop(e);
	if (!strcmp(verb, "unmap") || !strcmp(verb, "remap") ||
	    !strcmp(verb, "stale")) {
		rc = kstrtouint(strim(rest), 16, &a);
		if (rc || !a)
			return -EINVAL;
		if (verb[0] == 's')
			return emu_dma_stale(e, a);
		return verb[0] == 'u' ? emu_unmap_all(e, a) : emu_remap(e, a);
	}

	/* Each number takes two characters or more: a digit and a space. */
	max = strlen(rest) / 2 + 1;
	v = kvcalloc(max, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	n = emu_parse(rest, v, max);
	rc = -EINVAL;
	if (!strcmp(verb, "map") && n > 1)
		rc = emu_map(e, v[0], v + 1, n - 1);
	else if (!strcmp(verb, "range") && n == 2)
		rc = emu_range(e, v[0], v[1]);
	else if ((!strcmp(verb, "to") || !strcmp(verb, "from")) && n > 1)
		rc = emu_dma(e, !strcmp(verb, "to"), v[0], v + 1, n - 1);
	else if (!strcmp(verb, "inval"))
		for (rc = 0, a = 0; a < n && !rc; a++)
			rc = pv_iommu_emu_ioreq_invalidate(e->ctx, v[a]);
	kvfree(v);
	return rc;
}

static ssize_t ctl_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	char *cmd;
	int rc;

	if (count >= EMU_CMD_MAX)
		return -EINVAL;
	cmd = memdup_user_nul(ubuf, count);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	mutex_lock(&emu_dev.lock);
	rc = emu_command(cmd);
	mutex_unlock(&emu_dev.lock);
	kfree(cmd);
	return rc ?: count;
}

static const struct file_operations ctl_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = ctl_write,
};

static int result_show(struct seq_file *m, void *unused)
{
	unsigned long frames, stale, once, twice;
	struct emu_frame *f;
	unsigned long gfn;
	unsigned int i;

	mutex_lock(&emu_dev.lock);
	for (i = 0; i < EMU_NR; i++) {
		struct emu *e = &emu_dev.emus[i];

		frames = 0;
		stale = 0;
		once = 0;
		twice = 0;
		xa_for_each(&e->frames, gfn, f) {
			frames++;
			stale += f->stale;
			once += f->invalidations == 1;
			twice += f->invalidations > 1;
		}
		seq_printf(m, "emu %u open %d frames %lu stale %lu invalidations %lu once %lu more %lu unknown %lu remapped %lu not_back %lu\n",
			   i, !!e->ctx, frames, stale, e->invalidations, once,
			   twice, e->unknown, e->remapped, e->not_back);
	}
	mutex_unlock(&emu_dev.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(result);

static int emu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int rc;

	if (emu_dev.pdev)
		return -EBUSY;
	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;
	rc = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (rc)
		return rc;
	pci_set_master(pdev);
	rc = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (rc < 0)
		return rc;
	rc = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0),
			      edu_engine_irq, IRQF_SHARED, KBUILD_MODNAME,
			      &emu_dev.engine);
	if (rc)
		return rc;
	/* The 64-bit edu reaches the foreign window. */
	rc = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (rc)
		return rc;
	mutex_lock(&emu_dev.lock);
	emu_dev.engine.mmio = pcim_iomap_table(pdev)[0];
	emu_dev.pdev = pdev;
	mutex_unlock(&emu_dev.lock);
	return 0;
}

/* Unbound (or unloaded): every context goes, with all it mapped. */
static void emu_remove(struct pci_dev *pdev)
{
	unsigned int i;

	mutex_lock(&emu_dev.lock);
	for (i = 0; i < EMU_NR; i++)
		if (emu_dev.emus[i].ctx)
			emu_close(&emu_dev.emus[i]);
	emu_dev.pdev = NULL;
	mutex_unlock(&emu_dev.lock);
}

/* No ID table: bound only through driver_override. */
static struct pci_driver emu_driver = {
	.name = "pv-iommu-emu-test",
	.probe = emu_probe,
	.remove = emu_remove,
};

static int __init emu_test_init(void)
{
	unsigned int i;
	int rc;

	mutex_init(&emu_dev.lock);
	init_completion(&emu_dev.engine.dma_done);
	for (i = 0; i < EMU_NR; i++) {
		xa_init(&emu_dev.emus[i].frames);
		spin_lock_init(&emu_dev.emus[i].lock);
	}
	emu_dev.dir = debugfs_create_dir("pv-iommu-emu", NULL);
	debugfs_create_file("ctl", 0200, emu_dev.dir, NULL, &ctl_fops);
	debugfs_create_file("result", 0400, emu_dev.dir, NULL, &result_fops);
	rc = pci_register_driver(&emu_driver);
	if (rc)
		debugfs_remove_recursive(emu_dev.dir);
	return rc;
}
module_init(emu_test_init);

static void __exit emu_test_exit(void)
{
	pci_unregister_driver(&emu_driver);
	debugfs_remove_recursive(emu_dev.dir);
}
module_exit(emu_test_exit);

MODULE_DESCRIPTION("Example emulator of the Xen PV-IOMMU emulator interface (kselftests)");
MODULE_LICENSE("GPL");
