# SPDX-License-Identifier: GPL-2.0
# The module's source files: the one list that Kbuild builds, DKMS ships,
# and the style and packaging checks read (make -s module-sources).
SYNFIN_SOURCES := main.c netns.c param.c hook.c flow.c track.c fsm.c \
		  ring.c drain.c netlink.c select.c selection.c
SYNFIN_HEADERS := netns.h param.h hook.h flow.h track.h fsm.h ring.h \
		  drain.h netlink.h select.h selection.h uapi/linux/synfin.h
