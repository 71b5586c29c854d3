#!/bin/bash
# Developer tool: regenerate patches/xen (or patches/linux) from the commits
# of a git work tree made from the pristine source.
# usage: export-series.sh xen|linux DEV_TREE BASE_COMMIT
#
# For xen, DEV_TREE holds the whole series, new files included (as
# rig/export-upstream.sh rebuilds it): the new files listed in
# rig/xen-series.txt go to the overlay (xen/ and docs/ of this repo), and patches/xen
# gets the commits' edits of existing Xen files only, one patch per commit.
set -euo pipefail
. "$(dirname "$0")/env.sh"
which=$1 tree=$2 base=$3
out=$TOP/patches/$which
rm -f "$out"/*.patch
if [ "$which" != xen ]; then
	git -C "$tree" format-patch -q -N --no-signature --zero-commit -o "$out" "$base"
	ls "$out"
	exit 0
fi

overlay=$(xen_overlay_files)
added=$(git -C "$tree" diff --name-only --diff-filter=A "$base" HEAD | sort)
[ "$added" = "$overlay" ] ||
	die "new files of $tree and rig/xen-series.txt differ: $(echo $added) / $(echo $overlay)"
excl=()
for f in $overlay; do
	excl+=(":(exclude)$f")
	mkdir -p "$TOP/$(dirname "$f")"
	git -C "$tree" show "HEAD:$f" >"$TOP/$f"
done
git -C "$tree" format-patch -q -N --no-signature --zero-commit -o "$out" \
	"$base" -- . "${excl[@]}"
[ "$(ls "$out"/*.patch | wc -l)" = "$(git -C "$tree" rev-list --count "$base..HEAD")" ] ||
	die "a commit of $tree changes no existing Xen file: give it an edit or fold it"
ls "$out"
