#!/bin/bash
# Developer tool: regenerate patches/xen (or patches/linux) from the commits
# of a git work tree made from the pristine source.
# usage: export-series.sh xen|linux DEV_TREE BASE_COMMIT
set -euo pipefail
. "$(dirname "$0")/env.sh"
which=$1 tree=$2 base=$3
rm -f "$TOP/patches/$which"/*.patch
git -C "$tree" format-patch -q -N --no-signature --zero-commit -o "$TOP/patches/$which" "$base"
ls "$TOP/patches/$which"
