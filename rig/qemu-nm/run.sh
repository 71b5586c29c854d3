#!/bin/bash
# Does this QEMU's TCG raise #NM for FXSAVE, FXRSTOR, XSAVE, XSAVEOPT,
# XRSTOR and an SSE instruction while CR0.TS is set, as the SDM says every
# one of them must? A 2-second multiboot test on the rig's -cpu (nm.S).
# Debian 12's QEMU 7.2 answers "NO #NM" for the three XSAVE-family
# instructions; this is why rig/run-vm.sh gives Xen spec-ctrl=eager-fpu.
# usage: rig/qemu-nm/run.sh   (prints one line per instruction)
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -m32 -c nm.S -o "$tmp"/nm.o
ld -m elf_i386 -T nm.ld --no-warn-rwx-segments -o "$tmp"/nm.elf "$tmp"/nm.o
qemu-system-x86_64 --version | head -1
rc=0
timeout 30 qemu-system-x86_64 -accel tcg -machine q35 \
	-cpu max,-smap,-smep,-pku,-la57 -m 32 -display none -serial stdio \
	-no-reboot -kernel "$tmp"/nm.elf \
	-device isa-debug-exit,iobase=0xf4,iosize=4 </dev/null || rc=$?
# isa-debug-exit: QEMU exits with (0 << 1) | 1 when the test finished.
[ $rc = 1 ] || { echo "the test did not finish (rc=$rc)"; exit 1; }
