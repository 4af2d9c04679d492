// SPDX-License-Identifier: GPL-2.0
/*
 * synfin reader: a captured frame's link header stripped and its IP/TCP
 * headers parsed, from a plain buffer.
 */
#include <string.h>
#include <sys/socket.h>

#include "packet.h"

#define MAX_EXT_HEADERS 8

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The TCP header at @off; @end is where the IP packet says it ends. */
static int parse_tcp(const uint8_t *pkt, size_t len, size_t off, size_t end,
		     struct synfin_packet *out)
{
	const uint8_t *th = pkt + off;
	size_t hdrlen;

	if (off + 20 > len || off + 20 > end)
		return SF_PKT_BAD;
	hdrlen = (size_t)(th[12] >> 4) * 4;
	if (hdrlen < 20 || off + hdrlen > end)
		return SF_PKT_BAD;
	out->sport = get16(th);
	out->dport = get16(th + 2);
	out->seg.seq = get32(th + 4);
	out->seg.ack = get32(th + 8);
	out->seg.flags = th[13];
	out->seg.win = get16(th + 14);
	out->seg.len = (uint32_t)(end - off - hdrlen);
	out->seg.wscale = -1;
	if ((th[13] & SYNFIN_TCP_SYN) && hdrlen > 20) {
		size_t optlen = hdrlen - 20;

		/* Options cut off by the capture are simply not seen. */
		if (off + hdrlen > len)
			optlen = len > off + 20 ? len - off - 20 : 0;
		out->seg.wscale = (int8_t)synfin_tcp_wscale(th + 20,
							    (unsigned int)optlen);
	}
	return SF_PKT_OK;
}

static int parse_ipv4(const uint8_t *pkt, size_t len, struct synfin_packet *out)
{
	size_t ihl, total;

	if (len < 20)
		return SF_PKT_BAD;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	total = get16(pkt + 2);
	if (ihl < 20 || ihl > len || total < ihl)
		return SF_PKT_BAD;
	if (pkt[9] != 6)
		return SF_PKT_SKIP;
	if (get16(pkt + 6) & 0x1fff)
		return SF_PKT_SKIP;	/* not the first fragment */
	out->family = AF_INET;
	memcpy(out->saddr.b, pkt + 12, 4);
	memcpy(out->daddr.b, pkt + 16, 4);
	return parse_tcp(pkt, len, ihl, total, out);
}

static int parse_ipv6(const uint8_t *pkt, size_t len, struct synfin_packet *out)
{
	size_t off = 40, end;
	uint8_t next;
	int i;

	if (len < 40)
		return SF_PKT_BAD;
	end = 40 + (size_t)get16(pkt + 4);
	next = pkt[6];
	out->family = AF_INET6;
	memcpy(out->saddr.b, pkt + 8, 16);
	memcpy(out->daddr.b, pkt + 24, 16);

	for (i = 0; i < MAX_EXT_HEADERS; i++) {
		switch (next) {
		case 6:
			return parse_tcp(pkt, len, off, end, out);
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
			if (off + 2 > len || off + 2 > end)
				return SF_PKT_BAD;
			next = pkt[off];
			off += ((size_t)pkt[off + 1] + 1) * 8;
			break;
		case 51:	/* authentication header */
			if (off + 2 > len || off + 2 > end)
				return SF_PKT_BAD;
			next = pkt[off];
			off += ((size_t)pkt[off + 1] + 2) * 4;
			break;
		case 44:	/* fragment */
			if (off + 8 > len || off + 8 > end)
				return SF_PKT_BAD;
			if (get16(pkt + off + 2) & 0xfff8)
				return SF_PKT_SKIP;
			next = pkt[off];
			off += 8;
			break;
		default:
			return SF_PKT_SKIP;
		}
	}
	return SF_PKT_SKIP;	/* too many extension headers to follow */
}

int sf_packet_parse(const uint8_t *pkt, size_t len, struct synfin_packet *out)
{
	memset(out, 0, sizeof(*out));
	if (!len)
		return SF_PKT_BAD;
	switch (pkt[0] >> 4) {
	case 4:
		return parse_ipv4(pkt, len, out);
	case 6:
		return parse_ipv6(pkt, len, out);
	default:
		return SF_PKT_BAD;
	}
}

int sf_link_known(int dlt)
{
	switch (dlt) {
	case SF_DLT_NULL:
	case SF_DLT_EN10MB:
	case SF_DLT_RAW:
	case SF_DLT_RAW_BSD:
	case SF_DLT_LOOP:
	case SF_DLT_LINUX_SLL:
	case SF_DLT_IPV4:
	case SF_DLT_IPV6:
	case SF_DLT_LINUX_SLL2:
		return 1;
	}
	return 0;
}

static int ethertype_ip(uint16_t type)
{
	return type == 0x0800 || type == 0x86dd ? SF_PKT_OK : SF_PKT_SKIP;
}

/* BSD loopback family values for IPv4 and IPv6 (Linux, BSDs, macOS). */
static int loop_family_ip(uint32_t af)
{
	return af == 2 || af == 10 || af == 24 || af == 28 || af == 30 ?
	       SF_PKT_OK : SF_PKT_SKIP;
}

int sf_link_ip(int dlt, const uint8_t *frame, size_t len, size_t *off)
{
	size_t o;
	int tags;

	switch (dlt) {
	case SF_DLT_RAW:
	case SF_DLT_RAW_BSD:
	case SF_DLT_IPV4:
	case SF_DLT_IPV6:
		*off = 0;
		return SF_PKT_OK;
	case SF_DLT_NULL:
		if (len < 4)
			return SF_PKT_BAD;
		*off = 4;
		/* Host order of the capturing machine: try both. */
		if (loop_family_ip(frame[0] | (uint32_t)frame[1] << 8 |
				   (uint32_t)frame[2] << 16 |
				   (uint32_t)frame[3] << 24) == SF_PKT_OK)
			return SF_PKT_OK;
		return loop_family_ip(get32(frame));
	case SF_DLT_LOOP:
		if (len < 4)
			return SF_PKT_BAD;
		*off = 4;
		return loop_family_ip(get32(frame));
	case SF_DLT_LINUX_SLL:
		if (len < 16)
			return SF_PKT_BAD;
		*off = 16;
		return ethertype_ip(get16(frame + 14));
	case SF_DLT_LINUX_SLL2:
		if (len < 20)
			return SF_PKT_BAD;
		*off = 20;
		return ethertype_ip(get16(frame));
	case SF_DLT_EN10MB:
		o = 12;
		for (tags = 0; tags <= 2; tags++) {
			uint16_t type;

			if (len < o + 2)
				return SF_PKT_BAD;
			type = get16(frame + o);
			if (type != 0x8100 && type != 0x88a8) {
				*off = o + 2;
				return ethertype_ip(type);
			}
			o += 4;		/* a VLAN tag */
		}
		return SF_PKT_SKIP;
	}
	return SF_PKT_SKIP;
}
