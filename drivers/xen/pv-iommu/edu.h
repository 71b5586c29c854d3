/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU's edu device (hw/misc/edu.c): its DMA engine, as the PV-IOMMU test
 * modules drive it. One transfer at a time between the 4 KiB buffer inside
 * the device and a bus address, completed by an interrupt.
 */
#ifndef __PV_IOMMU_EDU_H__
#define __PV_IOMMU_EDU_H__

#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/types.h>

#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_MEMORY	0x2
#define EDU_DMA_IRQ		0x4
#define EDU_IRQ_DMA_DONE	0x100
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		4096
/*
 * edu completes a transfer 100 ms (QEMU virtual time) after it starts and
 * then interrupts: sleeping rather than polling lets an idle VM under
 * QEMU's -icount sleep=off skip that time.
 */
#define EDU_DMA_TIMEOUT_MS	2000

/* An edu's DMA engine: its registers and the completion of a transfer. */
struct edu_engine {
	void __iomem *mmio;
	struct completion dma_done;
};

/* The interrupt handler; @data is the struct edu_engine. */
static inline irqreturn_t edu_engine_irq(int irq, void *data)
{
	struct edu_engine *e = data;
	u32 status = readl(e->mmio + EDU_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;	/* a shared INTx line: not ours */
	writel(status, e->mmio + EDU_REG_IRQ_ACK);
	if (status & EDU_IRQ_DMA_DONE)
		complete(&e->dma_done);
	return IRQ_HANDLED;
}

/* One transfer of @len bytes between the edu's buffer and @addr. */
static inline int edu_engine_dma(struct edu_engine *e, dma_addr_t addr,
				 size_t len, bool to_memory)
{
	reinit_completion(&e->dma_done);
	writeq(to_memory ? EDU_BUF_ADDR : addr, e->mmio + EDU_REG_DMA_SRC);
	writeq(to_memory ? addr : EDU_BUF_ADDR, e->mmio + EDU_REG_DMA_DST);
	writeq(len, e->mmio + EDU_REG_DMA_COUNT);
	writeq(EDU_DMA_RUN | EDU_DMA_IRQ | (to_memory ? EDU_DMA_TO_MEMORY : 0),
	       e->mmio + EDU_REG_DMA_CMD);
	if (!wait_for_completion_timeout(&e->dma_done,
					 msecs_to_jiffies(EDU_DMA_TIMEOUT_MS)))
		return -ETIMEDOUT;
	return 0;
}

#endif /* __PV_IOMMU_EDU_H__ */
