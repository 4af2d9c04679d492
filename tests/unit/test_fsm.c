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
		struct synfin_seg seg = {
			.seq = st->seq, .ack = st->ack, .len = st->len,
			.flags = st->flags,
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
	assert_false(synfin_fsm_reportable(&seg, &res));
	assert_false(f.flags & (SYNFIN_ISN_CLIENT | SYNFIN_ISN_SERVER));
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
			assert_true(res.ntrans <= SYNFIN_FSM_MAX_TRANS);
		}
	}
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
		cmocka_unit_test(test_random_segments_stay_valid),
	};

	return cmocka_run_group_tests_name("fsm", tests, NULL, NULL);
}
