#!/bin/bash
# Developer tool: write the Xen series as it goes upstream, git-am-able on
# Xen's tree, with a cover letter: each patch of patches/xen with the new
# files rig/xen-series.txt gives it from the overlay (xen/, docs/ of the repo).
# The build cache's Xen tree must carry the current series (make xen).
# usage: export-upstream.sh OUT_DIR   (Signed-off-by: SIGNOFF="Name <mail>",
# else the repo's git identity)
set -euo pipefail
. "$(dirname "$0")/env.sh"
outdir=$(realpath -m "${1:?usage: export-upstream.sh OUT_DIR}")
diff -qr "$XEN_SRC/.pv-iommu-series" "$TOP/patches/xen" >/dev/null ||
	die "$XEN_SRC does not carry patches/xen: run make xen first"
signoff=${SIGNOFF:-$(git -C "$TOP" config user.name) <$(git -C "$TOP" config user.email)>}
name=${signoff% <*} mail=${signoff##*<}
mail=${mail%>}
overlay=$(xen_overlay_files)

# A git tree of the pristine versions of the files the series edits.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
git init -q
git config user.name "$name"
git config user.email "$mail"
for f in $(grep -h '^diff --git' "$TOP"/patches/xen/*.patch | awk '{print substr($3, 3)}' | sort -u); do
	mkdir -p "$(dirname "$f")"
	cp "$XEN_SRC/$f" "$f"
done
for p in $(ls "$TOP"/patches/xen/*.patch | sort -r); do
	patch -p1 -R -s -f --no-backup-if-mismatch <"$p" || die "cannot reverse $(basename "$p")"
done
git add -A
git commit -q -m "Xen $XEN_VERSION, the files the series edits"

for p in "$TOP"/patches/xen/*.patch; do
	git am -q --committer-date-is-author-date "$p"
	subject=$(git log -1 --format=%s)
	files=$(awk -v s="$subject" '/^\t/ { if (on) print substr($0, 2); next }
		{ on = ($0 == s) }' "$TOP/rig/xen-series.txt")
	[ -n "$files" ] || continue
	for f in $files; do
		mkdir -p "$(dirname "$f")"
		cp "$TOP/$f" "$f"
		git add "$f"
		overlay=$(echo "$overlay" | grep -vx "$f" || true)
	done
	git commit -q --amend --no-edit
done
[ -z "$overlay" ] || die "no patch adds $(echo $overlay): see rig/xen-series.txt"

rm -rf "$outdir"
git format-patch -q --cover-letter --signoff --no-signature --zero-commit \
	-o "$outdir" HEAD~"$(ls "$TOP"/patches/xen/*.patch | wc -l)"
python3 - "$outdir"/0000-cover-letter.patch "$TOP/rig/xen-cover-letter.txt" <<'PY'
import sys
cover, text = sys.argv[1], open(sys.argv[2]).read().split("\n", 1)
s = open(cover).read()
s = s.replace("*** SUBJECT HERE ***", text[0].strip())
s = s.replace("*** BLURB HERE ***", text[1].strip())
open(cover, "w").write(s)
PY
ls "$outdir"
