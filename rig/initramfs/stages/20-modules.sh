#!/bin/sh
# Every module we ship loads and unloads cleanly.
. /rig/lib.sh
n=0
for m in /lib/modules/kunit/*.ko /lib/modules/extra/*.ko; do
	[ -e "$m" ] || continue
	n=$((n + 1))
	name=$(basename "$m" .ko)
	tap_result $n "modules.load_unload.$name" sh -c "insmod $m && rmmod $name"
done
echo "1..$n"
