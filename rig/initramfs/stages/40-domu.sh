#!/bin/sh
# A second domain: the test domU (rig/domu), driven through its agent.
# Proves the infrastructure the foreign-subop tests build on: the domU boots
# and publishes its GFNs, its pages take a pattern, an IOREQ server serves
# it while it balloons out (domu_smoke), and the domU's own hypercalls are
# refused (its TAP lines, named domu.privcmd.*, come from its console).
. /rig/lib.sh
NPAGES=64
SEED=0x5eed
n=0
t0=$(cut -d' ' -f1 /proc/uptime)

# tap OK NAME: one TAP line, OK being a command's exit status.
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n domu.$2"; else echo "not ok $n domu.$2"; fi
}

# answer_is WANT VERB [ARG]: the agent answers VERB with WANT (a pattern).
answer_is() {
	local want=$1 got
	shift
	got=$(domu_cmd "$@") || return 1
	echo "# $*: $got"
	case $got in $want) return 0 ;; esac
	return 1
}

# The domU's TAP lines after console line $1, once its plan is complete.
domu_tap() {
	local from=$1 i=0 plan lines
	while [ $i -lt 50 ]; do
		lines=$(tail -n +"$((from + 1))" $DOMU_CONSOLE | tr -d '\r' |
			grep -E '^(1\.\.[0-9]+|(not )?ok [0-9]+ domu\.|# )')
		plan=$(echo "$lines" | sed -n 's/^1\.\.//p')
		[ -n "$plan" ] && [ "$(echo "$lines" | grep -cE '^(not )?ok ')" -ge "$plan" ] && break
		i=$((i + 1))
		sleep 0.1
	done
	echo "$lines" | grep -v '^1\.\.'
}

id=$(domu_start)
tap $? boot
if [ -z "$id" ]; then
	domu_stop
	exit 1
fi
echo "# domU $id ready at $(cut -d' ' -f1 /proc/uptime) s (stage began at $t0 s)"

gfns=$(xenstore-read /local/domain/"$id"/data/pv-iommu/gfns)
echo "# gfns: $(echo "$gfns" | cut -c1-60)..."
[ "$(echo "$gfns" | wc -w)" = $NPAGES ] &&
	! echo "$gfns" | tr ' ' '\n' | grep -qvE '^[0-9a-f]+$'
tap $? gfns_published

answer_is ok fill $SEED
tap $? fill
answer_is ok check $SEED
tap $? check
answer_is "bad page *" check $((SEED + 1))
tap $? check_wrong_seed_fails

/domu/domu_smoke "$id" 32
tap $? smoke_exit_status
xl list | sed 's/^/# /'

answer_is ok check $SEED
tap $? check_after_balloon

# The refusal test's verdict is the domU's own TAP lines; the answer only
# says how many there are ("ok N" or "fail K of N: ...").
from=$(wc -l <$DOMU_CONSOLE)
res=$(domu_cmd privcmd)
tap $? privcmd_answered
echo "# privcmd: $res"
total=$(echo "$res" | sed -n 's/^ok \([0-9]*\)$/\1/p; s/^fail [0-9]* of \([0-9]*\):.*/\1/p')
lines=$(domu_tap "$from")
echo "$lines"
[ -n "$total" ] && [ "$(echo "$lines" | grep -cE '^(not )?ok ')" = "$total" ]
tap $? privcmd_tap_on_console

domu_stop
tap $? destroyed
echo "# 40-domu took $(awk -v t0="$t0" '{ print $1 - t0 }' /proc/uptime) s"
