#!/bin/bash
# Boot our Xen and dom0 under QEMU (TCG, q35, emulated VT-d) with an NVMe
# disk, a virtio-blk disk, two edu DMA engines (28-bit and 64-bit) and an
# e1000e on QEMU's user network, in
# the mode given (check|demo); the serial log goes to $LOGS/MODE.log.
# virtio devices bypass QEMU's IOMMU unless iommu_platform=on: real devices
# never do, and with bus address = PFN a bypassing device would miss.
# usage: run-vm.sh MODE   env: TIMEOUT (s), XEN_ARGS_EXTRA, DOM0_ARGS_EXTRA,
#   QEMU_ARGS_EXTRA, LOG_NAME (the log's name, default MODE), XEN_IMAGE
#   (default the debug build), DOM0_MIB (dom0's memory, default 1024),
#   VM_MIB (the VM's, default 2048), IOMMU (intel, the default: VT-d;
#   amd: AMD-Vi) and QEMU (the emulator, default the rig's build,
#   rig/build-qemu.sh)
set -euo pipefail
. "$(dirname "$0")/env.sh"
MODE=${1:?usage: run-vm.sh check|demo}
# Debian's QEMU 7.2 loses interrupts when Xen runs an HVM guest
# (patches/qemu): the rig builds its own from Debian's source.
QEMU=${QEMU:-$OUT/qemu-system-x86_64}
[ -x "$QEMU" ] || die "no emulator at $QEMU: make qemu builds it"
# The first boot of make check takes 9-13 min on a quiet host, and more
# than 15 on a loaded one; a hang is then told by the dump below.
TIMEOUT=${TIMEOUT:-1500}
LOG=$LOGS/${LOG_NAME:-$MODE}.log
mkdir -p "$LOGS" "$CACHE/disks"
for d in nvme vblk; do
	[ -f "$CACHE/disks/$d.img" ] || truncate -s 512M "$CACHE/disks/$d.img"
done

# spec-ctrl=eager-fpu works around a QEMU TCG bug (Debian's 7.2; newer
# releases not checked): XSAVE, XSAVEOPT and XRSTOR do not raise #NM when
# CR0.TS is set (target/i386/tcg/translate.c, 0F AE /4 /5 /6 has no HF_TS
# check; FXSAVE, FXRSTOR and the SSE/AVX instructions libc uses raise it).
# Xen's default on an AMD CPU, which QEMU's -cpu max is, is lazy FPU
# switching: after another vCPU (the test domU) used the FPU, dom0 runs
# with CR0.TS set and Xen loads dom0's registers on dom0's first #NM.
# dom0's kernel then saves and restores its tasks' registers with
# XSAVE(OPT)/XRSTOR without that #NM, i.e. from and into registers Xen does
# not count as dom0's: user programs get the domU's or another task's
# vector registers, and memcpy() and memset() store them (zeros,
# 0xfbad8001, stray pointers). That was the "dom0 user space corrupted
# while a domU runs". Eager switching never leaves a vCPU's registers
# unloaded, so no #NM is needed. rig/qemu-nm/ shows the QEMU bug;
# XEN_ARGS_EXTRA=spec-ctrl=no-eager-fpu brings it back.
# The bits of bus address the IOMMU translates, which dom0's kselftests
# expect the PV-IOMMU's space to have (rig.iommu_bits): VT-d with 4-level
# tables (48 bits, wider than the CPU's 40), as servers have it; AMD-Vi
# tables for a PV domain with as many levels as the host's highest frame
# needs, three at least (Xen patch 0002): three up to 512 GiB.
VM_MIB=${VM_MIB:-2048}
case ${IOMMU:-intel} in
intel) IOMMU_DEV=intel-iommu,intremap=on,caching-mode=on,aw-bits=48
	IOMMU_BITS=48 ;;
amd) IOMMU_DEV=amd-iommu,intremap=on
	IOMMU_BITS=39 ;;
*) die "IOMMU=$IOMMU: intel or amd" ;;
esac
XEN_ARGS="console=com1 dom0_mem=${DOM0_MIB:-1024}M loglvl=all guest_loglvl=all iommu=verbose spec-ctrl=eager-fpu ${XEN_ARGS_EXTRA:-}"
DOM0_ARGS="console=hvc0 earlyprintk=xen panic=-1 rig.mode=$MODE rig.iommu_bits=$IOMMU_BITS ${DOM0_ARGS_EXTRA:-}"
BOOT=(-kernel "${XEN_IMAGE:-$OUT/xen}" -append "$XEN_ARGS"
      -initrd "$OUT/vmlinuz $DOM0_ARGS,$OUT/dom0-initrd.gz")
# NO_XEN=1: the dom0 kernel alone on the same machine (make bench).
if [ -n "${NO_XEN:-}" ]; then
	BOOT=(-kernel "$OUT/vmlinuz" -initrd "$OUT/dom0-initrd.gz"
	      -append "console=ttyS0 panic=-1 rig.mode=$MODE ${DOM0_ARGS_EXTRA:-}")
fi

# The backends stage's receiver: QEMU starts it for each connection a
# guest makes to 10.0.2.100:9000 through the e1000e; it checks every byte.
NET_CHECK="$CACHE/obj/selftests/pv_iommu/net_stream check"


# A VM still running at its timeout is stuck: where its vCPUs are goes to
# the log (Xen's addresses symbolise against xen-syms) before it is killed.
MON=$LOGS/${LOG_NAME:-$MODE}.mon
dump_stuck_vm() {
	{ sleep "$((TIMEOUT - 10))"; } 2>/dev/null || return	# quietly killed
	log "TIMEOUT in 10 s: the vCPUs' registers follow in $LOG"
	"$TOP/rig/qemu-hmp.py" "$MON" 'info cpus' 'info registers -a' 'info lapic' \
		>>"$LOG" 2>&1
	# And the emulator's own view of vCPU 0 (symbols: the rig's build): a
	# halted vCPU with a vector in its IRR needs a request bit to wake.
	gdb -p "$(pgrep -f "^$QEMU .*unix:$MON")" -batch \
		-ex 'printf "@@QEMU vCPU 0: interrupt_request=%#x halted=%d hflags2=%#x\n", cpus.tqh_first->interrupt_request, cpus.tqh_first->halted, ((X86CPU *)cpus.tqh_first)->env.hflags2' \
		2>/dev/null | grep '^@@QEMU' >>"$LOG"
}

log "booting the VM ($MODE), serial log: $LOG"
rc=0
: >"$LOG"	# QEMU appends, so that the dump's lines are not overwritten
dump_stuck_vm &
dumper=$!
timeout --foreground "$TIMEOUT" "$QEMU" -accel tcg -machine q35 \
	-monitor unix:"$MON",server=on,wait=off \
	-device "$IOMMU_DEV" \
	-cpu max,-smap,-smep,-pku,-la57 -m "$VM_MIB" -nographic -no-reboot \
	"${BOOT[@]}" \
	-drive file="$CACHE/disks/nvme.img",if=none,id=nvme0,format=raw \
	-device nvme,drive=nvme0,serial=pviommu0 \
	-drive file="$CACHE/disks/vblk.img",if=none,id=vblk0,format=raw \
	-device virtio-blk-pci,drive=vblk0,disable-legacy=on,iommu_platform=on \
	-device edu,addr=0x10,dma_mask=0xfffffff \
	-device edu,addr=0x11,dma_mask=0xffffffffffffffff \
	-nic user,model=e1000e,guestfwd=tcp:10.0.2.100:9000-cmd:"$NET_CHECK" \
	${QEMU_ARGS_EXTRA:-} \
	</dev/null >>"$LOG" 2>&1 || rc=$?
# Its sleep first: killed alone, the dumper would leave the sleep holding
# our stdout, and whoever reads it would wait for the sleep to end.
pkill -P "$dumper" sleep 2>/dev/null || true
rm -f "$MON"
[ $rc = 124 ] && log "TIMEOUT: QEMU killed after ${TIMEOUT}s"
exit $rc
