#!/bin/bash
# Xen's public pv-iommu.h must give struct pv_iommu_op one layout for every
# guest: compile it for x86_64 and for x86_32 (as Xen's tools see it, where
# uint64_aligned_t is 8-byte aligned) and check its size, alignment and
# offsets, the ones xen/drivers/passthrough/pv-iommu.c asserts for Xen.
# Needs Xen's public headers in $XEN_SRC (make xen). Run by rig/lint.sh.
set -euo pipefail
. "$(dirname "$0")/env.sh"
[ -f "$XEN_SRC/xen/include/public/xen.h" ] || die "no Xen source: run make xen first"
inc=$(mktemp -d)
trap 'rm -rf "$inc"' EXIT
mkdir "$inc/xen"
cp -r "$XEN_SRC/xen/include/public/." "$inc/xen/"
cp "$TOP/xen/include/public/pv-iommu.h" "$inc/xen/"
fail=0
for m in -m64 -m32; do
	gcc "$m" -ffreestanding -D__XEN_TOOLS__ -I"$inc" -fsyntax-only -x c - <<'C' ||
#include <stddef.h>
#include <stdint.h>
#include <xen/pv-iommu.h>
#define AT(field, off) \
	_Static_assert(offsetof(struct pv_iommu_op, field) == (off), #field)
_Static_assert(sizeof(struct pv_iommu_op) == 32, "size");
_Static_assert(_Alignof(struct pv_iommu_op) == 8, "alignment");
AT(flags, 2);
AT(status, 4);
AT(u.map_page.bfn, 8);
AT(u.map_page.gfn, 16);
AT(u.unmap_page.bfn, 8);
AT(u.map_foreign_page.bfn, 8);
AT(u.map_foreign_page.gfn, 16);
AT(u.map_foreign_page.domid, 24);
AT(u.map_foreign_page.ioserver, 26);
AT(u.lookup_foreign_page.bfn, 8);
AT(u.lookup_foreign_page.gfn, 16);
AT(u.lookup_foreign_page.domid, 24);
AT(u.lookup_foreign_page.ioserver, 26);
AT(u.unmap_foreign_page.bfn, 8);
AT(u.unmap_foreign_page.ioserver, 16);
AT(u.debug_audit.mappings, 8);
AT(u.debug_audit.page_refs, 16);
AT(u.debug_audit.type_refs, 20);
AT(u.debug_audit.domid, 24);
AT(u.debug_audit.m2b_entries, 28);
AT(u.debug_fail.pattern, 8);
AT(u.debug_hold.domid, 8);
AT(u.debug_lookup.bfn, 8);
AT(u.debug_lookup.mfn, 16);
AT(u.debug_lookup.domid, 24);
C
	{
		echo "xen/include/public/pv-iommu.h: the layout differs with gcc $m"
		fail=1
	}
done
exit $fail
