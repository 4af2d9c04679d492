// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the reader's event decoding and JSON lines
 * (userspace/event.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>

#include "synfin.h"
#include "jline.h"
#include "fsm.h"

/* event.c reads the options main.c defines. */
struct sf_opts sf_opts;

/* sf_event_json() of @ev, as a malloc'd string. */
static char *json_of(const struct sf_event *ev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	sf_event_json(f, ev);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_syn(void **state)
{
	struct sf_event ev = {
		.type = SYNFIN_EV_SEGMENT, .ts_ns = 1234567890123ULL,
		.cpu = 1, .netns = 4026531840U, .conn = 7, .index = 0,
		.family = AF_INET, .sport = 40000, .dport = 80,
		.from = SYNFIN_CLIENT, .flags = SYNFIN_TCP_SYN,
		.seq = 1000, .ack = 0, .win = 64240, .len = 0,
		.state = { SYNFIN_ST_SYN_SENT, SYNFIN_ST_LISTEN },
		.isn_known = SYNFIN_ISN_CLIENT, .isn = { 1000, 0 },
		.ntrans = 1,
		.trans = { { SYNFIN_CLIENT, SYNFIN_ST_CLOSED, SYNFIN_ST_SYN_SENT } },
	};
	char *s;

	(void)state;
	inet_pton(AF_INET, "192.0.2.1", ev.saddr);
	inet_pton(AF_INET, "192.0.2.2", ev.daddr);
	s = json_of(&ev);
	assert_string_equal(s,
		"{\"type\":\"segment\",\"ts_ns\":1234567890123,\"cpu\":1,"
		"\"netns\":4026531840,\"conn\":7,\"index\":0,\"family\":\"ipv4\","
		"\"src\":\"192.0.2.1\",\"sport\":40000,\"dst\":\"192.0.2.2\","
		"\"dport\":80,\"from\":\"client\",\"flags\":[\"SYN\"],"
		"\"seq\":1000,\"ack\":0,\"rel_seq\":0,\"rel_ack\":null,"
		"\"win\":64240,\"len\":0,\"client_state\":\"SYN_SENT\","
		"\"server_state\":\"LISTEN\",\"transitions\":[{\"who\":\"client\","
		"\"from\":\"CLOSED\",\"to\":\"SYN_SENT\"}],\"anomalies\":[]}\n");
	free(s);
}

static void test_lost(void **state)
{
	struct sf_event ev = { .type = SYNFIN_EV_LOST, .ts_ns = 5, .cpu = 0,
			       .netns = 9, .lost = 64 };
	char *s;

	(void)state;
	s = json_of(&ev);
	assert_non_null(strstr(s, "{\"type\":\"lost\",\"ts_ns\":5,\"cpu\":0,\"netns\":9,\"conn\":null,"));
	assert_non_null(strstr(s, ",\"anomalies\":[],\"count\":64}\n"));
	free(s);

	/* The reader's own overflow: neither the CPU nor the count known. */
	ev.lost = 0;
	ev.cpu_unknown = true;
	s = json_of(&ev);
	assert_non_null(strstr(s, "\"cpu\":null,\"netns\":9,"));
	assert_non_null(strstr(s, "\"count\":null}\n"));
	free(s);
}

/* The longest line there can be is written whole. */
static void test_longest(void **state)
{
	struct sf_event ev = {
		.type = SYNFIN_EV_SEGMENT, .ts_ns = UINT64_MAX,
		.cpu = UINT32_MAX, .netns = UINT32_MAX, .conn = UINT64_MAX,
		.index = UINT32_MAX, .family = AF_INET6, .sport = 65535,
		.dport = 65535, .from = SYNFIN_SERVER, .flags = 0xff,
		.seq = UINT32_MAX, .ack = UINT32_MAX, .win = UINT32_MAX,
		.len = UINT32_MAX, .isn_known = SYNFIN_ISN_CLIENT | SYNFIN_ISN_SERVER,
		.state = { SYNFIN_ST_FIN_WAIT_1, SYNFIN_ST_FIN_WAIT_2 },
		.anomalies = UINT32_MAX, .conn_state = SYNFIN_CS_RSTOS0,
		.have_counts = true, .segs = { UINT32_MAX, UINT32_MAX },
		.bytes = { UINT64_MAX, UINT64_MAX }, .ntrans = SYNFIN_MAX_TRANS,
	};
	unsigned int i, n = 0;
	char *s, *p;

	(void)state;
	memset(ev.saddr, 0xfe, sizeof(ev.saddr));
	memset(ev.daddr, 0xfe, sizeof(ev.daddr));
	memset(ev.history, 'a', sizeof(ev.history) - 1);
	for (i = 0; i < SYNFIN_MAX_TRANS; i++)
		ev.trans[i] = (struct sf_trans){ SYNFIN_SERVER,
						 SYNFIN_ST_FIN_WAIT_1,
						 SYNFIN_ST_FIN_WAIT_2 };
	s = json_of(&ev);
	assert_true(strlen(s) < JLINE_MAX / 2);	/* jline.h: no overrun */
	assert_non_null(strstr(s, "\"flags\":[\"FIN\",\"SYN\",\"RST\",\"PSH\",\"ACK\",\"URG\",\"ECE\",\"CWR\"]"));
	assert_non_null(strstr(s, "\"src\":\"fefe:fefe:fefe:fefe:fefe:fefe:fefe:fefe\""));
	assert_non_null(strstr(s, "\"conn_state\":\"RSTOS0\""));
	assert_non_null(strstr(s, ",\"server_bytes\":18446744073709551615}\n"));
	for (p = s; (p = strstr(p, "\"who\":\"server\"")); p++)
		n++;
	assert_int_equal(n, SYNFIN_MAX_TRANS);
	for (i = 0; i < SYNFIN_AN_COUNT; i++)
		assert_non_null(strstr(s, synfin_anomaly_name(i)));
	/* one line, ending where it should */
	assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1);
	free(s);
}

/* A value's decimal from jp_u64() (and jp_u32()) against snprintf()'s. */
static void check_dec(uint64_t v)
{
	char mine[48], libc[32];
	char *end;
	int n;

	n = snprintf(libc, sizeof(libc), "%llu", (unsigned long long)v);
	memset(mine, '#', sizeof(mine));
	end = jp_u64(mine, v);
	assert_int_equal(end - mine, n);
	assert_memory_equal(mine, libc, (size_t)n);
	assert_int_equal(mine[n], '#');		/* nothing written past it */
	if (v <= UINT32_MAX) {
		memset(mine, '#', sizeof(mine));
		end = jp_u32(mine, (uint32_t)v);
		assert_int_equal(end - mine, n);
		assert_memory_equal(mine, libc, (size_t)n);
		assert_int_equal(mine[n], '#');
	}
}

/* xorshift64*: the same values on every run */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd64(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ULL;
}

/*
 * Decimal by hand (jline.h): every value up to 10^6, both sides of every
 * power of ten and of two, of the 8-digit blocks' seams, and random
 * values of every length; and j_u64() through a line, as summaries use it.
 */
static void test_decimal(void **state)
{
	struct jline j;
	uint64_t v, p10 = 1;
	unsigned int i, b;
	int d;

	(void)state;
	for (v = 0; v <= 1000000; v++)
		check_dec(v);
	for (i = 0; i < 20; i++) {
		for (d = -3; d <= 3; d++)
			check_dec(p10 + (uint64_t)(int64_t)d);
		check_dec(p10 * 9 + (p10 - 1));		/* 99..9 */
		if (i < 19)
			p10 *= 10;
	}
	for (b = 0; b < 64; b++)
		for (d = -2; d <= 2; d++)
			check_dec((1ULL << b) + (uint64_t)(int64_t)d);
	check_dec(UINT32_MAX);
	check_dec((uint64_t)UINT32_MAX + 1);
	check_dec(UINT64_MAX);
	check_dec(UINT64_MAX - 1);
	for (i = 1; i < 100; i++) {
		check_dec(i * 100000000ULL);
		check_dec(i * 100000000ULL - 1);
		check_dec(i * 10000000000000000ULL);
		check_dec(i * 10000000000000000ULL + 99999999ULL);
		check_dec(i * 10000000000000000ULL + 100000000ULL);
	}
	for (i = 0; i < 200000; i++) {
		v = rnd64();
		check_dec(v >> (i % 64));
		check_dec((uint32_t)v >> (i % 32));
	}
	/* the 32-bit range in steps, and where a coarser constant failed */
	for (v = 0; v <= UINT32_MAX; v += 9973)
		check_dec(v);
	for (v = 1160872981 - 1000; v < 1160872981 + 1000; v++)
		check_dec(v);
	j_init(&j);
	j_lit(&j, "[");
	j_u64(&j, 1700000000000037000ULL);
	j_lit(&j, ",");
	j_u64(&j, 0);
	j_lit(&j, "]");
	assert_int_equal(j.len, strlen("[1700000000000037000,0]"));
	assert_memory_equal(j.buf, "[1700000000000037000,0]", j.len);
}

/* IPv4 is formatted by hand: exactly as inet_ntop() does, every octet. */
static void test_ipv4_text(void **state)
{
	char mine[INET6_ADDRSTRLEN], libc[INET6_ADDRSTRLEN];
	uint8_t a[16] = { 0 };
	unsigned int v, pos;

	(void)state;
	for (pos = 0; pos < 4; pos++) {
		for (v = 0; v < 256; v++) {
			a[pos] = (uint8_t)v;
			a[(pos + 1) % 4] = (uint8_t)(255 - v);
			sf_addr_str(AF_INET, a, mine, sizeof(mine));
			assert_non_null(inet_ntop(AF_INET, a, libc, sizeof(libc)));
			assert_string_equal(mine, libc);
		}
	}
	memset(a, 0xfe, sizeof(a));
	sf_addr_str(AF_INET6, a, mine, sizeof(mine));
	assert_string_equal(mine, "fefe:fefe:fefe:fefe:fefe:fefe:fefe:fefe");
}

/* @a's text from sf_addr_str() against inet_ntop()'s. */
static void check_ipv6(const uint8_t *a)
{
	char mine[INET6_ADDRSTRLEN + 8], libc[INET6_ADDRSTRLEN];
	size_t n;

	memset(mine, '#', sizeof(mine));
	n = sf_addr_str(AF_INET6, a, mine, INET6_ADDRSTRLEN);
	assert_non_null(inet_ntop(AF_INET6, a, libc, sizeof(libc)));
	assert_string_equal(mine, libc);
	assert_int_equal(n, strlen(libc));
	assert_int_equal(mine[INET6_ADDRSTRLEN], '#');	/* within its room */
}

static void put_group(uint8_t *a, unsigned int i, unsigned int w)
{
	a[2 * i] = (uint8_t)(w >> 8);
	a[2 * i + 1] = (uint8_t)w;
}

/*
 * IPv6 is formatted by hand: exactly as inet_ntop() does, for every
 * pattern of zero groups (which run is "::", ties, one zero group
 * alone, leading and trailing runs, all zero), groups of every hex
 * width, IPv4-mapped and IPv4-compatible addresses and the near misses
 * of both, and random addresses.
 */
static void test_ipv6_text(void **state)
{
	static const unsigned int fill[] = {
		1, 0xf, 0x10, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0xabcd, 0x2001,
	};
	uint8_t a[16];
	unsigned int mask, f, i, k, w;

	(void)state;
	for (mask = 0; mask < 256; mask++) {
		for (f = 0; f < sizeof(fill) / sizeof(fill[0]); f++) {
			for (i = 0; i < 8; i++)
				put_group(a, i, mask & (1u << i) ? 0 :
					  fill[(f + i) % (sizeof(fill) / sizeof(fill[0]))]);
			check_ipv6(a);
		}
	}
	/* ::ffff:a.b.c.d, ::a.b.c.d, and what is neither */
	for (k = 0; k < 4096; k++) {
		uint64_t r = rnd64();

		memset(a, 0, sizeof(a));
		memcpy(a + 12, &r, 4);
		if (k & 1)
			a[12] = 0;		/* a zero group 6 */
		if (k & 2)
			a[14] = a[15] = 0;	/* a zero group 7 */
		switch (k / 4 % 8) {
		case 0:
			put_group(a, 5, 0xffff);
			break;
		case 1:
			break;
		case 2:
			put_group(a, 5, 0xfffe);
			break;
		case 3:
			put_group(a, 5, 0xffff);
			put_group(a, 4, 1);
			break;
		case 4:
			put_group(a, 4, 0xffff);
			break;
		case 5:
			put_group(a, 0, 0x2001);
			break;
		case 6:
			put_group(a, 5, 0xffff);
			a[12] = a[13] = a[14] = a[15] = 0;
			break;
		default:
			put_group(a, 5, 1);
			break;
		}
		check_ipv6(a);
	}
	for (k = 0; k < 300000; k++) {
		uint64_t zero = rnd64(), width = rnd64();

		for (i = 0; i < 8; i++) {
			w = (unsigned int)rnd64() & 0xffff;
			w >>= (width >> (4 * i)) & 15;
			put_group(a, i, (zero >> (8 * i)) & 1 ? 0 : w);
		}
		check_ipv6(a);
	}
}

/*
 * The timeline as it was written with printf() before it was built by
 * hand: the reference sf_event_text() is checked against.
 */
static void ref_time(uint64_t ts_ns, char *buf, size_t len)
{
	struct timespec mono, real;
	int64_t offset = 0;
	uint64_t wall;
	time_t secs;
	struct tm tm;

	if (!sf_opts.offline) {
		clock_gettime(CLOCK_MONOTONIC, &mono);
		clock_gettime(CLOCK_REALTIME, &real);
		offset = ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000LL +
			 (real.tv_nsec - mono.tv_nsec);
	}
	wall = ts_ns + (uint64_t)offset;
	secs = (time_t)(wall / 1000000000ULL);
	if (sf_opts.offline)
		gmtime_r(&secs, &tm);
	else
		localtime_r(&secs, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06llu", tm.tm_hour, tm.tm_min,
		 tm.tm_sec, (unsigned long long)(wall % 1000000000ULL) / 1000);
}

static void ref_text(FILE *out, const struct sf_event *ev)
{
	char when[32], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char fl[48], seq[16], ack[16];
	const char *off = sf_color(SF_RESET);
	unsigned int i;

	ref_time(ev->ts_ns, when, sizeof(when));
	if (ev->type == SYNFIN_EV_LOST) {
		if (ev->lost)
			fprintf(out, "%s  %sLOST %llu events on cpu %u%s\n", when,
				sf_color(SF_RED), (unsigned long long)ev->lost,
				ev->cpu, off);
		else
			fprintf(out, "%s  %sLOST events: receive buffer overflow%s\n",
				when, sf_color(SF_RED), off);
		return;
	}
	assert_non_null(inet_ntop(ev->family == AF_INET ? AF_INET : AF_INET6,
				  ev->saddr, src, sizeof(src)));
	assert_non_null(inet_ntop(ev->family == AF_INET ? AF_INET : AF_INET6,
				  ev->daddr, dst, sizeof(dst)));
	if (ev->type == SYNFIN_EV_TIMEOUT) {
		fprintf(out, "%s  #%-5llu      %s\n", when,
			(unsigned long long)ev->conn, sf_reason_name(ev->reason));
	} else {
		sf_flags_str(ev->flags, fl, sizeof(fl));
		sf_seqack_str(ev, seq, ack, sizeof(seq));
		fprintf(out, "%s  #%-5llu %s %s%s%s:%u > %s%s%s:%u  %s%-11s%s seq=%-6s ack=%-6s len=%u",
			when, (unsigned long long)ev->conn,
			ev->from == SYNFIN_CLIENT ? "C>S" : "S>C",
			ev->family == AF_INET6 ? "[" : "", src,
			ev->family == AF_INET6 ? "]" : "", ev->sport,
			ev->family == AF_INET6 ? "[" : "", dst,
			ev->family == AF_INET6 ? "]" : "", ev->dport,
			sf_flags_color(ev->flags), fl,
			*sf_flags_color(ev->flags) ? off : "", seq, ack,
			ev->len);
		fputc('\n', out);
	}
	for (i = 0; i < ev->ntrans; i++)
		fprintf(out, "%32s%s %s -> %s%s%s\n", "",
			ev->trans[i].who == SYNFIN_CLIENT ? "client" : "server",
			sf_state_name(ev->trans[i].from), sf_color(SF_BOLD),
			sf_state_name(ev->trans[i].to), off);
	if (ev->anomalies) {
		char an[256];

		sf_anomalies_str(ev->anomalies, an, sizeof(an));
		fprintf(out, "%32s%s! %s%s\n", "", sf_color(SF_MAGENTA), an, off);
	}
}

static char *text_of(const struct sf_event *ev, bool ref)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (ref)
		ref_text(f, ev);
	else
		sf_event_text(f, ev);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* A number of a random width: 0 to 2^bits - 1, short ones as often. */
static uint64_t rnd_width(unsigned int bits)
{
	return rnd64() >> (64 - 1 - rnd64() % bits);
}

static void rnd_event(struct sf_event *ev)
{
	static const uint8_t types[8] = {
		SYNFIN_EV_SEGMENT, SYNFIN_EV_SEGMENT, SYNFIN_EV_SEGMENT,
		SYNFIN_EV_SEGMENT, SYNFIN_EV_SEGMENT, SYNFIN_EV_TIMEOUT,
		SYNFIN_EV_TIMEOUT, SYNFIN_EV_LOST,
	};
	uint64_t r = rnd64();
	unsigned int i;

	memset(ev, 0, sizeof(*ev));
	ev->type = types[r & 7];
	/* capture times of 1970 to 2100 and monotonic ones */
	ev->ts_ns = r & 8 ? rnd64() % 4102444800000000000ULL : rnd_width(50);
	ev->cpu = (uint32_t)rnd_width(32);
	ev->lost = r & 16 ? rnd_width(64) : 0;
	ev->conn = rnd_width(64);
	ev->family = r & 32 ? AF_INET6 : AF_INET;
	for (i = 0; i < 16; i++) {
		ev->saddr[i] = (uint8_t)(r & (64 << (i % 3)) ? 0 : rnd64());
		ev->daddr[i] = (uint8_t)(r & (512 << (i % 3)) ? 0 : rnd64());
	}
	ev->sport = (uint16_t)rnd_width(16);
	ev->dport = (uint16_t)rnd_width(16);
	ev->from = (uint8_t)(rnd64() & 1);
	ev->flags = (uint8_t)rnd64();
	ev->seq = (uint32_t)rnd_width(32);
	ev->ack = (uint32_t)rnd_width(32);
	ev->len = (uint32_t)rnd_width(32);
	ev->isn_known = (uint8_t)(rnd64() & 3);
	ev->isn[0] = (uint32_t)rnd64();
	ev->isn[1] = (uint32_t)rnd64();
	ev->reason = (uint8_t)(rnd64() % 8);
	ev->anomalies = rnd64() & 1 ? (uint32_t)rnd64() & (uint32_t)rnd64() : 0;
	ev->ntrans = (unsigned int)(rnd64() % (SYNFIN_MAX_TRANS + 1));
	for (i = 0; i < ev->ntrans; i++)
		ev->trans[i] = (struct sf_trans){ (uint8_t)(rnd64() % 3),
						  (uint8_t)(rnd64() % (SYNFIN_ST_COUNT + 3)),
						  (uint8_t)(rnd64() % (SYNFIN_ST_COUNT + 3)) };
}

/* HH:MM:SS.micros at the start of @s, in microseconds, or -1. */
static long long us_of_day(const char *s)
{
	unsigned int h, m, sec, us;
	int n = 0;

	if (sscanf(s, "%2u:%2u:%2u.%6u%n", &h, &m, &sec, &us, &n) != 4 ||
	    n != 15)
		return -1;
	return ((h * 60LL + m) * 60 + sec) * 1000000 + us;
}

/*
 * The timeline is built by hand: exactly what printf() wrote, for random
 * events of every type with numbers of every width, both families, every
 * flag, state and anomaly, with and without --absolute and colour, for
 * captures (UTC) and live (local time, from the clocks: a retry if the
 * microsecond turned between the two calls).
 */
static void test_text(void **state)
{
	struct sf_event ev;
	unsigned int k;
	char *mine, *ref;

	(void)state;
	for (k = 0; k < 40000; k++) {
		rnd_event(&ev);
		sf_opts.absolute = k & 1;
		sf_opts.color = k & 2;
		sf_opts.offline = (k & 12) != 0;
		mine = text_of(&ev, false);
		ref = text_of(&ev, true);
		if (!sf_opts.offline) {
			/*
			 * Live, each reads the clocks itself, the second
			 * later (on a loaded machine, much later): the times
			 * may differ by that, the rest may not. Captures'
			 * times, above, are checked to the microsecond.
			 */
			long long a = us_of_day(mine), b = us_of_day(ref);

			assert_true(a >= 0 && b >= 0);
			assert_true(llabs(a - b) <= 2000000 ||
				    llabs(a - b) >= 86400000000LL - 2000000);
			memcpy(mine, ref, 15);
		}
		assert_string_equal(mine, ref);
		free(mine);
		free(ref);
	}
	memset(&sf_opts, 0, sizeof(sf_opts));
}

/*
 * Addresses through the cache of their texts (event.c): a pool of more
 * than it holds, IPv4 and IPv6 alike, the same bytes under both
 * families, picked at random, so that entries are hit, missed and
 * replaced; every text is inet_ntop()'s.
 */
static void test_addr_cache(void **state)
{
	static uint8_t pool[300][16];
	struct sf_event ev = {
		.type = SYNFIN_EV_TIMEOUT, .netns_unknown = true,
		.cpu_unknown = true,
	};
	char want[2 * INET6_ADDRSTRLEN + 64], a[INET6_ADDRSTRLEN];
	char b[INET6_ADDRSTRLEN], *s;
	unsigned int k, i;

	(void)state;
	/* an empty entry is not the all-zero address of family 0 */
	s = json_of(&ev);
	assert_non_null(strstr(s, "\"src\":\"::\","));
	free(s);
	for (i = 0; i < 300; i++) {
		uint64_t r = rnd64(), q = rnd64();

		memcpy(pool[i], &r, 8);
		memcpy(pool[i] + 8, &q, 8);
		if (i % 3 == 0)
			memset(pool[i] + 4, 0, 12);	/* as IPv4 leaves it */
		if (i % 5 == 0)
			memset(pool[i] + 2, 0, 8);	/* a "::" */
		if (i % 2)		/* one /64: only the last 8 bytes differ */
			memcpy(pool[i], "\x20\x01\x0d\xb8\0\0\0\1", 8);
	}
	for (k = 0; k < 30000; k++) {
		ev.family = rnd64() & 1 ? AF_INET : AF_INET6;
		memcpy(ev.saddr, pool[rnd64() % 300], 16);
		memcpy(ev.daddr, pool[rnd64() % (k & 1 ? 300 : 8)], 16);
		assert_non_null(inet_ntop(ev.family, ev.saddr, a, sizeof(a)));
		assert_non_null(inet_ntop(ev.family, ev.daddr, b, sizeof(b)));
		snprintf(want, sizeof(want), "\"src\":\"%s\",", a);
		s = json_of(&ev);
		assert_non_null(strstr(s, want));
		snprintf(want, sizeof(want), "\"dst\":\"%s\",", b);
		assert_non_null(strstr(s, want));
		free(s);
		snprintf(want, sizeof(want), ev.family == AF_INET6 ?
			 "[%s]:0 > [%s]:0" : "%s:0 > %s:0", a, b);
		ev.type = SYNFIN_EV_SEGMENT;
		s = text_of(&ev, false);
		assert_non_null(strstr(s, want));
		free(s);
		ev.type = SYNFIN_EV_TIMEOUT;
	}
	/* the same bytes as IPv4, then IPv6, then IPv4: three texts */
	for (k = 0; k < 3000; k++) {
		memcpy(ev.saddr, pool[k % 300], 16);
		ev.saddr[0] = (uint8_t)(k / 300);
		for (i = 0; i < 3; i++) {
			ev.family = i == 1 ? AF_INET6 : AF_INET;
			assert_non_null(inet_ntop(ev.family, ev.saddr, a, sizeof(a)));
			snprintf(want, sizeof(want), "\"src\":\"%s\",", a);
			s = json_of(&ev);
			assert_non_null(strstr(s, want));
			free(s);
		}
	}
}

/*
 * Lines reach the stream whole and in order however it is buffered:
 * built in its buffer when that has room for any line, copied into it
 * when it has room for this one, written by fwrite() when it has not
 * (a 4 KiB buffer, glibc's default, sees all three), line-buffered and
 * unbuffered streams. Each file must hold what a memory stream (always
 * room: built in place) got for the same events.
 */
static void test_stream_paths(void **state)
{
	static char big[1 << 16];
	static const struct { int mode; size_t size; char *buf; } how[] = {
		{ _IOFBF, 4096, NULL }, { _IOFBF, 1 << 16, big },
		{ _IOFBF, 700, NULL }, { _IOLBF, 4096, NULL },
		{ _IONBF, 0, NULL },
	};
	struct sf_event evs[300];
	unsigned int h, k;

	(void)state;
	sf_opts.offline = true;
	for (k = 0; k < 300; k++)
		rnd_event(&evs[k]);
	for (h = 0; h < sizeof(how) / sizeof(how[0]); h++) {
		char *want = NULL, *got;
		size_t wlen = 0;
		FILE *m = open_memstream(&want, &wlen);
		FILE *f = tmpfile();
		long flen;

		assert_non_null(m);
		assert_non_null(f);
		assert_int_equal(setvbuf(f, how[h].buf, how[h].mode, how[h].size), 0);
		for (k = 0; k < 300; k++) {
			if (k % 3) {
				sf_event_json(f, &evs[k]);
				sf_event_json(m, &evs[k]);
			} else {
				sf_event_text(f, &evs[k]);
				sf_event_text(m, &evs[k]);
			}
			if (k % 50 == 0) {
				fputs("-- a line of stdio's own --\n", f);
				fputs("-- a line of stdio's own --\n", m);
			}
		}
		assert_int_equal(fclose(m), 0);
		assert_int_equal(fflush(f), 0);
		flen = ftell(f);
		assert_int_equal(flen, (long)wlen);
		rewind(f);
		got = malloc(wlen + 1);
		assert_non_null(got);
		assert_int_equal(fread(got, 1, wlen, f), wlen);
		assert_memory_equal(got, want, wlen);
		free(got);
		free(want);
		assert_int_equal(fclose(f), 0);
	}
	memset(&sf_opts, 0, sizeof(sf_opts));
}

/*
 * Timestamps keep the text of their digits above the last 8 (event.c):
 * runs of close ones crossing those digits' steps, jumps both ways,
 * small ones and the largest, each as snprintf() has it.
 */
static void test_ts_text(void **state)
{
	struct sf_event ev = { .type = SYNFIN_EV_LOST, .netns_unknown = true,
			       .cpu_unknown = true };
	char want[64], *s;
	uint64_t ts = 1700000000000000000ULL - 5000;
	unsigned int k;

	(void)state;
	for (k = 0; k < 20000; k++) {
		switch (rnd64() % 16) {
		case 0:
			ts = rnd64();			/* a jump */
			break;
		case 1:
			ts = rnd64() % 200000000;	/* short */
			break;
		case 2:
			ts = UINT64_MAX - rnd64() % 3;
			break;
		case 3:
			ts -= rnd64() % 1000;		/* back a little */
			break;
		case 4:				/* onto a step, from below */
			ts = (ts / 100000000 + 1) * 100000000 - (k & 1);
			break;
		default:
			ts += rnd64() % 30000000;	/* on, across steps */
			break;
		}
		ev.ts_ns = ts;
		snprintf(want, sizeof(want), "{\"type\":\"lost\",\"ts_ns\":%llu,",
			 (unsigned long long)ts);
		s = json_of(&ev);
		assert_memory_equal(s, want, strlen(want));
		free(s);
	}
}

/* ---- decoding: nests as the module builds them (module/netlink.c) ---- */

static char msgbuf[8192] __attribute__((aligned(8)));

static struct nlmsghdr *new_msg(void)
{
	memset(msgbuf, 0, sizeof(msgbuf));
	return mnl_nlmsg_put_header(msgbuf);
}

/* A SYN-ACK from the server, with every attribute an event carries. */
static struct nlattr *put_synack(struct nlmsghdr *nlh, bool final)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SYNFIN_A_EVENT);
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct nlattr *t;

	mnl_attr_put_u8(nlh, SYNFIN_E_TYPE, SYNFIN_EV_SEGMENT);
	mnl_attr_put_u64(nlh, SYNFIN_E_TS_NS, 0x0123456789abcdefULL);
	mnl_attr_put_u32(nlh, SYNFIN_E_CPU, 3);
	mnl_attr_put_u32(nlh, SYNFIN_E_NETNS, 4026531840U);
	mnl_attr_put_u64(nlh, SYNFIN_E_CONN, 1ULL << 40);
	mnl_attr_put_u32(nlh, SYNFIN_E_INDEX, 1);
	mnl_attr_put_u8(nlh, SYNFIN_E_FAMILY, AF_INET6);
	mnl_attr_put(nlh, SYNFIN_E_SADDR, 16, a6);
	mnl_attr_put(nlh, SYNFIN_E_DADDR, 16, b6);
	mnl_attr_put_u16(nlh, SYNFIN_E_SPORT, 443);
	mnl_attr_put_u16(nlh, SYNFIN_E_DPORT, 50000);
	mnl_attr_put_u8(nlh, SYNFIN_E_FROM, SYNFIN_SERVER);
	mnl_attr_put_u8(nlh, SYNFIN_E_FLAGS, SYNFIN_TCP_SYN | SYNFIN_TCP_ACK);
	mnl_attr_put_u32(nlh, SYNFIN_E_SEQ, 0xfffffff0U);
	mnl_attr_put_u32(nlh, SYNFIN_E_ACK, 1001);
	mnl_attr_put_u16(nlh, SYNFIN_E_WIN, 65160);
	mnl_attr_put_u32(nlh, SYNFIN_E_LEN, 0);
	mnl_attr_put_u8(nlh, SYNFIN_E_CLIENT_STATE, SYNFIN_ST_SYN_SENT);
	mnl_attr_put_u8(nlh, SYNFIN_E_SERVER_STATE, SYNFIN_ST_SYN_RCVD);
	mnl_attr_put_u8(nlh, SYNFIN_E_ISN_KNOWN,
			SYNFIN_ISN_CLIENT | SYNFIN_ISN_SERVER);
	mnl_attr_put_u32(nlh, SYNFIN_E_CLIENT_ISN, 1000);
	mnl_attr_put_u32(nlh, SYNFIN_E_SERVER_ISN, 0xfffffff0U);
	mnl_attr_put_u8(nlh, SYNFIN_E_REASON, SYNFIN_END_NONE);
	mnl_attr_put_u32(nlh, SYNFIN_E_ANOMALIES, SYNFIN_AN_RETRANSMISSION);
	if (final) {
		mnl_attr_put_u8(nlh, SYNFIN_E_CONN_STATE, 1);
		mnl_attr_put_strz(nlh, SYNFIN_E_HISTORY, "Sh");
		mnl_attr_put_u32(nlh, SYNFIN_E_CLIENT_SEGS, 1);
		mnl_attr_put_u32(nlh, SYNFIN_E_SERVER_SEGS, 2);
		mnl_attr_put_u64(nlh, SYNFIN_E_CLIENT_BYTES, 5000000000ULL);
		mnl_attr_put_u64(nlh, SYNFIN_E_SERVER_BYTES, 7);
		t = mnl_attr_nest_start(nlh, SYNFIN_E_SUMMARY);
		mnl_attr_put_u64(nlh, SYNFIN_SU_FIRST_NS, 1ULL << 40);
		mnl_attr_put_u64(nlh, SYNFIN_SU_SYN_NS, 0);
		mnl_attr_put_u64(nlh, SYNFIN_SU_SYNACK_NS, (1ULL << 40) + 5);
		mnl_attr_put_u64(nlh, SYNFIN_SU_ESTABLISHED_NS, (1ULL << 40) + 9);
		mnl_attr_put_u8(nlh, SYNFIN_SU_END, SYNFIN_CLOSE_REFUSED);
		mnl_attr_put_u8(nlh, SYNFIN_SU_END_BY, SYNFIN_SERVER);
		mnl_attr_put(nlh, SYNFIN_SU_HANDSHAKE, 0, NULL);
		mnl_attr_put_u32(nlh, SYNFIN_SU_STATES, 0x11);
		mnl_attr_put_u32(nlh, SYNFIN_SU_MAX + 1, 99);	/* newer: skipped */
		mnl_attr_nest_end(nlh, t);
	}
	t = mnl_attr_nest_start(nlh, SYNFIN_E_TRANS);
	mnl_attr_put_u8(nlh, SYNFIN_T_WHO, SYNFIN_SERVER);
	mnl_attr_put_u8(nlh, SYNFIN_T_FROM, SYNFIN_ST_LISTEN);
	mnl_attr_put_u8(nlh, SYNFIN_T_TO, SYNFIN_ST_SYN_RCVD);
	mnl_attr_nest_end(nlh, t);
	/* From a newer module: skipped. */
	mnl_attr_put_u32(nlh, SYNFIN_E_MAX + 1, 99);
	mnl_attr_nest_end(nlh, nest);
	return nest;
}

static void test_parse(void **state)
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *nest = put_synack(nlh, true);
	struct sf_event ev;

	(void)state;
	assert_int_equal(sf_event_parse(nest, &ev), 0);
	assert_int_equal(ev.type, SYNFIN_EV_SEGMENT);
	assert_true(ev.ts_ns == 0x0123456789abcdefULL);
	assert_int_equal(ev.cpu, 3);
	assert_int_equal(ev.netns, 4026531840U);
	assert_true(ev.conn == 1ULL << 40);
	assert_int_equal(ev.index, 1);
	assert_int_equal(ev.family, AF_INET6);
	assert_int_equal(ev.saddr[0], 0x20);
	assert_int_equal(ev.saddr[15], 2);
	assert_int_equal(ev.daddr[15], 1);
	assert_int_equal(ev.sport, 443);
	assert_int_equal(ev.dport, 50000);
	assert_int_equal(ev.from, SYNFIN_SERVER);
	assert_int_equal(ev.flags, SYNFIN_TCP_SYN | SYNFIN_TCP_ACK);
	assert_int_equal(ev.seq, 0xfffffff0U);
	assert_int_equal(ev.ack, 1001);
	assert_int_equal(ev.win, 65160);
	assert_int_equal(ev.state[SYNFIN_CLIENT], SYNFIN_ST_SYN_SENT);
	assert_int_equal(ev.state[SYNFIN_SERVER], SYNFIN_ST_SYN_RCVD);
	assert_int_equal(ev.isn_known, SYNFIN_ISN_CLIENT | SYNFIN_ISN_SERVER);
	assert_int_equal(ev.isn[SYNFIN_CLIENT], 1000);
	assert_int_equal(ev.isn[SYNFIN_SERVER], 0xfffffff0U);
	assert_int_equal(ev.anomalies, SYNFIN_AN_RETRANSMISSION);
	assert_int_equal(ev.conn_state, 1);
	assert_string_equal(ev.history, "Sh");
	assert_true(ev.have_counts);
	assert_int_equal(ev.segs[SYNFIN_SERVER], 2);
	assert_true(ev.bytes[SYNFIN_CLIENT] == 5000000000ULL);
	assert_int_equal(ev.bytes[SYNFIN_SERVER], 7);
	assert_int_equal(ev.ntrans, 1);
	assert_int_equal(ev.trans[0].who, SYNFIN_SERVER);
	assert_int_equal(ev.trans[0].from, SYNFIN_ST_LISTEN);
	assert_int_equal(ev.trans[0].to, SYNFIN_ST_SYN_RCVD);
	assert_true(ev.have_summary);
	assert_true(ev.summary.first_ns == 1ULL << 40);
	assert_true(ev.summary.syn_ns == 0);
	assert_true(ev.summary.synack_ns == (1ULL << 40) + 5);
	assert_true(ev.summary.est_ns == (1ULL << 40) + 9);
	assert_int_equal(ev.summary.end, SYNFIN_CLOSE_REFUSED);
	assert_int_equal(ev.summary.end_by, SYNFIN_SERVER);
	assert_int_equal(ev.summary.flags,
			 SYNFIN_SUM_ESTABLISHED | SYNFIN_SUM_ENDED);
	assert_int_equal(ev.summary.visited, 0x11);

	/* Not a final event: no counts, no history, no summary. */
	nest = put_synack(new_msg(), false);
	assert_int_equal(sf_event_parse(nest, &ev), 0);
	assert_false(ev.have_summary);
	assert_false(ev.have_counts);
	assert_int_equal(ev.conn_state, 0);
	assert_string_equal(ev.history, "");
}

/* The attribute of type @type inside @nest. */
static struct nlattr *find(struct nlattr *nest, unsigned int type)
{
	struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	fail();
	return NULL;
}

static void test_parse_malformed(void **state)
{
	struct nlattr *nest, *a;
	struct sf_event ev;
	char *p;

	(void)state;
	/* A u32 with a 2-byte payload: refused. */
	nest = put_synack(new_msg(), false);
	a = find(nest, SYNFIN_E_SEQ);
	a->nla_len = MNL_ATTR_HDRLEN + 2;
	assert_int_equal(sf_event_parse(nest, &ev), -EINVAL);

	/* A history that is not NUL-terminated: refused. */
	nest = put_synack(new_msg(), true);
	a = find(nest, SYNFIN_E_HISTORY);
	p = mnl_attr_get_payload(a);
	p[mnl_attr_get_payload_len(a) - 1] = 'x';
	assert_int_equal(sf_event_parse(nest, &ev), -EINVAL);

	/* A history with bytes a history cannot hold: shown as '?'. */
	nest = put_synack(new_msg(), true);
	a = find(nest, SYNFIN_E_HISTORY);
	p = mnl_attr_get_payload(a);
	p[1] = '"';
	assert_int_equal(sf_event_parse(nest, &ev), 0);
	assert_string_equal(ev.history, "S?");

	/* A summary that says an end there is none of: refused. */
	nest = put_synack(new_msg(), true);
	a = find(find(nest, SYNFIN_E_SUMMARY), SYNFIN_SU_END);
	*(uint8_t *)mnl_attr_get_payload(a) = SYNFIN_CLOSE_COUNT;
	assert_int_equal(sf_event_parse(nest, &ev), -EINVAL);

	/* A summary time too short: refused; no END_BY: neither side. */
	nest = put_synack(new_msg(), true);
	a = find(find(nest, SYNFIN_E_SUMMARY), SYNFIN_SU_SYN_NS);
	a->nla_len = MNL_ATTR_HDRLEN + 4;
	assert_int_equal(sf_event_parse(nest, &ev), -EINVAL);
	nest = put_synack(new_msg(), true);
	a = find(find(nest, SYNFIN_E_SUMMARY), SYNFIN_SU_END_BY);
	a->nla_type = SYNFIN_SU_MAX + 1;
	assert_int_equal(sf_event_parse(nest, &ev), 0);
	assert_int_equal(ev.summary.end_by, SYNFIN_SUM_NOBODY);

	/* An address of a bad length: all zero. */
	nest = put_synack(new_msg(), false);
	a = find(nest, SYNFIN_E_SADDR);
	a->nla_len = MNL_ATTR_HDRLEN + 5;
	/* (the walk now lands inside the address: whatever it finds there
	 * must not crash, and the rest is not read as attributes) */
	(void)sf_event_parse(nest, &ev);

	/* An attribute claiming more than the nest holds ends the walk. */
	nest = put_synack(new_msg(), false);
	a = find(nest, SYNFIN_E_SPORT);
	a->nla_len = 0xfff0;
	assert_int_equal(sf_event_parse(nest, &ev), 0);
	assert_int_equal(ev.family, AF_INET6);
	assert_int_equal(ev.sport, 0);
	assert_int_equal(ev.win, 0);

	/* An attribute shorter than its own header ends the walk too. */
	nest = put_synack(new_msg(), false);
	a = find(nest, SYNFIN_E_DPORT);
	a->nla_len = 2;
	assert_int_equal(sf_event_parse(nest, &ev), 0);
	assert_true(ev.conn == 1ULL << 40);
	assert_int_equal(ev.sport, 443);
	assert_int_equal(ev.dport, 0);

	/* ... and an event whose walk ends before its family: refused. */
	nest = put_synack(new_msg(), false);
	a = find(nest, SYNFIN_E_INDEX);
	a->nla_len = 2;
	assert_int_equal(sf_event_parse(nest, &ev), -EINVAL);

	/* A transition with an empty attribute: that field stays 0. */
	nest = put_synack(new_msg(), false);
	a = find(find(nest, SYNFIN_E_TRANS), SYNFIN_T_FROM);
	a->nla_type = 200;
	assert_int_equal(sf_event_parse(nest, &ev), 0);
	assert_int_equal(ev.ntrans, 1);
	assert_int_equal(ev.trans[0].from, 0);
	assert_int_equal(ev.trans[0].to, SYNFIN_ST_SYN_RCVD);
}

/* Every prefix of a valid nest: no crash, never a read past it (ASan). */
static void test_parse_truncated(void **state)
{
	struct nlattr *nest = put_synack(new_msg(), true);
	uint16_t full = nest->nla_len, len;
	struct sf_event ev;

	(void)state;
	for (len = MNL_ATTR_HDRLEN; len <= full; len++) {
		struct nlattr *copy = malloc(len);

		assert_non_null(copy);
		memcpy(copy, nest, len);
		copy->nla_len = len;
		(void)sf_event_parse(copy, &ev);
		free(copy);
	}
}


/* ---- decoding: the packed struct (module/netlink.c, put_event_packed) ---- */

/* The SYN-ACK of put_synack() as one struct, as the module fills it. */
static struct synfin_event_packed packed_synack(bool final)
{
	struct synfin_event_packed p = {
		.ts_ns = 0x0123456789abcdefULL, .conn = 1ULL << 40,
		.saddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
		.daddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		.cpu = 3, .netns = 4026531840U, .index = 1,
		.seq = 0xfffffff0U, .ack = 1001, .len = 0,
		.client_isn = 1000, .server_isn = 0xfffffff0U,
		.anomalies = SYNFIN_AN_RETRANSMISSION,
		.sport = 443, .dport = 50000, .win = 65160,
		.type = SYNFIN_EV_SEGMENT, .family = AF_INET6,
		.from = SYNFIN_SERVER, .flags = SYNFIN_TCP_SYN | SYNFIN_TCP_ACK,
		.client_state = SYNFIN_ST_SYN_SENT,
		.server_state = SYNFIN_ST_SYN_RCVD,
		.isn_known = SYNFIN_ISN_CLIENT | SYNFIN_ISN_SERVER,
		.reason = SYNFIN_END_NONE, .ntrans = 1,
		.trans = { { SYNFIN_SERVER, SYNFIN_ST_LISTEN, SYNFIN_ST_SYN_RCVD } },
	};

	if (final) {
		p.conn_state = 1;
		p.client_segs = 1;
		p.server_segs = 2;
		p.client_bytes = 5000000000ULL;
		p.server_bytes = 7;
		memcpy(p.history, "Sh", 3);
		p.first_ns = 1ULL << 40;
		p.synack_ns = (1ULL << 40) + 5;
		p.established_ns = (1ULL << 40) + 9;
		p.end = SYNFIN_CLOSE_REFUSED;
		p.end_by = SYNFIN_SERVER;
		p.handshake = 1;
		p.states = 0x11;
	}
	return p;
}

/* @p, or its first @len bytes (then @len more zero), as an attribute. */
static struct nlattr *put_packed(const struct synfin_event_packed *p,
				 size_t len)
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *a = (struct nlattr *)mnl_nlmsg_get_payload_tail(nlh);
	uint8_t buf[2 * sizeof(*p)] = { 0 };

	memcpy(buf, p, len < sizeof(*p) ? len : sizeof(*p));
	mnl_attr_put(nlh, SYNFIN_A_EVENT_PACKED, len, buf);
	return a;
}

/* The struct decodes to exactly what the nest of the same event does. */
static void test_unpack(void **state)
{
	struct synfin_event_packed p;
	struct sf_event nested, packed;
	char *want, *got;
	int final;

	(void)state;
	assert_int_equal(sizeof(p), 208);
	for (final = 0; final < 2; final++) {
		assert_int_equal(sf_event_parse(put_synack(new_msg(), final),
						&nested), 0);
		p = packed_synack(final);
		assert_int_equal(sf_event_unpack(put_packed(&p, sizeof(p)),
						 &packed), 0);
		want = json_of(&nested);
		got = json_of(&packed);
		assert_string_equal(got, want);
		free(want);
		free(got);
		assert_int_equal(packed.have_counts, nested.have_counts);
		assert_int_equal(packed.have_summary, nested.have_summary);
		assert_true(packed.summary.first_ns == nested.summary.first_ns);
		assert_true(packed.summary.syn_ns == nested.summary.syn_ns);
		assert_true(packed.summary.synack_ns == nested.summary.synack_ns);
		assert_true(packed.summary.est_ns == nested.summary.est_ns);
		assert_int_equal(packed.summary.visited, nested.summary.visited);
		assert_int_equal(packed.summary.flags, nested.summary.flags);
		assert_int_equal(packed.summary.end, nested.summary.end);
		assert_int_equal(packed.summary.end_by, nested.summary.end_by);
		assert_int_equal(packed.summary.first_fin,
				 nested.summary.first_fin);
		assert_int_equal(packed.summary.rst_from,
				 nested.summary.rst_from);
		assert_int_equal(packed.win, 65160);
		assert_int_equal(packed.ntrans, 1);
		assert_int_equal(packed.trans[0].to, SYNFIN_ST_SYN_RCVD);
	}
	assert_true(packed.bytes[SYNFIN_CLIENT] == 5000000000ULL);
	assert_int_equal(packed.segs[SYNFIN_SERVER], 2);
	assert_string_equal(packed.history, "Sh");

	/* A longer struct from a newer module: its start is read. */
	p = packed_synack(true);
	assert_int_equal(sf_event_unpack(put_packed(&p, sizeof(p) + 8),
					 &packed), 0);
	assert_int_equal(packed.dport, 50000);

	/* IPv4: the first 4 bytes of each address. */
	p = packed_synack(false);
	p.family = AF_INET;
	memset(p.saddr, 0, 16);
	memcpy(p.saddr, "\x0a\x00\x00\x02", 4);
	assert_int_equal(sf_event_unpack(put_packed(&p, sizeof(p)), &packed), 0);
	got = json_of(&packed);
	assert_non_null(strstr(got, "\"src\":\"10.0.0.2\""));
	free(got);
}

static void test_unpack_malformed(void **state)
{
	struct synfin_event_packed p;
	struct sf_event ev;

	(void)state;
	/* Shorter than the struct: refused, at every length. */
	p = packed_synack(true);
	for (size_t len = 0; len < sizeof(p); len++)
		assert_int_equal(sf_event_unpack(put_packed(&p, len), &ev),
				 -EINVAL);
	/* More transitions than an event has. */
	p.ntrans = SYNFIN_MAX_TRANS + 1;
	assert_int_equal(sf_event_unpack(put_packed(&p, sizeof(p)), &ev), -EINVAL);
	/* A history without its NUL. */
	p = packed_synack(true);
	memset(p.history, 'S', sizeof(p.history));
	assert_int_equal(sf_event_unpack(put_packed(&p, sizeof(p)), &ev), -EINVAL);
	/* Letters a history cannot hold: '?'. */
	p = packed_synack(true);
	p.history[1] = '"';
	assert_int_equal(sf_event_unpack(put_packed(&p, sizeof(p)), &ev), 0);
	assert_string_equal(ev.history, "S?");
	/* A summary's end or side out of range. */
	p = packed_synack(true);
	p.end = SYNFIN_CLOSE_COUNT;
	assert_int_equal(sf_event_unpack(put_packed(&p, sizeof(p)), &ev), -EINVAL);
	p = packed_synack(true);
	p.end_by = 2;
	assert_int_equal(sf_event_unpack(put_packed(&p, sizeof(p)), &ev), -EINVAL);
	p.end_by = SYNFIN_SUM_NOBODY;
	assert_int_equal(sf_event_unpack(put_packed(&p, sizeof(p)), &ev), 0);
	assert_int_equal(ev.summary.end_by, SYNFIN_SUM_NOBODY);
	/* No such event type, or family. */
	p = packed_synack(false);
	p.type = 0;
	assert_int_equal(sf_event_unpack(put_packed(&p, sizeof(p)), &ev), -EINVAL);
	p.type = SYNFIN_EV_LOST;	/* a loss is a nest, with its count */
	assert_int_equal(sf_event_unpack(put_packed(&p, sizeof(p)), &ev), -EINVAL);
	p.type = SYNFIN_EV_LOST + 1;
	assert_int_equal(sf_event_unpack(put_packed(&p, sizeof(p)), &ev), -EINVAL);
	p = packed_synack(false);
	p.family = 7;
	assert_int_equal(sf_event_unpack(put_packed(&p, sizeof(p)), &ev), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_ipv4_text),
		cmocka_unit_test(test_ipv6_text),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_addr_cache),
		cmocka_unit_test(test_stream_paths),
		cmocka_unit_test(test_ts_text),
		cmocka_unit_test(test_syn),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_longest),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_unpack),
		cmocka_unit_test(test_unpack_malformed),
	};

	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
