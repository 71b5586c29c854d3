#!/bin/sh
# The pv_iommu tracepoints: balloon BALLOON_KB of dom0's memory out and back
# in with the events on, and check that the trace shows every page leaving
# and coming back, in hypercalls that all succeeded: one hypercall per
# balloon batch (512 pages) each way.
. /rig/lib.sh
BALLOON_KB=1024
PAGES=$((BALLOON_KB / 4))
T=/sys/kernel/tracing
STATS=/sys/kernel/debug/pv-iommu/stats

echo "1..8"
if ! grep -q '^active: yes' $STATS 2>/dev/null; then
	for i in 1 2 3 4 5 6 7 8; do echo "ok $i trace # SKIP PV-IOMMU not active"; done
	exit 0
fi
mountpoint -q $T || mount -t tracefs tracefs $T

stat_of() { sed -n "s/^$1: //p" $STATS; }

# sum_field EVENT FIELD: the sum of FIELD over the trace's EVENT lines.
sum_field() {
	sed -n "s/.* $1:.* $2=\([0-9]*\).*/\1/p" $T/trace |
		awk '{ s += $1 } END { print s + 0 }'
}

# count_bad EVENT FIELD: EVENT lines whose FIELD is not 0.
count_bad() {
	grep " $1: " $T/trace | grep -vc " $2=0\( \|$\)"
}

target=$(cat $XEN_MEMORY/target_kb)
unmapped=$(stat_of unmapped_pages)
remapped=$(stat_of remapped_pages)
echo >$T/trace
echo 1 >$T/events/pv_iommu/enable
balloon_to $((target - BALLOON_KB)) 10 && balloon_to "$target" 10
ballooned=$?
echo 0 >$T/events/pv_iommu/enable
grep ' pv_iommu_' $T/trace | head -4 | sed 's/^/# /'
hypercalls=$(grep -c ' pv_iommu_batch_submit: ' $T/trace)
echo "# $hypercalls hypercalls for $BALLOON_KB KiB out and in"

tap_result 1 trace.balloon_out_and_in [ $ballooned = 0 ]
tap_result 2 trace.unmap_pages_counts_every_page \
	[ "$(sum_field pv_iommu_unmap_pages count)" = $PAGES ]
tap_result 3 trace.map_pages_counts_every_page \
	[ "$(sum_field pv_iommu_map_pages count)" = $PAGES ]
tap_result 4 trace.balloon_hooks_report_no_failure \
	[ "$(count_bad 'pv_iommu_[a-z]*map_pages' failed)" = 0 ]
# One unmap and one map operation per page, in hypercalls that all worked.
tap_result 5 trace.batch_submit_carries_every_op \
	[ "$(sum_field pv_iommu_batch_submit ops)" = $((2 * PAGES)) ]
tap_result 6 trace.batch_submit_rc_and_failed_are_0 \
	[ "$(count_bad pv_iommu_batch_submit rc)$(count_bad pv_iommu_batch_submit failed)" = 00 ]
tap_result 7 trace.debugfs_counters_agree \
	[ "$(stat_of unmapped_pages) $(stat_of remapped_pages)" = \
	  "$((unmapped + PAGES)) $((remapped + PAGES))" ]
tap_result 8 trace.one_hypercall_per_balloon_batch [ "$hypercalls" = 2 ]
