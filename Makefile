# SPDX-License-Identifier: GPL-2.0
#
#   make                      module (./synfin.ko) and reader (userspace/synfin)
#   make KDIR=/usr/src/linux-headers-<release>   build for another kernel
#   make demo                 boot a VM, trace real connections, print the timeline
#   make check                every test: units, then 6.1 and 6.12 (and their
#                             PREEMPT_RT builds) in QEMU
#   make check VM_TESTS="core ynl"    (or make vmtest VM_TESTS=...): only
#                             those sections (core api hostile load faults) or
#                             single tests (handshake, ynl, ...: the catalogue
#                             is tests/README.md) of the VM suite, on every
#                             kernel ("all": everything, PREEMPT_RT kernels
#                             too); an unknown name is an error
#   make check-debug          the VM suite on a KASAN/lockdep/kmemleak kernel
#                             built from Debian's linux-source (cached)
#   make check-kcsan          the VM suite on the same kernel with KCSAN
#                             instead of KASAN (data races; cached too)
#   make bench                overhead against conntrack, tcpdump, tcpstates
#                             and bpftrace, and where it goes, in QEMU:
#                             BENCHMARKS.md (not part of make check)
#   make install [KVER=<release>] [DESTDIR=...] [PREFIX=/usr]
#                             module, reader and man page synfin(8)
#   make dkms-install         sources to /usr/src/synfin-<version>; DKMS
#                             builds the module for every installed kernel
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
VERSION := $(shell sed -n 's/^SYNFIN_VERSION := //p' Kbuild)
# The module's sources (one list, module/sources.mk) and what a DKMS
# source tree holds: them, and how to build them.
include module/sources.mk
MODULE_FILES := $(addprefix module/,$(SYNFIN_SOURCES) $(SYNFIN_HEADERS))
DKMS_FILES := Kbuild dkms.conf module/sources.mk $(MODULE_FILES)
# VM_TESTS: the VM suite's sections or tests (tests/vm/suite.sh --list;
# default: all of them, but only SYNFIN_VM_RT_SECTIONS, "core load", on
# PREEMPT_RT kernels).
VM_ENV = $(if $(VM_TESTS),SYNFIN_VM_SECTIONS='$(VM_TESTS)')

.PHONY: all module reader clean deps demo check unit fuzz vmtest style sparse \
	readtest ynlspec bench check-debug check-kcsan install install-reader install-module dkms-install packagetest \
	module-sources

all: module reader

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

reader:
	$(MAKE) -C userspace synfin san

install: install-reader install-module

install-reader:
	$(MAKE) -C userspace synfin
	install -D -m 0755 userspace/synfin $(DESTDIR)$(SBINDIR)/synfin
	install -D -m 0644 userspace/synfin.8 $(DESTDIR)$(MANDIR)/man8/synfin.8

# The module goes to /lib/modules/<release>/updates, ahead of any other.
install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates modules_install

dkms-install:
	install -d $(DESTDIR)/usr/src/synfin-$(VERSION)
	cp --parents $(DKMS_FILES) $(DESTDIR)/usr/src/synfin-$(VERSION)/
	[ -n "$(DESTDIR)" ] || { \
		dkms status -m synfin -v $(VERSION) | grep -q . || \
			dkms add -m synfin -v $(VERSION); \
		for k in $$(ls /lib/modules); do \
			[ ! -d /lib/modules/$$k/build ] || \
			dkms install -m synfin -v $(VERSION) -k $$k || exit 1; \
		done; }

# The module's source files, one a line, for scripts (style, packaging).
module-sources:
	@printf '%s\n' $(MODULE_FILES)

packagetest: deps
	scripts/package-test.sh

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=2 modules

deps:
	scripts/install-deps.sh

unit: deps
	$(MAKE) -C tests/unit check

fuzz: deps
	$(MAKE) -C tests/fuzz run

style: deps
	scripts/style.sh

# The YNL spec: valid for the kernel's YNL, and the same as the C header.
ynlspec: deps
	/usr/bin/python3 tests/ynl/check_spec.py module/uapi/synfin.yaml \
		module/uapi/linux/synfin.h $$(scripts/kernel-tools.sh)/tools/net/ynl \
		$$(scripts/kernel-tools.sh)/Documentation/netlink/genetlink-legacy.yaml

readtest: deps
	$(MAKE) -C userspace san
	/usr/bin/python3 tests/read/test_read.py userspace/synfin-san build/read

demo: deps reader
	scripts/demo.sh

# The whole VM suite on a debug kernel (built once, cached outside the tree).
check-debug: deps reader
	$(VM_ENV) scripts/vm-tests.sh $$(scripts/debug-kernel.sh >/dev/null && \
		make -s -C $$(scripts/debug-kernel.sh) kernelrelease)

# The same on the KCSAN flavour of that kernel: its reports of data races
# fail the run when they name synfin (scripts/vm-run.sh).
check-kcsan: deps reader
	$(VM_ENV) scripts/vm-tests.sh $$(scripts/debug-kernel.sh kcsan >/dev/null && \
		make -s -C $$(scripts/debug-kernel.sh kcsan) kernelrelease)

bench:
	scripts/install-deps.sh bench
	scripts/bench.sh

vmtest: deps reader
	$(VM_ENV) scripts/vm-tests.sh $(KVERS)

check: deps
	$(MAKE) unit
	$(MAKE) ynlspec
	$(MAKE) readtest
	$(MAKE) fuzz
	$(MAKE) style
	$(MAKE) reader
	scripts/package-test.sh
	$(VM_ENV) scripts/vm-tests.sh $(KVERS)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/unit clean
	rm -rf build
