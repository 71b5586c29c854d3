#!/bin/bash
# Developer tool: run CMD with a private copy of the build cache mounted at
# the cache's own path, in a mount namespace of its own. Kernel build trees
# hold absolute paths, so a copy elsewhere would build the wrong tree; this
# way two developers build and boot at once without waiting on one lock.
# usage: scripts/with-private-cache.sh NAME CMD...   (as root)
set -euo pipefail
name=${1:?usage: with-private-cache.sh NAME CMD...}
shift
cache=${PV_IOMMU_CACHE:-/var/cache/xen-pv-iommu}
priv=$cache-private/$name
if [ ! -d "$priv/cache" ]; then
	mkdir -p "$priv"
	rm -rf "$priv/cache.new"
	flock "$cache.lock" cp -a "$cache" "$priv/cache.new"
	mv "$priv/cache.new" "$priv/cache"
fi
touch "$priv/lock"
exec unshare -m --propagation private bash -c '
	mount --bind "$1/cache" "$2" && mount --bind "$1/lock" "$2.lock" || exit 1
	shift 2
	exec "$@"' _ "$priv" "$cache" "$@"
