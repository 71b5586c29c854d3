#!/bin/sh
# Pages leaving dom0 and coming back, checked by DMA: pv-iommu-edu-test
# gives a page back to Xen and takes it back as the balloon driver does
# (through mem-reservation.c's helpers, where the PV-IOMMU hooks are),
# failing PV-IOMMU operations on the way where asked, and lets an edu
# write to the page's bus address at each step. A DMA that must fault is
# announced (@@EXPECT-IOMMU-FAULT): rig/check-log.py then requires Xen's
# fault report. Then the balloon driver itself, with failed operations.
. /rig/lib.sh
STATS=/sys/kernel/debug/pv-iommu/stats
FAIL=/sys/kernel/debug/pv_iommu_test/fail_next_ops

echo "1..5"
if ! grep -q '^active: yes' $STATS 2>/dev/null; then
	for i in 1 2 3 4 5; do echo "ok $i balloon # SKIP PV-IOMMU not active"; done
	exit 0
fi
insmod /lib/modules/extra/pv-iommu-edu-test.ko
insmod /lib/modules/extra/pv-iommu-testhelper.ko
edu=$(edu_devices | head -n 1)
E=/sys/kernel/debug/pv-iommu-edu/$edu
echo "# edu $edu"

stat_of() { sed -n "s/^$1: //p" $STATS; }

# balloon_page FAIL_OUT FAIL_IN EXPECTED: one page out and in; the steps'
# outcomes (balloon_result) must be EXPECTED.
balloon_page() {
	local got
	echo "$1 $2" >"$E"/balloon || echo "# balloon $1 $2: write failed"
	got=$(cat "$E"/balloon_result)
	echo "# fail $1 $2: $got"
	[ "$got" = "$3" ]
}

unmap_failed=$(stat_of unmap_failed_pages)
map_failed=$(stat_of map_failed_pages)
tap_result 1 balloon.page_out_faults_page_in_reaches_new_frame \
	balloon_page 0 0 "before 1 left 1 kept_reached -1 mapped 1 after 1 recovered -1"
tap_result 2 balloon.failed_unmap_keeps_page_with_dom0 \
	balloon_page 1 0 "before 1 left 0 kept_reached 1 mapped -1 after -1 recovered -1"
tap_result 3 balloon.failed_map_keeps_page_from_devices \
	balloon_page 0 1 "before 1 left 1 kept_reached -1 mapped 0 after 0 recovered 1"
tap_result 4 balloon.failures_counted_in_stats \
	[ "$(stat_of unmap_failed_pages) $(stat_of map_failed_pages)" = \
	  "$((unmap_failed + 1)) $((map_failed + 1))" ]

# The balloon driver: 1 MiB out with 3 unmaps failing, back in with 2 maps
# failing. It must still meet each target, with 3 pages kept from Xen and
# 2 kept from the allocator, counted.
target=$(cat $XEN_MEMORY/target_kb)
unmap_failed=$(stat_of unmap_failed_pages)
map_failed=$(stat_of map_failed_pages)
echo 3 >$FAIL
balloon_to $((target - 1024)) 20
out=$?
echo 2 >$FAIL
balloon_to "$target" 20
in=$?
echo 0 >$FAIL
echo "# balloon out: $out, in: $in; unmap_failed_pages $(stat_of unmap_failed_pages), map_failed_pages $(stat_of map_failed_pages)"
tap_result 5 balloon.driver_keeps_pages_whose_ops_failed \
	[ "$out $in $(stat_of unmap_failed_pages) $(stat_of map_failed_pages)" = \
	  "0 0 $((unmap_failed + 3)) $((map_failed + 2))" ]
rmmod pv-iommu-testhelper
rmmod pv-iommu-edu-test
