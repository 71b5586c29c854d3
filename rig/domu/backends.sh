#!/bin/busybox sh
# The backends stage's guest side (rig.domu=backends on the kernel command
# line): MIB MiB through its blkfront disk and back with O_DIRECT, then, if
# it has a NIC, MIB MiB through netfront to a receiver that checks every
# byte. Each outcome is a "backends: ..." line on the console. With
# rig.domu=bench (make bench) the same runs are timed, plus 4 KiB random
# reads, and printed as "@@BENCH backends_..." lines.
arg() {
	sed -n "s/.*rig\.$1=\([^ ]*\).*/\1/p" /proc/cmdline
}
MIB=$(arg mib)
SEED=$(arg seed)
MODE=$(arg domu)

# mbs SECONDS: MIB MiB in that time, in MB/s. (The parentheses matter: a
# bare ">" in printf's arguments is awk's output redirection.)
mbs() {
	awk -v s="$1" -v m="$MIB" 'BEGIN { printf "%.1f", (s > 0 ? m * 1.048576 / s : 0) }'
}

disk_test() {
	local out w r
	out=$(disk_rw /dev/xvda "$MIB" "$SEED") || return 1
	echo "$out"
	[ "$MODE" = bench ] || return 0
	w=$(echo "$out" | sed -n 's/.* written in \([0-9.]*\) s.*/\1/p')
	r=$(echo "$out" | sed -n 's/.*read back in \([0-9.]*\) s.*/\1/p')
	echo "@@BENCH backends_disk mib=$MIB write_mbs=$(mbs "$w") read_mbs=$(mbs "$r") $(disk_iops /dev/xvda "$MIB" 10 | tr ' ' =)"
}

net_test() {
	local out s
	ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up &&
		ip route add default via 10.0.2.2
	out=$(net_stream send 10.0.2.100 9000 "$MIB" "$SEED") || return 1
	echo "$out"
	[ "$MODE" = bench ] || return 0
	s=$(echo "$out" | sed -n 's/.* MiB in \([0-9.]*\) s,.*/\1/p')
	echo "@@BENCH backends_net mib=$MIB mbs=$(mbs "$s")"
}

if disk_test; then
	echo "backends: disk ok"
else
	echo "backends: disk failed"
fi
if [ -d /sys/class/net/eth0 ]; then
	if net_test; then
		echo "backends: net ok"
	else
		echo "backends: net failed"
	fi
fi
echo "backends: done"
