// SPDX-License-Identifier: GPL-2.0
/*
 * lookup_foreign_page where dom0's devices reach every frame at its MFN:
 * dom0 outside strict mode that has not taken its BFN space over from Xen
 * (xen_pv_iommu=off). The answer is the frame's MFN, and the lookup files
 * an M2B entry as a map would, holding the access it reports.
 *
 * Run by the 46-identity stage, in the xen-swiotlb boot, with the test
 * domU up: PV_IOMMU_DOMU is its domid, PV_IOMMU_DOMU_GFNS its agent's
 * pages. Nothing here may map or unmap a BFN of dom0's own: that would take
 * the BFN space over and cut dom0's devices off.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "ioreq_server.h"
#include "pv_iommu_user.h"

#define RW	(IOMMU_OP_readable | IOMMU_OP_writeable)

FIXTURE(identity) {
	int fd;
	__u16 domid;
	__u64 gfn;
	struct ioreq_server *srv;
	__u16 id;
	struct pv_iommu_op *op;
	struct pv_iommu_audit_op base;
};

FIXTURE_SETUP(identity)
{
	const char *domid = getenv("PV_IOMMU_DOMU");
	const char *gfns = getenv("PV_IOMMU_DOMU_GFNS");

	ASSERT_NE(NULL, domid) TH_LOG("PV_IOMMU_DOMU is not set");
	ASSERT_NE(NULL, gfns) TH_LOG("PV_IOMMU_DOMU_GFNS is not set");
	self->domid = strtoul(domid, NULL, 0);
	self->gfn = strtoull(gfns, NULL, 16);
	self->fd = privcmd_open();
	ASSERT_LE(0, self->fd);
	self->srv = ioreq_server_create(self->domid);
	ASSERT_NE(NULL, self->srv);
	self->id = ioreq_server_id(self->srv);
	/* Populated: Xen cannot fault the page in. */
	self->op = mmap(NULL, sizeof(*self->op), PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->op);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF,
				    &self->base));
}

FIXTURE_TEARDOWN(identity)
{
	struct pv_iommu_audit_op now;

	/* Every test leaves what the interface holds as it found it. */
	EXPECT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_AUDIT_EQ(self->base, now);
	ioreq_server_destroy(self->srv);
	munmap(self->op, sizeof(*self->op));
	close(self->fd);
}

/* The status of one op, or 1 if the call itself failed. */
static int status_of(int fd, struct pv_iommu_op *op)
{
	return iommu_op(fd, op, 1) ? 1 : op->status;
}

static struct pv_iommu_op *lookup_op(struct pv_iommu_op *op, __u16 domid,
				     __u64 gfn, __u16 id, __u64 bfn)
{
	*op = (struct pv_iommu_op){
		.subop_id = IOMMUOP_lookup_foreign_page, .status = 1,
		.u.lookup_foreign_page = { .bfn = bfn, .gfn = gfn,
					   .domid = domid, .ioserver = id },
	};
	return op;
}

static struct pv_iommu_op *unmap_op(struct pv_iommu_op *op, __u64 bfn,
				    __u16 id)
{
	*op = (struct pv_iommu_op){
		.subop_id = IOMMUOP_unmap_foreign_page, .status = 1,
		.u.unmap_foreign_page = { .bfn = bfn, .ioserver = id },
	};
	return op;
}

/* A lookup of the agent's first page, @bfn given as input. */
#define LOOKUP(bfn)							\
	status_of(self->fd, lookup_op(self->op, self->domid, self->gfn,	\
				      self->id, bfn))
#define UNMAP(bfn)	status_of(self->fd, unmap_op(self->op, bfn, self->id))

/*
 * Review L9: the answer is writeable only with a writable type reference
 * on the frame, as a writable map_foreign_page holds: without one the
 * guest could make the frame a page table or read-only while a device
 * writes it. The same lookup again adds nothing; the unmap drops it all.
 */
TEST_F(identity, a_writeable_answer_holds_a_type_reference)
{
	struct pv_iommu_audit_op now;
	__u64 bfn;

	ASSERT_EQ(0, LOOKUP(0));
	EXPECT_EQ(RW, self->op->flags & 0x3ff);
	bfn = self->op->u.lookup_foreign_page.bfn;
	EXPECT_NE(0, bfn);

	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.m2b_entries + 1, now.m2b_entries);
	EXPECT_EQ(self->base.page_refs + 1, now.page_refs);
	EXPECT_EQ(self->base.type_refs + 1, now.type_refs);

	ASSERT_EQ(0, LOOKUP(0));
	EXPECT_EQ(bfn, self->op->u.lookup_foreign_page.bfn);
	ASSERT_EQ(0, pv_iommu_audit(self->fd, PV_IOMMU_DOMID_SELF, &now));
	EXPECT_EQ(self->base.m2b_entries + 1, now.m2b_entries);

	EXPECT_EQ(0, UNMAP(bfn));
	EXPECT_EQ(-ENOENT, UNMAP(bfn));
}

/* The spec: with no BFN to choose, one given as input is an error. */
TEST_F(identity, a_bfn_given_to_lookup_is_einval)
{
	EXPECT_EQ(-EINVAL, LOOKUP(0x1000));
}

TEST_HARNESS_MAIN
