# Helpers for dom0's init and the test stages (sourced).

# stage NAME CMD...: run a stage with its output between markers.
stage() {
	local name=$1 rc
	shift
	echo "@@BEGIN $name"
	"$@" 2>&1
	rc=$?
	echo "@@END $name rc=$rc"
}

# tap_result N NAME CMD...: one TAP line for a command's success.
tap_result() {
	local n=$1 name=$2
	shift 2
	if "$@"; then echo "ok $n $name"; else echo "not ok $n $name"; fi
}

# Scan for leaks before power-off; print what kmemleak found (if anything).
kmemleak_report() {
	local f=/sys/kernel/debug/kmemleak
	[ -w $f ] || return 0
	echo scan >$f
	sleep 1
	echo scan >$f
	echo "@@BEGIN kmemleak"
	cat $f
	echo "@@END kmemleak rc=0"
}
