#!/bin/bash
# Lint our Linux code: checkpatch --strict on every C file and header, and a
# W=1 + sparse (C=1) build of our objects in a separate object tree (so the
# test kernel is not relinked). Any warning fails.
set -euo pipefail
. "$(dirname "$0")/env.sh"
LINT_OBJ=$CACHE/obj/linux-lint
OUR_DIRS="drivers/xen/pv-iommu/"
OUR_FILES=$(cd "$TOP" && git ls-files -co --exclude-standard -- 'include/*.h' 'drivers/*.[ch]' \
	'arch/*.[ch]' 'tools/testing/selftests/pv_iommu/*.[ch]')
fail=0
sync_overlay

log "checkpatch --strict"
# shellcheck disable=SC2086
if ! (cd "$TOP" && "$LINUX_SRC"/scripts/checkpatch.pl --strict --no-tree \
	--terse --show-types -q -f $OUR_FILES); then
	fail=1
fi

log "W=1 C=1 (sparse) build of our objects"
mkdir -p "$LINT_OBJ"
cp "$LINUX_OBJ"/.config "$LINT_OBJ"/.config
for d in $OUR_DIRS; do
	find "$LINT_OBJ/$d" -name '*.o' -delete 2>/dev/null || true
done
objs=$OUR_DIRS
[ -f "$TOP"/arch/x86/xen/pci-pv-iommu.c ] && {
	rm -f "$LINT_OBJ"/arch/x86/xen/pci-pv-iommu.o
	objs="$objs arch/x86/xen/pci-pv-iommu.o"
}
make -s -C "$LINUX_SRC" O="$LINT_OBJ" olddefconfig
out=$(make -C "$LINUX_SRC" O="$LINT_OBJ" -j"$JOBS" W=1 C=1 $objs 2>&1) ||
	{ echo "$out"; die "W=1 build failed"; }
warnings=$(echo "$out" | grep -E 'warning:|error:' || true)
if [ -n "$warnings" ]; then
	echo "$warnings"
	fail=1
fi

[ $fail = 0 ] || die "lint found problems"
log "lint clean"
