#!/bin/bash
# Boot the VM in MODE (check|demo) and judge its serial log.
# In check mode the device stages (edu, the disks, the guests' backends)
# run in boots of their own under QEMU's -icount (edu's DMA waits 100 ms of
# virtual time, which an idle VM then skips): one on the PV-IOMMU, one on
# xen-swiotlb (xen_pv_iommu=off), and the device stage 35-devices a second time
# on xen-swiotlb after a boot map made to fail (xen_pv_iommu=fail_op:N),
# which also checks the undo. Stage 46-identity, which needs a dom0 whose
# devices reach frames at their MFN, runs in the xen-swiotlb boot only. The
# other stages run in the first boot, without -icount. The hypercall, grant and foreign kselftests run once
# more on AMD-Vi (QEMU's amd-iommu), in a boot of their own, on a 1 GiB host.
# The races of the foreign subops with the guest's balloon (47-races) run
# in a boot of their own with two CPUs: everywhere else the VM has one.
set -uo pipefail
. "$(dirname "$0")/env.sh"
MODE=$1
DEVICES="35-devices 50-backends"
SWIOTLB_ONLY="46-identity"
AMD_STAGES="30-selftests 45-foreign"
SMP_ONLY="47-races"
ICOUNT="-icount shift=auto,sleep=off"

# boot LOG_NAME DOM0_ARGS QEMU_ARGS: one boot, judged; fails if it fails.
boot() {
	local rc=0 timed_out=""
	LOG_NAME=$1 DOM0_ARGS_EXTRA=$2 QEMU_ARGS_EXTRA=$3 \
		"$TOP"/rig/run-vm.sh "$MODE" || rc=$?
	[ $rc = 124 ] && timed_out=--timed-out
	echo "--- $1 ---"
	"$TOP"/rig/check-log.py "$LOGS/$1.log" $timed_out
}

if [ "$MODE" = demo ]; then
	rc=0
	"$TOP"/rig/run-vm.sh "$MODE" || rc=$?
	timed_out=""
	[ $rc = 124 ] && timed_out=--timed-out
	sed -n '/^@@BEGIN demo/,/^@@END demo/p' "$LOGS/demo.log" | sed 's/\r$//'
	"$TOP"/rig/check-log.py "$LOGS/demo.log" --demo $timed_out
	exit $?
fi

# The stages asked for (rig.only=A+B in DOM0_ARGS_EXTRA, or all), split.
all=$(cd "$TOP"/rig/initramfs/stages && ls -- *.sh | sed 's/\.sh$//' | paste -sd+)
only=$(sed -n 's/.*rig\.only=\([^ ]*\).*/\1/p' <<<"${DOM0_ARGS_EXTRA:-}")
asked=$(tr '+,' '\n\n' <<<"${only:-$all}")
others=$(grep -vxF "$(tr ' ' '\n' <<<"$DEVICES $SWIOTLB_ONLY $SMP_ONLY")" \
	<<<"$asked" | paste -sd+)
devices=$(grep -xF "$(tr ' ' '\n' <<<"$DEVICES")" <<<"$asked" | paste -sd+)
swiotlb=$(grep -xF "$(tr ' ' '\n' <<<"$DEVICES $SWIOTLB_ONLY")" <<<"$asked" |
	paste -sd+)
amd=$(grep -xF "$(tr ' ' '\n' <<<"$AMD_STAGES")" <<<"$asked" | paste -sd+)
smp=$(grep -xF "$(tr ' ' '\n' <<<"$SMP_ONLY")" <<<"$asked" | paste -sd+)
verdict=0
if [ -n "$others" ]; then
	boot "$MODE" "${DOM0_ARGS_EXTRA:-} rig.only=$others" "${QEMU_ARGS_EXTRA:-}" ||
		verdict=1
fi
# AMD-Vi on a host of 1 GiB, whose PV domains' IOMMU tables had two levels
# without Xen patch 0002 (Xen crashed dom0 as it built it).
if [ -n "$amd" ]; then
	IOMMU=amd VM_MIB=1024 DOM0_MIB=512 boot "$MODE-amd" \
		"${DOM0_ARGS_EXTRA:-} rig.only=$amd" "${QEMU_ARGS_EXTRA:-}" ||
		verdict=1
fi
# Without -icount, under which QEMU runs one vCPU at a time.
if [ -n "$smp" ]; then
	boot "$MODE-smp" "${DOM0_ARGS_EXTRA:-} rig.only=$smp" \
		"-smp 2 ${QEMU_ARGS_EXTRA:-}" || verdict=1
fi
if [ -n "$devices" ]; then
	boot "$MODE-devices" "${DOM0_ARGS_EXTRA:-} rig.only=$devices" \
		"$ICOUNT ${QEMU_ARGS_EXTRA:-}" || verdict=1
fi
if [ -n "$swiotlb" ]; then
	boot "$MODE-xen-swiotlb" \
		"${DOM0_ARGS_EXTRA:-} xen_pv_iommu=off rig.only=$swiotlb" \
		"$ICOUNT ${QEMU_ARGS_EXTRA:-}" || verdict=1
fi
# xen-swiotlb after a boot map that failed half-way (operation 100,000 of
# about 245,000).
case "+$devices+" in
*+35-devices+*)
	boot "$MODE-failed-map" \
		"${DOM0_ARGS_EXTRA:-} xen_pv_iommu=fail_op:100000 rig.only=35-devices" \
		"$ICOUNT ${QEMU_ARGS_EXTRA:-}" || verdict=1
	;;
esac
exit $verdict
