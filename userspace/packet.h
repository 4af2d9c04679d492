/* SPDX-License-Identifier: GPL-2.0 */
/* synfin reader: IP/TCP header parsing from a plain buffer. */
#ifndef SYNFIN_PACKET_H
#define SYNFIN_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "fsm.h"

struct sf_packet {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t saddr[16], daddr[16];	/* IPv4 in the first 4 bytes */
	uint16_t sport, dport;
	struct synfin_seg seg;
};

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
int sf_packet_parse(const uint8_t *pkt, size_t len, struct sf_packet *out);

#endif /* SYNFIN_PACKET_H */
