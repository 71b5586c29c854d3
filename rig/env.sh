# Paths and versions shared by the rig's scripts. Source it, do not run it.
# Build outputs live in a cache outside the clone so that a fresh clone (CI)
# reuses what an earlier build left; every step rebuilds only what changed.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${PV_IOMMU_CACHE:-/var/cache/xen-pv-iommu}
JOBS=${JOBS:-$(nproc)}

XEN_VERSION=4.17.5+72-g01140da4e8-1
XEN_SRC=$CACHE/src/xen-4.17
LINUX_SRC=$CACHE/src/linux-source-6.1
LINUX_OBJ=$CACHE/obj/linux
OUT=$CACHE/out
LOGS=$CACHE/logs

log() { printf '[rig] %s\n' "$*" >&2; }
die() { printf '[rig] ERROR: %s\n' "$*" >&2; exit 1; }

# fetch_debian_source PACKAGE VERSION DIR: unpack Debian's source of
# PACKAGE at VERSION (apt-get source) into DIR, which must not exist.
fetch_debian_source() {
	local dl
	log "fetching Debian's $1 $2 source"
	dl=$(mktemp -d)
	(cd "$dl" && apt-get source -qq --download-only "$1=$2" 2>/dev/null)
	mkdir -p "$(dirname "$3")"
	dpkg-source -x "$dl"/"$1"_*.dsc "$3" >/dev/null
	rm -rf "$dl"
}

# apply_series TREE SERIES_DIR: make TREE carry exactly the patches of
# SERIES_DIR. The applied copy is kept in TREE/.pv-iommu-series; when the
# series changes, the old one is reversed and the new one applied, so only
# the files the patches touch get a new mtime.
apply_series() {
	local tree=$1 series=$2 applied=$1/.pv-iommu-series p
	if [ -d "$applied" ] && diff -qr "$applied" "$series" >/dev/null 2>&1; then
		return 0
	fi
	if [ -d "$applied" ]; then
		for p in $(ls "$applied"/*.patch 2>/dev/null | sort -r); do
			patch -d "$tree" -p1 -R -s -f <"$p" ||
				die "cannot reverse $(basename "$p") in $tree"
		done
		rm -rf "$applied"
	fi
	mkdir -p "$applied"
	for p in $(ls "$series"/*.patch 2>/dev/null | sort); do
		if ! patch -d "$tree" -p1 -s -f --dry-run <"$p" >/dev/null; then
			apply_series "$tree" /dev/null/none 2>/dev/null || true
			die "$(basename "$p") does not apply to $tree"
		fi
		patch -d "$tree" -p1 -s -f --no-backup-if-mismatch <"$p"
		cp "$p" "$applied"/
	done
}

# xen_overlay_files: the new Xen files of the overlay (xen/ and docs/ of
# the repo, at their paths in Xen's tree), sorted, as rig/xen-series.txt
# lists them; dies if the two differ.
xen_overlay_files() {
	local listed present
	listed=$(grep -P '^\t' "$TOP/rig/xen-series.txt" | tr -d '\t' | sort)
	present=$(cd "$TOP" && git ls-files -co --exclude-standard -- xen docs | sort)
	[ "$listed" = "$present" ] ||
		die "rig/xen-series.txt and xen/ differ: $(echo $listed) / $(echo $present)"
	[ -z "$(echo "$listed" | uniq -d)" ] || die "rig/xen-series.txt lists a file twice"
	echo "$listed"
}

# sync_files TREE CMD...: make TREE hold the repo's files that CMD lists,
# copied by checksum so that unchanged files keep their mtime and are not
# rebuilt and a changed one is, and remove the files an earlier sync brought
# that the list no longer has.
sync_files() {
	local tree=$1 list=$1/.pv-iommu-overlay f
	shift
	"$@" >"$list.new"
	if [ -f "$list" ]; then
		comm -23 "$list" "$list.new" | while read -r f; do
			rm -f "$tree/$f"
		done
	fi
	(cd "$TOP" && rsync -c --files-from="$list.new" . "$tree"/)
	mv "$list.new" "$list"
}

# linux_overlay_files: our Linux files, sorted.
linux_overlay_files() {
	(cd "$TOP" && git ls-files -co --exclude-standard -- include arch drivers \
		tools Documentation) | sort
}

# sync_xen_overlay TREE: the overlay into Xen's TREE.
sync_xen_overlay() {
	sync_files "$1" xen_overlay_files
}

# sync_overlay: our Linux files into the unpacked tree.
sync_overlay() {
	sync_files "$LINUX_SRC" linux_overlay_files
}
