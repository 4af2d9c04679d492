// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the reader's connection bookkeeping (userspace/conn.c):
 * one summary per connection, late events of ended connections, and the
 * bounded memory of ended connections.
 */
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
#include "jline.h"

/* conn.c and filter.c read the options main.c defines. */
struct sf_opts sf_opts;

static char *out_buf;
static size_t out_len;
static FILE *out;

static int setup(void **state)
{
	(void)state;
	memset(&sf_opts, 0, sizeof(sf_opts));
	sf_opts.json = true;
	out = open_memstream(&out_buf, &out_len);
	return out ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	sf_conn_free_all();
	fclose(out);
	free(out_buf);
	return 0;
}

/* Lines of the output that contain @what. */
static unsigned int count(const char *what)
{
	size_t i = 0, wl = strlen(what);
	unsigned int n = 0;

	fflush(out);
	while (i < out_len) {
		const char *line = out_buf + i;
		const char *end = memchr(line, '\n', out_len - i);
		size_t len = end ? (size_t)(end - line) : out_len - i;

		if (memmem(line, len, what, wl))
			n++;
		i += len + 1;
	}
	return n;
}

/* A refused connection @id: its SYN, then the RST that ends it. */
static void refused(uint64_t id, uint64_t ts)
{
	struct sf_event ev = {
		.type = SYNFIN_EV_SEGMENT, .ts_ns = ts, .conn = id,
		.family = AF_INET, .sport = (uint16_t)(1024 + id % 60000),
		.dport = 81, .from = SYNFIN_CLIENT, .flags = SYNFIN_TCP_SYN,
		.state = { SYNFIN_ST_SYN_SENT, SYNFIN_ST_LISTEN },
	};

	ev.saddr[0] = 10;
	ev.daddr[0] = 10;
	ev.daddr[3] = 1;
	sf_conn_event(out, &ev);
	ev.ts_ns++;
	ev.index = 1;
	ev.from = SYNFIN_SERVER;
	ev.flags = SYNFIN_TCP_RST | SYNFIN_TCP_ACK;
	ev.state[SYNFIN_CLIENT] = SYNFIN_ST_CLOSED;
	ev.state[SYNFIN_SERVER] = SYNFIN_ST_CLOSED;
	ev.conn_state = SYNFIN_CS_REJ;
	strcpy(ev.history, "Sr");
	ev.have_counts = true;
	ev.segs[0] = ev.segs[1] = 1;
	sf_conn_event(out, &ev);
}

/* The late RST of connection @id, after it ended. */
static void late(uint64_t id, uint64_t ts)
{
	struct sf_event ev = {
		.type = SYNFIN_EV_SEGMENT, .ts_ns = ts, .conn = id, .index = 2,
		.family = AF_INET, .from = SYNFIN_SERVER,
		.flags = SYNFIN_TCP_RST,
		.state = { SYNFIN_ST_CLOSED, SYNFIN_ST_CLOSED },
		.conn_state = SYNFIN_CS_REJ, .history = "Srr",
	};

	sf_conn_event(out, &ev);
}

static void test_one_summary_each(void **state)
{
	uint64_t id;

	(void)state;
	for (id = 1; id <= 100; id++)
		refused(id, id * 10);
	assert_int_equal(count("\"type\":\"summary\""), 100);
	assert_int_equal(count("\"type\":\"segment\""), 200);
	assert_int_equal(count("\"end\":\"refused\""), 100);
}

/*
 * Far more connections end than are remembered: a late event of a recent
 * one is shown without a second summary; one of a forgotten connection is
 * a connection of its own.
 */
static void test_ended_memory(void **state)
{
	const uint64_t n = 3 * 4096 + 17, base = 1000000;	/* ids unused so far */
	const uint64_t last = base + n, ts = last * 10;
	uint64_t id;

	(void)state;
	for (id = base + 1; id <= last; id++)
		refused(id, id * 10);
	assert_int_equal(count("\"type\":\"summary\""), n);

	late(last, ts + 5);		/* the newest */
	late(last - 4095, ts + 6);	/* the oldest still remembered */
	assert_int_equal(count("\"type\":\"segment\""), 2 * n + 2);
	assert_int_equal(count("\"type\":\"summary\""), n);

	late(last - 4096, ts + 7);	/* just forgotten */
	assert_int_equal(count("\"type\":\"segment\""), 2 * n + 3);
	assert_int_equal(count("\"type\":\"summary\""), n + 1);

	/* ... and now remembered again, as it ended once more. */
	late(last - 4096, ts + 8);
	assert_int_equal(count("\"type\":\"segment\""), 2 * n + 4);
	assert_int_equal(count("\"type\":\"summary\""), n + 1);
}

/*
 * The longest summary line there can be (IPv6 addresses, the longest
 * history, the longest ending, every count at its maximum) is written
 * whole, well within a line's buffer (jline.h).
 */
static void test_longest_summary(void **state)
{
	struct sf_event ev = {
		.type = SYNFIN_EV_SEGMENT, .ts_ns = 1, .conn = UINT64_MAX,
		.netns = UINT32_MAX, .index = 0, .family = AF_INET6,
		.sport = 65535, .dport = 65535, .from = SYNFIN_CLIENT,
		.flags = SYNFIN_TCP_SYN,
		.state = { SYNFIN_ST_SYN_SENT, SYNFIN_ST_LISTEN },
	};
	const char *line;
	size_t len;

	(void)state;
	memset(ev.saddr, 0xfe, sizeof(ev.saddr));
	memset(ev.daddr, 0xfd, sizeof(ev.daddr));
	sf_conn_event(out, &ev);
	ev.ts_ns = UINT64_MAX;
	ev.index = 1;
	ev.flags = SYNFIN_TCP_RST;
	ev.state[SYNFIN_CLIENT] = SYNFIN_ST_CLOSED;
	ev.state[SYNFIN_SERVER] = SYNFIN_ST_CLOSED;
	ev.conn_state = SYNFIN_CS_RSTOS0;
	memset(ev.history, 'r', sizeof(ev.history) - 1);
	ev.have_counts = true;
	ev.segs[0] = ev.segs[1] = UINT32_MAX;
	ev.bytes[0] = ev.bytes[1] = UINT64_MAX;
	sf_conn_event(out, &ev);
	assert_int_equal(count("\"type\":\"summary\""), 1);
	fflush(out);
	line = strstr(out_buf, "{\"type\":\"summary\"");
	assert_non_null(line);
	len = strlen(line);
	assert_true(len < JLINE_MAX / 2);
	assert_string_equal(line + len - 2, "}\n");
	assert_non_null(strstr(line, "\"how\":\"reset by client during handshake\""));
	assert_non_null(strstr(line, "\"client\":\"fefe:fefe:fefe:fefe:fefe:fefe:fefe:fefe\""));
	assert_non_null(strstr(line, "\"server_bytes\":18446744073709551615,"));
	assert_non_null(strstr(line, "\"history\":\"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_summary_each, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_longest_summary, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ended_memory, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("conn", tests, NULL, NULL);
}
