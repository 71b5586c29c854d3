#!/bin/sh
# A PV driver domain dies with device maps of a guest's grants live (review
# C1). The 28-bit edu is passed through to a PV domU (pciback, pcifront),
# which takes its BFN space over and maps 64 pages the test domU (PVH)
# grants it device-only at BFNs of its choosing (GNTMAP_request_bfn_map),
# as its backend would for DMA; the edu copies one granted page to another
# through those maps. The driver domain is then destroyed with the maps
# still there: its maps held a reference on each of the guest's frames
# until its devices were gone, and must then have dropped them, so that
# the driver domain goes away whole, and the guest, destroyed in its turn,
# too. dom0's audit ends where it began, and no IOMMU fault is reported.
# The driver domain is destroyed with its devices still assigned, as an
# emulator of the guest too (review H4, below).
. /rig/lib.sh
EDU=0000:00:10.0	# the 28-bit edu (rig/run-vm.sh: addr=0x10)
NPAGES=64
FMAP_GFN=0xf0000	# beyond the guest's RAM: a frame dom0 adds
SEED=91
n=0

# tap OK NAME: one TAP line, OK being a command's exit status.
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n driver.$2"; else echo "not ok $n driver.$2"; fi
}

# An agent in a PV domU with the edu, on the same kernel and initramfs.
driver_cfg() {
	cat <<EOC
name = "driver"
type = "pv"
kernel = "/domu/vmlinuz"
ramdisk = "/domu/initrd.gz"
extra = "console=hvc0 panic=-1 quiet kmemleak=off xen_privcmd.unrestricted=1"
memory = 128
vcpus = 1
pci = [ '$EDU' ]
on_poweroff = "destroy"
on_crash = "preserve"
EOC
}

# As domu_start and domu_cmd, for the driver domain's agent.
driver() {
	local DOMU_NAME=driver DOMU_CFG=/tmp/driver.cfg
	local DOMU_CONSOLE=/var/log/xen/console/guest-driver.log
	"$@"
}

# answer_is WANT FUNCTION...: the agent's answer matches WANT.
answer_is() {
	local want=$1 got
	shift
	got=$("$@") || return 1
	echo "# ${*#driver }: $(echo "$got" | cut -c1-60)"
	case $got in $want) return 0 ;; esac
	return 1
}

# gone NAME: no domain of that name, nor a dying one ((null)), within 30 s.
gone() {
	local i=0
	while [ $i -lt 300 ]; do
		xl list | grep -qE "^($1|\(null\)) " || return 0
		i=$((i + 1))
		sleep 0.1
	done
	xl list | sed 's/^/# xl list: /'
	return 1
}

xen_daemons_start || { echo "not ok 1 driver.xen_daemons"; exit 1; }
base=$(/selftests/pv_iommu/audit)
echo "# dom0's audit: $base"
driver_cfg >/tmp/driver.cfg
[ -e /sys/bus/pci/devices/$EDU/driver ] &&
	echo $EDU >/sys/bus/pci/devices/$EDU/driver/unbind
xl pci-assignable-add $EDU
tap $? edu_assignable
did=$(driver domu_start)
tap $? pv_driver_domain_started
gid=$(domu_start)
tap $? guest_started
[ -n "$did" ] && [ -n "$gid" ] || { driver domu_stop; domu_stop; exit 1; }

refs=$(domu_cmd grant $SEED "$did")
case $refs in "ok "*) refs=${refs#ok } ;; *) refs="" ;; esac
[ "$(echo "$refs" | wc -w)" = $NPAGES ]
tap $? guest_grants_${NPAGES}_pages_to_the_driver_domain
xenstore-write "$(driver domu_dir)"/refs "$refs"
answer_is "ok $NPAGES" driver domu_cmd dmap "$gid"
tap $? device_maps_at_chosen_bfns
audit=$(/selftests/pv_iommu/audit "$did")
echo "# driver domain's audit: $audit"
[ "$audit" = "mappings $NPAGES page_refs $NPAGES type_refs $NPAGES m2b_entries 0" ]
tap $? each_device_map_holds_a_page_and_a_type_reference
answer_is ok driver domu_cmd educopy 0 1 && answer_is ok domu_cmd gcopied 0 1
tap $? the_edu_copies_a_granted_page_through_the_maps

# Review H4: the driver domain is also the guest's emulator, with a map of
# the guest's frame at FMAP_GFN made with swap_mfn. It dies with its devices
# still assigned (destroyed directly: xl would take them away first), and
# Xen holds its teardown there while the guest gives the frame up. Xen
# cannot swap the BFN to the scratch page for a dying domain, so it must
# keep the map's references until the devices are gone: the audit of the
# dying domain still counts them. Then it goes, and takes them with it.
/selftests/pv_iommu/dying_emulator prepare "$did" "$gid" $FMAP_GFN >/dev/null
tap $? driver_domain_may_emulate_the_guest
answer_is ok driver domu_cmd fmap "$gid" $FMAP_GFN
tap $? it_maps_a_guest_frame_with_swap_mfn
out=$(/selftests/pv_iommu/dying_emulator destroy "$did" "$gid" $FMAP_GFN)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -qx "held -16"
tap $? its_teardown_held_with_its_devices_assigned
n1=$((NPAGES + 1))
echo "$out" | grep -qx "dying: mappings $n1 page_refs $n1 type_refs $n1 m2b_entries 0"
tap $? dying_with_its_devices_it_keeps_the_references_of_a_frame_given_up
echo "$out" | grep -qx "destroyed 0"
tap $? destroyed_once_let_go
# What xl would have removed; pciback lets the edu go with its backend.
vm=$(xenstore-read /local/domain/"$did"/vm 2>/dev/null)
for node in /local/domain/0/backend/pci/"$did" \
	/local/domain/0/backend/console/"$did" /local/domain/"$did" \
	/libxl/"$did" $vm; do
	xenstore-rm "$node" 2>/dev/null
done
gone driver
tap $? driver_domain_destroyed_with_live_maps_goes_away_whole
domu_stop
gone domu
tap $? guest_goes_away_whole_after_it
now=$(/selftests/pv_iommu/audit)
echo "# dom0's audit: $now"
[ "$now" = "$base" ]
tap $? audit_at_baseline
xl pci-assignable-remove $EDU
tap $? edu_back_to_dom0
