# Xen PV-IOMMU: build the patched Xen and dom0 kernel, boot them under QEMU,
# run the tests inside dom0. Build outputs live in $(PV_IOMMU_CACHE)
# (default /var/cache/xen-pv-iommu); only what changed is rebuilt.

PV_IOMMU_CACHE ?= /var/cache/xen-pv-iommu
export PV_IOMMU_CACHE
RIG := rig
TARGETS := all deps qemu xen xen-release linux initrd build lint check demo bench clean

.PHONY: $(TARGETS)

ifeq ($(RIG_LOCKED),)
# One build or VM at a time per cache: take the lock, then do the work.
$(TARGETS):
	@mkdir -p $(PV_IOMMU_CACHE)
	@RIG_LOCKED=1 flock $(PV_IOMMU_CACHE).lock $(MAKE) --no-print-directory $@
else

all: build

deps:
	@scripts/install-deps.sh

# The VM's emulator: Debian's QEMU source with the rig's fixes.
qemu: deps
	@$(RIG)/build-qemu.sh

xen: deps
	@$(RIG)/build-xen.sh debug

# The release hypervisor make bench boots (its own source tree and output).
xen-release: deps
	@$(RIG)/build-xen.sh release

linux: deps
	@$(RIG)/build-linux.sh

initrd: linux
	@$(RIG)/build-initrd.sh

build: qemu xen linux initrd

lint: linux xen
	@$(RIG)/lint.sh

# Boot the VM, run the KUnit, module and kselftest stages, judge the log.
check: build lint
	@$(RIG)/vm-check.sh check

# Boot the VM and show what the PV-IOMMU driver did.
demo: build
	@$(RIG)/vm-check.sh demo

# On the release hypervisor: boot three times (PV-IOMMU, xen-swiotlb, no
# Xen) and compare DMA map costs, then the boot map at several dom0 sizes;
# tables and plots in $(PV_IOMMU_CACHE)/logs/bench.txt and bench-*.svg.
bench: build xen-release
	@$(RIG)/bench.sh

clean:
	rm -rf $(PV_IOMMU_CACHE)/obj $(PV_IOMMU_CACHE)/out

endif
