#!/bin/bash
# Build the hypervisor: Debian's Xen 4.17 source + patches/xen (edits of
# existing files) + the overlay (our new files, xen/ and docs/ of the repo).
# usage: build-xen.sh [debug|release]
#   debug (default, make check): configured from rig/xen.config, output
#     $OUT/xen (multiboot image for QEMU -kernel);
#   release (make bench): rig/xen-release.config, built in a source tree of
#     its own so that both builds stay cached, output $OUT/xen-release.
set -euo pipefail
. "$(dirname "$0")/env.sh"
flavour=${1:-debug}
case $flavour in
debug) src=$XEN_SRC config=$TOP/rig/xen.config image=$OUT/xen ;;
release) src=$XEN_SRC-release config=$TOP/rig/xen-release.config
	image=$OUT/xen-release ;;
*) die "build-xen.sh: no flavour '$flavour'" ;;
esac

[ -f "$XEN_SRC/xen/Makefile" ] || fetch_debian_source xen "$XEN_VERSION" "$XEN_SRC"
# The release tree starts as a copy of the debug one; apply_series knows
# which patches the copy carries.
if [ ! -f "$src/xen/Makefile" ]; then
	log "copying the Xen source for the $flavour build"
	rm -rf "$src.new"
	cp -a "$XEN_SRC" "$src.new"
	rm -f "$src.new/xen/.pv-iommu-config"
	mv "$src.new" "$src"
fi

# The series first: reversing an older one that created our files itself
# removes them, and the overlay then brings them back.
apply_series "$src" "$TOP/patches/xen"
sync_xen_overlay "$src"

stamp=$(sha256sum "$config" | cut -c1-16)
if [ "$(cat "$src/xen/.pv-iommu-config" 2>/dev/null)" != "$stamp" ]; then
	log "configuring the $flavour hypervisor"
	make -s -C "$src/xen" defconfig >/dev/null
	cat "$config" >>"$src/xen/.config"
	make -s -C "$src/xen" olddefconfig >/dev/null
	echo "$stamp" >"$src/xen/.pv-iommu-config"
fi

log "building the $flavour hypervisor"
make -s -C "$src/xen" -j"$JOBS" >/dev/null
# After the build: a Kconfig the series changed is applied to .config by
# the build itself, and may silently drop an option of ours.
for line in $(grep '^CONFIG_' "$config"); do
	grep -qx "$line" "$src/xen/.config" ||
		die "xen config: '$line' is not in the $flavour build's .config"
done
if [ "$flavour" = release ] && grep -qx CONFIG_DEBUG=y "$src/xen/.config"; then
	die "xen config: the release build has CONFIG_DEBUG=y"
fi
mkdir -p "$OUT"
cp "$src/xen/xen" "$image"
