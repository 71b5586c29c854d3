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

# timed CMD...: run a selftest, with dom0's uptime after each of its RUN
# lines; and once it has printed nothing for STALL_S seconds, where it waits:
# the kernel stacks of the selftests' threads, the domains' states and the
# domU agent's last command. A test that stalls then says where.
STALL_S=${STALL_S:-90}
timed() {
	local fifo=/run/timed.fifo seen=/run/timed.seen pid watcher rc line
	rm -f $fifo && mkfifo $fifo || return 1
	"$@" >$fifo 2>&1 &
	pid=$!
	stall_watch $seen &
	watcher=$!
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in "#  RUN "*) echo "# at $(uptime_s) s" ;; esac
		uptime_s >$seen
	done <$fifo
	wait $pid
	rc=$?
	kill $watcher 2>/dev/null
	wait $watcher 2>/dev/null
	rm -f $fifo $seen
	return $rc
}

# stall_watch FILE: report once per stall when FILE (the uptime of the last
# output line) is STALL_S seconds old.
stall_watch() {
	local last reported=
	uptime_s >"$1"
	while sleep 10; do
		read -r last <"$1" 2>/dev/null || continue
		if [ $(($(uptime_s) - last)) -lt $STALL_S ]; then
			reported=
		elif [ "$reported" != "$last" ]; then
			reported=$last
			stall_report
		fi
	done
}

stall_report() {
	local p t dir
	echo "# stalled: no output for $STALL_S s at $(uptime_s) s"
	for p in /proc/[0-9]*; do
		grep -q /selftests/ $p/cmdline 2>/dev/null || continue
		for t in $p/task/*; do
			echo "# task ${t##*/} ($(cat $t/comm)) state $(cut -d' ' -f3 $t/stat)"
			sed 's/^/#   /' $t/stack 2>/dev/null
		done
	done
	xl list 2>&1 | sed 's/^/# xl: /'
	dir=$(domu_dir) && for n in cmd result; do
		echo "# agent $n: $(xenstore-read "$dir"/$n 2>&1)"
	done
}

# The test domU (rig/domu): a PVH guest whose agent answers through its
# xenstore directory data/pv-iommu/ (ready, gfns, cmd, result). Another
# agent's domU (stage 52-driver-domain) is driven by the same functions with
# DOMU_NAME, DOMU_CFG and DOMU_CONSOLE set as locals of a caller.
DOMU_NAME=domu
DOMU_CFG=/domu/domu.cfg
DOMU_CONSOLE=/var/log/xen/console/guest-$DOMU_NAME.log
# A PVH guest boots on QEMU's emulated SVM: up to 95 s from the stage's
# start to its agent on a quiet host, twice that on a loaded one (on
# 2026-12-03 two boots at host load 2.3 missed 120 s).
DOMU_BOOT_TIMEOUT=${DOMU_BOOT_TIMEOUT:-300}
DOMU_CMD_TIMEOUT=${DOMU_CMD_TIMEOUT:-30}

# uptime_s: whole seconds since boot. The waits below count time with it,
# not loop turns: under TCG one xl call can take a second or more.
uptime_s() {
	local s
	read -r s _ </proc/uptime
	echo "${s%.*}"
}

# Start xenstored, xen-init-dom0 and xenconsoled, unless they run.
xen_daemons_start() {
	local n=0
	pidof xenstored >/dev/null && return 0
	mkdir -p /run/xen /run/xenstored
	xenstored --pid-file /run/xenstored.pid || return 1
	until xenstore-ls / >/dev/null 2>&1; do
		n=$((n + 1))
		[ $n -le 150 ] || return 1
		sleep 0.1
	done
	xen-init-dom0 >/dev/null || return 1
	xenconsoled --log=guest --log-dir=/var/log/xen/console \
		--pid-file=/run/xenconsoled.pid
}

# domu_dir: the domU agent's xenstore directory (domu_start saved the id).
domu_dir() {
	local id
	id=$(cat /run/$DOMU_NAME.id 2>/dev/null) || return 1
	echo /local/domain/"$id"/data/pv-iommu
}

# domu_start: create the test domU, wait until its agent is ready, print
# its domid. On failure, the end of its console goes to stderr.
domu_start() {
	local id end
	xen_daemons_start || { echo "# cannot start the Xen daemons" >&2; return 1; }
	xl create -q $DOMU_CFG >&2 || return 1
	id=$(xl domid $DOMU_NAME) || return 1
	end=$(($(uptime_s) + DOMU_BOOT_TIMEOUT))
	until [ "$(xenstore-read /local/domain/"$id"/data/pv-iommu/ready 2>/dev/null)" = 1 ]; do
		if [ "$(uptime_s)" -gt $end ] || ! xl domid $DOMU_NAME >/dev/null 2>&1; then
			echo "# domU $id: gone, or no agent in $DOMU_BOOT_TIMEOUT s; console:" >&2
			tail -n 20 $DOMU_CONSOLE >&2
			return 1
		fi
		sleep 0.5
	done
	echo "$id" >/run/$DOMU_NAME.id
	echo "$id"
}

# domu_cmd VERB [ARG]: send a command to the domU agent and print its
# one-line answer; fail when none comes within DOMU_CMD_TIMEOUT seconds.
domu_cmd() {
	local dir seq res end
	dir=$(domu_dir) || { echo "# no domU" >&2; return 1; }
	seq=$(($(cat /run/domu-cmd.seq 2>/dev/null || echo 0) + 1))
	echo $seq >/run/domu-cmd.seq
	xenstore-write "$dir"/cmd "$seq $*" || return 1
	end=$(($(uptime_s) + DOMU_CMD_TIMEOUT))
	while :; do
		res=$(xenstore-read "$dir"/result 2>/dev/null)
		case $res in
		"$seq "*)
			echo "${res#"$seq "}"
			return 0
			;;
		esac
		if [ "$(uptime_s)" -gt $end ]; then
			echo "# domU: no answer to '$*' in $DOMU_CMD_TIMEOUT s" >&2
			return 1
		fi
		sleep 0.1
	done
}

# domu_present: the test domU is in `xl list` (or xl failed to say).
domu_present() {
	local out
	out=$(xl list) || return 0
	echo "$out" | grep -q "^$DOMU_NAME "
}

# domu_stop: destroy the test domU and wait until it is gone.
domu_stop() {
	local n=0
	rm -f /run/$DOMU_NAME.id
	xl destroy $DOMU_NAME 2>/dev/null || echo "# xl destroy failed"
	while domu_present; do
		n=$((n + 1))
		[ $n -le 150 ] || return 1
		sleep 0.1
	done
}

# domu_test PROGRAM: run a kselftest PROGRAM with the test domU up (its
# domid, GFNs and a command for its agent in the environment), then
# destroy the domU.
domu_test() {
	local domid
	if domid=$(domu_start); then
		PV_IOMMU_DOMU=$domid \
		PV_IOMMU_DOMU_GFNS=$(xenstore-read "$(domu_dir)"/gfns) \
		PV_IOMMU_DOMU_CMD="sh -c '. /rig/lib.sh; domu_cmd \"\$@\"' domu_cmd" \
			timed "$1" ||
			tail -n 30 $DOMU_CONSOLE | sed 's/^/# domU console: /'
	else
		echo "not ok 1 $(basename "$1").domu_started"
	fi
	xl domid $DOMU_NAME >/dev/null 2>&1 && domu_stop
}

# The backends domUs (stage 50-backends, make bench) run rig/domu/backends.sh
# with a blkfront disk on dom0's NVMe and, with VIF, a NIC on dom0's bridge.
BACKENDS_DISK=/dev/nvme0n1
BACKENDS_TIMEOUT=${BACKENDS_TIMEOUT:-900}

# backends_bridge: dom0's e1000e in a bridge for the domUs' vifs.
backends_bridge() {
	brctl addbr br0 && brctl addif br0 eth0 && ip link set eth0 up &&
		ip link set br0 up
}

# backends_cfg TYPE MODE MIB SEED [VIF]: an xl config for a backends domU.
backends_cfg() {
	cat <<EOC
name = "backends-$1"
type = "$1"
tsc_mode = "native"
kernel = "/domu/vmlinuz"
ramdisk = "/domu/initrd.gz"
extra = "console=hvc0 panic=-1 quiet kmemleak=off rig.domu=$2 rig.mib=$3 rig.seed=$4"
memory = 128
vcpus = 1
on_poweroff = "destroy"
on_crash = "preserve"
disk = [ 'format=raw,vdev=xvda,access=rw,target=$BACKENDS_DISK' ]
${5:+vif = [ 'bridge=br0' ]}
EOC
}

# backends_guest TYPE MODE MIB SEED [VIF]: boot a backends domU and wait
# until it has powered off; what its tests printed goes to stdout, prefixed
# "# ". The guest kernel's own messages stay in its console log: they are
# not dom0's, and check-log.py judges dom0's.
backends_guest() {
	local name=backends-$1 t0
	backends_cfg "$@" >/tmp/$name.cfg
	xl create -q /tmp/$name.cfg || return 1
	t0=$(uptime_s)
	while xl domid $name >/dev/null 2>&1; do
		if [ $(($(uptime_s) - t0)) -gt "$BACKENDS_TIMEOUT" ]; then
			echo "# $name: still running after $BACKENDS_TIMEOUT s"
			xl destroy $name
			break
		fi
		sleep 1
	done
	tr -d '\r' <"/var/log/xen/console/guest-$name.log" |
		grep -E '^(backends|domU): |^# |^@@BENCH ' | sed 's/^/# /'
	echo "# $name: gone after about $(($(uptime_s) - t0)) s"
}

XEN_MEMORY=/sys/devices/system/xen_memory/xen_memory0

# balloon_to KB SECONDS: set dom0's balloon target to KB and wait until it
# is met; fails after SECONDS.
balloon_to() {
	local end=$(($(uptime_s) + $2))
	echo "$1" >$XEN_MEMORY/target_kb
	while [ "$(cat $XEN_MEMORY/info/current_kb)" != "$1" ]; do
		[ "$(uptime_s)" -gt $end ] && return 1
		sleep 0.01
	done
}

# edu_devices: the PCI names of QEMU's edu devices (1234:11e8), one a line,
# in PCI address order: the 28-bit one first, then the 64-bit one.
edu_devices() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d"/vendor)" = 0x1234 ] && [ "$(cat "$d"/device)" = 0x11e8 ] &&
			basename "$d"
	done
}
