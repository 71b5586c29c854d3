#!/bin/bash
# Lint our Linux code: checkpatch --strict on every C file and header, and a
# W=1 + sparse (C=1) build of our objects in a separate object tree (so the
# test kernel is not relinked). Our Xen code (the overlay xen/ and the lines
# patches/xen adds) gets the mechanical rules of Xen's CODING_STYLE. Any
# warning fails.
set -euo pipefail
. "$(dirname "$0")/env.sh"
LINT_OBJ=$CACHE/obj/linux-lint
OUR_DIRS="drivers/xen/pv-iommu/"
OUR_FILES=$(cd "$TOP" && git ls-files -co --exclude-standard -- 'include/*.h' 'drivers/*.[ch]' \
	'arch/*.[ch]' 'tools/testing/selftests/pv_iommu/*.[ch]')
fail=0
sync_overlay

log "checkpatch --strict"
# include/xen/interface/ holds copies of Xen's public headers, written
# with C99 types like the rest of that directory.
iface_files=$(printf '%s\n' $OUR_FILES | grep '^include/xen/interface/' || true)
other_files=$(printf '%s\n' $OUR_FILES | grep -v '^include/xen/interface/' || true)
# shellcheck disable=SC2086
if ! (cd "$TOP" && "$LINUX_SRC"/scripts/checkpatch.pl --strict --no-tree \
	--terse --show-types -q -f $other_files); then
	fail=1
fi
# shellcheck disable=SC2086
if [ -n "$iface_files" ] && ! (cd "$TOP" && "$LINUX_SRC"/scripts/checkpatch.pl \
	--strict --no-tree --terse --show-types -q --ignore PREFER_KERNEL_TYPES \
	-f $iface_files); then
	fail=1
fi

log "Xen CODING_STYLE: no tabs or trailing blanks, lines under 80 columns"
# A line holding a string literal may be longer: CODING_STYLE keeps
# user-visible strings whole so that they can be searched for.
xen_style() {
	awk -v f="$1" '{
		if ($0 ~ /\t/) print f ":" FNR ": tab";
		if ($0 ~ /[ \t]$/) print f ":" FNR ": trailing blank";
		if (length($0) >= 80 && $0 !~ /"/) print f ":" FNR ": " length($0) " columns";
	}'
}
# Files Xen took from Linux keep Linux's style (tabs); patches follow it.
XEN_LINUX_STYLE="xen/common/radix-tree.c xen/include/xen/radix-tree.h"
xen_bad=$(cd "$TOP" && for f in $(xen_overlay_files); do xen_style "$f" <"$f"; done
	for p in patches/xen/*.patch; do
		awk -v linux="$XEN_LINUX_STYLE" '/^diff --git / {
				f = substr($NF, 3)
				on = (f ~ /\.[ch]$/) && index(" " linux " ", " " f " ") == 0
				next
			}
			on && /^\+/ && !/^\+\+\+ / { print substr($0, 2) }' "$p" |
			xen_style "$p (added lines)"
	done)
if [ -n "$xen_bad" ]; then
	echo "$xen_bad"
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

# The ABI assertions must fire: core.o, compiled as the build above did but
# against a copy of the interface header whose domid fields are 32 bits
# wide (every later offset moves), must not build.
log "ABI assertions: a wrong pv_iommu_op layout must not build"
abi_tmp=$(mktemp -d)
mkdir -p "$abi_tmp"/xen/interface
sed -E 's/^(\t+)u(int)?16(_t)? domid;/\1uint32_t domid;/' \
	"$TOP"/include/xen/interface/pv_iommu.h >"$abi_tmp"/xen/interface/pv_iommu.h
if cmp -s "$TOP"/include/xen/interface/pv_iommu.h "$abi_tmp"/xen/interface/pv_iommu.h; then
	echo "the sed found no domid field to widen"
	fail=1
else
	# The compiler's command line of core.o, without dependency output and
	# objtool, with the bad header's directory searched first.
	cc=$(sed -n 's/^cmd_[^ ]* := //p' "$LINT_OBJ"/drivers/xen/pv-iommu/.core.o.cmd |
		sed -e 's/;.*//' -e 's/-Wp,-MMD,[^ ]*//' -e "s|-nostdinc|-nostdinc -I$abi_tmp|" \
			-e "s| -c -o [^ ]*| -c -o $abi_tmp/core.o|")
	if abi_out=$(cd "$LINT_OBJ" && eval "$cc" 2>&1); then
		echo "core.c built with a wrong struct pv_iommu_op layout"
		fail=1
	elif ! grep -q 'static assertion failed' <<<"$abi_out"; then
		echo "$abi_out"
		echo "core.c failed to build against the bad header, but not on an assertion"
		fail=1
	fi
fi
rm -rf "$abi_tmp"

log "Xen's public pv-iommu.h: one layout for 64- and 32-bit guests"
"$TOP"/rig/xen-abi-check.sh || fail=1

log "the Xen series exports git am-able (rig/export-upstream.sh)"
series_tmp=$(mktemp -d)
SIGNOFF="lint <lint@localhost>" "$TOP"/rig/export-upstream.sh "$series_tmp/out" \
	>"$series_tmp/log" 2>&1 || { cat "$series_tmp/log"; fail=1; }
rm -rf "$series_tmp"

[ $fail = 0 ] || die "lint found problems"
log "lint clean"
