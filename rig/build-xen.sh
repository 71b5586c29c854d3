#!/bin/bash
# Build the hypervisor: Debian's Xen 4.17 source + patches/xen (edits of
# existing files) + the overlay (our new files, xen/ of the repo), configured
# from rig/xen.config. Output: $OUT/xen (multiboot image for QEMU -kernel).
set -euo pipefail
. "$(dirname "$0")/env.sh"

if [ ! -f "$XEN_SRC/xen/Makefile" ]; then
	log "fetching Debian's xen $XEN_VERSION source"
	dl=$(mktemp -d)
	(cd "$dl" && apt-get source -qq --download-only "xen=$XEN_VERSION" 2>/dev/null)
	mkdir -p "$(dirname "$XEN_SRC")"
	dpkg-source -x "$dl"/xen_*.dsc "$XEN_SRC" >/dev/null
	rm -rf "$dl"
fi

# The series first: reversing an older one that created our files itself
# removes them, and the overlay then brings them back.
apply_series "$XEN_SRC" "$TOP/patches/xen"
sync_xen_overlay

stamp=$(sha256sum "$TOP/rig/xen.config" | cut -c1-16)
if [ "$(cat "$XEN_SRC/xen/.pv-iommu-config" 2>/dev/null)" != "$stamp" ]; then
	log "configuring the hypervisor"
	make -s -C "$XEN_SRC/xen" defconfig >/dev/null
	cat "$TOP/rig/xen.config" >>"$XEN_SRC/xen/.config"
	make -s -C "$XEN_SRC/xen" olddefconfig >/dev/null
	for line in $(grep '^CONFIG_' "$TOP/rig/xen.config"); do
		grep -qx "$line" "$XEN_SRC/xen/.config" ||
			die "xen config: '$line' did not survive olddefconfig"
	done
	echo "$stamp" >"$XEN_SRC/xen/.pv-iommu-config"
fi

log "building the hypervisor"
make -s -C "$XEN_SRC/xen" -j"$JOBS" >/dev/null
mkdir -p "$OUT"
cp "$XEN_SRC/xen/xen" "$OUT/xen"
