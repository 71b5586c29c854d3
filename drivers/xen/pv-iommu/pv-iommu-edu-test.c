// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA test driver for QEMU's "edu" device, for the PV-IOMMU kselftests.
 *
 * edu copies up to 4 KiB between its own buffer and memory with a DMA
 * engine whose address mask is a QEMU property. For each random buffer this
 * driver DMAs a pattern into the device and back into memory, through
 * dma_map_single(), dma_map_sg() or dma_alloc_coherent() in turn, and
 * checks every byte. Root drives it through debugfs:
 *
 *   pv-iommu-edu/<pci device>/dma_bits  DMA mask width (default 28)
 *   pv-iommu-edu/<pci device>/run       write "<buffers> <seed>"
 *   pv-iommu-edu/<pci device>/result    what the last run found (mappings
 *                                       of memory beyond the mask: above_mask)
 *   pv-iommu-edu/<pci device>/foreign   write "to|from <domid> <gfn> <ioserver>
 *                                       <seed> <page>": DMA to or from a
 *                                       guest's frame (pv_iommu_map_foreign())
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/prandom.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <xen/pv_iommu_api.h>

#define EDU_VENDOR_ID		0x1234	/* QEMU's */
#define EDU_DEVICE_ID		0x11e8
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_MEMORY	0x2
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		4096
/* edu completes a transfer 100 ms (QEMU virtual time) after it starts. */
#define EDU_DMA_TIMEOUT_US	(2 * USEC_PER_SEC)

struct edu_result {
	u64 buffers;
	u64 bytes;
	u64 errors;
	u64 bus_not_phys;
	u64 above_mask;
};

struct edu_dev {
	struct pci_dev *pdev;
	void __iomem *mmio;
	struct dentry *dir;
	struct mutex lock;	/* one run at a time */
	u32 dma_bits;
	struct edu_result result;
};

static struct dentry *edu_debugfs;

static int edu_dma(struct edu_dev *edu, dma_addr_t addr, size_t len,
		   bool to_memory)
{
	u64 cmd;

	writeq(to_memory ? EDU_BUF_ADDR : addr, edu->mmio + EDU_REG_DMA_SRC);
	writeq(to_memory ? addr : EDU_BUF_ADDR, edu->mmio + EDU_REG_DMA_DST);
	writeq(len, edu->mmio + EDU_REG_DMA_COUNT);
	writeq(EDU_DMA_RUN | (to_memory ? EDU_DMA_TO_MEMORY : 0),
	       edu->mmio + EDU_REG_DMA_CMD);
	return readq_poll_timeout(edu->mmio + EDU_REG_DMA_CMD, cmd,
				  !(cmd & EDU_DMA_RUN), 1000,
				  EDU_DMA_TIMEOUT_US);
}

/*
 * Where the mask reaches all memory, bus address = physical address; a
 * buffer beyond the mask has to bounce.
 */
static void edu_check_bus_address(struct edu_dev *edu, void *buf,
				  size_t len, dma_addr_t addr)
{
	struct device *dev = &edu->pdev->dev;
	phys_addr_t phys = virt_to_phys(buf);

	if (dma_get_mask(dev) >= dma_get_required_mask(dev) && addr != phys)
		edu->result.bus_not_phys++;
	if (phys + len - 1 > dma_get_mask(dev))
		edu->result.above_mask++;
}

/* Copy @len bytes from @src into the device and from there into @dst. */
static int edu_round_trip_single(struct edu_dev *edu, void *src, void *dst,
				 size_t len)
{
	struct device *dev = &edu->pdev->dev;
	dma_addr_t a, b;
	int rc;

	a = dma_map_single(dev, src, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, a))
		return -ENOMEM;
	edu_check_bus_address(edu, src, len, a);
	rc = edu_dma(edu, a, len, false);
	dma_unmap_single(dev, a, len, DMA_TO_DEVICE);
	if (rc)
		return rc;

	b = dma_map_single(dev, dst, len, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, b))
		return -ENOMEM;
	edu_check_bus_address(edu, dst, len, b);
	rc = edu_dma(edu, b, len, true);
	dma_unmap_single(dev, b, len, DMA_FROM_DEVICE);
	return rc;
}

/* The same through a one-entry scatterlist. */
static int edu_round_trip_sg(struct edu_dev *edu, void *src, void *dst,
			     size_t len)
{
	struct device *dev = &edu->pdev->dev;
	struct scatterlist sg;
	int rc;

	sg_init_one(&sg, src, len);
	if (!dma_map_sg(dev, &sg, 1, DMA_TO_DEVICE))
		return -ENOMEM;
	edu_check_bus_address(edu, src, len, sg_dma_address(&sg));
	rc = edu_dma(edu, sg_dma_address(&sg), len, false);
	dma_unmap_sg(dev, &sg, 1, DMA_TO_DEVICE);
	if (rc)
		return rc;

	sg_init_one(&sg, dst, len);
	if (!dma_map_sg(dev, &sg, 1, DMA_FROM_DEVICE))
		return -ENOMEM;
	edu_check_bus_address(edu, dst, len, sg_dma_address(&sg));
	rc = edu_dma(edu, sg_dma_address(&sg), len, true);
	dma_unmap_sg(dev, &sg, 1, DMA_FROM_DEVICE);
	return rc;
}

/* The same through one coherent buffer, copied by the CPU. */
static int edu_round_trip_coherent(struct edu_dev *edu, void *src, void *dst,
				   size_t len)
{
	struct device *dev = &edu->pdev->dev;
	dma_addr_t addr;
	void *buf;
	int rc;

	buf = dma_alloc_coherent(dev, len, &addr, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, src, len);
	rc = edu_dma(edu, addr, len, false);
	if (!rc) {
		memset(buf, 0, len);
		rc = edu_dma(edu, addr, len, true);
		memcpy(dst, buf, len);
	}
	dma_free_coherent(dev, len, buf, addr);
	return rc;
}

/*
 * One random buffer: up to the device's 4 KiB at a random offset in two
 * pages, so that many cross a page boundary (where, in a PV dom0, the
 * machine frames are not contiguous).
 */
static int edu_test_buffer(struct edu_dev *edu, struct rnd_state *rnd,
			   unsigned long i)
{
	size_t len = 1 + prandom_u32_state(rnd) % EDU_BUF_SIZE;
	size_t off = prandom_u32_state(rnd) % (2 * PAGE_SIZE - len);
	u8 *src = (u8 *)__get_free_pages(GFP_KERNEL, 1);
	u8 *dst = (u8 *)__get_free_pages(GFP_KERNEL, 1);
	int rc = -ENOMEM;

	if (!src || !dst)
		goto out;
	prandom_bytes_state(rnd, src + off, len);
	memset(dst, 0, 2 * PAGE_SIZE);

	switch (i % 3) {
	case 0:
		rc = edu_round_trip_single(edu, src + off, dst + off, len);
		break;
	case 1:
		rc = edu_round_trip_sg(edu, src + off, dst + off, len);
		break;
	default:
		rc = edu_round_trip_coherent(edu, src + off, dst + off, len);
		break;
	}
	if (!rc && memcmp(src + off, dst + off, len))
		rc = -EIO;
	if (!rc)
		edu->result.bytes += len;
out:
	free_pages((unsigned long)src, 1);
	free_pages((unsigned long)dst, 1);
	return rc;
}

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	struct edu_dev *edu = file->private_data;
	unsigned long buffers, seed, i;
	struct rnd_state rnd;
	char cmd[64] = {};
	int rc;

	if (count >= sizeof(cmd) || copy_from_user(cmd, ubuf, count))
		return -EINVAL;
	if (sscanf(cmd, "%lu %lu", &buffers, &seed) != 2)
		return -EINVAL;

	prandom_seed_state(&rnd, seed);
	mutex_lock(&edu->lock);
	memset(&edu->result, 0, sizeof(edu->result));
	for (i = 0; i < buffers; i++) {
		rc = edu_test_buffer(edu, &rnd, i);
		edu->result.buffers++;
		if (rc) {
			edu->result.errors++;
			dev_err(&edu->pdev->dev, "buffer %lu: %d\n", i, rc);
		}
	}
	mutex_unlock(&edu->lock);
	return count;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = run_write,
};

static int result_show(struct seq_file *m, void *unused)
{
	struct edu_dev *edu = m->private;

	mutex_lock(&edu->lock);
	seq_printf(m, "buffers %llu\nbytes %llu\nerrors %llu\nbus_not_phys %llu\nabove_mask %llu\n",
		   edu->result.buffers, edu->result.bytes, edu->result.errors,
		   edu->result.bus_not_phys, edu->result.above_mask);
	mutex_unlock(&edu->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(result);

static int dma_bits_get(void *data, u64 *val)
{
	struct edu_dev *edu = data;

	*val = edu->dma_bits;
	return 0;
}

static int dma_bits_set(void *data, u64 val)
{
	struct edu_dev *edu = data;
	int rc;

	if (val < 12 || val > 64)
		return -EINVAL;
	mutex_lock(&edu->lock);
	rc = dma_set_mask_and_coherent(&edu->pdev->dev, DMA_BIT_MASK(val));
	if (!rc)
		edu->dma_bits = val;
	mutex_unlock(&edu->lock);
	return rc;
}
DEFINE_DEBUGFS_ATTRIBUTE(dma_bits_fops, dma_bits_get, dma_bits_set, "%llu\n");

/* The bytes the domU agent writes and checks (selftests' pattern.h). */
static u8 foreign_pattern(u32 seed, u32 page, u32 off)
{
	return (u8)(((seed * 2654435761u) >> 24) ^ (page * 131u + off * 7u));
}

/*
 * One page between @buf and the foreign bus address @bus, through the
 * device's buffer: what an emulator's device does with a guest's frame.
 */
static int edu_foreign_copy(struct edu_dev *edu, void *buf, dma_addr_t bus,
			    bool to_guest)
{
	struct device *dev = &edu->pdev->dev;
	enum dma_data_direction dir = to_guest ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	dma_addr_t a;
	int rc;

	a = dma_map_single(dev, buf, PAGE_SIZE, dir);
	if (dma_mapping_error(dev, a))
		return -ENOMEM;
	if (to_guest) {
		rc = edu_dma(edu, a, PAGE_SIZE, false);
		if (!rc)
			rc = edu_dma(edu, bus, PAGE_SIZE, true);
	} else {
		rc = edu_dma(edu, bus, PAGE_SIZE, false);
		if (!rc)
			rc = edu_dma(edu, a, PAGE_SIZE, true);
	}
	dma_unmap_single(dev, a, PAGE_SIZE, dir);
	return rc;
}

static int edu_foreign(struct edu_dev *edu, bool to_guest, domid_t domid,
		       xen_pfn_t gfn, ioservid_t ioserver, u32 seed, u32 page)
{
	u8 *buf = (u8 *)__get_free_page(GFP_KERNEL);
	dma_addr_t bus;
	unsigned int i;
	int rc;

	if (!buf)
		return -ENOMEM;
	for (i = 0; to_guest && i < PAGE_SIZE; i++)
		buf[i] = foreign_pattern(seed, page, i);
	rc = pv_iommu_map_foreign(domid, gfn, ioserver, 0, &bus);
	if (!rc) {
		rc = edu_foreign_copy(edu, buf, bus, to_guest);
		pv_iommu_unmap_foreign(bus, ioserver);
	}
	for (i = 0; !rc && !to_guest && i < PAGE_SIZE; i++)
		if (buf[i] != foreign_pattern(seed, page, i))
			rc = -EILSEQ;
	free_page((unsigned long)buf);
	return rc;
}

/*
 * "to|from DOMID GFN IOSERVER SEED PAGE": write the domU agent's pattern
 * for (SEED, PAGE) into the guest frame GFN, or check that it is there,
 * through a bus address from pv_iommu_map_foreign(). The write fails with
 * the error.
 */
static ssize_t foreign_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct edu_dev *edu = file->private_data;
	unsigned int domid, ioserver, seed, page;
	char cmd[96] = {}, dir[8];
	unsigned long gfn;
	int rc;

	if (count >= sizeof(cmd) || copy_from_user(cmd, ubuf, count))
		return -EINVAL;
	if (sscanf(cmd, "%7s %u %lx %u %x %u", dir, &domid, &gfn, &ioserver,
		   &seed, &page) != 6 ||
	    (strcmp(dir, "to") && strcmp(dir, "from")))
		return -EINVAL;

	mutex_lock(&edu->lock);
	rc = edu_foreign(edu, !strcmp(dir, "to"), domid, gfn, ioserver, seed,
			 page);
	mutex_unlock(&edu->lock);
	return rc ?: count;
}

static const struct file_operations foreign_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = foreign_write,
};

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_dev *edu;
	int rc;

	edu = devm_kzalloc(&pdev->dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;
	rc = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (rc)
		return rc;
	edu->mmio = pcim_iomap_table(pdev)[0];
	edu->pdev = pdev;
	mutex_init(&edu->lock);
	pci_set_master(pdev);

	/* edu's default; the tests widen it for a device QEMU made wider. */
	edu->dma_bits = 28;
	rc = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(edu->dma_bits));
	if (rc)
		return rc;

	edu->dir = debugfs_create_dir(pci_name(pdev), edu_debugfs);
	debugfs_create_file("run", 0200, edu->dir, edu, &run_fops);
	debugfs_create_file("result", 0400, edu->dir, edu, &result_fops);
	debugfs_create_file_unsafe("dma_bits", 0600, edu->dir, edu,
				   &dma_bits_fops);
	debugfs_create_file("foreign", 0200, edu->dir, edu, &foreign_fops);
	pci_set_drvdata(pdev, edu);
	return 0;
}

static void edu_remove(struct pci_dev *pdev)
{
	struct edu_dev *edu = pci_get_drvdata(pdev);

	debugfs_remove_recursive(edu->dir);
	mutex_destroy(&edu->lock);
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{}
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = "pv-iommu-edu-test",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};

static int __init edu_test_init(void)
{
	int rc;

	edu_debugfs = debugfs_create_dir("pv-iommu-edu", NULL);
	rc = pci_register_driver(&edu_driver);
	if (rc)
		debugfs_remove_recursive(edu_debugfs);
	return rc;
}
module_init(edu_test_init);

static void __exit edu_test_exit(void)
{
	pci_unregister_driver(&edu_driver);
	debugfs_remove_recursive(edu_debugfs);
}
module_exit(edu_test_exit);

MODULE_DESCRIPTION("DMA test driver for QEMU's edu device (PV-IOMMU kselftests)");
MODULE_LICENSE("GPL");
