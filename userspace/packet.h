/* SPDX-License-Identifier: GPL-2.0 */
/*
 * synfin reader: a captured frame's link header stripped and its IP/TCP
 * headers parsed, from a plain buffer (packet.c).
 */
#ifndef SYNFIN_PACKET_H
#define SYNFIN_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "track.h"

enum {
	SF_PKT_OK = 0,
	SF_PKT_SKIP = 1,	/* not TCP, or not the first fragment */
	SF_PKT_BAD = -1,	/* malformed: truncated, doff < 5, ... */
};

/*
 * Parse the IP packet of @len bytes at @pkt (IPv4 or IPv6, from the IP
 * header on). Every read is bounds-checked against @len; the payload
 * length comes from the IP header, so a capture cut short by its snap
 * length still parses.
 */
int sf_packet_parse(const uint8_t *pkt, size_t len, struct synfin_packet *out);

/* Link types synfin read understands (libpcap's DLT_ values). */
enum {
	SF_DLT_NULL = 0,	/* BSD loopback: host-order address family */
	SF_DLT_EN10MB = 1,	/* Ethernet, with up to two VLAN tags */
	SF_DLT_RAW = 12,	/* raw IP (LINKTYPE_RAW in files) */
	SF_DLT_RAW_BSD = 14,	/* raw IP, OpenBSD's number */
	SF_DLT_LOOP = 108,	/* OpenBSD loopback: network-order family */
	SF_DLT_LINUX_SLL = 113,	/* Linux cooked capture v1 */
	SF_DLT_IPV4 = 228,
	SF_DLT_IPV6 = 229,
	SF_DLT_LINUX_SLL2 = 276,	/* Linux cooked capture v2 */
};

/* Is link type @dlt one sf_link_ip() understands? */
int sf_link_known(int dlt);

/*
 * Find the IP packet in the frame @frame of @len bytes of link type @dlt:
 * its offset in *@off. Returns SF_PKT_OK, SF_PKT_SKIP (not IP: ARP, ...)
 * or SF_PKT_BAD (too short for its link header).
 */
int sf_link_ip(int dlt, const uint8_t *frame, size_t len, size_t *off);

#endif /* SYNFIN_PACKET_H */
