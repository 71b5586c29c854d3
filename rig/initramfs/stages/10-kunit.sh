#!/bin/sh
# KUnit suites: load every test module, print each suite's KTAP results.
for m in /lib/modules/kunit/*.ko; do
	[ -e "$m" ] || continue
	insmod "$m" || { echo "not ok 1 insmod $(basename "$m")"; continue; }
done
for r in /sys/kernel/debug/kunit/*/results; do
	cat "$r"
done
for m in /lib/modules/kunit/*.ko; do
	[ -e "$m" ] && rmmod "$(basename "$m" .ko)"
done
true
