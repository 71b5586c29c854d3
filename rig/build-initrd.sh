#!/bin/bash
# Build dom0's initramfs: busybox, rig/initramfs (init, stages), our
# modules and kselftests, and the Xen toolstack and a PVH domU (rig/domu)
# for tests that need a second domain. Output: $OUT/dom0-initrd.gz
set -euo pipefail
. "$(dirname "$0")/env.sh"

R=$CACHE/initrd-root
SELFTESTS_OBJ=$CACHE/obj/selftests/pv_iommu
rm -rf "$R"
mkdir -p "$R"/{bin,sbin,proc,sys,dev,run,tmp,etc/xen,lib64,usr/lib,usr/bin,usr/sbin}
mkdir -p "$R"/lib/x86_64-linux-gnu "$R"/lib/modules/{kunit,extra} "$R"/selftests/pv_iommu
mkdir -p "$R"/var/lib/xen "$R"/var/lib/xenstored "$R"/var/log/xen/console "$R"/var/lock
ln -s ../run "$R"/var/run
cp /bin/busybox "$R"/bin/busybox
cp -r "$TOP"/rig/initramfs "$R"/rig
mv "$R"/rig/init "$R"/init

# Modules of this build (modules.order, not stale .ko files): KUnit suites
# apart from the others.
sed 's/\.o$/.ko/' "$LINUX_OBJ"/drivers/xen/pv-iommu/modules.order 2>/dev/null |
while read -r ko; do
	ko=$LINUX_OBJ/$ko
	case $ko in
	*kunit*) cp "$ko" "$R"/lib/modules/kunit/ ;;
	*) cp "$ko" "$R"/lib/modules/extra/ ;;
	esac
done

# kselftests, built static against the unpacked tree's harness.
log "building kselftests"
rm -rf "$SELFTESTS_OBJ"
mkdir -p "$SELFTESTS_OBJ"
make -s -C "$LINUX_SRC"/tools/testing/selftests/pv_iommu \
	OUTPUT="$SELFTESTS_OBJ" CC=gcc >/dev/null
find "$SELFTESTS_OBJ" -maxdepth 1 -type f -perm -u+x ! -name 'domu_*' \
	-exec cp {} "$R"/selftests/pv_iommu/ \;

# The kernel's DMA map benchmark (make bench), static too. Its header is not
# UAPI in 6.1: it alone comes from the tree, the rest from the C library.
BENCH_OBJ=$CACHE/obj/selftests/dma
mkdir -p "$BENCH_OBJ"/include/linux "$R"/bench
cp "$LINUX_SRC"/include/linux/map_benchmark.h "$BENCH_OBJ"/include/linux/
gcc -static -O2 -I"$BENCH_OBJ"/include -o "$R"/bench/dma_map_benchmark \
	"$LINUX_SRC"/tools/testing/selftests/dma/dma_map_benchmark.c

# Xen toolstack (xl, xenstored, ...) with its libraries.
XB=/usr/lib/xen-4.17/bin
mkdir -p "$R"$XB
BINS="$XB/xl $XB/xenstored $XB/xenconsoled $XB/xenconsole $XB/libxl-save-helper
      $XB/xen-init-dom0 $XB/xenstore-control /usr/bin/xenstore"
for b in $BINS; do
	case $b in $XB/*) cp "$b" "$R$b" ;; *) cp "$b" "$R"/bin/ ;; esac
done
for t in xl xenstored xenconsoled xenconsole xen-init-dom0 xenstore-control; do
	ln -sf $XB/$t "$R"/sbin/$t
done
for t in read write ls list rm exists chmod watch; do
	ln -sf xenstore "$R"/bin/xenstore-$t
done
for b in $BINS; do ldd "$b" 2>/dev/null || true; done |
	awk '/=>/ {print $3} /ld-linux/ {print $1}' | sort -u | while read -r l; do
	[ -f "$l" ] || continue
	case $l in
	*/ld-linux-x86-64.so.2) cp -L "$l" "$R"/lib64/ ;;
	*) cp -L "$l" "$R"/lib/x86_64-linux-gnu/ ;;
	esac
done
# glibc's pthread_cancel dlopen()s it; ldd does not list it.
cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$R"/lib/x86_64-linux-gnu/
cp /etc/xen/xl.conf "$R"/etc/xen/
# Hotplug scripts for the backends stage's disks and NICs, in busybox sh.
mkdir -p "$R"/etc/xen/scripts
cp "$TOP"/rig/initramfs/xen-scripts/* "$R"/etc/xen/scripts/
rm -rf "$R"/rig/xen-scripts

# The test domU: dom0's kernel (it boots as PVH too), its own busybox
# initramfs with the agent, its xl config; dom0's side of its tests.
D=$CACHE/domu-root
rm -rf "$D"
mkdir -p "$D"/{bin,proc,sys,dev} "$R"/domu
cp /bin/busybox "$SELFTESTS_OBJ"/domu_agent "$SELFTESTS_OBJ"/disk_rw \
	"$SELFTESTS_OBJ"/disk_iops "$SELFTESTS_OBJ"/net_stream \
	"$TOP"/rig/domu/backends.sh "$D"/bin/
cp "$TOP"/rig/domu/init "$D"/init
(cd "$D" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$R"/domu/initrd.gz
cp "$OUT"/vmlinuz "$TOP"/rig/domu/domu.cfg "$SELFTESTS_OBJ"/domu_smoke "$R"/domu/

mkdir -p "$OUT"
(cd "$R" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$OUT"/dom0-initrd.gz
log "initramfs: $(du -h "$OUT"/dom0-initrd.gz | cut -f1)"
