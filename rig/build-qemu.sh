#!/bin/bash
# Build the VM's emulator: Debian's own QEMU source, of the version of the
# installed qemu-system-x86 (whose firmware it uses, from Debian's paths),
# x86_64 system emulation only, with the fixes of patches/qemu. Output
# $OUT/qemu-system-x86_64; rebuilt only when the version or the patches
# change (about 5 minutes on 2 cores).
set -euo pipefail
. "$(dirname "$0")/env.sh"
version=$(dpkg-query -W -f='${source:Version}' qemu-system-x86)
src=$CACHE/src/qemu
obj=$CACHE/obj/qemu
stamp=$( (echo "$version"; cat "$TOP"/patches/qemu/*.patch) | sha256sum | cut -c1-16)
[ -x "$OUT/qemu-system-x86_64" ] &&
	[ "$(cat "$OUT/qemu-system-x86_64.stamp" 2>/dev/null)" = "$stamp" ] &&
	exit 0

if [ "$(cat "$src/.pv-iommu-version" 2>/dev/null)" != "$version" ]; then
	rm -rf "$src" "$obj"
	fetch_debian_source qemu "$version" "$src"
	echo "$version" >"$src/.pv-iommu-version"
fi
apply_series "$src" "$TOP/patches/qemu"

if [ ! -f "$obj/build.ninja" ]; then
	log "configuring qemu"
	mkdir -p "$obj"
	(cd "$obj" && "$src"/configure --target-list=x86_64-softmmu \
		--without-default-features --enable-tcg --enable-slirp \
		--enable-fdt=system --disable-docs --disable-werror \
		--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu \
		--extra-cflags=-g >/dev/null)
fi
log "building qemu"
ninja -C "$obj" -j"$JOBS" qemu-system-x86_64 >/dev/null
mkdir -p "$OUT"
cp "$obj/qemu-system-x86_64" "$OUT/qemu-system-x86_64"
echo "$stamp" >"$OUT/qemu-system-x86_64.stamp"
