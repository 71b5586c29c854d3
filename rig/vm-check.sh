#!/bin/bash
# Boot the VM in MODE (check|demo) and judge its serial log.
set -uo pipefail
. "$(dirname "$0")/env.sh"
MODE=$1
rc=0
"$TOP"/rig/run-vm.sh "$MODE" || rc=$?
timed_out=""
[ $rc = 124 ] && timed_out=--timed-out
if [ "$MODE" = demo ]; then
	sed -n '/^@@BEGIN demo/,/^@@END demo/p' "$LOGS/demo.log" | sed 's/\r$//'
	"$TOP"/rig/check-log.py "$LOGS/demo.log" --demo $timed_out
	exit $?
fi
"$TOP"/rig/check-log.py "$LOGS/$MODE.log" $timed_out
