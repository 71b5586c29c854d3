#!/bin/bash
# Install every host dependency of the rig from Debian's archive (idempotent).
# Adds the deb-src entry that 'apt-get source xen' needs.
set -euo pipefail

PKGS="build-essential bc bison flex libelf-dev libssl-dev cpio gzip xz-utils rsync
      python3 perl sparse dpkg-dev fakeroot kmod gnuplot-nox
      qemu-system-x86 busybox-static gdb
      meson ninja-build pkg-config libglib2.0-dev libpixman-1-dev libslirp-dev
      libfdt-dev zlib1g-dev
      xen-utils-4.17 libxen-dev
      linux-source-6.1"

SRC_LIST=/etc/apt/sources.list.d/pv-iommu-src.sources
if [ ! -f "$SRC_LIST" ]; then
	cat >"$SRC_LIST" <<'EOS'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
	rm -f /var/lib/apt/periodic/pv-iommu-updated
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done

if [ -n "$missing" ] || [ ! -f /var/lib/apt/periodic/pv-iommu-updated ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/pv-iommu-updated
fi
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
