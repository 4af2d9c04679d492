// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the tracking core (module/track.c) that the module and
 * the reader share: matching both directions, a connection's events and
 * their indexes, the reuse rule, ends and their reasons, the record of an
 * event without a segment, the summary the final event carries (handshake
 * times at the events' timestamps, how it ended and by whom), eviction
 * ranks across owners, and admission with a guest's share and the host's
 * reserve.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "track.h"

#define F_S SYNFIN_TCP_SYN
#define F_A SYNFIN_TCP_ACK
#define F_F SYNFIN_TCP_FIN
#define F_R SYNFIN_TCP_RST

#define MAX_EVENTS 16

static struct {
	uint64_t next_id;
	uint64_t now;			/* the clock the core reads */
	unsigned int nows;		/* how often it read it */
	unsigned int n;
	struct synfin_track_rec rec[MAX_EVENTS];
	uint64_t conn[MAX_EVENTS];
	uint64_t ts[MAX_EVENTS];
} log_;

__u64 synfin_track_now(void *ctx)
{
	assert_ptr_equal(ctx, &log_);
	log_.nows++;
	return log_.now;
}

void synfin_track_begun(void *ctx, struct synfin_conn *c)
{
	assert_ptr_equal(ctx, &log_);
	c->id = ++log_.next_id;
}

void synfin_track_emit(void *ctx, struct synfin_conn *c,
		       const struct synfin_track_event *ev)
{
	assert_ptr_equal(ctx, &log_);
	assert_true(log_.n < MAX_EVENTS);
	synfin_track_fill(c, ev, &log_.rec[log_.n]);
	log_.ts[log_.n] = ev->ts_ns;
	log_.conn[log_.n++] = c->id;
}

static void reset(void)
{
	memset(&log_, 0, sizeof(log_));
}

/* A segment from 10.0.0.1:@cport to 10.0.0.2:80, or back (!@fwd). */
static struct synfin_packet pkt(int fwd, uint16_t cport, uint8_t flags,
				uint32_t seq, uint32_t ack)
{
	struct synfin_packet p;

	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.saddr.b[0] = 10;
	p.saddr.b[3] = fwd ? 1 : 2;
	p.daddr.b[0] = 10;
	p.daddr.b[3] = fwd ? 2 : 1;
	p.sport = fwd ? cport : 80;
	p.dport = fwd ? 80 : cport;
	p.seg.seq = seq;
	p.seg.ack = ack;
	p.seg.flags = flags;
	p.seg.win = 1000;
	p.seg.wscale = -1;
	return p;
}

/* Feed @p to @c, matched as the module and the reader match it. */
static void feed(struct synfin_conn *c, struct synfin_packet p)
{
	bool from_a;

	assert_true(synfin_track_match(c, &p, &from_a));
	synfin_track_segment(&log_, c, &p, from_a);
}

static void test_match_both_directions_only(void **state)
{
	struct synfin_packet p = pkt(1, 40000, F_S, 100, 0), q;
	struct synfin_conn c;
	bool from_a;

	(void)state;
	reset();
	memset(&c, 0, sizeof(c));
	synfin_track_tuple(&c, &p);
	synfin_track_first(&log_, &c, &p);
	assert_true(synfin_track_match(&c, &p, &from_a));
	assert_true(from_a);
	q = pkt(0, 40000, F_S | F_A, 900, 101);
	assert_true(synfin_track_match(&c, &q, &from_a));
	assert_false(from_a);
	q = pkt(1, 40001, F_S, 100, 0);		/* another port */
	assert_false(synfin_track_match(&c, &q, &from_a));
	q = pkt(1, 40000, F_S, 100, 0);
	q.family = AF_INET6;			/* same bytes, other family */
	assert_false(synfin_track_match(&c, &q, &from_a));
	q = pkt(1, 40000, F_S, 100, 0);
	q.daddr.b[15] = 1;			/* an IPv6-looking tail */
	assert_false(synfin_track_match(&c, &q, &from_a));
}

/*
 * A whole connection: an event a segment that moves a state, indexed from
 * 0; a SYN on the tuple in TIME_WAIT ends it, reused, and begins a new
 * one whose events count from 0 again.
 */
static void test_events_and_the_reuse_rule(void **state)
{
	struct synfin_packet syn = pkt(1, 40000, F_S, 100, 0);
	struct synfin_conn c;
	unsigned int i;

	(void)state;
	reset();
	memset(&c, 0, sizeof(c));
	synfin_track_tuple(&c, &syn);
	synfin_track_first(&log_, &c, &syn);
	feed(&c, pkt(0, 40000, F_S | F_A, 900, 101));
	feed(&c, pkt(1, 40000, F_A, 101, 901));
	feed(&c, pkt(1, 40000, F_F | F_A, 101, 901));
	feed(&c, pkt(0, 40000, F_F | F_A, 901, 102));
	feed(&c, pkt(1, 40000, F_A, 102, 902));
	assert_int_equal(c.fsm.state[SYNFIN_CLIENT], SYNFIN_ST_TIME_WAIT);
	assert_int_equal(c.id, 1);
	for (i = 0; i < log_.n; i++) {
		assert_int_equal(log_.rec[i].index, i);
		assert_int_equal(log_.rec[i].type, SYNFIN_EV_SEGMENT);
		assert_int_equal(log_.conn[i], 1);
	}
	assert_int_equal(log_.rec[1].from, SYNFIN_SERVER);
	assert_int_equal(log_.rec[1].seq, 900);
	assert_int_equal(log_.rec[1].ack, 101);
	i = log_.n;

	/* The client's port is used again: a new connection on the tuple. */
	log_.now = 2000;
	feed(&c, pkt(1, 40000, F_S, 5000, 0));
	assert_int_equal(log_.n, i + 2);
	assert_int_equal(log_.rec[i].type, SYNFIN_EV_TIMEOUT);
	assert_int_equal(log_.rec[i].reason, SYNFIN_END_REUSED);
	assert_int_equal(log_.conn[i], 1);
	assert_int_equal(log_.rec[i].index, i);
	assert_int_not_equal(log_.rec[i].conn_state, SYNFIN_CS_NONE);
	assert_int_equal(log_.rec[i + 1].type, SYNFIN_EV_SEGMENT);
	assert_int_equal(log_.conn[i + 1], 2);
	assert_int_equal(log_.rec[i + 1].index, 0);
	assert_int_equal(log_.rec[i + 1].seq, 5000);
	assert_int_equal(c.id, 2);
	assert_int_equal(c.sum.first_ns, 2000);
	assert_int_equal(log_.ts[i + 1], 2000);
}

/*
 * A SYN-ACK seen first: its sender is the server, and an end without a
 * segment describes the connection client to server all the same.
 */
static void test_end_without_segment_goes_client_to_server(void **state)
{
	struct synfin_packet sa = pkt(0, 40000, F_S | F_A, 900, 101);
	const union synfin_addr *ca, *sv;
	struct synfin_track_rec *r;
	uint16_t cport, sport;
	struct synfin_conn c;

	(void)state;
	reset();
	memset(&c, 0, sizeof(c));
	synfin_track_tuple(&c, &sa);
	synfin_track_first(&log_, &c, &sa);
	assert_true(c.client_is_b);
	synfin_track_ends(&c, &ca, &cport, &sv, &sport);
	assert_int_equal(cport, 40000);
	assert_int_equal(sport, 80);
	assert_int_equal(ca->b[3], 1);
	synfin_track_end(&log_, &c, SYNFIN_END_EVICTED);
	r = &log_.rec[log_.n - 1];
	assert_int_equal(r->type, SYNFIN_EV_TIMEOUT);
	assert_int_equal(r->reason, SYNFIN_END_EVICTED);
	assert_int_equal(r->sport, 40000);
	assert_int_equal(r->dport, 80);
	assert_int_equal(r->saddr.b[3], 1);
	assert_int_equal(r->from, SYNFIN_CLIENT);
	assert_int_equal(r->flags, 0);
	assert_int_equal(r->state[SYNFIN_CLIENT], SYNFIN_ST_CLOSED);
	assert_int_equal(r->state[SYNFIN_SERVER], SYNFIN_ST_CLOSED);
	assert_int_not_equal(r->conn_state, SYNFIN_CS_NONE);
	/* An ended connection ends once. */
	synfin_track_end(&log_, &c, SYNFIN_END_IDLE);
	assert_int_equal(log_.n, 2);
}

/* A client at 10.0.0.1:40000 opens to 10.0.0.2:80 at 1000, 3000, 4500 ns. */
static void handshake(struct synfin_conn *c)
{
	struct synfin_packet syn = pkt(1, 40000, F_S, 100, 0);

	reset();
	memset(c, 0, sizeof(*c));
	log_.now = 1000;
	synfin_track_tuple(c, &syn);
	synfin_track_first(&log_, c, &syn);
	log_.now = 3000;
	feed(c, pkt(0, 40000, F_S | F_A, 900, 101));
	log_.now = 4500;
	feed(c, pkt(1, 40000, F_A, 101, 901));
}

/* The last event's record: the final one, with the summary. */
static const struct synfin_summary *final_summary(void)
{
	const struct synfin_track_rec *r = &log_.rec[log_.n - 1];

	assert_int_equal(r->state[SYNFIN_CLIENT], SYNFIN_ST_CLOSED);
	assert_int_equal(r->state[SYNFIN_SERVER], SYNFIN_ST_CLOSED);
	assert_int_not_equal(r->conn_state, SYNFIN_CS_NONE);
	assert_true(r->sum.flags & SYNFIN_SUM_ENDED);
	return &r->sum;
}

/*
 * The handshake's times are the timestamps of the events that made them,
 * one clock reading per event; only the final event carries them.
 */
static void test_summary_handshake_times(void **state)
{
	const struct synfin_summary *s;
	struct synfin_conn c;
	unsigned int i;

	(void)state;
	handshake(&c);
	assert_int_equal(log_.n, 3);
	assert_int_equal(log_.nows, 3);
	assert_int_equal(log_.ts[0], 1000);
	assert_int_equal(log_.ts[1], 3000);
	assert_int_equal(log_.ts[2], 4500);
	assert_int_equal(c.sum.first_ns, 1000);
	assert_int_equal(c.sum.syn_ns, 1000);
	assert_int_equal(c.sum.synack_ns, 3000);
	assert_int_equal(c.sum.est_ns, 4500);
	for (i = 0; i < log_.n; i++)
		assert_int_equal(log_.rec[i].sum.flags, 0);
	/* Data says nothing to the summary, and makes no event. */
	log_.now = 5000;
	feed(&c, pkt(1, 40000, F_A, 101, 901));
	assert_int_equal(log_.n, 3);
	assert_int_equal(log_.nows, 3);
	log_.now = 9000;
	synfin_track_end(&log_, &c, SYNFIN_END_IDLE);
	s = final_summary();
	assert_int_equal(log_.ts[3], 9000);
	assert_int_equal(s->first_ns, 1000);
	assert_int_equal(s->syn_ns, 1000);
	assert_int_equal(s->synack_ns, 3000);
	assert_int_equal(s->est_ns, 4500);
	assert_true(s->flags & SYNFIN_SUM_ESTABLISHED);
	assert_int_equal(s->end, SYNFIN_CLOSE_TIMED_OUT);
	assert_int_equal(s->end_by, SYNFIN_SUM_NOBODY);
	assert_int_equal(s->visited,
			 1u << SYNFIN_ST_CLOSED | 1u << SYNFIN_ST_LISTEN |
			 1u << SYNFIN_ST_SYN_SENT | 1u << SYNFIN_ST_SYN_RCVD |
			 1u << SYNFIN_ST_ESTABLISHED);
}

/* A SYN-ACK seen first: no SYN time, the handshake from the SYN-ACK. */
static void test_summary_without_syn(void **state)
{
	struct synfin_packet sa = pkt(0, 40000, F_S | F_A, 900, 101);
	const struct synfin_summary *s;
	struct synfin_conn c;

	(void)state;
	reset();
	memset(&c, 0, sizeof(c));
	log_.now = 700;
	synfin_track_tuple(&c, &sa);
	synfin_track_first(&log_, &c, &sa);
	log_.now = 800;
	feed(&c, pkt(1, 40000, F_A, 101, 901));
	log_.now = 900;
	synfin_track_end(&log_, &c, SYNFIN_END_EVICTED);
	s = final_summary();
	assert_int_equal(s->first_ns, 700);
	assert_int_equal(s->syn_ns, 0);
	assert_int_equal(s->synack_ns, 700);
	assert_int_equal(s->est_ns, 800);
	assert_int_equal(s->end, SYNFIN_CLOSE_EVICTED);
	assert_int_equal(s->end_by, SYNFIN_SUM_NOBODY);
}

static void test_summary_four_way(void **state)
{
	const struct synfin_summary *s;
	struct synfin_conn c;

	(void)state;
	handshake(&c);
	feed(&c, pkt(0, 40000, F_F | F_A, 901, 101));	/* the server first */
	feed(&c, pkt(1, 40000, F_A, 101, 902));
	feed(&c, pkt(1, 40000, F_F | F_A, 101, 902));
	feed(&c, pkt(0, 40000, F_A, 902, 102));
	assert_int_equal(c.fsm.state[SYNFIN_SERVER], SYNFIN_ST_TIME_WAIT);
	synfin_track_end(&log_, &c, SYNFIN_END_TIME_WAIT);
	s = final_summary();
	assert_int_equal(s->end, SYNFIN_CLOSE_FOUR_WAY);
	assert_int_equal(s->end_by, SYNFIN_SERVER);
	assert_true(s->visited & 1u << SYNFIN_ST_FIN_WAIT_2);
	assert_true(s->visited & 1u << SYNFIN_ST_LAST_ACK);
}

static void test_summary_three_way(void **state)
{
	const struct synfin_summary *s;
	struct synfin_conn c;

	(void)state;
	handshake(&c);
	feed(&c, pkt(1, 40000, F_F | F_A, 101, 901));
	feed(&c, pkt(0, 40000, F_F | F_A, 901, 102));	/* FIN and ACK */
	feed(&c, pkt(1, 40000, F_A, 102, 902));
	synfin_track_end(&log_, &c, SYNFIN_END_TIME_WAIT);
	s = final_summary();
	assert_int_equal(s->end, SYNFIN_CLOSE_THREE_WAY);
	assert_int_equal(s->end_by, SYNFIN_CLIENT);
	assert_false(s->visited & 1u << SYNFIN_ST_FIN_WAIT_2);
}

static void test_summary_simultaneous(void **state)
{
	const struct synfin_summary *s;
	struct synfin_conn c;

	(void)state;
	handshake(&c);
	feed(&c, pkt(1, 40000, F_F | F_A, 101, 901));
	feed(&c, pkt(0, 40000, F_F | F_A, 901, 101));	/* the FINs cross */
	feed(&c, pkt(1, 40000, F_A, 102, 902));
	feed(&c, pkt(0, 40000, F_A, 902, 102));
	synfin_track_end(&log_, &c, SYNFIN_END_TIME_WAIT);
	s = final_summary();
	assert_int_equal(s->end, SYNFIN_CLOSE_SIMULTANEOUS);
	assert_int_equal(s->end_by, SYNFIN_CLIENT);
	assert_true(s->visited & 1u << SYNFIN_ST_CLOSING);
}

/* The server's RST to a SYN: refused, no handshake, ended by the RST. */
static void test_summary_refused(void **state)
{
	struct synfin_packet syn = pkt(1, 40000, F_S, 100, 0);
	const struct synfin_summary *s;
	struct synfin_conn c;

	(void)state;
	reset();
	memset(&c, 0, sizeof(c));
	log_.now = 10;
	synfin_track_tuple(&c, &syn);
	synfin_track_first(&log_, &c, &syn);
	log_.now = 20;
	feed(&c, pkt(0, 40000, F_R | F_A, 0, 101));
	assert_int_equal(log_.n, 2);
	s = final_summary();
	assert_int_equal(log_.rec[1].type, SYNFIN_EV_SEGMENT);
	assert_int_equal(s->end, SYNFIN_CLOSE_REFUSED);
	assert_int_equal(s->end_by, SYNFIN_SERVER);
	assert_false(s->flags & SYNFIN_SUM_ESTABLISHED);
	assert_int_equal(s->syn_ns, 10);
	assert_int_equal(s->synack_ns, 0);
	assert_int_equal(s->est_ns, 0);
	/* A late RST: the summary is made, and stays as it was. */
	log_.now = 30;
	feed(&c, pkt(1, 40000, F_R, 101, 0));
	assert_int_equal(log_.rec[log_.n - 1].sum.end, SYNFIN_CLOSE_REFUSED);
	assert_int_equal(log_.rec[log_.n - 1].sum.end_by, SYNFIN_SERVER);
}

/* An RST out of the window is not obeyed; the client's in it resets. */
static void test_summary_reset(void **state)
{
	const struct synfin_summary *s;
	struct synfin_conn c;

	(void)state;
	handshake(&c);
	feed(&c, pkt(0, 40000, F_R, 900000, 0));
	assert_int_equal(c.fsm.state[SYNFIN_CLIENT], SYNFIN_ST_ESTABLISHED);
	assert_int_equal(c.sum.rst_from, SYNFIN_SUM_NOBODY);
	feed(&c, pkt(1, 40000, F_R | F_A, 101, 901));
	s = final_summary();
	assert_int_equal(s->end, SYNFIN_CLOSE_RESET);
	assert_int_equal(s->end_by, SYNFIN_CLIENT);
	assert_true(s->flags & SYNFIN_SUM_ESTABLISHED);
}

static void test_idle_reason_and_timeouts(void **state)
{
	struct synfin_packet syn = pkt(1, 40000, F_S, 100, 0);
	__u32 ms[SYNFIN_TO_COUNT];
	struct synfin_conn c;

	(void)state;
	reset();
	synfin_track_default_timeouts(ms);
	assert_int_equal(ms[SYNFIN_TO_TIME_WAIT], SYNFIN_DEFAULT_TIME_WAIT_MS);
	assert_int_equal(ms[SYNFIN_TO_ESTABLISHED],
			 SYNFIN_DEFAULT_ESTABLISHED_MS);
	memset(&c, 0, sizeof(c));
	synfin_track_tuple(&c, &syn);
	synfin_track_first(&log_, &c, &syn);
	/* Seen one way only: the shorter of its own and the unconfirmed. */
	assert_int_equal(synfin_track_timeout_ms(&c, ms),
			 SYNFIN_DEFAULT_UNCONFIRMED_MS);
	assert_int_equal(synfin_track_idle_reason(&c), SYNFIN_END_IDLE);
	feed(&c, pkt(0, 40000, F_S | F_A, 900, 101));
	feed(&c, pkt(1, 40000, F_A, 101, 901));
	assert_int_equal(synfin_track_timeout_ms(&c, ms),
			 SYNFIN_DEFAULT_ESTABLISHED_MS);
	feed(&c, pkt(1, 40000, F_F | F_A, 101, 901));
	feed(&c, pkt(0, 40000, F_F | F_A, 901, 102));
	feed(&c, pkt(1, 40000, F_A, 102, 902));
	assert_int_equal(synfin_track_idle_reason(&c), SYNFIN_END_TIME_WAIT);
}

/* An unfinished handshake may go only for a flow of its own namespace. */
static void test_evict_rank_by_owner(void **state)
{
	struct synfin_conn c;

	(void)state;
	reset();
	memset(&c, 0, sizeof(c));
	{
		struct synfin_packet syn = pkt(1, 40000, F_S, 100, 0);

		synfin_track_tuple(&c, &syn);
		synfin_track_first(&log_, &c, &syn);
	}
	assert_int_equal(synfin_track_evict_rank(&c, false),
			 SYNFIN_EVICT_UNCONFIRMED);
	feed(&c, pkt(0, 40000, F_S | F_A, 900, 101));
	assert_int_equal(synfin_track_evict_rank(&c, true),
			 SYNFIN_EVICT_HANDSHAKE);
	assert_int_equal(synfin_track_evict_rank(&c, false),
			 SYNFIN_EVICT_NEVER);
	feed(&c, pkt(1, 40000, F_A, 101, 901));
	assert_int_equal(synfin_track_evict_rank(&c, true), SYNFIN_EVICT_NEVER);
	feed(&c, pkt(1, 40000, F_R, 101, 0));
	assert_int_equal(synfin_track_evict_rank(&c, false),
			 SYNFIN_EVICT_ENDED);
}

static void test_share_is_exact(void **state)
{
	(void)state;
	assert_int_equal(synfin_track_share(64, 50), 32);
	assert_int_equal(synfin_track_share(150, 33), 49);
	assert_int_equal(synfin_track_share(3, 10), 1);	/* at least 1 */
	/* More than all of it is all of it. */
	assert_int_equal(synfin_track_share(64, 250), 64);
	/* 2^26 * 99 does not fit in 32 bits; the share is still exact. */
	assert_int_equal(synfin_track_share(1u << 26, 99),
			 (uint32_t)((uint64_t)(1u << 26) * 99 / 100));
	assert_int_equal(synfin_track_share(4294967295u, 100), 4294967295u);
}

static void test_admission(void **state)
{
	const struct synfin_track_limits lim = {
		.max_flows = 64, .owner_share = 50, .host_reserve = 25,
	};
	struct synfin_track_fill n = { .total = 10 };

	(void)state;
	assert_int_equal(synfin_track_admit(&n, &lim), SYNFIN_ADMIT);
	n.total = 64;
	assert_int_equal(synfin_track_admit(&n, &lim), SYNFIN_ADMIT_EVICT_ANY);
	/* A guest at its share (32) takes the place of one of its own. */
	n = (struct synfin_track_fill){ .total = 40, .mine = 32, .guests = 32,
					.guest = true };
	assert_int_equal(synfin_track_admit(&n, &lim), SYNFIN_ADMIT_EVICT_OWN);
	/* The guests at their 48 together: one of theirs. */
	n.mine = 20;
	n.guests = 48;
	assert_int_equal(synfin_track_admit(&n, &lim),
			 SYNFIN_ADMIT_EVICT_GUESTS);
	n.guests = 47;
	assert_int_equal(synfin_track_admit(&n, &lim), SYNFIN_ADMIT);
	/* The host is held to neither, only to the table's size. */
	n = (struct synfin_track_fill){ .total = 63, .mine = 40, .guests = 48 };
	assert_int_equal(synfin_track_admit(&n, &lim), SYNFIN_ADMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_both_directions_only),
		cmocka_unit_test(test_events_and_the_reuse_rule),
		cmocka_unit_test(test_end_without_segment_goes_client_to_server),
		cmocka_unit_test(test_summary_handshake_times),
		cmocka_unit_test(test_summary_without_syn),
		cmocka_unit_test(test_summary_four_way),
		cmocka_unit_test(test_summary_three_way),
		cmocka_unit_test(test_summary_simultaneous),
		cmocka_unit_test(test_summary_refused),
		cmocka_unit_test(test_summary_reset),
		cmocka_unit_test(test_idle_reason_and_timeouts),
		cmocka_unit_test(test_evict_rank_by_owner),
		cmocka_unit_test(test_share_is_exact),
		cmocka_unit_test(test_admission),
	};

	return cmocka_run_group_tests_name("track", tests, NULL, NULL);
}
