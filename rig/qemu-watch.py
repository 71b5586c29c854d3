#!/usr/bin/env python3
"""Wake the VM's vCPU when QEMU 7.2 has lost the wake-up of an interrupt.

usage: qemu-watch.py SOCKET SERIAL_LOG

QEMU 7.2's helper_vmrun() (target/i386/tcg/sysemu/svm_helper.c) sets
CPU_INTERRUPT_VIRQ in cs->interrupt_request with a plain '|=' from the vCPU
thread, without the BQL. The main loop thread sets CPU_INTERRUPT_POLL in the
same word when the local APIC's timer fires, so the two stores can race and
the POLL bit can be lost. Xen, halted in default_idle() with interrupts on,
then never sees its one-shot timer's vector although it is pending in the
IRR, and the whole VM stops. Upstream QEMU made these updates atomic in 2025
(cpu_set_interrupt()); Debian 12's QEMU has the race. It needs an HVM guest
(the PVH domU) running, which is why only boots with a domU hung.

Every few seconds this reads the vCPU's state from the monitor. A vCPU that
stays halted with interrupts on, no interrupt in service and a vector in the
IRR above its priority is that lost wake-up; real hardware would have taken
the interrupt. It then logs the state and injects an NMI (Xen runs with
nmi=dom0): Xen wakes, hands the NMI to dom0, and dom0's console write makes
the serial port interrupt from the vCPU's own thread, where the APIC does
raise the pending vector. The serial log gets "@@RIG qemu-lost-wakeup" for
each wake-up, which rig/check-log.py reports.
"""
import importlib.util
import os
import re
import sys
import time

spec = importlib.util.spec_from_file_location(
    "qemu_hmp", os.path.join(os.path.dirname(__file__), "qemu-hmp.py"))
qemu_hmp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(qemu_hmp)

PERIOD_S = 5
SAMPLES = 3     # consecutive stuck samples, PERIOD_S apart, before a wake-up


def lost_wakeup(registers, lapic):
    """True if the state shows a deliverable interrupt that a halted vCPU
    with interrupts on has not taken."""
    regs = re.search(r"RFL=([0-9a-f]+) .* HLT=(\d)", registers)
    irr = re.search(r"^IRR\t(.*)$", lapic, re.M)
    isr = re.search(r"^ISR\t(.*)$", lapic, re.M)
    ppr = re.search(r"PPR 0x([0-9a-f]+)", lapic)
    if not (regs and irr and isr and ppr):
        return False
    halted, irq_on = regs.group(2) == "1", int(regs.group(1), 16) & 0x200
    pending = [int(v) for v in re.findall(r"\d+", irr.group(1))]
    in_service = re.findall(r"\d+", isr.group(1))
    return bool(halted and irq_on and pending and not in_service and
                max(pending) >> 4 > int(ppr.group(1), 16) >> 4)


def rip_line(registers):
    m = re.search(r"^RIP=.*$", registers, re.M)
    return m.group(0) if m else ""


def main():
    sock, log = sys.argv[1], sys.argv[2]
    stuck = 0
    while True:
        time.sleep(PERIOD_S)
        try:
            registers, lapic = qemu_hmp.hmp(sock, ["info registers",
                                                   "info lapic"])
        except OSError:
            if not os.path.exists(sock):
                return      # QEMU has gone
            continue
        stuck = stuck + 1 if lost_wakeup(registers, lapic) else 0
        if stuck < SAMPLES:
            continue
        stuck = 0
        with open(log, "a") as f:
            f.write("@@RIG qemu-lost-wakeup: vCPU halted with a pending "
                    "interrupt for %d s (QEMU 7.2 helper_vmrun race); "
                    "injecting an NMI\n%s\n%s\n" %
                    (PERIOD_S * SAMPLES, rip_line(registers), lapic))
        qemu_hmp.hmp(sock, ["nmi"])


if __name__ == "__main__":
    main()
