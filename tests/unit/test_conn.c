// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the reader's connection bookkeeping (userspace/conn.c):
 * one summary per connection, late events of ended connections, the
 * bounded memory of ended connections, and the summary a final event
 * alone makes.
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

/*
 * A connection at 10.0.0.1:40000 -> 10.0.0.2:80: SYN at 1000 ns, SYN-ACK
 * at 3000, the ACK at 4500 (the server established), the client's RST at
 * 9000. All its events, or with @only_final the final one alone; with
 * @summary the final one carries the summary the module puts on it.
 */
static void reset_by_client(uint64_t id, bool only_final, bool summary)
{
	struct sf_event ev = {
		.type = SYNFIN_EV_SEGMENT, .ts_ns = 1000, .conn = id,
		.family = AF_INET, .sport = 40000, .dport = 80,
		.from = SYNFIN_CLIENT, .flags = SYNFIN_TCP_SYN,
		.state = { SYNFIN_ST_SYN_SENT, SYNFIN_ST_LISTEN },
		.ntrans = 1,
		.trans = { { SYNFIN_CLIENT, SYNFIN_ST_CLOSED,
			     SYNFIN_ST_SYN_SENT } },
	};

	ev.saddr[0] = ev.daddr[0] = 10;
	ev.saddr[3] = 1;
	ev.daddr[3] = 2;
	if (!only_final)
		sf_conn_event(out, &ev);
	ev.index = 1;
	ev.ts_ns = 3000;
	ev.from = SYNFIN_SERVER;
	ev.flags = SYNFIN_TCP_SYN | SYNFIN_TCP_ACK;
	ev.state[SYNFIN_SERVER] = SYNFIN_ST_SYN_RCVD;
	ev.trans[0] = (struct sf_trans){ SYNFIN_SERVER, SYNFIN_ST_LISTEN,
					 SYNFIN_ST_SYN_RCVD };
	if (!only_final)
		sf_conn_event(out, &ev);
	ev.index = 2;
	ev.ts_ns = 4500;
	ev.from = SYNFIN_CLIENT;
	ev.flags = SYNFIN_TCP_ACK;
	ev.state[SYNFIN_CLIENT] = SYNFIN_ST_ESTABLISHED;
	ev.state[SYNFIN_SERVER] = SYNFIN_ST_ESTABLISHED;
	ev.ntrans = 2;
	ev.trans[0] = (struct sf_trans){ SYNFIN_CLIENT, SYNFIN_ST_SYN_SENT,
					 SYNFIN_ST_ESTABLISHED };
	ev.trans[1] = (struct sf_trans){ SYNFIN_SERVER, SYNFIN_ST_SYN_RCVD,
					 SYNFIN_ST_ESTABLISHED };
	if (!only_final)
		sf_conn_event(out, &ev);
	ev.index = 3;
	ev.ts_ns = 9000;
	ev.flags = SYNFIN_TCP_RST;
	ev.state[SYNFIN_CLIENT] = SYNFIN_ST_CLOSED;
	ev.state[SYNFIN_SERVER] = SYNFIN_ST_CLOSED;
	ev.trans[0] = (struct sf_trans){ SYNFIN_CLIENT, SYNFIN_ST_ESTABLISHED,
					 SYNFIN_ST_CLOSED };
	ev.trans[1] = (struct sf_trans){ SYNFIN_SERVER, SYNFIN_ST_ESTABLISHED,
					 SYNFIN_ST_CLOSED };
	ev.conn_state = SYNFIN_CS_RSTO;
	strcpy(ev.history, "ShAR");
	ev.have_counts = true;
	ev.segs[SYNFIN_CLIENT] = 3;
	ev.segs[SYNFIN_SERVER] = 1;
	if (summary) {
		/* What the core made of the events, as SYNFIN_E_SUMMARY. */
		ev.have_summary = true;
		ev.summary = (struct synfin_summary){
			.first_ns = 1000, .syn_ns = 1000, .synack_ns = 3000,
			.est_ns = 4500,
			.visited = 1u << SYNFIN_ST_CLOSED |
				   1u << SYNFIN_ST_LISTEN |
				   1u << SYNFIN_ST_SYN_SENT |
				   1u << SYNFIN_ST_SYN_RCVD |
				   1u << SYNFIN_ST_ESTABLISHED,
			.flags = SYNFIN_SUM_ESTABLISHED | SYNFIN_SUM_ENDED,
			.first_fin = SYNFIN_SUM_NOBODY,
			.rst_from = SYNFIN_CLIENT,
			.end = SYNFIN_CLOSE_RESET, .end_by = SYNFIN_CLIENT,
		};
	}
	sf_conn_event(out, &ev);
}

/* The summary lines of the output, and nothing else. */
static char *summaries(void)
{
	char *all, *line, *save = NULL;
	size_t n = 0;

	fflush(out);
	all = calloc(1, out_len + 1);
	assert_non_null(all);
	for (line = strtok_r(out_buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "\"type\":\"summary\"") ||
		    strstr(line, " ended:"))
			n += (size_t)sprintf(all + n, "%s\n", line);
	}
	return all;
}

/*
 * The summary of connection @id (a new one: ended ones are remembered)
 * in JSON or text, from all its events or the last, with or without the
 * summary on the final event.
 */
static char *summary_from(uint64_t id, bool json, bool only_final,
			  bool summary)
{
	char *s;

	sf_opts.json = json;
	reset_by_client(id, only_final, summary);
	s = summaries();
	sf_conn_free_all();
	fclose(out);
	free(out_buf);
	out = open_memstream(&out_buf, &out_len);
	assert_non_null(out);
	return s;
}

/*
 * A reader that received only a connection's final event, with its
 * summary, prints what one that received every event does: text and
 * JSON, handshake times and how it ended. And so does one that kept the
 * events (--state) of a connection whose final event has no summary:
 * conn.c makes it of them, the core's way.
 */
static void test_final_event_alone(void **state)
{
	char *all, *last, *kept;
	uint64_t id = 9000001;	/* ids no other test takes, as long as each */
	int json;

	(void)state;
	sf_opts.color = false;
	for (json = 0; json < 2; json++) {
		size_t skip = json ? strlen("{\"type\":\"summary\",\"conn\":9000001") :
				     strlen("#9000001");

		all = summary_from(id++, json, false, true);
		last = summary_from(id++, json, true, true);
		assert_int_equal(sf_filter_add_state(&sf_opts.filter, "reset"), 0);
		kept = summary_from(id++, json, false, false);
		memset(&sf_opts.filter, 0, sizeof(sf_opts.filter));
		assert_true(strlen(all) > skip && strlen(last) > skip &&
			    strlen(kept) > skip);
		assert_string_equal(all + skip, last + skip);
		assert_string_equal(kept + skip, last + skip);
		if (json) {
			assert_non_null(strstr(last, "\"first_ns\":1000,\"last_ns\":9000,\"duration_ns\":8000,\"handshake_ns\":3500,\"syn_to_synack_ns\":2000,\"synack_to_ack_ns\":1500,"));
			assert_non_null(strstr(last, "\"end\":\"reset\",\"end_by\":\"client\",\"how\":\"reset by client\","));
			assert_non_null(strstr(last, "\"handshake_complete\":true,\"history\":\"ShAR\",\"conn_state\":\"RSTO\"}"));
		} else {
			assert_non_null(strstr(last, "#9000002 ended: 10.0.0.1:40000 -> 10.0.0.2:80  handshake 0.004 ms (SYN->SYN-ACK 0.002 ms, SYN-ACK->ACK 0.002 ms)  duration 0.008 ms  segments c>s 3 s>c 1  bytes c>s 0 s>c 0  reset by client  history ShAR conn_state RSTO\n"));
		}
		free(all);
		free(last);
		free(kept);
	}
}

/*
 * --state asks the final event's summary: states visited, complete, how
 * it ended.
 */
static void test_final_event_alone_filtered(void **state)
{
	(void)state;
	assert_int_equal(sf_filter_add_state(&sf_opts.filter, "SYN_RCVD"), 0);
	reset_by_client(9000011, true, true);
	assert_int_equal(count("\"type\":\"summary\""), 1);
	memset(&sf_opts.filter, 0, sizeof(sf_opts.filter));
	sf_opts.json = true;
	assert_int_equal(sf_filter_add_state(&sf_opts.filter, "FIN_WAIT_1"), 0);
	reset_by_client(9000012, true, true);
	assert_int_equal(count("\"type\":\"summary\""), 1);
	memset(&sf_opts.filter, 0, sizeof(sf_opts.filter));
	assert_int_equal(sf_filter_add_state(&sf_opts.filter, "incomplete"), 0);
	reset_by_client(9000013, true, true);
	assert_int_equal(count("\"type\":\"summary\""), 1);
	memset(&sf_opts.filter, 0, sizeof(sf_opts.filter));
	assert_int_equal(sf_filter_add_state(&sf_opts.filter, "reset"), 0);
	reset_by_client(9000014, true, true);
	assert_int_equal(count("\"type\":\"summary\""), 2);
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
		cmocka_unit_test_setup_teardown(test_final_event_alone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_final_event_alone_filtered,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("conn", tests, NULL, NULL);
}
