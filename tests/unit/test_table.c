// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the userspace flow table (userspace/table.c) and the
 * tracking core it runs (module/track.c), fed real IPv4 and IPv6 packets
 * through the parser: roles, states, history, the capacity bound with
 * the module's eviction order, and a new SYN on an ended tuple.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "packet.h"
#include "table.h"

/* What the core reported, as the module would have sent it. */
static struct {
	uint64_t next_id;
	unsigned int events, ends[SYNFIN_END_REUSED + 1];
	uint64_t last_end_conn;
} seen;

__u64 synfin_track_now(void *ctx)
{
	(void)ctx;
	return 0;
}

void synfin_track_begun(void *ctx, struct synfin_conn *c)
{
	(void)ctx;
	c->id = ++seen.next_id;
}

void synfin_track_emit(void *ctx, struct synfin_conn *c,
		       const struct synfin_track_event *ev)
{
	(void)ctx;
	seen.events++;
	if (ev->type == SYNFIN_EV_TIMEOUT) {
		assert_true(ev->reason <= SYNFIN_END_REUSED);
		seen.ends[ev->reason]++;
		seen.last_end_conn = c->id;
	}
}

/* The side that sent @p on @e. */
static enum synfin_side side_of(const struct sf_table_entry *e,
				const struct synfin_packet *p)
{
	bool from_a;

	assert_true(synfin_track_match(&e->c, p, &from_a));
	return from_a != e->c.client_is_b ? SYNFIN_CLIENT : SYNFIN_SERVER;
}

#define F_S SYNFIN_TCP_SYN
#define F_A SYNFIN_TCP_ACK
#define F_F SYNFIN_TCP_FIN
#define F_R SYNFIN_TCP_RST

/* Build an IPv4 or IPv6 TCP packet from host @a:@pa to @b:@pb. */
static size_t build(uint8_t *p, int v6, uint8_t a, uint8_t b, uint16_t pa,
		    uint16_t pb, uint32_t seq, uint32_t ack, uint8_t flags)
{
	size_t ip = v6 ? 40 : 20;
	uint8_t *t = p + ip;

	memset(p, 0, ip + 20);
	if (v6) {
		p[0] = 0x60; p[5] = 20; p[6] = 6; p[7] = 64;
		p[8] = 0x20; p[9] = 0x01; p[23] = a;
		p[24] = 0x20; p[25] = 0x01; p[39] = b;
	} else {
		p[0] = 0x45; p[3] = 40; p[8] = 64; p[9] = 6;
		p[12] = 10; p[15] = a; p[16] = 10; p[19] = b;
	}
	t[0] = (uint8_t)(pa >> 8); t[1] = (uint8_t)pa;
	t[2] = (uint8_t)(pb >> 8); t[3] = (uint8_t)pb;
	t[4] = (uint8_t)(seq >> 24); t[5] = (uint8_t)(seq >> 16);
	t[6] = (uint8_t)(seq >> 8); t[7] = (uint8_t)seq;
	t[8] = (uint8_t)(ack >> 24); t[9] = (uint8_t)(ack >> 16);
	t[10] = (uint8_t)(ack >> 8); t[11] = (uint8_t)ack;
	t[12] = 5 << 4; t[13] = flags; t[14] = 0x10;
	return ip + 20;
}

struct tstep {
	int from_client;
	uint8_t flags;
	uint32_t seq, ack;
	uint8_t cstate, sstate;
};

static struct sf_table_entry *feed(struct sf_table *t, int v6,
				   const struct tstep *st, size_t n,
				   uint16_t cport)
{
	struct sf_table_entry *e = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		struct synfin_packet p;
		uint8_t buf[80];
		size_t len;

		len = st[i].from_client ?
		      build(buf, v6, 1, 2, cport, 80, st[i].seq, st[i].ack,
			    st[i].flags) :
		      build(buf, v6, 2, 1, 80, cport, st[i].seq, st[i].ack,
			    st[i].flags);
		assert_int_equal(sf_packet_parse(buf, len, &p), SF_PKT_OK);
		e = sf_table_segment(t, &p, i + 1);
		assert_non_null(e);
		assert_int_equal(side_of(e, &p), st[i].from_client ?
						 SYNFIN_CLIENT : SYNFIN_SERVER);
		if (e->c.fsm.state[0] != st[i].cstate ||
		    e->c.fsm.state[1] != st[i].sstate)
			fail_msg("v%d step %zu: %s/%s", v6 ? 6 : 4, i,
				 synfin_state_name(e->c.fsm.state[0]),
				 synfin_state_name(e->c.fsm.state[1]));
	}
	return e;
}

static const struct tstep four_way[] = {
	{ 1, F_S, 100, 0, SYNFIN_ST_SYN_SENT, SYNFIN_ST_LISTEN },
	{ 0, F_S | F_A, 900, 101, SYNFIN_ST_ESTABLISHED, SYNFIN_ST_SYN_RCVD },
	{ 1, F_A, 101, 901, SYNFIN_ST_ESTABLISHED, SYNFIN_ST_ESTABLISHED },
	{ 0, F_F | F_A, 901, 101, SYNFIN_ST_CLOSE_WAIT, SYNFIN_ST_FIN_WAIT_1 },
	{ 1, F_A, 101, 902, SYNFIN_ST_CLOSE_WAIT, SYNFIN_ST_FIN_WAIT_2 },
	{ 1, F_F | F_A, 101, 902, SYNFIN_ST_LAST_ACK, SYNFIN_ST_TIME_WAIT },
	{ 0, F_A, 902, 102, SYNFIN_ST_CLOSED, SYNFIN_ST_TIME_WAIT },
};

static void test_both_families_server_closes_first(void **state)
{
	int v6;

	(void)state;
	for (v6 = 0; v6 <= 1; v6++) {
		struct sf_table *t = sf_table_new(4, NULL);
		const union synfin_addr *ca, *sa;
		struct sf_table_entry *e;
		uint16_t cport, sport;

		e = feed(t, v6, four_way, 7, 40000);
		synfin_track_ends(&e->c, &ca, &cport, &sa, &sport);
		assert_int_equal(e->c.family, v6 ? 10 : 2);
		assert_int_equal(cport, 40000);
		assert_int_equal(sport, 80);
		assert_string_equal(e->c.fsm.history, "ShAfFa");
		assert_int_equal(sf_table_count(t), 1);
		sf_table_free(t);
	}
}

static void test_capacity_and_lru(void **state)
{
	static const struct tstep syn[] = {
		{ 1, F_S, 100, 0, SYNFIN_ST_SYN_SENT, SYNFIN_ST_LISTEN },
	};
	struct sf_table *t = sf_table_new(3, NULL);
	struct sf_table_entry *e;
	uint16_t port;

	(void)state;
	for (port = 1; port <= 10; port++) {
		e = feed(t, port & 1, syn, 1, port);
		assert_true(sf_table_count(t) <= 3);
		assert_int_equal(e->c.a_port, port);
	}
	assert_int_equal(sf_table_count(t), 3);
	assert_int_equal(sf_table_counts(t)->evicted, 7);
	sf_table_remove(t, e);
	assert_int_equal(sf_table_count(t), 2);
	sf_table_free(t);
}

static void test_syn_reuses_ended_tuple(void **state)
{
	static const struct tstep again[] = {
		{ 1, F_S, 5000, 0, SYNFIN_ST_SYN_SENT, SYNFIN_ST_LISTEN },
		{ 0, F_R | F_A, 0, 5001, SYNFIN_ST_CLOSED, SYNFIN_ST_CLOSED },
	};
	struct sf_table *t = sf_table_new(4, NULL);
	struct sf_table_entry *e;
	unsigned int reused = seen.ends[SYNFIN_END_REUSED];
	uint64_t first;

	(void)state;
	e = feed(t, 1, four_way, 7, 40001);	/* ends in TIME_WAIT */
	first = e->c.id;
	e = feed(t, 1, again, 2, 40001);
	assert_int_not_equal(e->c.id, first);
	/* The old connection ended, reused, before the new one began. */
	assert_int_equal(seen.ends[SYNFIN_END_REUSED], reused + 1);
	assert_int_equal(seen.last_end_conn, first);
	assert_string_equal(e->c.fsm.history, "Sr");
	assert_string_equal(synfin_conn_state_name(synfin_fsm_conn_state(&e->c.fsm)),
			    "REJ");
	assert_int_equal(sf_table_count(t), 1);
	sf_table_free(t);
}

/*
 * What synfin read runs on a capture of 2^32 zero windows on one tuple,
 * the counters started where the capture would have taken them: the
 * segments are applied, the counters stop at their maximum, nothing
 * loops.
 */
static void test_counters_saturate_through_the_table(void **state)
{
	struct sf_table *t = sf_table_new(4, NULL);
	struct sf_table_entry *e;
	int i;

	(void)state;
	e = feed(t, 0, four_way, 3, 40002);	/* both ESTABLISHED */
	e->c.fsm.zero_win[SYNFIN_SERVER] = SYNFIN_COUNT_MAX - 3;
	e->c.fsm.segs[SYNFIN_SERVER] = SYNFIN_COUNT_MAX - 3;
	for (i = 0; i < 10; i++) {
		struct synfin_packet p;
		uint8_t buf[80];
		size_t len = build(buf, 0, 2, 1, 80, 40002, 901, 101, F_A);

		buf[20 + 14] = 0;		/* a zero window */
		assert_int_equal(sf_packet_parse(buf, len, &p), SF_PKT_OK);
		assert_ptr_equal(sf_table_segment(t, &p, 100 + i), e);
	}
	assert_int_equal(e->c.fsm.zero_win[SYNFIN_SERVER], SYNFIN_COUNT_MAX);
	assert_int_equal(e->c.fsm.segs[SYNFIN_SERVER], SYNFIN_COUNT_MAX);
	assert_int_equal(e->c.fsm.state[SYNFIN_SERVER], SYNFIN_ST_ESTABLISHED);
	sf_table_free(t);
}

/* One segment from client 10.0.0.1:@cport (or its server :80). */
static struct sf_table_entry *seg(struct sf_table *t, uint16_t cport,
				  int from_client, uint8_t flags, uint64_t ts)
{
	struct synfin_packet p;
	uint8_t buf[80];
	size_t len = from_client ?
		     build(buf, 0, 1, 2, cport, 80, 100, flags & F_A ? 901 : 0,
			   flags) :
		     build(buf, 0, 2, 1, 80, cport, 900, 101, flags);

	assert_int_equal(sf_packet_parse(buf, len, &p), SF_PKT_OK);
	return sf_table_segment(t, &p, ts);
}

/*
 * At capacity the module's order: a flow seen one way only goes first,
 * then an ended connection, then an unfinished handshake, the one idle
 * longest of each; an open connection never.
 */
static void test_capacity_evicts_by_rank_then_age(void **state)
{
	struct sf_table *t = sf_table_new(4, NULL);
	unsigned int evicted = seen.ends[SYNFIN_END_EVICTED];
	struct sf_table_entry *open, *d, *e;
	uint64_t c_id, d_id;

	(void)state;
	open = seg(t, 1, 1, F_S, 1);		/* A: open */
	seg(t, 1, 0, F_S | F_A, 2);
	seg(t, 1, 1, F_A, 3);
	seg(t, 2, 1, F_S, 4);			/* B: refused, ended */
	seg(t, 2, 0, F_R | F_A, 5);
	c_id = seg(t, 3, 1, F_S, 6)->c.id;	/* C: one way only */
	d = seg(t, 4, 1, F_S, 7);		/* D: handshake unfinished */
	d_id = d->c.id;
	seg(t, 4, 0, F_S | F_A, 8);
	assert_int_equal(sf_table_count(t), 4);

	/* E: C, seen one way only, goes, with an event saying so. */
	e = seg(t, 5, 1, F_S, 9);
	assert_non_null(e);
	assert_int_equal(seen.ends[SYNFIN_END_EVICTED], evicted + 1);
	assert_int_equal(seen.last_end_conn, c_id);
	seg(t, 5, 0, F_S | F_A, 10);		/* E confirmed */

	/* F: B, ended, goes; it had ended, so no event. */
	assert_non_null(seg(t, 6, 1, F_S, 11));
	assert_int_equal(seen.ends[SYNFIN_END_EVICTED], evicted + 1);
	seg(t, 6, 0, F_S | F_A, 12);		/* F confirmed */
	assert_int_equal(sf_table_counts(t)->evicted, 2);

	/* G: of the handshakes D, E and F, D is idle longest. */
	assert_non_null(seg(t, 7, 1, F_S, 13));
	assert_int_equal(seen.ends[SYNFIN_END_EVICTED], evicted + 2);
	assert_int_equal(seen.last_end_conn, d_id);
	/* The open connection is still there, and still open. */
	assert_int_equal(open->c.fsm.state[SYNFIN_CLIENT], SYNFIN_ST_ESTABLISHED);
	assert_int_equal(open->c.a_port, 1);
	sf_table_free(t);
}

/* Open connections are never evicted: the newcomer is not tracked. */
static void test_open_connections_are_kept(void **state)
{
	struct sf_table *t = sf_table_new(2, NULL);
	uint16_t port;

	(void)state;
	for (port = 1; port <= 2; port++) {
		seg(t, port, 1, F_S, port * 3);
		seg(t, port, 0, F_S | F_A, port * 3 + 1);
		seg(t, port, 1, F_A, port * 3 + 2);
	}
	assert_null(seg(t, 3, 1, F_S, 10));
	assert_null(seg(t, 4, 1, F_A, 11));	/* mid-stream: a segment */
	assert_int_equal(sf_table_counts(t)->flows_untracked, 1);
	assert_int_equal(sf_table_counts(t)->segments_untracked, 2);
	assert_int_equal(sf_table_counts(t)->evicted, 0);
	assert_int_equal(sf_table_count(t), 2);
	/* Their segments still reach them. */
	assert_non_null(seg(t, 1, 0, F_A, 12));
	sf_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_families_server_closes_first),
		cmocka_unit_test(test_capacity_and_lru),
		cmocka_unit_test(test_syn_reuses_ended_tuple),
		cmocka_unit_test(test_counters_saturate_through_the_table),
		cmocka_unit_test(test_capacity_evicts_by_rank_then_age),
		cmocka_unit_test(test_open_connections_are_kept),
	};

	return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
