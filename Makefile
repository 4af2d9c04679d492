# SPDX-License-Identifier: GPL-2.0
#
#   make                      module (./synfin.ko) and reader (userspace/synfin)
#   make KDIR=/usr/src/linux-headers-<release>   build for another kernel
#   make demo                 boot a VM, trace real connections, print the timeline
#   make check                every test: units, then both kernels in QEMU
KDIR ?= /lib/modules/$(shell uname -r)/build

.PHONY: all module reader clean deps demo check unit fuzz vmtest style sparse \
	readtest

all: module reader

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

reader:
	$(MAKE) -C userspace synfin san

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

readtest: deps
	$(MAKE) -C userspace san
	/usr/bin/python3 tests/read/test_read.py userspace/synfin-san build/read

demo: deps reader
	scripts/demo.sh

vmtest: deps reader
	scripts/vm-tests.sh $(KVERS)

check: deps
	$(MAKE) unit
	$(MAKE) readtest
	$(MAKE) fuzz
	$(MAKE) style
	$(MAKE) reader
	scripts/vm-tests.sh $(KVERS)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/unit clean
	rm -rf build
