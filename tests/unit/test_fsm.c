// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the two-endpoint TCP state machine (module/fsm.c), the
 * same file the module is built from. Each case is a script of segments
 * with the states both sides must be in after each one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fsm.h"

#define C SYNFIN_CLIENT
#define S SYNFIN_SERVER
#define F_S SYNFIN_TCP_SYN
#define F_A SYNFIN_TCP_ACK
#define F_F SYNFIN_TCP_FIN
#define F_R SYNFIN_TCP_RST

#define CL SYNFIN_ST_CLOSED
#define LI SYNFIN_ST_LISTEN
#define SS SYNFIN_ST_SYN_SENT
#define SR SYNFIN_ST_SYN_RCVD
#define ES SYNFIN_ST_ESTABLISHED
#define F1 SYNFIN_ST_FIN_WAIT_1
#define F2 SYNFIN_ST_FIN_WAIT_2
#define CW SYNFIN_ST_CLOSE_WAIT
#define CG SYNFIN_ST_CLOSING
#define LA SYNFIN_ST_LAST_ACK
#define TW SYNFIN_ST_TIME_WAIT

struct step {
	int from;
	uint8_t flags;
	uint32_t seq, ack, len;
	uint8_t cstate, sstate;
	int ntrans;		/* transitions this segment must cause */
};

#define END { -1, 0, 0, 0, 0, 0, 0, 0 }

/* Client ISN a, server ISN b. */
#define HANDSHAKE(a, b)                                                   \
	{ C, F_S, (a), 0, 0, SS, LI, 1 },                                 \
	{ S, F_S | F_A, (b), (a) + 1, 0, ES, SR, 2 },                     \
	{ C, F_A, (a) + 1, (b) + 1, 0, ES, ES, 1 }

static void run(const struct step *steps, int first_side)
{
	struct synfin_fsm f;
	struct synfin_fsm_result res;
	int i;

	for (i = 0; steps[i].from >= 0; i++) {
		const struct step *st = &steps[i];
		/* Open windows: a FIN is obeyed only inside the window. */
		struct synfin_seg seg = {
			.seq = st->seq, .ack = st->ack, .len = st->len,
			.flags = st->flags, .win = 65535,
		};

		if (i == 0)
			assert_int_equal(synfin_fsm_init(&f, &seg), first_side);
		synfin_fsm_segment(&f, (enum synfin_side)st->from, &seg, &res);
		if (f.state[C] != st->cstate || f.state[S] != st->sstate)
			fail_msg("step %d: got client %s server %s, want %s %s",
				 i, synfin_state_name(f.state[C]),
				 synfin_state_name(f.state[S]),
				 synfin_state_name(st->cstate),
				 synfin_state_name(st->sstate));
		if (st->ntrans >= 0 && res.ntrans != st->ntrans)
			fail_msg("step %d: %u transitions, want %d", i,
				 res.ntrans, st->ntrans);
	}
}

static void test_four_way_close_client_first(void **state)
{
	static const struct step s[] = {
		HANDSHAKE(1000, 5000),
		{ C, F_A, 1001, 5001, 10, ES, ES, 0 },		/* data */
		{ S, F_A, 5001, 1011, 0, ES, ES, 0 },
		{ C, F_F | F_A, 1011, 5001, 0, F1, CW, 2 },
		{ S, F_A, 5001, 1012, 0, F2, CW, 1 },
		{ S, F_F | F_A, 5001, 1012, 0, TW, LA, 2 },
		{ C, F_A, 1012, 5002, 0, TW, CL, 1 },
		END
	};
	(void)state;
	run(s, C);
}

static void test_four_way_close_server_first(void **state)
{
	static const struct step s[] = {
		HANDSHAKE(7, 9),
		{ S, F_F | F_A, 10, 8, 0, CW, F1, 2 },
		{ C, F_A, 8, 11, 0, CW, F2, 1 },
		{ C, F_F | F_A, 8, 11, 0, LA, TW, 2 },
		{ S, F_A, 11, 9, 0, CL, TW, 1 },
		END
	};
	(void)state;
	run(s, C);
}

static void test_three_way_close(void **state)
{
	static const struct step s[] = {
		HANDSHAKE(1000, 5000),
		{ C, F_F | F_A, 1001, 5001, 0, F1, CW, 2 },
		/* FIN and the ACK of the client's FIN in one segment */
		{ S, F_F | F_A, 5001, 1002, 0, TW, LA, 2 },
		{ C, F_A, 1002, 5002, 0, TW, CL, 1 },
		END
	};
	struct synfin_fsm f;
	struct synfin_fsm_result res;
	struct synfin_seg syn = { .seq = 1, .flags = F_S };

	(void)state;
	run(s, C);
	/* The client skips FIN_WAIT_2: one transition FIN_WAIT_1 -> TIME_WAIT */
	synfin_fsm_init(&f, &syn);
	synfin_fsm_segment(&f, C, &syn, &res);
	f.state[C] = F1;
	f.state[S] = CW;
	f.flags |= SYNFIN_FSM_FIN_CLIENT;
	f.fin_end[C] = 100;
	synfin_fsm_segment(&f, S, &(struct synfin_seg){ .seq = 50, .ack = 100,
			   .flags = F_F | F_A }, &res);
	assert_int_equal(res.ntrans, 2);
	assert_int_equal(res.trans[1].who, C);
	assert_int_equal(res.trans[1].from, F1);
	assert_int_equal(res.trans[1].to, TW);
}

static void test_half_close(void **state)
{
	static const struct step s[] = {
		HANDSHAKE(1000, 5000),
		{ C, F_F | F_A, 1001, 5001, 0, F1, CW, 2 },
		{ S, F_A, 5001, 1002, 0, F2, CW, 1 },
		/* the server keeps sending after the client's FIN */
		{ S, F_A, 5001, 1002, 1000, F2, CW, 0 },
		{ C, F_A, 1002, 6001, 0, F2, CW, 0 },
		{ S, F_A, 6001, 1002, 1000, F2, CW, 0 },
		{ S, F_F | F_A, 7001, 1002, 0, TW, LA, 2 },
		{ C, F_A, 1002, 7002, 0, TW, CL, 1 },
		END
	};
	(void)state;
	run(s, C);
}

static void test_simultaneous_close(void **state)
{
	static const struct step s[] = {
		HANDSHAKE(1000, 5000),
		{ C, F_F | F_A, 1001, 5001, 0, F1, CW, 2 },
		/* the server's FIN does not ack the client's: they crossed */
		{ S, F_F | F_A, 5001, 1001, 0, CG, CG, 2 },
		{ C, F_A, 1002, 5002, 0, CG, TW, 1 },
		{ S, F_A, 5002, 1002, 0, TW, TW, 1 },
		END
	};
	(void)state;
	run(s, C);
}

static void test_refused(void **state)
{
	static const struct step s[] = {
		{ C, F_S, 1000, 0, 0, SS, LI, 1 },
		{ S, F_R | F_A, 0, 1001, 0, CL, CL, 2 },
		END
	};
	(void)state;
	run(s, C);
}

static void test_retransmitted_syn_and_synack(void **state)
{
	static const struct step s[] = {
		{ C, F_S, 1000, 0, 0, SS, LI, 1 },
		{ C, F_S, 1000, 0, 0, SS, LI, 0 },		/* again */
		{ S, F_S | F_A, 5000, 1001, 0, ES, SR, 2 },
		{ S, F_S | F_A, 5000, 1001, 0, ES, SR, 0 },	/* again */
		{ C, F_A, 1001, 5001, 0, ES, ES, 1 },
		END
	};
	(void)state;
	run(s, C);
}

static void test_simultaneous_open(void **state)
{
	static const struct step s[] = {
		{ C, F_S, 1000, 0, 0, SS, LI, 1 },
		/* a bare SYN back: both SYNs crossed */
		{ S, F_S, 5000, 0, 0, SR, SR, 3 },
		{ C, F_S | F_A, 1000, 5001, 0, SR, ES, 1 },
		{ S, F_S | F_A, 5000, 1001, 0, ES, ES, 1 },
		END
	};
	(void)state;
	run(s, C);
}

static void test_rst_by_either_side(void **state)
{
	static const struct step by_client[] = {
		HANDSHAKE(1, 2),
		{ C, F_R, 2, 0, 0, CL, CL, 2 },
		END
	};
	static const struct step by_server_in_close_wait[] = {
		HANDSHAKE(1, 2),
		{ C, F_F | F_A, 2, 3, 0, F1, CW, 2 },
		{ S, F_R | F_A, 3, 3, 0, CL, CL, 2 },
		END
	};
	(void)state;
	run(by_client, C);
	run(by_server_in_close_wait, C);
}

static void test_bad_synack_ack(void **state)
{
	static const struct step s[] = {
		{ C, F_S, 1000, 0, 0, SS, LI, 1 },
		/* acks the wrong number: the client cannot be ESTABLISHED */
		{ S, F_S | F_A, 5000, 1234, 0, SS, SR, 1 },
		END
	};
	(void)state;
	run(s, C);
}

static void test_sequence_wrap(void **state)
{
	static const struct step s[] = {
		HANDSHAKE(0xfffffffeU, 0xffffffffU),
		/* client's next seq is 0xffffffff; 2 bytes wrap to 1 */
		{ C, F_A, 0xffffffffU, 0, 2, ES, ES, 0 },
		{ C, F_F | F_A, 1, 0, 0, F1, CW, 2 },
		{ S, F_A, 0, 2, 0, F2, CW, 1 },		/* FIN end is 2 */
		{ S, F_F | F_A, 0, 2, 0, TW, LA, 2 },
		{ C, F_A, 2, 1, 0, TW, CL, 1 },
		END
	};
	(void)state;
	run(s, C);
}

static void test_old_ack_does_not_close(void **state)
{
	static const struct step s[] = {
		HANDSHAKE(1000, 5000),
		{ C, F_F | F_A, 1001, 5001, 0, F1, CW, 2 },
		{ S, F_A, 5001, 1001, 0, F1, CW, 0 },	/* before the FIN */
		END
	};
	(void)state;
	run(s, C);
}

static void test_midstream(void **state)
{
	struct synfin_seg seg = { .seq = 5, .ack = 9, .len = 100,
				  .flags = F_A };
	struct synfin_fsm_result res;
	struct synfin_fsm f;

	(void)state;
	assert_int_equal(synfin_fsm_init(&f, &seg), C);
	assert_true(f.flags & SYNFIN_FSM_MIDSTREAM);
	synfin_fsm_segment(&f, C, &seg, &res);
	assert_int_equal(res.ntrans, 0);
	assert_int_equal(f.state[C], ES);
	assert_int_equal(f.state[S], ES);
	/* The first segment is reported, marked mid-stream; later ones not. */
	assert_int_equal(res.anomalies, SYNFIN_AN_MIDSTREAM);
	assert_true(synfin_fsm_reportable(&seg, &res));
	assert_false(f.flags & (SYNFIN_ISN_CLIENT | SYNFIN_ISN_SERVER));
	seg.seq += 100;
	synfin_fsm_segment(&f, C, &seg, &res);
	assert_int_equal(res.anomalies, 0);
	assert_false(synfin_fsm_reportable(&seg, &res));
}

static void test_synack_seen_first(void **state)
{
	static const struct step s[] = {
		{ S, F_S | F_A, 5000, 1001, 0, ES, SR, 2 },
		{ C, F_A, 1001, 5001, 0, ES, ES, 1 },
		END
	};
	(void)state;
	run(s, S);
}

static void test_lone_rst(void **state)
{
	static const struct step s[] = {
		{ C, F_R, 5, 0, 0, CL, CL, 0 },
		END
	};
	struct synfin_seg rst = { .flags = F_R };
	struct synfin_fsm_result res = { 0 };

	(void)state;
	run(s, C);
	assert_true(synfin_fsm_reportable(&rst, &res));
}

static void test_reuse_and_close(void **state)
{
	struct synfin_seg syn = { .seq = 1, .flags = F_S };
	struct synfin_fsm_result res;
	struct synfin_fsm f;

	(void)state;
	synfin_fsm_init(&f, &syn);
	assert_true(synfin_fsm_reusable(&f));	/* nothing sent yet */
	synfin_fsm_segment(&f, C, &syn, &res);
	assert_false(synfin_fsm_reusable(&f));
	assert_false(synfin_fsm_ended(&f));

	/* A timeout closes both sides, each with its transition. */
	synfin_fsm_close(&f, &res);
	assert_int_equal(res.ntrans, 2);
	assert_int_equal(res.trans[0].who, C);
	assert_int_equal(res.trans[0].from, SS);
	assert_int_equal(res.trans[0].to, CL);
	assert_int_equal(res.trans[1].from, LI);
	assert_true(synfin_fsm_ended(&f));
	assert_true(synfin_fsm_reusable(&f));

	/* TIME_WAIT with a CLOSED peer can be reused by a new SYN. */
	f.state[C] = TW;
	assert_true(synfin_fsm_reusable(&f));
	f.state[S] = ES;
	assert_false(synfin_fsm_reusable(&f));
}

/*
 * The idle timeout is that of the livelier side: a CLOSED side waits for
 * the other, an ended connection lingers; and each side's segment and
 * byte counts add up.
 */
static void test_timeouts_and_counts(void **state)
{
	static const __u32 ms[SYNFIN_TO_COUNT] = {
		[SYNFIN_TO_LINGER] = 1, [SYNFIN_TO_SYN] = 2,
		[SYNFIN_TO_ESTABLISHED] = 3, [SYNFIN_TO_CLOSE] = 4,
		[SYNFIN_TO_TIME_WAIT] = 5, [SYNFIN_TO_UNCONFIRMED] = 6,
	};
	struct synfin_fsm f;
	struct synfin_fsm_result res;
	struct synfin_seg seg = { .seq = 100, .flags = F_S, .win = 1000,
				  .wscale = -1 };

	(void)state;
	synfin_fsm_init(&f, &seg);
	synfin_fsm_segment(&f, C, &seg, &res);		/* SYN_SENT/LISTEN */
	assert_int_equal(synfin_fsm_timeout_ms(&f, ms), 2);
	seg = (struct synfin_seg){ .seq = 900, .ack = 101, .flags = F_S | F_A,
				   .win = 1000, .wscale = -1 };
	synfin_fsm_segment(&f, S, &seg, &res);		/* ESTABLISHED/SYN_RCVD */
	assert_int_equal(synfin_fsm_timeout_ms(&f, ms), 3);
	seg = (struct synfin_seg){ .seq = 101, .ack = 901, .len = 7,
				   .flags = F_A, .win = 1000, .wscale = -1 };
	synfin_fsm_segment(&f, C, &seg, &res);		/* both ESTABLISHED */
	assert_int_equal(synfin_fsm_timeout_ms(&f, ms), 3);
	seg = (struct synfin_seg){ .seq = 108, .ack = 901, .flags = F_F | F_A,
				   .wscale = -1 };
	synfin_fsm_segment(&f, C, &seg, &res);		/* FIN_WAIT_1/CLOSE_WAIT */
	assert_int_equal(synfin_fsm_timeout_ms(&f, ms), 4);
	seg = (struct synfin_seg){ .seq = 901, .ack = 109, .flags = F_F | F_A,
				   .wscale = -1 };
	synfin_fsm_segment(&f, S, &seg, &res);		/* TIME_WAIT/LAST_ACK */
	assert_int_equal(synfin_fsm_timeout_ms(&f, ms), 5);
	seg = (struct synfin_seg){ .seq = 109, .ack = 902, .flags = F_A,
				   .wscale = -1 };
	synfin_fsm_segment(&f, C, &seg, &res);		/* TIME_WAIT/CLOSED */
	assert_int_equal(f.state[S], CL);
	assert_int_equal(synfin_fsm_timeout_ms(&f, ms), 5);
	synfin_fsm_close(&f, &res);			/* ended: linger */
	assert_int_equal(synfin_fsm_timeout_ms(&f, ms), 1);
	assert_int_equal(f.segs[C], 4);
	assert_int_equal(f.segs[S], 2);
	assert_int_equal(f.bytes[C], 7);
	assert_int_equal(f.bytes[S], 0);
}

static void test_state_names(void **state)
{
	static const char *const want[SYNFIN_ST_COUNT] = {
		"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
		"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",
		"LAST_ACK", "TIME_WAIT",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < SYNFIN_ST_COUNT; i++)
		assert_string_equal(synfin_state_name(i), want[i]);
	assert_string_equal(synfin_state_name(SYNFIN_ST_COUNT), "INVALID");
	assert_string_equal(synfin_state_name(255), "INVALID");
}

/* Any segment sequence leaves both sides in valid states. */
static void test_random_segments_stay_valid(void **state)
{
	uint32_t x = 2463534242U;
	int round, i;

	(void)state;
	for (round = 0; round < 2000; round++) {
		struct synfin_fsm f;
		struct synfin_fsm_result res;
		struct synfin_seg seg;

		for (i = 0; i < 24; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			seg.flags = (uint8_t)x;
			seg.seq = (x >> 8) & 7;
			seg.ack = (x >> 11) & 7;
			seg.len = (x >> 14) & 1;
			if (i == 0)
				synfin_fsm_init(&f, &seg);
			synfin_fsm_segment(&f, (x >> 20) & 1 ? S : C, &seg,
					   &res);
			assert_true(f.state[C] < SYNFIN_ST_COUNT);
			assert_true(f.state[S] < SYNFIN_ST_COUNT);
			assert_true(res.ntrans <= SYNFIN_MAX_TRANS);
		}
	}
}


/* A script of segments with the anomalies each must raise. */
struct astep {
	int from;
	uint8_t flags;
	uint32_t seq, ack, len;
	uint16_t win;
	uint16_t anomalies;
	uint8_t cstate, sstate;
};

#define AEND { -1, 0, 0, 0, 0, 0, 0, 0, 0 }

static struct synfin_fsm run_anomalies(const struct astep *steps)
{
	struct synfin_fsm_result res;
	struct synfin_fsm f;
	int i;

	for (i = 0; steps[i].from >= 0; i++) {
		const struct astep *st = &steps[i];
		struct synfin_seg seg = {
			.seq = st->seq, .ack = st->ack, .len = st->len,
			.win = st->win, .flags = st->flags, .wscale = -1,
		};

		if (i == 0)
			synfin_fsm_init(&f, &seg);
		synfin_fsm_segment(&f, (enum synfin_side)st->from, &seg, &res);
		if (res.anomalies != st->anomalies)
			fail_msg("step %d: anomalies %#x, want %#x", i,
				 res.anomalies, st->anomalies);
		if (f.state[C] != st->cstate || f.state[S] != st->sstate)
			fail_msg("step %d: got client %s server %s, want %s %s",
				 i, synfin_state_name(f.state[C]),
				 synfin_state_name(f.state[S]),
				 synfin_state_name(st->cstate),
				 synfin_state_name(st->sstate));
	}
	return f;
}

#define AHS(a, b)                                                         \
	{ C, F_S, (a), 0, 0, 1000, 0, SS, LI },                           \
	{ S, F_S | F_A, (b), (a) + 1, 0, 1000, 0, ES, SR },               \
	{ C, F_A, (a) + 1, (b) + 1, 0, 1000, 0, ES, ES }

static void test_anomaly_retransmissions(void **state)
{
	static const struct astep s[] = {
		{ C, F_S, 100, 0, 0, 1000, 0, SS, LI },
		{ C, F_S, 100, 0, 0, 1000, SYNFIN_AN_RETRANSMISSION, SS, LI },
		{ S, F_S | F_A, 900, 101, 0, 1000, 0, ES, SR },
		{ S, F_S | F_A, 900, 101, 0, 1000, SYNFIN_AN_RETRANSMISSION, ES, SR },
		{ C, F_A, 101, 901, 0, 1000, 0, ES, ES },
		{ C, F_F | F_A, 101, 901, 0, 1000, 0, F1, CW },
		{ C, F_F | F_A, 101, 901, 0, 1000, SYNFIN_AN_RETRANSMISSION, F1, CW },
		AEND
	};
	(void)state;
	run_anomalies(s);
}

static void test_anomaly_handshake_acks(void **state)
{
	static const struct astep bad_synack[] = {
		{ C, F_S, 100, 0, 0, 1000, 0, SS, LI },
		{ S, F_S | F_A, 900, 555, 0, 1000, SYNFIN_AN_BAD_SYNACK_ACK, SS, SR },
		AEND
	};
	static const struct astep bad_third[] = {
		{ C, F_S, 100, 0, 0, 1000, 0, SS, LI },
		{ S, F_S | F_A, 900, 101, 0, 1000, 0, ES, SR },
		{ C, F_A, 101, 900, 0, 1000, SYNFIN_AN_BAD_HANDSHAKE_ACK, ES, SR },
		AEND
	};
	(void)state;
	run_anomalies(bad_synack);
	run_anomalies(bad_third);
}

static void test_anomaly_rst_window(void **state)
{
	static const struct astep out_of_window[] = {
		AHS(100, 900),
		/* far outside the server's 1000-byte window: not obeyed */
		{ C, F_R, 101 + 50000, 0, 0, 0, SYNFIN_AN_RST_OUT_OF_WINDOW, ES, ES },
		/* inside it: obeyed */
		{ C, F_R, 101 + 500, 0, 0, 0, 0, CL, CL },
		AEND
	};
	static const struct astep reset_to_syn_bad_ack[] = {
		{ C, F_S, 100, 0, 0, 1000, 0, SS, LI },
		{ S, F_R | F_A, 0, 7, 0, 0, SYNFIN_AN_RST_OUT_OF_WINDOW, SS, LI },
		{ S, F_R | F_A, 0, 101, 0, 0, 0, CL, CL },
		AEND
	};
	(void)state;
	run_anomalies(out_of_window);
	run_anomalies(reset_to_syn_bad_ack);
}

static void test_anomaly_simultaneous_and_flags(void **state)
{
	static const struct astep open[] = {
		{ C, F_S, 100, 0, 0, 1000, 0, SS, LI },
		{ S, F_S, 900, 0, 0, 1000, SYNFIN_AN_SIMULTANEOUS_OPEN, SR, SR },
		AEND
	};
	static const struct astep close[] = {
		AHS(100, 900),
		{ C, F_F | F_A, 101, 901, 0, 1000, 0, F1, CW },
		{ S, F_F | F_A, 901, 101, 0, 1000, SYNFIN_AN_SIMULTANEOUS_CLOSE, CG, CG },
		AEND
	};
	static const struct astep flags[] = {
		AHS(100, 900),
		{ C, F_S | F_F, 101, 0, 0, 1000,
		  SYNFIN_AN_INVALID_FLAGS | SYNFIN_AN_UNEXPECTED_SYN, F1, CW },
		AEND
	};
	static const struct astep new_isn[] = {
		{ C, F_S, 100, 0, 0, 1000, 0, SS, LI },
		{ C, F_S, 7000, 0, 0, 1000, SYNFIN_AN_NEW_ISN, SS, LI },
		{ S, F_S | F_A, 900, 7001, 0, 1000, 0, ES, SR },
		AEND
	};
	(void)state;
	run_anomalies(open);
	run_anomalies(close);
	run_anomalies(flags);
	run_anomalies(new_isn);
}

static void test_data_on_syn_and_crossed_synack(void **state)
{
	static const struct astep data_on_syn[] = {
		{ C, F_S, 100, 0, 5, 1000, 0, SS, LI },
		/* acks the SYN's 5 bytes too: acceptable */
		{ S, F_S | F_A, 900, 106, 0, 1000, 0, ES, SR },
		{ C, F_A, 106, 901, 10, 1000, 0, ES, ES },
		AEND
	};
	static const struct astep crossed[] = {
		{ C, F_S, 100, 0, 0, 1000, 0, SS, LI },
		{ S, F_S, 900, 0, 0, 1000, SYNFIN_AN_SIMULTANEOUS_OPEN, SR, SR },
		/* the SYN-ACKs resend each ISN: not retransmissions */
		{ C, F_S | F_A, 100, 901, 0, 1000, 0, SR, ES },
		{ S, F_S | F_A, 900, 101, 0, 1000, 0, ES, ES },
		{ S, F_S | F_A, 900, 101, 0, 1000, SYNFIN_AN_RETRANSMISSION, ES, ES },
		AEND
	};
	(void)state;
	run_anomalies(data_on_syn);
	run_anomalies(crossed);
}

static void test_anomaly_half_close(void **state)
{
	static const struct astep s[] = {
		AHS(100, 900),
		{ C, F_F | F_A, 101, 901, 0, 1000, 0, F1, CW },
		{ S, F_A, 901, 102, 0, 1000, 0, F2, CW },
		{ S, F_A, 901, 102, 10, 1000, SYNFIN_AN_HALF_CLOSE, F2, CW },
		{ S, F_A, 911, 102, 10, 1000, 0, F2, CW },	/* once */
		AEND
	};
	(void)state;
	run_anomalies(s);
}

static void test_wscale_option(void **state)
{
	static const uint8_t mss_sack_ts_nop_ws[] = {
		2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
	};
	static const uint8_t no_ws[] = { 2, 4, 0x05, 0xb4, 1, 1, 0, 0 };
	static const uint8_t big[] = { 3, 3, 20 };
	static const uint8_t bogus_len[] = { 2, 0, 3, 3, 7 };
	static const uint8_t truncated[] = { 1, 3, 3 };
	static const uint8_t overlong[] = { 2, 40, 0, 0 };

	(void)state;
	assert_int_equal(synfin_tcp_wscale(mss_sack_ts_nop_ws,
					   sizeof(mss_sack_ts_nop_ws)), 7);
	assert_int_equal(synfin_tcp_wscale(no_ws, sizeof(no_ws)), -1);
	assert_int_equal(synfin_tcp_wscale(big, sizeof(big)), 14);
	assert_int_equal(synfin_tcp_wscale(bogus_len, sizeof(bogus_len)), -1);
	assert_int_equal(synfin_tcp_wscale(truncated, sizeof(truncated)), -1);
	assert_int_equal(synfin_tcp_wscale(overlong, sizeof(overlong)), -1);
	assert_int_equal(synfin_tcp_wscale(NULL, 0), -1);
}

static void test_window_scaling_applies_to_rst_check(void **state)
{
	struct synfin_seg syn = { .seq = 100, .win = 1000, .flags = F_S,
				  .wscale = 7 };
	struct synfin_seg synack = { .seq = 900, .ack = 101, .win = 1000,
				     .flags = F_S | F_A, .wscale = 7 };
	struct synfin_seg ack = { .seq = 101, .ack = 901, .win = 1000,
				  .flags = F_A, .wscale = -1 };
	struct synfin_seg data = { .seq = 901, .ack = 101, .win = 1000,
				   .flags = F_A, .wscale = -1 };
	/* 1000 << 7 = 128000: 50000 bytes ahead is inside the window */
	struct synfin_seg rst = { .seq = 101 + 50000, .flags = F_R,
				  .wscale = -1 };
	struct synfin_fsm_result res;
	struct synfin_fsm f;

	(void)state;
	synfin_fsm_init(&f, &syn);
	synfin_fsm_segment(&f, C, &syn, &res);
	synfin_fsm_segment(&f, S, &synack, &res);
	synfin_fsm_segment(&f, C, &ack, &res);
	synfin_fsm_segment(&f, S, &data, &res);
	assert_int_equal(f.wnd[S], 128000);
	synfin_fsm_segment(&f, C, &rst, &res);
	assert_int_equal(res.anomalies, 0);
	assert_true(synfin_fsm_ended(&f));
}

struct hcase {
	const char *name;
	struct astep steps[12];
	const char *history;
	const char *conn_state;
};

static void test_history_and_conn_state(void **state)
{
	static const struct hcase cases[] = {
		{ "normal, four-way", {
			AHS(100, 900),
			{ C, F_A | SYNFIN_TCP_PSH, 101, 901, 5, 1000, 0, ES, ES },
			{ S, F_A, 901, 106, 3, 1000, 0, ES, ES },
			{ C, F_F | F_A, 106, 904, 0, 1000, 0, F1, CW },
			{ S, F_A, 904, 107, 0, 1000, 0, F2, CW },
			{ S, F_F | F_A, 904, 107, 0, 1000, 0, TW, LA },
			{ C, F_A, 107, 905, 0, 1000, 0, TW, CL },
			AEND }, "ShADdFaf", "SF" },
		{ "refused", {
			{ C, F_S, 100, 0, 0, 1000, 0, SS, LI },
			{ S, F_R | F_A, 0, 101, 0, 0, 0, CL, CL },
			AEND }, "Sr", "REJ" },
		{ "unanswered", {
			{ C, F_S, 100, 0, 0, 1000, 0, SS, LI },
			AEND }, "S", "S0" },
		{ "established", {
			AHS(100, 900),
			AEND }, "ShA", "S1" },
		/* Zeek's own baseline for its single-rst, syn-then-rst,
		 * syn-then-ack-then-rst and syn-then-stuff-then-rst traces */
		{ "lone RST", {
			{ C, F_R, 5, 0, 0, 0, SYNFIN_AN_MIDSTREAM, CL, CL },
			AEND }, "R", "OTH" },
		{ "SYN then RST", {
			{ C, F_S, 100, 0, 0, 1000, 0, SS, LI },
			{ C, F_R, 101, 0, 0, 0, 0, CL, CL },
			AEND }, "SR", "RSTOS0" },
		{ "SYN, ACK back, RST", {
			{ C, F_S, 100, 0, 0, 1000, 0, SS, LI },
			{ S, F_A, 900, 101, 0, 1000, 0, SS, LI },
			{ C, F_R, 101, 0, 0, 0, 0, CL, CL },
			AEND }, "SaR", "RSTOS0" },
		{ "SYN, ACK back, FIN, RST", {
			{ C, F_S, 100, 0, 0, 1000, 0, SS, LI },
			{ S, F_A, 900, 101, 0, 1000, 0, SS, LI },
			{ C, F_F, 101, 0, 0, 1000, 0, F1, LI },
			{ C, F_R, 102, 0, 0, 0, 0, CL, CL },
			AEND }, "SaFR", "OTH" },
		{ "SYN-ACK seen first", {
			{ S, F_S | F_A, 900, 101, 0, 1000, SYNFIN_AN_MIDSTREAM, ES, SR },
			{ C, F_A, 101, 901, 0, 1000, 0, ES, ES },
			AEND }, "^hA", "OTH" },
		{ "reset by the server", {
			AHS(100, 900),
			{ S, F_R, 901, 0, 0, 0, 0, CL, CL },
			AEND }, "ShAr", "RSTR" },
		{ "reset by the client", {
			AHS(100, 900),
			{ C, F_R, 101, 0, 0, 0, 0, CL, CL },
			AEND }, "ShAR", "RSTO" },
		{ "close by the client, no reply", {
			AHS(100, 900),
			{ C, F_F | F_A, 101, 901, 0, 1000, 0, F1, CW },
			AEND }, "ShAF", "S2" },
		{ "close by the server, no reply", {
			AHS(100, 900),
			{ S, F_F | F_A, 901, 101, 0, 1000, 0, CW, F1 },
			AEND }, "ShAf", "S3" },
		{ "SYN-ACK then FIN, no SYN seen", {
			{ S, F_S | F_A, 900, 101, 0, 1000, SYNFIN_AN_MIDSTREAM, ES, SR },
			{ S, F_F | F_A, 901, 101, 0, 1000, 0, CW, F1 },
			AEND }, "^hf", "SHR" },
		{ "SYN-ACK then RST, no SYN seen", {
			{ S, F_S | F_A, 900, 101, 0, 1000, SYNFIN_AN_MIDSTREAM, ES, SR },
			{ S, F_R, 901, 0, 0, 0, 0, CL, CL },
			AEND }, "^hr", "RSTRH" },
		{ "SYN then FIN", {
			{ C, F_S, 100, 0, 0, 1000, 0, SS, LI },
			{ C, F_F, 101, 0, 0, 1000, 0, F1, LI },
			AEND }, "SF", "SH" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct synfin_fsm f = run_anomalies(cases[i].steps);

		if (strcmp(f.history, cases[i].history) ||
		    strcmp(synfin_conn_state_name(synfin_fsm_conn_state(&f)),
			   cases[i].conn_state))
			fail_msg("%s: history %s conn_state %s, want %s %s",
				 cases[i].name, f.history,
				 synfin_conn_state_name(
					 synfin_fsm_conn_state(&f)),
				 cases[i].history, cases[i].conn_state);
	}
}

static void test_history_repeats_and_log_letters(void **state)
{
	struct synfin_seg syn = { .seq = 100, .flags = F_S, .win = 1000,
				  .wscale = -1 };
	struct synfin_fsm_result res;
	struct synfin_fsm f;
	int i;

	(void)state;
	synfin_fsm_init(&f, &syn);
	synfin_fsm_segment(&f, C, &syn, &res);
	synfin_fsm_segment(&f, C, &syn, &res);	/* same seq: no new S */
	syn.seq = 200;
	synfin_fsm_segment(&f, C, &syn, &res);	/* new seq: S again */
	assert_string_equal(f.history, "SS");
	/* 100 zero-window ACKs from the server: w at 1, 10 and 100 */
	for (i = 0; i < 100; i++) {
		struct synfin_seg zw = { .seq = 5, .ack = 201, .flags = F_A,
					 .wscale = -1 };

		synfin_fsm_segment(&f, S, &zw, &res);
	}
	assert_string_equal(f.history, "SSawww");
	assert_string_equal(synfin_anomaly_name(0), "retransmission");
	assert_string_equal(synfin_anomaly_name(SYNFIN_AN_COUNT), "unknown");
}

/* An acceptable RST from either side, in every state pair reachable. */
static void test_rst_in_every_state(void **state)
{
	static const struct step prefixes[][10] = {
		{ { C, F_S, 100, 0, 0, SS, LI, -1 }, END },
		{ { C, F_S, 100, 0, 0, SS, LI, -1 },
		  { S, F_S | F_A, 900, 101, 0, ES, SR, -1 }, END },
		{ HANDSHAKE(100, 900), END },
		{ HANDSHAKE(100, 900), { C, F_F | F_A, 101, 901, 0, F1, CW, -1 },
		  END },
		{ HANDSHAKE(100, 900), { C, F_F | F_A, 101, 901, 0, F1, CW, -1 },
		  { S, F_A, 901, 102, 0, F2, CW, -1 }, END },
		{ HANDSHAKE(100, 900), { C, F_F | F_A, 101, 901, 0, F1, CW, -1 },
		  { S, F_F | F_A, 901, 102, 0, TW, LA, -1 }, END },
		{ HANDSHAKE(100, 900), { C, F_F | F_A, 101, 901, 0, F1, CW, -1 },
		  { S, F_F | F_A, 901, 101, 0, CG, CG, -1 }, END },
		{ HANDSHAKE(100, 900), { S, F_F | F_A, 901, 101, 0, CW, F1, -1 },
		  { C, F_F | F_A, 101, 902, 0, LA, TW, -1 }, END },
		{ HANDSHAKE(100, 900), { S, F_F | F_A, 901, 101, 0, CW, F1, -1 },
		  { C, F_F | F_A, 101, 902, 0, LA, TW, -1 },
		  { S, F_A, 902, 102, 0, CL, TW, -1 }, END },
	};
	unsigned int i, side;

	(void)state;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		for (side = C; side <= S; side++) {
			const struct step *st = prefixes[i];
			struct synfin_fsm_result res;
			struct synfin_fsm f;
			struct synfin_seg rst;
			int open = 0, k;

			for (k = 0; st[k].from >= 0; k++) {
				struct synfin_seg seg = {
					.seq = st[k].seq, .ack = st[k].ack,
					.flags = st[k].flags, .win = 1000,
					.wscale = -1,
				};

				if (k == 0)
					synfin_fsm_init(&f, &seg);
				synfin_fsm_segment(&f, (enum synfin_side)st[k].from,
						   &seg, &res);
			}
			open = (f.state[C] != CL) + (f.state[S] != CL);
			rst = (struct synfin_seg){
				.seq = f.nxt[side], .ack = f.nxt[!side],
				.flags = F_R | F_A, .wscale = -1,
			};
			synfin_fsm_segment(&f, (enum synfin_side)side, &rst, &res);
			if (!synfin_fsm_ended(&f) || res.ntrans != open ||
			    res.anomalies)
				fail_msg("prefix %u, RST from %s: %s/%s, %u transitions, anomalies %#x",
					 i, side == C ? "client" : "server",
					 synfin_state_name(f.state[C]),
					 synfin_state_name(f.state[S]),
					 res.ntrans, res.anomalies);
		}
	}
}

/* FINs and SYNs outside the receiver's window are dropped: no move. */
static void test_fin_and_syn_window(void **state)
{
	static const struct astep fin[] = {
		AHS(100, 900),
		/* far outside the server's 1000-byte window */
		{ C, F_F | F_A, 101 + 50000, 901, 0, 1000,
		  SYNFIN_AN_FIN_OUT_OF_WINDOW, ES, ES },
		/* before what the server expects: an old FIN */
		{ C, F_F | F_A, 50, 901, 0, 1000,
		  SYNFIN_AN_FIN_OUT_OF_WINDOW, ES, ES },
		/* inside it, after data in flight: obeyed */
		{ C, F_F | F_A, 101 + 500, 901, 0, 1000, 0, F1, CW },
		AEND
	};
	static const struct astep syn[] = {
		AHS(100, 900),
		{ C, F_S, 7000, 0, 0, 1000, SYNFIN_AN_SYN_OUT_OF_WINDOW, ES, ES },
		{ C, F_S, 101, 0, 0, 1000, SYNFIN_AN_UNEXPECTED_SYN, ES, ES },
		AEND
	};
	static const struct astep fin_server[] = {
		AHS(100, 900),
		{ S, F_F | F_A, 901 + 70000, 101, 0, 1000,
		  SYNFIN_AN_FIN_OUT_OF_WINDOW, ES, ES },
		{ S, F_F | F_A, 901, 101, 0, 1000, 0, CW, F1 },
		AEND
	};
	struct synfin_fsm f;

	(void)state;
	f = run_anomalies(fin);
	/* The dropped FINs left no trace: one F, the obeyed one. */
	assert_string_equal(f.history, "ShAF");
	assert_int_equal(f.segs[C], 3);
	run_anomalies(syn);
	run_anomalies(fin_server);
}

/* Picked up mid-stream, the window scale is unknown: judged liberally. */
static void test_midstream_window_is_liberal(void **state)
{
	static const struct astep s[] = {
		{ C, F_A, 1000, 5000, 100, 512, SYNFIN_AN_MIDSTREAM, ES, ES },
		{ S, F_A, 5000, 1100, 0, 512, 0, ES, ES },
		/* 512 << 7 bytes in flight: inside a scaled window */
		{ C, F_F | F_A, 1100 + 60000, 5000, 0, 512, 0, F1, CW },
		AEND
	};

	(void)state;
	run_anomalies(s);
}

/* Counters an outsider drives stop at their maximum: no wrap, no hang. */
static void test_counters_saturate(void **state)
{
	struct synfin_seg syn = { .seq = 100, .flags = F_S, .win = 1000,
				  .wscale = -1 };
	struct synfin_seg zw = { .seq = 5, .ack = 101, .flags = F_A,
				 .wscale = -1 };
	struct synfin_seg data = { .seq = 101, .ack = 6, .len = 10,
				   .flags = F_A, .win = 1000, .wscale = -1 };
	struct synfin_fsm_result res;
	struct synfin_fsm f;
	int i;

	(void)state;
	synfin_fsm_init(&f, &syn);
	synfin_fsm_segment(&f, C, &syn, &res);
	f.zero_win[S] = SYNFIN_COUNT_MAX - 2;
	f.segs[S] = SYNFIN_COUNT_MAX - 2;
	for (i = 0; i < 5; i++)
		synfin_fsm_segment(&f, S, &zw, &res);
	assert_int_equal(f.zero_win[S], SYNFIN_COUNT_MAX);
	assert_int_equal(f.segs[S], SYNFIN_COUNT_MAX);
	/* 4294967295 is no power of ten: no letter for it, nor a wrap to 0 */
	assert_string_equal(f.history, "Sa");
	synfin_fsm_segment(&f, C, &data, &res);
	f.retrans[C] = SYNFIN_COUNT_MAX - 1;
	for (i = 0; i < 3; i++)
		synfin_fsm_segment(&f, C, &data, &res);	/* retransmissions */
	assert_int_equal(f.retrans[C], SYNFIN_COUNT_MAX);
	/* from 0 again: 1, 10 and 100 still get their letter */
	f.zero_win[C] = 0;
	for (i = 0; i < 100; i++) {
		struct synfin_seg z = { .seq = 111, .ack = 6, .flags = F_A,
					.wscale = -1 };

		synfin_fsm_segment(&f, C, &z, &res);
	}
	assert_int_equal(f.zero_win[C], 100);
	assert_string_equal(f.history, "SaDAWWW");
}

/* Confirmed by traffic both ways; strangers' flows go first and soon. */
static void test_confirmed_and_eviction_rank(void **state)
{
	static const __u32 ms[SYNFIN_TO_COUNT] = {
		[SYNFIN_TO_LINGER] = 1, [SYNFIN_TO_SYN] = 200,
		[SYNFIN_TO_ESTABLISHED] = 300, [SYNFIN_TO_CLOSE] = 400,
		[SYNFIN_TO_TIME_WAIT] = 500, [SYNFIN_TO_UNCONFIRMED] = 60,
	};
	struct synfin_seg ack = { .seq = 1, .ack = 2, .flags = F_A,
				  .win = 100, .wscale = -1 };
	struct synfin_seg syn = { .seq = 100, .flags = F_S, .win = 100,
				  .wscale = -1 };
	struct synfin_seg synack = { .seq = 900, .ack = 101,
				     .flags = F_S | F_A, .win = 100,
				     .wscale = -1 };
	struct synfin_seg hs = { .seq = 101, .ack = 901, .flags = F_A,
				 .win = 100, .wscale = -1 };
	struct synfin_fsm_result res;
	struct synfin_fsm f;

	(void)state;
	/* a bare ACK from nowhere: mid-stream, one direction */
	synfin_fsm_init(&f, &ack);
	synfin_fsm_segment(&f, C, &ack, &res);
	assert_false(synfin_fsm_confirmed(&f));
	assert_int_equal(synfin_fsm_evict_rank(&f), SYNFIN_EVICT_UNCONFIRMED);
	assert_int_equal(synfin_fsm_timeout_ms(&f, ms), 60);
	/* the other side answers: a confirmed open connection stays */
	ack = (struct synfin_seg){ .seq = 2, .ack = 1, .flags = F_A,
				   .win = 100, .wscale = -1 };
	synfin_fsm_segment(&f, S, &ack, &res);
	assert_true(synfin_fsm_confirmed(&f));
	assert_int_equal(synfin_fsm_evict_rank(&f), SYNFIN_EVICT_NEVER);
	assert_int_equal(synfin_fsm_timeout_ms(&f, ms), 300);

	/* a SYN alone is unconfirmed; the SYN-ACK confirms it */
	synfin_fsm_init(&f, &syn);
	synfin_fsm_segment(&f, C, &syn, &res);
	assert_int_equal(synfin_fsm_evict_rank(&f), SYNFIN_EVICT_UNCONFIRMED);
	assert_int_equal(synfin_fsm_timeout_ms(&f, ms), 60);
	synfin_fsm_segment(&f, S, &synack, &res);
	assert_int_equal(synfin_fsm_evict_rank(&f), SYNFIN_EVICT_HANDSHAKE);
	assert_int_equal(synfin_fsm_timeout_ms(&f, ms), 300);
	synfin_fsm_segment(&f, C, &hs, &res);
	assert_int_equal(synfin_fsm_evict_rank(&f), SYNFIN_EVICT_NEVER);
	synfin_fsm_close(&f, &res);
	assert_int_equal(synfin_fsm_evict_rank(&f), SYNFIN_EVICT_ENDED);
	assert_int_equal(synfin_fsm_timeout_ms(&f, ms), 1);
}

/* Forged segments the receiver drops must not shrink the window. */
static void test_forgery_cannot_blind_a_fin(void **state)
{
	static const struct astep stale_ack[] = {
		AHS(100, 900),
		/* "from the server": acks nothing sent, window 0 */
		{ S, F_A, 901, 5, 0, 0, 0, ES, ES },
		/* an old ack, window 0 */
		{ S, F_A, 901, 50, 0, 0, 0, ES, ES },
		/* the real FIN, 500 bytes on: inside the window offered */
		{ C, F_F | F_A, 101 + 500, 901, 0, 1000, 0, F1, CW },
		AEND
	};
	static const struct astep bad_rst[] = {
		AHS(100, 900),
		{ S, F_R | F_A, 901 + 90000, 3, 0, 0,
		  SYNFIN_AN_RST_OUT_OF_WINDOW, ES, ES },
		{ C, F_F | F_A, 101 + 500, 901, 0, 1000, 0, F1, CW },
		AEND
	};
	static const struct astep shrink[] = {
		AHS(100, 900),
		/* the server acks 300 bytes and closes its window: the right
		 * edge stays where it was (101 + 1000) */
		{ C, F_A, 101, 901, 300, 1000, 0, ES, ES },
		{ S, F_A, 901, 401, 0, 0, 0, ES, ES },
		{ C, F_F | F_A, 401 + 600, 901, 0, 1000, 0, F1, CW },
		AEND
	};

	(void)state;
	run_anomalies(stale_ack);
	run_anomalies(bad_rst);
	run_anomalies(shrink);
}

/* A SYN on a flow a stranger's segment made: a connection, from its SYN. */
static void test_syn_restarts_unanswered_midstream(void **state)
{
	struct synfin_seg stray = { .seq = 7, .ack = 9, .flags = F_A,
				    .win = 100, .wscale = -1 };
	struct synfin_seg syn = { .seq = 100, .flags = F_S, .win = 100,
				  .wscale = -1 };
	struct synfin_seg answer = { .seq = 9, .ack = 8, .flags = F_A,
				     .win = 100, .wscale = -1 };
	struct synfin_fsm_result res;
	struct synfin_fsm f;

	(void)state;
	synfin_fsm_init(&f, &stray);
	synfin_fsm_segment(&f, C, &stray, &res);
	assert_true(synfin_fsm_restarts(&f, &syn));
	/* not a SYN-ACK, nor once the other side answered */
	syn.flags = F_S | F_A;
	assert_false(synfin_fsm_restarts(&f, &syn));
	syn.flags = F_S;
	synfin_fsm_segment(&f, S, &answer, &res);
	assert_false(synfin_fsm_restarts(&f, &syn));
	/* an ended connection's tuple: always */
	synfin_fsm_close(&f, &res);
	assert_true(synfin_fsm_restarts(&f, &syn));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_four_way_close_client_first),
		cmocka_unit_test(test_four_way_close_server_first),
		cmocka_unit_test(test_three_way_close),
		cmocka_unit_test(test_half_close),
		cmocka_unit_test(test_simultaneous_close),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_retransmitted_syn_and_synack),
		cmocka_unit_test(test_simultaneous_open),
		cmocka_unit_test(test_rst_by_either_side),
		cmocka_unit_test(test_bad_synack_ack),
		cmocka_unit_test(test_sequence_wrap),
		cmocka_unit_test(test_old_ack_does_not_close),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_synack_seen_first),
		cmocka_unit_test(test_lone_rst),
		cmocka_unit_test(test_reuse_and_close),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_timeouts_and_counts),
		cmocka_unit_test(test_random_segments_stay_valid),
		cmocka_unit_test(test_anomaly_retransmissions),
		cmocka_unit_test(test_anomaly_handshake_acks),
		cmocka_unit_test(test_anomaly_rst_window),
		cmocka_unit_test(test_anomaly_simultaneous_and_flags),
		cmocka_unit_test(test_anomaly_half_close),
		cmocka_unit_test(test_data_on_syn_and_crossed_synack),
		cmocka_unit_test(test_rst_in_every_state),
		cmocka_unit_test(test_wscale_option),
		cmocka_unit_test(test_window_scaling_applies_to_rst_check),
		cmocka_unit_test(test_history_and_conn_state),
		cmocka_unit_test(test_history_repeats_and_log_letters),
		cmocka_unit_test(test_fin_and_syn_window),
		cmocka_unit_test(test_midstream_window_is_liberal),
		cmocka_unit_test(test_counters_saturate),
		cmocka_unit_test(test_confirmed_and_eviction_rank),
		cmocka_unit_test(test_forgery_cannot_blind_a_fin),
		cmocka_unit_test(test_syn_restarts_unanswered_midstream),
	};

	return cmocka_run_group_tests_name("fsm", tests, NULL, NULL);
}
