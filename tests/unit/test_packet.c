// SPDX-License-Identifier: GPL-2.0
/* Unit tests of IP/TCP header parsing (userspace/packet.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "packet.h"

/* A TCP header: ports 40000 -> 80, seq 1000, ack 0, given flags/options. */
static size_t put_tcp(uint8_t *p, uint8_t flags, const uint8_t *opt,
		      size_t optlen, size_t payload)
{
	size_t hl = 20 + optlen;

	memset(p, 0, hl + payload);
	p[0] = 40000 >> 8; p[1] = 40000 & 0xff; p[3] = 80;
	p[6] = 1000 >> 8; p[7] = 1000 & 0xff;
	p[12] = (uint8_t)((hl / 4) << 4);
	p[13] = flags;
	p[14] = 0x10;			/* window 4096 */
	if (optlen)
		memcpy(p + 20, opt, optlen);
	return hl + payload;
}

static size_t put_ipv4(uint8_t *p, size_t tcplen, uint16_t frag, uint8_t proto)
{
	size_t total = 20 + tcplen;

	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(total >> 8); p[3] = (uint8_t)total;
	p[6] = (uint8_t)(frag >> 8); p[7] = (uint8_t)frag;
	p[8] = 64; p[9] = proto;
	p[12] = 192; p[13] = 0; p[14] = 2; p[15] = 1;
	p[16] = 192; p[17] = 0; p[18] = 2; p[19] = 2;
	return total;
}

static const uint8_t ws7[] = { 2, 4, 5, 0xb4, 1, 3, 3, 7 };

static void test_ipv4_syn_with_wscale(void **state)
{
	uint8_t pkt[128];
	struct synfin_packet p;
	size_t tl = put_tcp(pkt + 20, 0x02, ws7, sizeof(ws7), 0);
	size_t len = put_ipv4(pkt, tl, 0x4000, 6);

	(void)state;
	assert_int_equal(sf_packet_parse(pkt, len, &p), SF_PKT_OK);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 80);
	assert_int_equal(p.seg.seq, 1000);
	assert_int_equal(p.seg.flags, 0x02);
	assert_int_equal(p.seg.win, 4096);
	assert_int_equal(p.seg.wscale, 7);
	assert_int_equal(p.seg.len, 0);
	assert_memory_equal(p.saddr.b, "\xc0\x00\x02\x01", 4);
}

static void test_ipv4_payload_from_header_when_snapped(void **state)
{
	uint8_t pkt[256];
	struct synfin_packet p;
	size_t tl = put_tcp(pkt + 20, 0x18, NULL, 0, 100);
	size_t len = put_ipv4(pkt, tl, 0, 6);

	(void)state;
	/* captured with a 64-byte snap length: the payload is cut off */
	assert_int_equal(sf_packet_parse(pkt, 64, &p), SF_PKT_OK);
	assert_int_equal(p.seg.len, 100);
	assert_int_equal(p.seg.wscale, -1);
	assert_int_equal(sf_packet_parse(pkt, len, &p), SF_PKT_OK);
	assert_int_equal(p.seg.len, 100);
}

static void test_ipv4_skips_and_rejects(void **state)
{
	uint8_t pkt[128];
	struct synfin_packet p;
	size_t tl = put_tcp(pkt + 20, 0x10, NULL, 0, 0);

	(void)state;
	put_ipv4(pkt, tl, 0x0010, 6);		/* fragment offset 16 */
	assert_int_equal(sf_packet_parse(pkt, 40, &p), SF_PKT_SKIP);
	put_ipv4(pkt, tl, 0, 17);		/* UDP */
	assert_int_equal(sf_packet_parse(pkt, 40, &p), SF_PKT_SKIP);
	put_ipv4(pkt, tl, 0, 6);
	assert_int_equal(sf_packet_parse(pkt, 30, &p), SF_PKT_BAD);	/* cut */
	assert_int_equal(sf_packet_parse(pkt, 19, &p), SF_PKT_BAD);
	pkt[32] = 4 << 4;			/* doff 4 < 5 */
	assert_int_equal(sf_packet_parse(pkt, 40, &p), SF_PKT_BAD);
	pkt[32] = 5 << 4;
	pkt[0] = 0x44;				/* ihl 4 < 5 */
	assert_int_equal(sf_packet_parse(pkt, 40, &p), SF_PKT_BAD);
	pkt[0] = 0x45;
	pkt[2] = 0; pkt[3] = 10;		/* total length < header */
	assert_int_equal(sf_packet_parse(pkt, 40, &p), SF_PKT_BAD);
	pkt[0] = 0x55;				/* version 5 */
	assert_int_equal(sf_packet_parse(pkt, 40, &p), SF_PKT_BAD);
	assert_int_equal(sf_packet_parse(pkt, 0, &p), SF_PKT_BAD);
}

static size_t put_ipv6(uint8_t *p, uint8_t next, size_t plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8); p[5] = (uint8_t)plen;
	p[6] = next; p[7] = 64;
	p[8] = 0x20; p[9] = 0x01; p[10] = 0x0d; p[11] = 0xb8; p[23] = 1;
	p[24] = 0x20; p[25] = 0x01; p[26] = 0x0d; p[27] = 0xb8; p[39] = 2;
	return 40 + plen;
}

static void test_ipv6_with_extension_headers(void **state)
{
	uint8_t pkt[256];
	struct synfin_packet p;
	size_t tl, len;

	(void)state;
	/* hop-by-hop (8 bytes), destination options (16 bytes), TCP */
	tl = put_tcp(pkt + 64, 0x12, ws7, sizeof(ws7), 5);
	len = put_ipv6(pkt, 0, 24 + tl);
	memset(pkt + 40, 0, 24);
	pkt[40] = 60; pkt[41] = 0;
	pkt[48] = 6; pkt[49] = 1;
	assert_int_equal(sf_packet_parse(pkt, len, &p), SF_PKT_OK);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.seg.flags, 0x12);
	assert_int_equal(p.seg.wscale, 7);
	assert_int_equal(p.seg.len, 5);
	assert_int_equal(p.daddr.b[15], 2);

	/* first fragment parses, a later one is skipped */
	tl = put_tcp(pkt + 48, 0x10, NULL, 0, 0);
	len = put_ipv6(pkt, 44, 8 + tl);
	memset(pkt + 40, 0, 8);
	pkt[40] = 6;
	assert_int_equal(sf_packet_parse(pkt, len, &p), SF_PKT_OK);
	pkt[43] = 0x08;				/* offset 1 */
	assert_int_equal(sf_packet_parse(pkt, len, &p), SF_PKT_SKIP);

	/* an extension header running past the packet */
	len = put_ipv6(pkt, 0, 8);
	pkt[40] = 6; pkt[41] = 200;
	assert_int_equal(sf_packet_parse(pkt, len, &p), SF_PKT_BAD);
	assert_int_equal(sf_packet_parse(pkt, 41, &p), SF_PKT_BAD);
	/* ICMPv6 */
	len = put_ipv6(pkt, 58, 8);
	assert_int_equal(sf_packet_parse(pkt, len, &p), SF_PKT_SKIP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_syn_with_wscale),
		cmocka_unit_test(test_ipv4_payload_from_header_when_snapped),
		cmocka_unit_test(test_ipv4_skips_and_rejects),
		cmocka_unit_test(test_ipv6_with_extension_headers),
	};

	return cmocka_run_group_tests_name("packet", tests, NULL, NULL);
}
