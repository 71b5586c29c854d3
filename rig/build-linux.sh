#!/bin/bash
# Build the dom0 kernel: linux-source-6.1 + our overlay + patches/linux,
# configured from rig/kconfig, out of tree in $LINUX_OBJ.
set -euo pipefail
. "$(dirname "$0")/env.sh"

if [ ! -f "$LINUX_SRC/Makefile" ]; then
	log "unpacking linux-source-6.1"
	mkdir -p "$(dirname "$LINUX_SRC")"
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$(dirname "$LINUX_SRC")"
fi

apply_series "$LINUX_SRC" "$TOP/patches/linux"
sync_overlay

mkdir -p "$LINUX_OBJ"
frags=$(ls "$TOP"/rig/kconfig/*.config)
stamp=$(cat $frags | sha256sum | cut -c1-16)
if [ "$(cat "$LINUX_OBJ/.pv-iommu-config" 2>/dev/null)" != "$stamp" ]; then
	log "configuring the kernel"
	make -s -C "$LINUX_SRC" O="$LINUX_OBJ" x86_64_defconfig
	"$LINUX_SRC"/scripts/kconfig/merge_config.sh -m -O "$LINUX_OBJ" \
		"$LINUX_OBJ/.config" \
		"$LINUX_SRC/kernel/configs/xen.config" \
		"$LINUX_SRC/arch/x86/configs/xen.config" \
		"$LINUX_SRC/kernel/configs/kvm_guest.config" $frags \
		>"$LINUX_OBJ/merge.log" 2>&1
	make -s -C "$LINUX_SRC" O="$LINUX_OBJ" olddefconfig
	bad=0
	for line in $(grep -h '^CONFIG_' $frags); do
		grep -qx "$line" "$LINUX_OBJ/.config" ||
			{ log "config: '$line' did not survive olddefconfig"; bad=1; }
	done
	[ $bad = 0 ] || die "kernel config is not what rig/kconfig asks for"
	echo "$stamp" >"$LINUX_OBJ/.pv-iommu-config"
fi

log "building the kernel (make -j$JOBS bzImage modules)"
make -s -C "$LINUX_SRC" O="$LINUX_OBJ" -j"$JOBS" bzImage modules
mkdir -p "$OUT"
cp "$LINUX_OBJ/arch/x86/boot/bzImage" "$OUT/vmlinuz"
