#!/bin/sh
# Races that need two CPUs, in make check's boot with two (rig/vm-check.sh):
# the foreign subops' races with the guest's balloon (selftest races), and
# the take-over of a domain's BFN space while its other vCPU changes page
# types (review M1, below).
. /rig/lib.sh
RACER_CONSOLE=/var/log/xen/console/guest-racer.log
n=0

# tap OK NAME: one TAP line, OK being a command's exit status.
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n racer.$2"; else echo "not ok $n racer.$2"; fi
}

# A PV domU with two vCPUs and an IOMMU (no device: Xen still keeps its
# IOMMU in step with its page types), running the agent.
racer_cfg() {
	cat <<EOC
name = "racer"
type = "pv"
kernel = "/domu/vmlinuz"
ramdisk = "/domu/initrd.gz"
extra = "console=hvc0 panic=-1 quiet kmemleak=off xen_privcmd.unrestricted=1"
memory = 128
vcpus = 2
passthrough = "enabled"
on_poweroff = "destroy"
on_crash = "preserve"
EOC
}

# As domu_start and domu_cmd, for the racer's agent.
racer() {
	local DOMU_NAME=racer DOMU_CFG=/tmp/racer.cfg DOMU_CONSOLE=$RACER_CONSOLE
	"$@"
}

# The races' guest is the test domU (PVH), created paused and never run:
# on two CPUs, QEMU's emulated SVM, on which Xen runs it, is not sound: the
# guest's kernel triple-faulted in three of four boots (at boot, or later),
# pinned to one CPU or not, once with a Xen address in its RIP. The races
# need its frames and an IOREQ server, not its vCPU. (The racer below is
# PV: no SVM.)
# Its last test leaves it dying for good (a frame kept after a failed
# IOTLB flush): no wait for it to go.
if xen_daemons_start && xl create -q -p $DOMU_CFG; then
	PV_IOMMU_DOMU=$(xl domid $DOMU_NAME) timed /selftests/pv_iommu/races
else
	echo "not ok 1 races.guest_created"
fi
xl destroy $DOMU_NAME 2>/dev/null

# Review M1: the racer takes its BFN space over while a process on its
# other vCPU forks without end. Xen stops mapping its pages at BFN = MFN and
# removes what it mapped; an entry made by a page type change under way
# during the take-over would be left behind for good. Before, Xen's entries
# are there; after, none may be: the racer mapped nothing itself. (The
# VM's RAM is below 4 GiB.)
racer_cfg >/tmp/racer.cfg
rid=$(racer domu_start)
tap $? pv_domain_with_two_vcpus_started
if [ -n "$rid" ]; then
	out=$(/selftests/pv_iommu/iommu_entries "$rid" 0x100000)
	echo "# before: $(echo "$out" | tail -n 1)"
	[ "${out##*entries }" -gt 0 ] 2>/dev/null
	tap $? xen_maps_its_pages_at_first
	got=$(racer domu_cmd takeover)
	echo "# takeover: $got"
	[ "$got" = ok ]
	tap $? takes_over_while_its_page_types_change
	out=$(/selftests/pv_iommu/iommu_entries "$rid" 0x100000)
	echo "$out" | sed 's/^/# /'
	[ "$(echo "$out" | tail -n 1)" = "entries 0" ]
	tap $? no_entry_of_xens_is_left_behind
	racer domu_stop
	tap $? destroyed
fi
