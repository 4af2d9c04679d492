# SPDX-License-Identifier: GPL-2.0
# The reader's sources, by room, as paths from userspace/: its Makefile
# builds them all; tests/unit and tests/fuzz take the rooms they test.
#
# The commands: their dispatch and global options, then one file each.
SF_COMMANDS = main.c watch.c read.c flows.c stats.c
# Netlink: the socket and the requests made of the module.
SF_NETLINK = nl.c request.c
# Events decoded and printed: timeline, JSON, filters, summaries, ladders.
SF_OUTPUT = event.c filter.c conn.c ladder.c
# Captures: link and IP/TCP headers, the bounded table of connections.
SF_CAPTURE = packet.c table.c
# The module's plain C, shared with the reader.
SF_CORE = ../module/fsm.c ../module/track.c ../module/select.c

SF_SRCS = $(SF_COMMANDS) $(SF_NETLINK) $(SF_OUTPUT) $(SF_CAPTURE) $(SF_CORE)
SF_HDRS = synfin.h filter.h commands.h nl.h request.h packet.h table.h jline.h \
	  ../module/fsm.h ../module/track.h ../module/select.h \
	  ../module/uapi/linux/synfin.h
