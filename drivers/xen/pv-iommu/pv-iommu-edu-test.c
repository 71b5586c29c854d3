// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA test driver for QEMU's "edu" device, for the PV-IOMMU kselftests.
 *
 * edu copies up to 4 KiB between its own buffer and memory with a DMA
 * engine whose address mask is a QEMU property. For each random buffer this
 * driver DMAs a pattern into the device and back into memory, through
 * dma_map_single(), dma_map_sg() or dma_alloc_coherent() in turn, and
 * checks every byte. For each mapping it works out from the buffer's
 * physical and machine frames whether the DMA backend must bounce it, so
 * that the tests can compare that with what the backend counted. Root
 * drives it through debugfs:
 *
 *   pv-iommu-edu/<pci device>/dma_bits  DMA mask width (default 28)
 *   pv-iommu-edu/<pci device>/run       write "<buffers> <seed>"
 *   pv-iommu-edu/<pci device>/result    what the last run found
 *   pv-iommu-edu/<pci device>/foreign   write "to|from <domid> <gfn> <ioserver>
 *                                       <seed> <page>": DMA to or from a
 *                                       guest's frame (pv_iommu_emu_map())
 *   pv-iommu-edu/<pci device>/grant     write "<seed>": DMA both ways through a
 *                                       page dom0 grant-maps, as a backend does
 *   pv-iommu-edu/<pci device>/stray     write "<bus address>": the device writes
 *                                       64 bytes there, whatever is behind it
 *   pv-iommu-edu/<pci device>/peek      write "<address>": the device reads 256
 *                                       bytes of firmware's at that machine
 *                                       address; EIO unless they are what the
 *                                       CPU reads there
 *   pv-iommu-edu/stray_targets          a bus address no device may reach: a
 *                                       page of dom0's balloon, with no memory
 *   pv-iommu-edu/<pci device>/balloon   write "<fail out> <fail in>": give a
 *                                       page back to Xen and take it back as
 *                                       the balloon does, failing that many
 *                                       PV-IOMMU operations on the way out
 *                                       and in
 *   pv-iommu-edu/<pci device>/balloon_result  what DMA then reached
 *   pv-iommu-edu/balloon_hold           write "<pages>": take that many pages
 *                                       (with no memory) from the balloon and
 *                                       hold them, as backends do; "0" gives
 *                                       them back. Read: how many are held
 *   pv-iommu-edu/<pci device>/dmabuf    write "to|from <fd> <seed>": import the
 *                                       dma-buf of the writer's fd and DMA the
 *                                       domU agent's pattern into each page,
 *                                       or check it is there
 *   pv-iommu-edu/<pci device>/hotplug   write "<first pfn> <end pfn> <seed>"
 *                                       (hex PFNs): DMA both ways to and from a
 *                                       movable page in [first, end), memory
 *                                       the balloon hot-plugged
 */

#include <linux/debugfs.h>
#include <linux/completion.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-map-ops.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pfn.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/xen/page.h>
#include <xen/balloon.h>
#include <xen/grant_table.h>
#include <xen/mem-reservation.h>
#include <xen/page.h>
#include <xen/pv-iommu-dma.h>
#include <xen/pv_iommu_api.h>

#include "edu.h"
#include "pv-iommu.h"

#define EDU_VENDOR_ID		0x1234	/* QEMU's */
#define EDU_DEVICE_ID		0x11e8
/*
 * QEMU 7.2's edu aborts the whole VM (hw_error) on a transfer that ends at
 * the end of its buffer: 4 KiB at EDU_BUF_ADDR.
 */
#define EDU_MAX_LEN		(EDU_BUF_SIZE - 1)
#define EDU_MAX_BUFFERS		1000000
/* A run's buffers lie in this many blocks of two pages. */
#define EDU_POOL_BLOCKS		32
#define EDU_POOL_ORDER		1
#define EDU_POOL_BYTES		(PAGE_SIZE << EDU_POOL_ORDER)
/* Low blocks held at most while looking for blocks beyond the mask */
#define EDU_POOL_MAX_LOW	(SZ_512M / EDU_POOL_BYTES)

struct edu_result {
	u64 buffers;
	u64 bytes;
	u64 errors;
	u64 bad_bus_addr;	/* not where the backend should have put it */
	u64 bounce_expected;	/* bytes the backend had to bounce */
	u64 mfn_discontig;	/* mappings across machine-discontiguous pages */
	u64 high_blocks;	/* pool blocks beyond the DMA mask */
};

/* What edu_balloon() saw: 1 or 0 each, -1 for a step not taken. */
struct edu_balloon_result {
	int before;		/* DMA reached the page before it left */
	int left;		/* the unmap let it go to Xen */
	int kept_reached;	/* kept: DMA still reached it */
	int mapped;		/* the map back made it reachable, it says */
	int after;		/* DMA reached the new frame */
	int recovered;		/* out and in again: DMA reached it */
};

struct edu_dev {
	struct pci_dev *pdev;
	struct edu_engine engine;
	struct dentry *dir;
	struct mutex lock;	/* one run at a time */
	u32 dma_bits;
	struct edu_result result;
	struct edu_balloon_result balloon;
};

static struct dentry *edu_debugfs;

static int edu_dma(struct edu_dev *edu, dma_addr_t addr, size_t len,
		   bool to_memory)
{
	return edu_engine_dma(&edu->engine, addr, len, to_memory);
}

/* Whether the machine frames behind [phys, phys + len) are not contiguous. */
static bool edu_mfn_discontig(phys_addr_t phys, size_t len)
{
	unsigned long pfn;

	for (pfn = PHYS_PFN(phys); pfn < PHYS_PFN(phys + len - 1); pfn++)
		if (pfn_to_mfn(pfn + 1) != pfn_to_mfn(pfn) + 1)
			return true;
	return false;
}

/*
 * What the backend had to do with a mapping of @len bytes at @buf, and
 * whether it did: dma-direct (dom0 mapped 1:1 by the PV-IOMMU) bounces
 * exactly what lies beyond the mask by physical address and otherwise gives
 * bus address = physical address; xen-swiotlb judges the machine address
 * and also bounces whatever is not machine-contiguous. @may_bounce is
 * false for coherent memory, which is allocated within reach.
 */
static void edu_account_map(struct edu_dev *edu, void *buf, size_t len,
			    dma_addr_t addr, bool may_bounce)
{
	struct device *dev = &edu->pdev->dev;
	phys_addr_t phys = virt_to_phys(buf);
	bool xen_swiotlb = !!get_dma_ops(dev);
	u64 mask = dma_get_mask(dev);
	bool discontig = edu_mfn_discontig(phys, len);
	dma_addr_t direct = phys;
	bool bounce, in_place;

	if (xen_swiotlb)
		direct = PFN_PHYS(pfn_to_mfn(PHYS_PFN(phys))) +
			 offset_in_page(phys);
	bounce = direct + len - 1 > mask || (xen_swiotlb && discontig);
	if (discontig)
		edu->result.mfn_discontig++;
	if (bounce && may_bounce)
		edu->result.bounce_expected += len;
	/* A bounced buffer is elsewhere, an unbounced one where it is. */
	in_place = addr == direct;
	if ((bounce && !may_bounce) || in_place == bounce ||
	    addr + len - 1 > mask)
		edu->result.bad_bus_addr++;
}

/* One transfer between @buf and the device, through dma_map_single(). */
static int edu_dma_single(struct edu_dev *edu, void *buf, size_t len,
			  bool to_memory)
{
	enum dma_data_direction dir = to_memory ? DMA_FROM_DEVICE : DMA_TO_DEVICE;
	struct device *dev = &edu->pdev->dev;
	dma_addr_t addr;
	int rc;

	addr = dma_map_single(dev, buf, len, dir);
	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	edu_account_map(edu, buf, len, addr, true);
	rc = edu_dma(edu, addr, len, to_memory);
	dma_unmap_single(dev, addr, len, dir);
	return rc;
}

/* Copy @len bytes from @src into the device and from there into @dst. */
static int edu_round_trip_single(struct edu_dev *edu, void *src, void *dst,
				 size_t len)
{
	return edu_dma_single(edu, src, len, false) ?:
	       edu_dma_single(edu, dst, len, true);
}

/* One transfer between @buf and the device, through a one-entry sg list. */
static int edu_dma_sg(struct edu_dev *edu, void *buf, size_t len,
		      bool to_memory)
{
	enum dma_data_direction dir = to_memory ? DMA_FROM_DEVICE : DMA_TO_DEVICE;
	struct device *dev = &edu->pdev->dev;
	struct scatterlist sg;
	int rc;

	sg_init_one(&sg, buf, len);
	if (!dma_map_sg(dev, &sg, 1, dir))
		return -ENOMEM;
	edu_account_map(edu, buf, len, sg_dma_address(&sg), true);
	rc = edu_dma(edu, sg_dma_address(&sg), len, to_memory);
	dma_unmap_sg(dev, &sg, 1, dir);
	return rc;
}

/* The same through a one-entry scatterlist. */
static int edu_round_trip_sg(struct edu_dev *edu, void *src, void *dst,
			     size_t len)
{
	return edu_dma_sg(edu, src, len, false) ?:
	       edu_dma_sg(edu, dst, len, true);
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
	edu_account_map(edu, buf, len, addr, false);
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
 * Two-page blocks for a run's buffers. Where the device's mask does not
 * reach all of dom0's memory every other block must lie beyond it, so that
 * the run bounces: the page allocator tends to hand out low pages, so the
 * low ones are held until a high one comes, then given back.
 */
static int edu_pool_fill(struct edu_dev *edu, struct page **pool)
{
	struct device *dev = &edu->pdev->dev;
	u64 mask = dma_get_mask(dev);
	bool want_high = mask < dma_get_required_mask(dev);
	unsigned long nr_low = 0;
	struct page *page, *next;
	LIST_HEAD(low);
	int i, rc = 0;

	for (i = 0; i < EDU_POOL_BLOCKS && !rc; i++) {
		while (!rc) {
			page = alloc_pages(GFP_KERNEL | __GFP_NOWARN,
					   EDU_POOL_ORDER);
			if (!page) {
				rc = -ENOMEM;
			} else if (page_to_phys(page) + EDU_POOL_BYTES - 1 > mask) {
				edu->result.high_blocks++;
				pool[i] = page;
			} else if (!want_high || i % 2) {
				pool[i] = page;
			} else {
				list_add(&page->lru, &low);
				if (++nr_low == EDU_POOL_MAX_LOW)
					rc = -ENOMEM;
				continue;
			}
			break;
		}
	}
	list_for_each_entry_safe(page, next, &low, lru)
		__free_pages(page, EDU_POOL_ORDER);
	if (rc)
		dev_err(dev, "no memory for buffers (beyond mask %#llx)\n", mask);
	return rc;
}

static void edu_pool_free(struct page **pool)
{
	int i;

	for (i = 0; i < EDU_POOL_BLOCKS; i++)
		if (pool[i])
			__free_pages(pool[i], EDU_POOL_ORDER);
}

/*
 * One random buffer: up to the device's 4 KiB (less one byte) at a random
 * offset in a block of two pages, so that many cross a page boundary
 * (where, in a PV dom0, the machine frames are not contiguous), copied
 * between two random blocks of the pool. Every byte is checked, and so are
 * the bytes around it, which must stay untouched.
 */
static int edu_test_buffer(struct edu_dev *edu, struct page **pool,
			   struct rnd_state *rnd, unsigned long i)
{
	size_t len = 1 + prandom_u32_state(rnd) % EDU_MAX_LEN;
	size_t off = prandom_u32_state(rnd) % (EDU_POOL_BYTES - len + 1);
	u32 a = prandom_u32_state(rnd) % EDU_POOL_BLOCKS;
	u32 b = (a + 1 + prandom_u32_state(rnd) % (EDU_POOL_BLOCKS - 1)) %
		EDU_POOL_BLOCKS;
	u8 *src = page_address(pool[a]);
	u8 *dst = page_address(pool[b]);
	int rc;

	prandom_bytes_state(rnd, src + off, len);
	memset(dst, 0, EDU_POOL_BYTES);

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
	if (rc)
		return rc;
	if (memcmp(src + off, dst + off, len) || memchr_inv(dst, 0, off) ||
	    memchr_inv(dst + off + len, 0, EDU_POOL_BYTES - off - len))
		return -EIO;
	edu->result.bytes += len;
	return 0;
}

static void edu_run(struct edu_dev *edu, unsigned long buffers,
		    unsigned long seed)
{
	struct page *pool[EDU_POOL_BLOCKS] = {};
	struct rnd_state rnd;
	unsigned long i;
	int rc;

	prandom_seed_state(&rnd, seed);
	memset(&edu->result, 0, sizeof(edu->result));
	if (edu_pool_fill(edu, pool)) {
		edu->result.errors++;
		goto out;
	}
	for (i = 0; i < buffers; i++) {
		rc = edu_test_buffer(edu, pool, &rnd, i);
		edu->result.buffers++;
		if (!rc)
			continue;
		edu->result.errors++;
		dev_err(&edu->pdev->dev, "buffer %lu: %d\n", i, rc);
		if (rc == -ETIMEDOUT)
			break;	/* the device is not answering */
	}
out:
	edu_pool_free(pool);
}

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	struct edu_dev *edu = file->private_data;
	unsigned long buffers, seed;
	char cmd[64] = {};

	if (count >= sizeof(cmd) || copy_from_user(cmd, ubuf, count))
		return -EINVAL;
	if (sscanf(cmd, "%lu %lu", &buffers, &seed) != 2 ||
	    buffers > EDU_MAX_BUFFERS)
		return -EINVAL;

	mutex_lock(&edu->lock);
	edu_run(edu, buffers, seed);
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
	const struct dma_map_ops *ops;

	mutex_lock(&edu->lock);
	seq_printf(m, "buffers %llu\nbytes %llu\nerrors %llu\nbad_bus_addr %llu\n",
		   edu->result.buffers, edu->result.bytes, edu->result.errors,
		   edu->result.bad_bus_addr);
	seq_printf(m, "bounce_expected %llu\nmfn_discontig %llu\nhigh_blocks %llu\n",
		   edu->result.bounce_expected, edu->result.mfn_discontig,
		   edu->result.high_blocks);
	/* dma-direct, or the ops that replace it (xen-swiotlb) */
	ops = get_dma_ops(&edu->pdev->dev);
	if (ops)
		seq_printf(m, "dma_ops %ps\n", ops);
	else
		seq_puts(m, "dma_ops dma-direct\n");
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
 * One page between @buf and the bus address @bus, through the device's
 * buffer: what an emulator's or a backend's device does with a guest's
 * frame. In halves: QEMU's edu refuses a transfer that ends at its
 * buffer's end.
 */
static int edu_copy_page(struct edu_dev *edu, void *buf, dma_addr_t bus,
			 bool to_guest)
{
	enum dma_data_direction dir = to_guest ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	struct device *dev = &edu->pdev->dev;
	const size_t half = PAGE_SIZE / 2;
	dma_addr_t a;
	size_t off;
	int rc = 0;

	a = dma_map_single(dev, buf, PAGE_SIZE, dir);
	if (dma_mapping_error(dev, a))
		return -ENOMEM;
	for (off = 0; off < PAGE_SIZE && !rc; off += half) {
		rc = edu_dma(edu, (to_guest ? a : bus) + off, half, false);
		if (!rc)
			rc = edu_dma(edu, (to_guest ? bus : a) + off, half, true);
	}
	dma_unmap_single(dev, a, PAGE_SIZE, dir);
	return rc;
}

static int edu_foreign(struct edu_dev *edu, bool to_guest, domid_t domid,
		       xen_pfn_t gfn, ioservid_t ioserver, u32 seed, u32 page)
{
	u8 *buf = (u8 *)__get_free_page(GFP_KERNEL);
	struct pv_iommu_emu *emu;
	dma_addr_t bus;
	unsigned int i;
	int rc;

	if (!buf)
		return -ENOMEM;
	for (i = 0; to_guest && i < PAGE_SIZE; i++)
		buf[i] = foreign_pattern(seed, page, i);
	emu = pv_iommu_emu_open(domid, ioserver, &edu->pdev->dev, NULL, NULL);
	rc = PTR_ERR_OR_ZERO(emu);
	if (!rc)
		rc = pv_iommu_emu_map(emu, &gfn, 1, to_guest ? DMA_FROM_DEVICE :
				      DMA_TO_DEVICE, 0, &bus);
	if (!rc)
		rc = edu_copy_page(edu, buf, bus, to_guest);
	pv_iommu_emu_close(emu);
	for (i = 0; !rc && !to_guest && i < PAGE_SIZE; i++)
		if (buf[i] != foreign_pattern(seed, page, i))
			rc = -EILSEQ;
	free_page((unsigned long)buf);
	return rc;
}

/*
 * "to|from DOMID GFN IOSERVER SEED PAGE": write the domU agent's pattern
 * for (SEED, PAGE) into the guest frame GFN, or check that it is there,
 * through a bus address from pv_iommu_emu_map(). The write fails with
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

/*
 * Whether the device, through the DMA API, moves a page both ways between
 * @buf and @mapped, where dom0 mapped a grant of @granted, and @granted
 * sees it: what blkback's or netback's device does with a guest's page.
 */
static int edu_grant_round_trip(struct edu_dev *edu, u8 *buf,
				struct page *granted, struct page *mapped,
				u32 seed)
{
	struct device *dev = &edu->pdev->dev;
	u8 *frame = page_address(granted);
	dma_addr_t bus;
	unsigned int i;
	int rc;

	bus = dma_map_page(dev, mapped, 0, PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, bus))
		return -ENOMEM;
	for (i = 0; i < PAGE_SIZE; i++)
		buf[i] = foreign_pattern(seed, 0, i);
	rc = edu_copy_page(edu, buf, bus, true);
	for (i = 0; !rc && i < PAGE_SIZE; i++)
		if (frame[i] != foreign_pattern(seed, 0, i))
			rc = -EILSEQ;
	for (i = 0; !rc && i < PAGE_SIZE; i++)
		frame[i] = foreign_pattern(seed, 1, i);
	if (!rc)
		rc = edu_copy_page(edu, buf, bus, false);
	for (i = 0; !rc && i < PAGE_SIZE; i++)
		if (buf[i] != foreign_pattern(seed, 1, i))
			rc = -EILSEQ;
	dma_unmap_page(dev, bus, PAGE_SIZE, DMA_BIDIRECTIONAL);
	return rc;
}

/*
 * dom0 grants a page to itself and maps the grant at a page from
 * gnttab_alloc_pages(), through gnttab_map_refs() as backends do.
 */
static int edu_grant(struct edu_dev *edu, u32 seed)
{
	struct gnttab_unmap_grant_ref unmap;
	struct gnttab_map_grant_ref map;
	struct page *granted, *mapped;
	u8 *buf;
	int ref, rc;

	buf = (u8 *)__get_free_page(GFP_KERNEL);
	granted = alloc_page(GFP_KERNEL | __GFP_ZERO);
	rc = buf && granted ? 0 : -ENOMEM;
	if (rc)
		goto free;
	ref = gnttab_grant_foreign_access(0, xen_page_to_gfn(granted), 0);
	rc = ref < 0 ? ref : gnttab_alloc_pages(1, &mapped);
	if (rc)
		goto end_access;

	gnttab_set_map_op(&map, (unsigned long)page_address(mapped),
			  GNTMAP_host_map, ref, 0);
	rc = gnttab_map_refs(&map, NULL, &mapped, 1);
	if (!rc && map.status != GNTST_okay) {
		dev_err(&edu->pdev->dev, "grant map: status %d\n", map.status);
		rc = -EIO;
	}
	if (rc)
		goto free_mapped;

	rc = edu_grant_round_trip(edu, buf, granted, mapped, seed);
	gnttab_set_unmap_op(&unmap, (unsigned long)page_address(mapped),
			    GNTMAP_host_map, map.handle);
	if (gnttab_unmap_refs(&unmap, NULL, &mapped, 1) ||
	    unmap.status != GNTST_okay) {
		dev_err(&edu->pdev->dev, "grant unmap: status %d\n",
			unmap.status);
		rc = rc ?: -EIO;
	}
free_mapped:
	gnttab_free_pages(1, &mapped);
end_access:
	/* Frees the page once Xen no longer lets anyone map it. */
	if (ref >= 0) {
		gnttab_end_foreign_access(ref, granted);
		granted = NULL;
	}
free:
	if (granted)
		__free_page(granted);
	free_page((unsigned long)buf);
	return rc;
}

static ssize_t grant_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct edu_dev *edu = file->private_data;
	u32 seed;
	int rc;

	rc = kstrtou32_from_user(ubuf, count, 0, &seed);
	if (rc)
		return rc;
	mutex_lock(&edu->lock);
	rc = edu_grant(edu, seed);
	mutex_unlock(&edu->lock);
	return rc ?: count;
}

static const struct file_operations grant_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = grant_write,
};

/*
 * A dma-buf's importer, as a device's driver: the buffer is mapped for the
 * device (dma_buf_map_attachment_unlocked()) and the device writes the
 * domU agent's pattern for (@seed, page) into each page (@to_buf) or reads
 * each page and the pattern must be there (-EILSEQ otherwise). Under
 * dma-direct (the PV-IOMMU) every segment must be at its own PFNs, not
 * bounced (-EADDRNOTAVAIL otherwise).
 */
static int edu_dmabuf(struct edu_dev *edu, bool to_buf, int fd, u32 seed)
{
	struct device *dev = &edu->pdev->dev;
	struct dma_buf_attachment *attach;
	struct sg_dma_page_iter iter;
	struct dma_buf *dmabuf;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;
	u32 page = 0;
	int rc = 0;
	u8 *buf;

	buf = (u8 *)__get_free_page(GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf)) {
		rc = PTR_ERR(dmabuf);
		goto free;
	}
	attach = dma_buf_attach(dmabuf, dev);
	if (IS_ERR(attach)) {
		rc = PTR_ERR(attach);
		goto put;
	}
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		rc = PTR_ERR(sgt);
		goto detach;
	}
	for_each_sgtable_dma_sg(sgt, sg, i) {
		phys_addr_t phys = sg_phys(sg);

		if (!get_dma_ops(dev) && sg_dma_address(sg) != phys) {
			dev_err(dev, "dma-buf segment %u at %pad, not at %pa\n",
				i, &sg_dma_address(sg), &phys);
			rc = -EADDRNOTAVAIL;
			goto unmap;
		}
	}
	for_each_sgtable_dma_page(sgt, &iter, 0) {
		for (i = 0; to_buf && i < PAGE_SIZE; i++)
			buf[i] = foreign_pattern(seed, page, i);
		rc = edu_copy_page(edu, buf, sg_page_iter_dma_address(&iter),
				   to_buf);
		for (i = 0; !rc && !to_buf && i < PAGE_SIZE; i++)
			if (buf[i] != foreign_pattern(seed, page, i))
				rc = -EILSEQ;
		if (rc) {
			dev_err(dev, "dma-buf page %u: %d\n", page, rc);
			break;
		}
		page++;
	}
	/*
	 * gntdev maps and unmaps the buffer with DMA_ATTR_SKIP_CPU_SYNC: what
	 * the device wrote into a bounce buffer (xen-swiotlb bounces the
	 * segments, whose machine frames are not contiguous) reaches the
	 * pages only here.
	 */
	if (to_buf)
		dma_sync_sgtable_for_cpu(dev, sgt, DMA_BIDIRECTIONAL);
unmap:
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
detach:
	dma_buf_detach(dmabuf, attach);
put:
	dma_buf_put(dmabuf);
free:
	free_page((unsigned long)buf);
	return rc;
}

static ssize_t dmabuf_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct edu_dev *edu = file->private_data;
	char cmd[64] = {}, dir[8];
	u32 seed;
	int fd, rc;

	if (count >= sizeof(cmd) || copy_from_user(cmd, ubuf, count))
		return -EINVAL;
	if (sscanf(cmd, "%7s %d %u", dir, &fd, &seed) != 3 ||
	    (strcmp(dir, "to") && strcmp(dir, "from")))
		return -EINVAL;

	mutex_lock(&edu->lock);
	rc = edu_dmabuf(edu, !strcmp(dir, "to"), fd, seed);
	mutex_unlock(&edu->lock);
	return rc ?: count;
}

static const struct file_operations dmabuf_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = dmabuf_write,
};

/*
 * Pages taken from the balloon, with no memory behind them: the balloon
 * hot-plugs memory only for a target beyond every page it holds.
 */
static struct page **edu_held;
static unsigned int edu_nr_held;
static DEFINE_MUTEX(edu_held_lock);

static void edu_release_held(void)
{
	if (edu_nr_held)
		xen_free_ballooned_pages(edu_nr_held, edu_held);
	kvfree(edu_held);
	edu_held = NULL;
	edu_nr_held = 0;
}

/* Give back the pages held, then take @nr_pages from the balloon. */
static int edu_hold(unsigned int nr_pages)
{
	int rc = 0;

	mutex_lock(&edu_held_lock);
	edu_release_held();
	if (nr_pages) {
		edu_held = kvcalloc(nr_pages, sizeof(*edu_held), GFP_KERNEL);
		rc = edu_held ? xen_alloc_ballooned_pages(nr_pages, edu_held) :
				-ENOMEM;
		if (!rc)
			edu_nr_held = nr_pages;
		else
			edu_release_held();
	}
	mutex_unlock(&edu_held_lock);
	return rc;
}

static ssize_t balloon_hold_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	unsigned int nr_pages;
	int rc;

	rc = kstrtouint_from_user(ubuf, count, 0, &nr_pages);
	if (!rc)
		rc = edu_hold(nr_pages);
	return rc ?: count;
}

static int balloon_hold_show(struct seq_file *m, void *unused)
{
	mutex_lock(&edu_held_lock);
	seq_printf(m, "held %u\n", edu_nr_held);
	mutex_unlock(&edu_held_lock);
	return 0;
}

static int balloon_hold_open(struct inode *inode, struct file *file)
{
	return single_open(file, balloon_hold_show, inode->i_private);
}

static const struct file_operations balloon_hold_fops = {
	.owner = THIS_MODULE,
	.open = balloon_hold_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = balloon_hold_write,
};

/*
 * A movable page from the PFNs [@first, @end): memory hot-plugged into
 * ZONE_MOVABLE, which movable allocations try first. The pages that lie
 * elsewhere are held until one comes, then given back.
 */
static struct page *edu_alloc_page_in(unsigned long first, unsigned long end)
{
	struct page *page, *next, *found = NULL;
	unsigned int tries;
	LIST_HEAD(others);

	for (tries = 0; tries < 4096 && !found; tries++) {
		page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN);
		if (!page)
			break;
		if (page_to_pfn(page) >= first && page_to_pfn(page) < end)
			found = page;
		else
			list_add(&page->lru, &others);
	}
	list_for_each_entry_safe(page, next, &others, lru)
		__free_page(page);
	return found;
}

/*
 * Whether the device, through the DMA API, moves a page both ways to and
 * from a page of memory the balloon hot-plugged, at the page's own frame:
 * its bus address must be its physical address (dma-direct, dom0 mapped
 * 1:1) or its machine address (xen-swiotlb), not a bounce buffer's.
 */
static int edu_hotplugged(struct edu_dev *edu, unsigned long first,
			  unsigned long end, u32 seed)
{
	struct device *dev = &edu->pdev->dev;
	struct page *page = edu_alloc_page_in(first, end);
	u8 *buf = (u8 *)__get_free_page(GFP_KERNEL);
	unsigned long pfn;
	dma_addr_t bus, want;
	int rc = 0;

	if (!page || !buf) {
		dev_err(dev, "no page in the PFNs %#lx-%#lx\n", first, end - 1);
		rc = page ? -ENOMEM : -ERANGE;
		goto out;
	}
	pfn = page_to_pfn(page);
	want = get_dma_ops(dev) ? PFN_PHYS(pfn_to_mfn(pfn)) : PFN_PHYS(pfn);
	bus = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, bus)) {
		rc = -ENOMEM;
		goto out;
	}
	dma_unmap_page(dev, bus, PAGE_SIZE, DMA_BIDIRECTIONAL);
	dev_info(dev, "hot-plugged PFN %#lx, MFN %#lx, bus address %pad\n",
		 pfn, pfn_to_mfn(pfn), &bus);
	if (bus != want) {
		dev_err(dev, "bus address %pad, not %pad\n", &bus, &want);
		rc = -EADDRNOTAVAIL;
		goto out;
	}
	/* The same moves as through a grant-mapped page, the page being both. */
	rc = edu_grant_round_trip(edu, buf, page, page, seed);
out:
	if (page)
		__free_page(page);
	free_page((unsigned long)buf);
	return rc;
}

static ssize_t hotplug_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct edu_dev *edu = file->private_data;
	unsigned long first, end;
	char cmd[64] = {};
	u32 seed;
	int rc;

	if (count >= sizeof(cmd) || copy_from_user(cmd, ubuf, count))
		return -EINVAL;
	if (sscanf(cmd, "%lx %lx %u", &first, &end, &seed) != 3 || first >= end)
		return -EINVAL;

	mutex_lock(&edu->lock);
	rc = edu_hotplugged(edu, first, end, seed);
	mutex_unlock(&edu->lock);
	return rc ?: count;
}

static const struct file_operations hotplug_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = hotplug_write,
};

/*
 * The device writes 64 bytes to a raw bus address, bypassing the DMA API:
 * what a stray or stale DMA does. For the tests that the IOMMU stops it.
 */
static int edu_stray(struct edu_dev *edu, u64 addr)
{
	return edu_dma(edu, addr, 64, true);
}

/* A write of "<bus address>" to a file that runs @op on it. */
static ssize_t edu_addr_write(struct file *file, const char __user *ubuf,
			      size_t count, int (*op)(struct edu_dev *, u64))
{
	struct edu_dev *edu = file->private_data;
	u64 addr;
	int rc;

	rc = kstrtou64_from_user(ubuf, count, 0, &addr);
	if (rc)
		return rc;
	mutex_lock(&edu->lock);
	rc = op(edu, addr);
	mutex_unlock(&edu->lock);
	return rc ?: count;
}

/* @name_fops: a write-only file whose "<bus address>" edu_@name() gets. */
#define DEFINE_EDU_ADDR_FILE(name)					\
static ssize_t name##_write(struct file *file, const char __user *ubuf,	\
			    size_t count, loff_t *ppos)			\
{									\
	return edu_addr_write(file, ubuf, count, edu_##name);		\
}									\
									\
static const struct file_operations name##_fops = {			\
	.owner = THIS_MODULE,						\
	.open = simple_open,						\
	.write = name##_write,						\
}

DEFINE_EDU_ADDR_FILE(stray);

#define EDU_PEEK_LEN		256

/*
 * The device reads a raw bus address where firmware keeps something (an
 * E820-reserved range, which Xen maps at its machine address for dom0's
 * devices), through its buffer into a coherent one; the bytes must be what
 * the CPU reads at that address.
 */
static int edu_peek(struct edu_dev *edu, u64 addr)
{
	struct device *dev = &edu->pdev->dev;
	dma_addr_t copy_bus;
	void *copy, *cpu;
	int rc;

	cpu = memremap(addr, EDU_PEEK_LEN, MEMREMAP_WB);
	if (!cpu)
		return -ENXIO;
	copy = dma_alloc_coherent(dev, EDU_PEEK_LEN, &copy_bus, GFP_KERNEL);
	rc = copy ? 0 : -ENOMEM;
	if (!rc)
		rc = edu_dma(edu, addr, EDU_PEEK_LEN, false) ?:
		     edu_dma(edu, copy_bus, EDU_PEEK_LEN, true);
	if (!rc && memcmp(copy, cpu, EDU_PEEK_LEN))
		rc = -EIO;
	if (copy)
		dma_free_coherent(dev, EDU_PEEK_LEN, copy, copy_bus);
	memunmap(cpu);
	return rc;
}

DEFINE_EDU_ADDR_FILE(peek);

/* A page of dom0 with no memory behind it, as backends map grants at. */
static struct page *edu_ballooned;

static int stray_targets_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "ballooned %#llx\n", page_to_phys(edu_ballooned));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stray_targets);

#if IS_ENABLED(CONFIG_XEN_PV_IOMMU_TEST_HELPER)
#define EDU_BALLOON_LEN		2048

/* The device writes a random @pattern to @bus, through its buffer. */
static int edu_write_pattern(struct edu_dev *edu, dma_addr_t bus, u8 *pattern)
{
	struct device *dev = &edu->pdev->dev;
	dma_addr_t src;
	int rc;

	get_random_bytes(pattern, EDU_BALLOON_LEN);
	src = dma_map_single(dev, pattern, EDU_BALLOON_LEN, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, src))
		return -ENOMEM;
	rc = edu_dma(edu, src, EDU_BALLOON_LEN, false) ?:
	     edu_dma(edu, bus, EDU_BALLOON_LEN, true);
	dma_unmap_single(dev, src, EDU_BALLOON_LEN, DMA_TO_DEVICE);
	return rc;
}

/* Whether the device, writing to @page's bus address, reaches @page. */
static int edu_reaches(struct edu_dev *edu, struct page *page, u8 *pattern)
{
	int rc;

	memset(page_address(page), 0, EDU_BALLOON_LEN);
	rc = edu_write_pattern(edu, page_to_phys(page), pattern);
	if (rc)
		return rc;
	return !memcmp(page_address(page), pattern, EDU_BALLOON_LEN);
}

/*
 * A page within the device's DMA mask: the allocator tends to hand out
 * low pages, so the high ones are held until a low one comes.
 */
static struct page *edu_alloc_reachable_page(struct edu_dev *edu)
{
	u64 mask = dma_get_mask(&edu->pdev->dev);
	struct page *page, *next, *found = NULL;
	unsigned int tries;
	LIST_HEAD(high);

	for (tries = 0; tries < 4096 && !found; tries++) {
		page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!page)
			break;
		if (page_to_phys(page) + PAGE_SIZE - 1 <= mask)
			found = page;
		else
			list_add(&page->lru, &high);
	}
	list_for_each_entry_safe(page, next, &high, lru)
		__free_page(page);
	return found;
}

/* The page's frame goes back to Xen, failing @fail operations: 1 if it left. */
static int edu_balloon_out(struct page *page, unsigned int fail)
{
	xen_pfn_t frame = xen_page_to_gfn(page);
	unsigned long left;

	atomic_set(&pv_iommu_fail_next_ops, fail);
	left = xenmem_reservation_va_mapping_reset(1, &page);
	atomic_set(&pv_iommu_fail_next_ops, 0);
	if (left && xenmem_reservation_decrease(1, &frame) != 1)
		return -EIO;
	return left;
}

/* The page gets a new frame from Xen: 1 if devices can reach it, it says. */
static int edu_balloon_in(struct page *page, unsigned int fail)
{
	xen_pfn_t frame = page_to_xen_pfn(page);
	unsigned long mapped;

	if (xenmem_reservation_increase(1, &frame) != 1)
		return -ENOMEM;
	atomic_set(&pv_iommu_fail_next_ops, fail);
	mapped = xenmem_reservation_va_mapping_update(1, &page, &frame);
	atomic_set(&pv_iommu_fail_next_ops, 0);
	return mapped;
}

/* Announce a DMA to @page that must fault: rig/check-log.py expects it. */
static void edu_expect_fault(struct edu_dev *edu, struct page *page)
{
	pr_info("@@EXPECT-IOMMU-FAULT %s %llx\n", pci_name(edu->pdev),
		(unsigned long long)page_to_phys(page));
}

/*
 * What the balloon does with a page, step by step, each checked by DMA to
 * the page's bus address (its physical address: dom0 is mapped 1:1).
 */
static int edu_balloon(struct edu_dev *edu, unsigned int fail_out,
		       unsigned int fail_in, struct edu_balloon_result *r)
{
	struct page *page = edu_alloc_reachable_page(edu);
	u8 *buf = kmalloc(EDU_BALLOON_LEN, GFP_KERNEL);
	int rc = -ENOMEM;

	*r = (struct edu_balloon_result){ -1, -1, -1, -1, -1, -1 };
	if (!page || !buf)
		goto out;

	r->before = edu_reaches(edu, page, buf);
	rc = edu_balloon_out(page, fail_out);
	if (rc < 0)
		goto leak;
	r->left = rc;
	if (!r->left) {
		/* Still dom0's and still mapped: ours to free. */
		r->kept_reached = edu_reaches(edu, page, buf);
		goto out;
	}
	/* The CPU has no mapping of it now: only the device writes. */
	edu_expect_fault(edu, page);
	edu_write_pattern(edu, page_to_phys(page), buf);

	rc = edu_balloon_in(page, fail_in);
	if (rc < 0)
		goto leak;
	r->mapped = rc;
	if (r->mapped) {
		r->after = edu_reaches(edu, page, buf);
		goto out;
	}
	/* Unreachable, as it says: DMA must fault. Then out and in again. */
	edu_expect_fault(edu, page);
	r->after = edu_reaches(edu, page, buf);
	rc = edu_balloon_out(page, 0);
	if (rc != 1)
		goto leak;
	rc = edu_balloon_in(page, 0);
	if (rc != 1)
		goto leak;
	r->recovered = edu_reaches(edu, page, buf);
out:
	if (page)
		__free_page(page);
	kfree(buf);
	return rc < 0 ? rc : 0;
leak:
	/* Not a page the allocator may have back. */
	kfree(buf);
	return rc < 0 ? rc : -EIO;
}

static ssize_t balloon_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct edu_dev *edu = file->private_data;
	unsigned int fail_out, fail_in;
	char cmd[32] = {};
	int rc;

	if (count >= sizeof(cmd) || copy_from_user(cmd, ubuf, count))
		return -EINVAL;
	if (sscanf(cmd, "%u %u", &fail_out, &fail_in) != 2)
		return -EINVAL;
	if (!pv_iommu_active)
		return -ENODEV;

	mutex_lock(&edu->lock);
	rc = edu_balloon(edu, fail_out, fail_in, &edu->balloon);
	mutex_unlock(&edu->lock);
	return rc ?: count;
}

static const struct file_operations balloon_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = balloon_write,
};

static int balloon_result_show(struct seq_file *m, void *unused)
{
	struct edu_dev *edu = m->private;
	struct edu_balloon_result *r = &edu->balloon;

	mutex_lock(&edu->lock);
	seq_printf(m, "before %d left %d kept_reached %d mapped %d after %d recovered %d\n",
		   r->before, r->left, r->kept_reached, r->mapped, r->after,
		   r->recovered);
	mutex_unlock(&edu->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(balloon_result);

static void edu_balloon_debugfs(struct edu_dev *edu)
{
	debugfs_create_file("balloon", 0200, edu->dir, edu, &balloon_fops);
	debugfs_create_file("balloon_result", 0400, edu->dir, edu,
			    &balloon_result_fops);
}
#else
static void edu_balloon_debugfs(struct edu_dev *edu) { }
#endif

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
	edu->engine.mmio = pcim_iomap_table(pdev)[0];
	edu->pdev = pdev;
	mutex_init(&edu->lock);
	init_completion(&edu->engine.dma_done);
	pci_set_master(pdev);

	rc = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (rc < 0)
		return rc;
	rc = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0),
			      edu_engine_irq, IRQF_SHARED, KBUILD_MODNAME,
			      &edu->engine);
	if (rc)
		return rc;

	/* edu's default; the tests widen it for a device QEMU made wider. */
	edu->dma_bits = 28;
	rc = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(edu->dma_bits));
	if (rc)
		return rc;
	/* The dma-buf importer moves any segment page by page. */
	rc = dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	if (rc)
		return rc;

	edu->dir = debugfs_create_dir(pci_name(pdev), edu_debugfs);
	debugfs_create_file("run", 0200, edu->dir, edu, &run_fops);
	debugfs_create_file("result", 0400, edu->dir, edu, &result_fops);
	debugfs_create_file_unsafe("dma_bits", 0600, edu->dir, edu,
				   &dma_bits_fops);
	debugfs_create_file("foreign", 0200, edu->dir, edu, &foreign_fops);
	debugfs_create_file("grant", 0200, edu->dir, edu, &grant_fops);
	debugfs_create_file("stray", 0200, edu->dir, edu, &stray_fops);
	debugfs_create_file("peek", 0200, edu->dir, edu, &peek_fops);
	debugfs_create_file("hotplug", 0200, edu->dir, edu, &hotplug_fops);
	debugfs_create_file("dmabuf", 0200, edu->dir, edu, &dmabuf_fops);
	edu_balloon_debugfs(edu);
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

	rc = xen_alloc_ballooned_pages(1, &edu_ballooned);
	if (rc)
		return rc;
	edu_debugfs = debugfs_create_dir("pv-iommu-edu", NULL);
	debugfs_create_file("stray_targets", 0400, edu_debugfs, NULL,
			    &stray_targets_fops);
	debugfs_create_file("balloon_hold", 0600, edu_debugfs, NULL,
			    &balloon_hold_fops);
	rc = pci_register_driver(&edu_driver);
	if (rc) {
		debugfs_remove_recursive(edu_debugfs);
		xen_free_ballooned_pages(1, &edu_ballooned);
	}
	return rc;
}
module_init(edu_test_init);

static void __exit edu_test_exit(void)
{
	pci_unregister_driver(&edu_driver);
	debugfs_remove_recursive(edu_debugfs);
	edu_hold(0);
	xen_free_ballooned_pages(1, &edu_ballooned);
}
module_exit(edu_test_exit);

MODULE_DESCRIPTION("DMA test driver for QEMU's edu device (PV-IOMMU kselftests)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(XEN_PV_IOMMU_TEST);
MODULE_IMPORT_NS(DMA_BUF);
