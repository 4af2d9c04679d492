// SPDX-License-Identifier: GPL-2.0
/*
 * Two-endpoint TCP state machine, observer view (RFC 9293, 3.3.2).
 *
 * For each observed segment the sender's move ("on send") is applied
 * first, then the receiver's ("on receipt"). A state changes on the
 * segment that shows it: the server enters SYN_RCVD when its SYN-ACK is
 * seen, the client enters ESTABLISHED when that SYN-ACK acknowledges its
 * ISN + 1, and so on. Crossed SYNs and crossed FINs, which an observer
 * sees in some order, are recognised by what the later segment does not
 * acknowledge.
 */
#include "fsm.h"

static const char * const state_names[SYNFIN_ST_COUNT] = {
	[SYNFIN_ST_CLOSED]	= "CLOSED",
	[SYNFIN_ST_LISTEN]	= "LISTEN",
	[SYNFIN_ST_SYN_SENT]	= "SYN_SENT",
	[SYNFIN_ST_SYN_RCVD]	= "SYN_RCVD",
	[SYNFIN_ST_ESTABLISHED]	= "ESTABLISHED",
	[SYNFIN_ST_FIN_WAIT_1]	= "FIN_WAIT_1",
	[SYNFIN_ST_FIN_WAIT_2]	= "FIN_WAIT_2",
	[SYNFIN_ST_CLOSE_WAIT]	= "CLOSE_WAIT",
	[SYNFIN_ST_CLOSING]	= "CLOSING",
	[SYNFIN_ST_LAST_ACK]	= "LAST_ACK",
	[SYNFIN_ST_TIME_WAIT]	= "TIME_WAIT",
};

const char *synfin_state_name(unsigned int state)
{
	return state < SYNFIN_ST_COUNT ? state_names[state] : "INVALID";
}

/* Sequence space comparison, modulo 2^32. */
static bool seq_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

static __u8 isn_bit(enum synfin_side side)
{
	return side == SYNFIN_CLIENT ? SYNFIN_ISN_CLIENT : SYNFIN_ISN_SERVER;
}

static __u8 fin_bit(enum synfin_side side)
{
	return side == SYNFIN_CLIENT ? SYNFIN_FSM_FIN_CLIENT :
				       SYNFIN_FSM_FIN_SERVER;
}

static void set_state(struct synfin_fsm *f, struct synfin_fsm_result *res,
		      enum synfin_side who, __u8 to)
{
	struct synfin_trans *t;

	if (f->state[who] == to)
		return;
	if (res->ntrans < SYNFIN_FSM_MAX_TRANS) {
		t = &res->trans[res->ntrans++];
		t->who = who;
		t->from = f->state[who];
		t->to = to;
	}
	f->state[who] = to;
}

static void set_isn(struct synfin_fsm *f, enum synfin_side side, __u32 isn)
{
	f->isn[side] = isn;
	f->flags |= isn_bit(side);
}

/* Does @seg, sent by the peer of @side, acknowledge all of @side's FIN? */
static bool acks_fin(const struct synfin_fsm *f, enum synfin_side side,
		     const struct synfin_seg *seg)
{
	return (seg->flags & SYNFIN_TCP_ACK) && (f->flags & fin_bit(side)) &&
	       !seq_before(seg->ack, f->fin_end[side]);
}

/* Does @seg, sent by the peer of @side, acknowledge @side's SYN? */
static bool acks_syn(const struct synfin_fsm *f, enum synfin_side side,
		     const struct synfin_seg *seg, bool exact)
{
	__u32 want = f->isn[side] + 1;

	if (!(seg->flags & SYNFIN_TCP_ACK) || !(f->flags & isn_bit(side)))
		return false;
	return exact ? seg->ack == want : !seq_before(seg->ack, want);
}

enum synfin_side synfin_fsm_init(struct synfin_fsm *f,
				 const struct synfin_seg *seg)
{
	*f = (struct synfin_fsm){ 0 };

	if (synfin_seg_is_syn(seg)) {
		f->state[SYNFIN_CLIENT] = SYNFIN_ST_CLOSED;
		f->state[SYNFIN_SERVER] = SYNFIN_ST_LISTEN;
		return SYNFIN_CLIENT;
	}
	f->flags |= SYNFIN_FSM_MIDSTREAM;
	if (seg->flags & SYNFIN_TCP_SYN) {
		/* SYN-ACK: its sender is the server; we missed the SYN. */
		f->state[SYNFIN_CLIENT] = SYNFIN_ST_SYN_SENT;
		f->state[SYNFIN_SERVER] = SYNFIN_ST_LISTEN;
		if (seg->flags & SYNFIN_TCP_ACK)
			set_isn(f, SYNFIN_CLIENT, seg->ack - 1);
		return SYNFIN_SERVER;
	}
	if (seg->flags & SYNFIN_TCP_RST) {
		/* A lone reset: nothing is open on either side. */
		f->state[SYNFIN_CLIENT] = SYNFIN_ST_CLOSED;
		f->state[SYNFIN_SERVER] = SYNFIN_ST_CLOSED;
		return SYNFIN_CLIENT;
	}
	/* Picked up mid-stream: assume an open connection. */
	f->state[SYNFIN_CLIENT] = SYNFIN_ST_ESTABLISHED;
	f->state[SYNFIN_SERVER] = SYNFIN_ST_ESTABLISHED;
	return SYNFIN_CLIENT;
}

static void sender_moves(struct synfin_fsm *f, enum synfin_side s,
			 const struct synfin_seg *seg,
			 struct synfin_fsm_result *res)
{
	enum synfin_side r = !s;
	__u8 st = f->state[s];

	if (seg->flags & SYNFIN_TCP_SYN) {
		bool fresh = st == SYNFIN_ST_CLOSED || st == SYNFIN_ST_LISTEN;

		if (!(seg->flags & SYNFIN_TCP_ACK)) {
			if (fresh) {
				set_isn(f, s, seg->seq);
				set_state(f, res, s, SYNFIN_ST_SYN_SENT);
				/* Crossed SYNs: ours met the peer's. */
				if (f->state[r] == SYNFIN_ST_SYN_SENT)
					set_state(f, res, s,
						  SYNFIN_ST_SYN_RCVD);
			}
		} else if (fresh || st == SYNFIN_ST_SYN_SENT) {
			if (fresh || !(f->flags & isn_bit(s)))
				set_isn(f, s, seg->seq);
			set_state(f, res, s, SYNFIN_ST_SYN_RCVD);
		}
		st = f->state[s];
	}

	if (seg->flags & SYNFIN_TCP_FIN) {
		__u32 end = seg->seq + seg->len + 1 +
			    !!(seg->flags & SYNFIN_TCP_SYN);

		if (!(f->flags & fin_bit(s)) || seq_before(f->fin_end[s], end))
			f->fin_end[s] = end;
		f->flags |= fin_bit(s);

		switch (st) {
		case SYNFIN_ST_SYN_SENT:
		case SYNFIN_ST_SYN_RCVD:
		case SYNFIN_ST_ESTABLISHED:
			set_state(f, res, s, SYNFIN_ST_FIN_WAIT_1);
			break;
		case SYNFIN_ST_CLOSE_WAIT:
			/*
			 * A FIN that does not acknowledge the peer's FIN was
			 * sent before that FIN arrived: a simultaneous close.
			 */
			if (acks_fin(f, r, seg))
				set_state(f, res, s, SYNFIN_ST_LAST_ACK);
			else
				set_state(f, res, s, SYNFIN_ST_CLOSING);
			break;
		default:
			break;	/* retransmitted FIN */
		}
	}
}

static void receiver_moves(struct synfin_fsm *f, enum synfin_side r,
			   const struct synfin_seg *seg,
			   struct synfin_fsm_result *res)
{
	enum synfin_side s = !r;
	bool syn = seg->flags & SYNFIN_TCP_SYN;
	__u8 st = f->state[r];

	switch (st) {
	case SYNFIN_ST_SYN_SENT:
		if (syn && acks_syn(f, r, seg, true))
			st = SYNFIN_ST_ESTABLISHED;
		else if (syn && !(seg->flags & SYNFIN_TCP_ACK) &&
			 f->state[s] == SYNFIN_ST_SYN_RCVD)
			st = SYNFIN_ST_SYN_RCVD;	/* crossed SYNs */
		break;
	case SYNFIN_ST_SYN_RCVD:
		if (acks_syn(f, r, seg, false))
			st = SYNFIN_ST_ESTABLISHED;
		break;
	case SYNFIN_ST_FIN_WAIT_1:
		if (acks_fin(f, r, seg))
			st = SYNFIN_ST_FIN_WAIT_2;
		break;
	case SYNFIN_ST_CLOSING:
		if (acks_fin(f, r, seg))
			st = SYNFIN_ST_TIME_WAIT;
		break;
	case SYNFIN_ST_LAST_ACK:
		if (acks_fin(f, r, seg))
			st = SYNFIN_ST_CLOSED;
		break;
	default:
		break;
	}

	if (seg->flags & SYNFIN_TCP_FIN) {
		switch (st) {
		case SYNFIN_ST_SYN_RCVD:
		case SYNFIN_ST_ESTABLISHED:
			st = SYNFIN_ST_CLOSE_WAIT;
			break;
		case SYNFIN_ST_FIN_WAIT_1:
			st = SYNFIN_ST_CLOSING;
			break;
		case SYNFIN_ST_FIN_WAIT_2:
			st = SYNFIN_ST_TIME_WAIT;
			break;
		default:
			break;
		}
	}
	set_state(f, res, r, st);
}

void synfin_fsm_segment(struct synfin_fsm *f, enum synfin_side from,
			const struct synfin_seg *seg,
			struct synfin_fsm_result *res)
{
	res->ntrans = 0;

	if (seg->flags & SYNFIN_TCP_RST) {
		set_state(f, res, from, SYNFIN_ST_CLOSED);
		set_state(f, res, !from, SYNFIN_ST_CLOSED);
		return;
	}
	sender_moves(f, from, seg, res);
	receiver_moves(f, !from, seg, res);
}

void synfin_fsm_close(struct synfin_fsm *f, struct synfin_fsm_result *res)
{
	res->ntrans = 0;
	set_state(f, res, SYNFIN_CLIENT, SYNFIN_ST_CLOSED);
	set_state(f, res, SYNFIN_SERVER, SYNFIN_ST_CLOSED);
}

static bool state_done(__u8 st)
{
	return st == SYNFIN_ST_CLOSED || st == SYNFIN_ST_LISTEN ||
	       st == SYNFIN_ST_TIME_WAIT;
}

bool synfin_fsm_reusable(const struct synfin_fsm *f)
{
	return state_done(f->state[SYNFIN_CLIENT]) &&
	       state_done(f->state[SYNFIN_SERVER]);
}

bool synfin_fsm_ended(const struct synfin_fsm *f)
{
	return f->state[SYNFIN_CLIENT] == SYNFIN_ST_CLOSED &&
	       f->state[SYNFIN_SERVER] == SYNFIN_ST_CLOSED;
}

bool synfin_fsm_reportable(const struct synfin_seg *seg,
			   const struct synfin_fsm_result *res)
{
	return res->ntrans ||
	       (seg->flags & (SYNFIN_TCP_SYN | SYNFIN_TCP_FIN | SYNFIN_TCP_RST));
}
