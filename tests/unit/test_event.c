// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the reader's JSON lines (userspace/event.c). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "synfin.h"
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
		.bytes = { UINT64_MAX, UINT64_MAX }, .ntrans = SF_MAX_TRANS,
	};
	unsigned int i, n = 0;
	char *s, *p;

	(void)state;
	memset(ev.saddr, 0xfe, sizeof(ev.saddr));
	memset(ev.daddr, 0xfe, sizeof(ev.daddr));
	memset(ev.history, 'a', sizeof(ev.history) - 1);
	for (i = 0; i < SF_MAX_TRANS; i++)
		ev.trans[i] = (struct sf_trans){ SYNFIN_SERVER,
						 SYNFIN_ST_FIN_WAIT_1,
						 SYNFIN_ST_FIN_WAIT_2 };
	s = json_of(&ev);
	assert_true(strlen(s) < 2048);
	assert_non_null(strstr(s, "\"flags\":[\"FIN\",\"SYN\",\"RST\",\"PSH\",\"ACK\",\"URG\",\"ECE\",\"CWR\"]"));
	assert_non_null(strstr(s, "\"src\":\"fefe:fefe:fefe:fefe:fefe:fefe:fefe:fefe\""));
	assert_non_null(strstr(s, "\"conn_state\":\"RSTOS0\""));
	assert_non_null(strstr(s, ",\"server_bytes\":18446744073709551615}\n"));
	for (p = s; (p = strstr(p, "\"who\":\"server\"")); p++)
		n++;
	assert_int_equal(n, SF_MAX_TRANS);
	for (i = 0; i < SYNFIN_AN_COUNT; i++)
		assert_non_null(strstr(s, synfin_anomaly_name(i)));
	/* one line, ending where it should */
	assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1);
	free(s);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_text),
		cmocka_unit_test(test_syn),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_longest),
	};

	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
