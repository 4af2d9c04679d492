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

static const char * const anomaly_names[SYNFIN_AN_COUNT] = {
	"retransmission", "bad_synack_ack", "bad_handshake_ack",
	"rst_out_of_window", "midstream", "unexpected_syn",
	"simultaneous_open", "simultaneous_close", "invalid_flags",
	"new_isn", "half_close", "fin_out_of_window", "syn_out_of_window",
};

const char *synfin_anomaly_name(unsigned int bit)
{
	return bit < SYNFIN_AN_COUNT ? anomaly_names[bit] : "unknown";
}

static const char * const conn_state_names[SYNFIN_CS_COUNT] = {
	[SYNFIN_CS_NONE] = "", [SYNFIN_CS_S0] = "S0", [SYNFIN_CS_S1] = "S1",
	[SYNFIN_CS_SF] = "SF", [SYNFIN_CS_REJ] = "REJ", [SYNFIN_CS_S2] = "S2",
	[SYNFIN_CS_S3] = "S3", [SYNFIN_CS_RSTO] = "RSTO",
	[SYNFIN_CS_RSTR] = "RSTR", [SYNFIN_CS_RSTOS0] = "RSTOS0",
	[SYNFIN_CS_RSTRH] = "RSTRH", [SYNFIN_CS_SH] = "SH",
	[SYNFIN_CS_SHR] = "SHR", [SYNFIN_CS_OTH] = "OTH",
};

const char *synfin_conn_state_name(unsigned int cs)
{
	return cs < SYNFIN_CS_COUNT ? conn_state_names[cs] : "";
}

int synfin_tcp_wscale(const __u8 *opt, unsigned int len)
{
	unsigned int i = 0;

	while (i < len) {
		__u8 kind = opt[i];

		if (kind == 0)			/* end of options */
			return -1;
		if (kind == 1) {		/* no-op */
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			return -1;		/* truncated or bogus length */
		if (kind == 3 && opt[i + 1] == 3)
			return opt[i + 2] > 14 ? 14 : opt[i + 2];
		i += opt[i + 1];
	}
	return -1;
}

/* Sequence space comparison, modulo 2^32. */
static bool seq_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

/*
 * Each per-side flag comes as a pair, the server's bit just above the
 * client's: the bit of @side given the client's.
 */
static __u16 side_bit(enum synfin_side side, __u16 client_bit)
{
	return side == SYNFIN_CLIENT ? client_bit : client_bit << 1;
}

#define ISN_BIT(side)	side_bit(side, SYNFIN_ISN_CLIENT)
#define FIN_BIT(side)	side_bit(side, SYNFIN_FSM_FIN_CLIENT)
#define NXT_BIT(side)	side_bit(side, SYNFIN_FSM_NXT_CLIENT)
#define ACK_BIT(side)	side_bit(side, SYNFIN_FSM_ACK_CLIENT)
#define WS_BIT(side)	side_bit(side, SYNFIN_FSM_WS_CLIENT)
#define SA_BIT(side)	side_bit(side, SYNFIN_FSM_SA_CLIENT)

static bool synchronized(__u8 st)
{
	return st >= SYNFIN_ST_ESTABLISHED;
}

static void set_state(struct synfin_fsm *f, struct synfin_fsm_result *res,
		      enum synfin_side who, __u8 to)
{
	struct synfin_trans *t;

	if (f->state[who] == to)
		return;
	if (res->ntrans < SYNFIN_MAX_TRANS) {
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
	f->flags |= ISN_BIT(side);
}

/* Does @seg, sent by the peer of @side, acknowledge all of @side's FIN? */
static bool acks_fin(const struct synfin_fsm *f, enum synfin_side side,
		     const struct synfin_seg *seg)
{
	return (seg->flags & SYNFIN_TCP_ACK) && (f->flags & FIN_BIT(side)) &&
	       !seq_before(seg->ack, f->fin_end[side]);
}

/*
 * Does @seg, sent by the peer of @side, acknowledge @side's SYN? RFC 9293
 * accepts ISN < ack <= SND.NXT: exactly ISN + 1, or more when the SYN
 * carried data that is acknowledged too.
 */
static bool acks_syn(const struct synfin_fsm *f, enum synfin_side side,
		     const struct synfin_seg *seg)
{
	__u32 first = f->isn[side] + 1;
	__u32 last = (f->flags & NXT_BIT(side)) ? f->nxt[side] : first;

	if (!(seg->flags & SYNFIN_TCP_ACK) || !(f->flags & ISN_BIT(side)))
		return false;
	return !seq_before(seg->ack, first) && !seq_before(last, seg->ack);
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
		/* Zeek marks a connection whose roles it flipped with '^'. */
		f->history[f->hist_len++] = '^';
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
		bool known = f->flags & ISN_BIT(s);
		bool synack = seg->flags & SYNFIN_TCP_ACK;
		__u16 sa = SA_BIT(s);

		/*
		 * The same ISN again is a retransmission, unless it is the
		 * first SYN-ACK, after a crossed bare SYN. Another ISN is a
		 * new attempt, or out of place once synchronized.
		 */
		if (!fresh && known && seg->seq == f->isn[s]) {
			if (!synack || (f->flags & sa))
				res->anomalies |= SYNFIN_AN_RETRANSMISSION;
		} else if (!fresh && synchronized(st)) {
			res->anomalies |= SYNFIN_AN_UNEXPECTED_SYN;
		} else if (!fresh && known) {
			res->anomalies |= SYNFIN_AN_NEW_ISN;
			set_isn(f, s, seg->seq);
		}
		if (synack)
			f->flags |= sa;

		if (!(seg->flags & SYNFIN_TCP_ACK)) {
			if (fresh) {
				set_isn(f, s, seg->seq);
				set_state(f, res, s, SYNFIN_ST_SYN_SENT);
				/* Crossed SYNs: ours met the peer's. */
				if (f->state[r] == SYNFIN_ST_SYN_SENT) {
					set_state(f, res, s,
						  SYNFIN_ST_SYN_RCVD);
					res->anomalies |=
						SYNFIN_AN_SIMULTANEOUS_OPEN;
				}
			}
		} else if (fresh || st == SYNFIN_ST_SYN_SENT) {
			if (fresh || !known)
				set_isn(f, s, seg->seq);
			set_state(f, res, s, SYNFIN_ST_SYN_RCVD);
		}
		st = f->state[s];
	}

	if (seg->flags & SYNFIN_TCP_FIN) {
		__u32 end = seg->seq + seg->len + 1 +
			    !!(seg->flags & SYNFIN_TCP_SYN);

		if ((f->flags & FIN_BIT(s)) && end == f->fin_end[s])
			res->anomalies |= SYNFIN_AN_RETRANSMISSION;
		if (!(f->flags & FIN_BIT(s)) || seq_before(f->fin_end[s], end))
			f->fin_end[s] = end;
		f->flags |= FIN_BIT(s);

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
			if (acks_fin(f, r, seg)) {
				set_state(f, res, s, SYNFIN_ST_LAST_ACK);
			} else {
				set_state(f, res, s, SYNFIN_ST_CLOSING);
				res->anomalies |= SYNFIN_AN_SIMULTANEOUS_CLOSE;
			}
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
		if (syn && acks_syn(f, r, seg))
			st = SYNFIN_ST_ESTABLISHED;
		else if (syn && (seg->flags & SYNFIN_TCP_ACK) &&
			 (f->flags & ISN_BIT(r)))
			res->anomalies |= SYNFIN_AN_BAD_SYNACK_ACK;
		else if (syn && !(seg->flags & SYNFIN_TCP_ACK) &&
			 f->state[s] == SYNFIN_ST_SYN_RCVD)
			st = SYNFIN_ST_SYN_RCVD;	/* crossed SYNs */
		break;
	case SYNFIN_ST_SYN_RCVD:
		/* The handshake's last ACK must be for ISN + 1. */
		if (acks_syn(f, r, seg))
			st = SYNFIN_ST_ESTABLISHED;
		else if ((seg->flags & SYNFIN_TCP_ACK) &&
			 (f->flags & ISN_BIT(r)))
			res->anomalies |= SYNFIN_AN_BAD_HANDSHAKE_ACK;
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

/* RFC 9293 3.10.7: may a reset from @s be obeyed? */
static bool rst_acceptable(const struct synfin_fsm *f, enum synfin_side s,
			   const struct synfin_seg *seg)
{
	enum synfin_side r = !s;
	__u32 expect, wnd;

	if (f->state[r] == SYNFIN_ST_SYN_SENT && (f->flags & ISN_BIT(r)))
		/* A reset to a SYN must acknowledge that SYN. */
		return (seg->flags & SYNFIN_TCP_ACK) &&
		       seg->ack == f->isn[r] + 1;
	if (!(f->flags & NXT_BIT(s)))
		return true;		/* nothing known to check against */
	/* The receiver's next expected sequence number, as observed. */
	expect = (f->flags & ACK_BIT(r)) ? f->last_ack[r] : f->nxt[s];
	if (seg->seq == expect || seg->seq == f->nxt[s])
		return true;
	wnd = f->wnd[r] ? f->wnd[r] : 1;
	return !seq_before(seg->seq, expect) &&
	       seq_before(seg->seq, expect + wnd);
}

/*
 * The window @r offers, as the observer knows it. A connection picked up
 * mid-stream never showed its window scale: assume the largest, as
 * conntrack is liberal with connections it picked up, rather than judge
 * a real segment out of window.
 */
static __u32 recv_window(const struct synfin_fsm *f, enum synfin_side r)
{
	if ((f->flags & SYNFIN_FSM_MIDSTREAM) &&
	    !((f->flags & SYNFIN_FSM_WS_CLIENT) &&
	      (f->flags & SYNFIN_FSM_WS_SERVER)))
		return f->wnd[r] << 14 | 0x3fff;
	return f->wnd[r];
}

/*
 * RFC 9293 3.10.7.4, as Linux's tcp_sequence() applies it: would the
 * synchronized receiver of a FIN or SYN from @s accept it? The segment
 * must end at or after what the receiver expects next and start no later
 * than the right edge of its window. Segments the receiver would drop
 * (it answers them with an ACK) move no state.
 */
static bool seq_acceptable(const struct synfin_fsm *f, enum synfin_side s,
			   const struct synfin_seg *seg)
{
	enum synfin_side r = !s;
	__u32 expect, end;

	if (!synchronized(f->state[r]) || !(f->flags & NXT_BIT(s)))
		return true;		/* nothing known to check against */
	expect = (f->flags & ACK_BIT(r)) ? f->last_ack[r] : f->nxt[s];
	end = seg->seq + seg->len + !!(seg->flags & SYNFIN_TCP_SYN) +
	      !!(seg->flags & SYNFIN_TCP_FIN);
	return !seq_before(end, expect) &&
	       !seq_before(expect + recv_window(f, r), seg->seq);
}

static void hist_add(struct synfin_fsm *f, enum synfin_side s, char letter)
{
	if (f->hist_len >= SYNFIN_HISTORY_LEN - 1)
		return;
	/* The originator (client) in upper case, the responder in lower. */
	f->history[f->hist_len++] = s == SYNFIN_CLIENT ? letter :
						  (char)(letter - 'A' + 'a');
	f->history[f->hist_len] = 0;
}

/* A, D, I, Q: at most once per direction. */
static void hist_once(struct synfin_fsm *f, enum synfin_side s, char letter,
		      unsigned int bit)
{
	if (f->hist_once[s] & (1u << bit))
		return;
	f->hist_once[s] |= 1u << bit;
	hist_add(f, s, letter);
}

/* S, H, F, R: again whenever the sequence number differs. */
static void hist_seq(struct synfin_fsm *f, enum synfin_side s, char letter,
		     unsigned int idx, __u32 seq)
{
	unsigned int bit = 4 + idx;

	if ((f->hist_once[s] & (1u << bit)) && f->hist_seq[s][idx] == seq)
		return;
	f->hist_once[s] |= 1u << bit;
	f->hist_seq[s][idx] = seq;
	hist_add(f, s, letter);
}

/*
 * T, W: at the 1st, 10th, 100th... time. The count stops at its maximum
 * rather than wrap: an outsider can send 2^32 zero windows.
 */
static void hist_log(struct synfin_fsm *f, enum synfin_side s, char letter,
		     __u32 *count)
{
	__u32 n;

	if (*count == SYNFIN_COUNT_MAX)
		return;
	n = ++*count;
	/* A power of ten has no other digit; nine divisions at most. */
	while (n >= 10 && n % 10 == 0)
		n /= 10;
	if (n == 1)
		hist_add(f, s, letter);
}

static void record_history(struct synfin_fsm *f, enum synfin_side s,
			   const struct synfin_seg *seg)
{
	__u8 fl = seg->flags;
	bool syn = fl & SYNFIN_TCP_SYN, fin = fl & SYNFIN_TCP_FIN;
	bool rst = fl & SYNFIN_TCP_RST, ack = fl & SYNFIN_TCP_ACK;

	if (syn && (fin || rst))
		hist_once(f, s, 'Q', 3);
	if (fin && rst)
		hist_once(f, s, 'I', 2);
	if (syn)
		hist_seq(f, s, ack ? 'H' : 'S', ack ? 1 : 0, seg->seq);
	if (seg->len) {
		hist_once(f, s, 'D', 1);
		if ((f->flags & NXT_BIT(s)) && seq_before(seg->seq, f->nxt[s]))
			hist_log(f, s, 'T', &f->retrans[s]);
	} else if (ack && !syn && !fin && !rst) {
		hist_once(f, s, 'A', 0);
	}
	if (fin)
		hist_seq(f, s, 'F', 2, seg->seq);
	if (rst)
		hist_seq(f, s, 'R', 3, seg->seq);
	if (!syn && !rst && !seg->win)
		hist_log(f, s, 'W', &f->zero_win[s]);
}

/* Zeek's view of each endpoint, from what it sends. */
static void zeek_update(struct synfin_fsm *f, enum synfin_side s,
			const struct synfin_seg *seg)
{
	__u8 *z = &f->zstate[s];
	__u8 *peer = &f->zstate[!s];

	if (seg->flags & SYNFIN_TCP_RST) {
		*z = SYNFIN_Z_RESET;
	} else if (seg->flags & SYNFIN_TCP_FIN) {
		*z = SYNFIN_Z_CLOSED;
	} else if (seg->flags & SYNFIN_TCP_SYN) {
		if (!(seg->flags & SYNFIN_TCP_ACK)) {
			if (*z == SYNFIN_Z_INACTIVE)
				*z = SYNFIN_Z_SYN_SENT;
		} else if (*z == SYNFIN_Z_INACTIVE ||
			   *z == SYNFIN_Z_SYN_SENT) {
			*z = SYNFIN_Z_SYN_ACK_SENT;
		}
	} else if (*z == SYNFIN_Z_INACTIVE) {
		*z = SYNFIN_Z_PARTIAL;
	} else if (*z == SYNFIN_Z_SYN_SENT || *z == SYNFIN_Z_SYN_ACK_SENT) {
		*z = SYNFIN_Z_ESTABLISHED;
	}
	/* The ACK that completes a handshake establishes the peer too. */
	if ((seg->flags & SYNFIN_TCP_ACK) && !(seg->flags & SYNFIN_TCP_SYN) &&
	    *peer == SYNFIN_Z_SYN_ACK_SENT)
		*peer = SYNFIN_Z_ESTABLISHED;
}

/*
 * The window @s offers, from a segment carrying @wnd: it only grows, left
 * edge (s's ack) and right edge (ack + window) alike, as conntrack's
 * td_end and td_maxend. An ack of data the peer never sent, or older than
 * one seen, is one the peer drops; a forged one must not shrink the
 * window that FINs and SYNs are judged by.
 */
static void track_window(struct synfin_fsm *f, enum synfin_side s,
			 const struct synfin_seg *seg, __u32 wnd)
{
	enum synfin_side r = !s;
	__u32 edge;

	if (!(seg->flags & SYNFIN_TCP_ACK)) {
		if (!(f->flags & ACK_BIT(s)))
			f->wnd[s] = wnd;
		return;
	}
	if ((f->flags & NXT_BIT(r)) && seq_before(f->nxt[r], seg->ack))
		return;
	if (!(f->flags & ACK_BIT(s))) {
		f->last_ack[s] = seg->ack;
		f->wnd[s] = wnd;
		f->flags |= ACK_BIT(s);
		return;
	}
	if (seq_before(seg->ack, f->last_ack[s]))
		return;
	edge = f->last_ack[s] + f->wnd[s];
	f->last_ack[s] = seg->ack;
	f->wnd[s] = seq_before(seg->ack + wnd, edge) ? edge - seg->ack : wnd;
}

/* Remember what @s has sent: next sequence, ack, window, bytes. */
static void track(struct synfin_fsm *f, enum synfin_side s,
		  const struct synfin_seg *seg)
{
	__u32 end = seg->seq + seg->len + !!(seg->flags & SYNFIN_TCP_SYN) +
		    !!(seg->flags & SYNFIN_TCP_FIN);
	bool scaled = (f->flags & SYNFIN_FSM_WS_CLIENT) &&
		      (f->flags & SYNFIN_FSM_WS_SERVER);
	__u32 wnd;

	if (!(f->flags & NXT_BIT(s)) || seq_before(f->nxt[s], end))
		f->nxt[s] = end;
	f->flags |= NXT_BIT(s);
	if (seg->flags & SYNFIN_TCP_SYN) {
		if (seg->wscale >= 0) {
			f->wscale[s] = (__u8)seg->wscale;
			f->flags |= WS_BIT(s);
		}
		wnd = seg->win;		/* never scaled on a SYN */
	} else {
		wnd = (__u32)seg->win << (scaled ? f->wscale[s] : 0);
	}
	track_window(f, s, seg, wnd);
	f->bytes[s] += seg->len;	/* 2^64 bytes: centuries at line rate */
	if (f->segs[s] != SYNFIN_COUNT_MAX)
		f->segs[s]++;
}

void synfin_fsm_segment(struct synfin_fsm *f, enum synfin_side from,
			const struct synfin_seg *seg,
			struct synfin_fsm_result *res)
{
	__u8 fl = seg->flags;

	res->ntrans = 0;
	res->anomalies = 0;
	if ((fl & (SYNFIN_TCP_FIN | SYNFIN_TCP_SYN)) && !(fl & SYNFIN_TCP_RST) &&
	    !seq_acceptable(f, from, seg)) {
		/* Dropped by the receiver: noted, and nothing else. */
		res->anomalies = (fl & SYNFIN_TCP_SYN) ?
				 SYNFIN_AN_SYN_OUT_OF_WINDOW :
				 SYNFIN_AN_FIN_OUT_OF_WINDOW;
		return;
	}
	if ((f->flags & SYNFIN_FSM_MIDSTREAM) && !(f->flags & NXT_BIT(from)) &&
	    !(f->flags & NXT_BIT(!from)))
		res->anomalies |= SYNFIN_AN_MIDSTREAM;	/* first segment */
	if (((fl & SYNFIN_TCP_SYN) && (fl & (SYNFIN_TCP_FIN | SYNFIN_TCP_RST))) ||
	    ((fl & SYNFIN_TCP_FIN) && (fl & SYNFIN_TCP_RST)))
		res->anomalies |= SYNFIN_AN_INVALID_FLAGS;
	if (seg->len && f->state[from] == SYNFIN_ST_CLOSE_WAIT &&
	    !(f->flags & SYNFIN_FSM_HALF_CLOSE)) {
		f->flags |= SYNFIN_FSM_HALF_CLOSE;
		res->anomalies |= SYNFIN_AN_HALF_CLOSE;
	}
	record_history(f, from, seg);
	zeek_update(f, from, seg);

	if (fl & SYNFIN_TCP_RST) {
		if (!rst_acceptable(f, from, seg)) {
			/* Dropped: what it says of seq, ack and window too. */
			res->anomalies |= SYNFIN_AN_RST_OUT_OF_WINDOW;
			return;
		}
		set_state(f, res, from, SYNFIN_ST_CLOSED);
		set_state(f, res, !from, SYNFIN_ST_CLOSED);
	} else {
		sender_moves(f, from, seg, res);
		receiver_moves(f, !from, seg, res);
	}
	track(f, from, seg);
}

/* Zeek's "^?S[^HAFGIQ]*R.*": a SYN, then a reset before any reply. */
static bool syn_then_reset(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h; h++) {
		if (*h == 'R')
			return true;
		if (*h == 'H' || *h == 'A' || *h == 'F' || *h == 'G' ||
		    *h == 'I' || *h == 'Q')
			return false;
	}
	return false;
}

enum synfin_conn_state synfin_fsm_conn_state(const struct synfin_fsm *f)
{
	__u8 os = f->zstate[SYNFIN_CLIENT], rs = f->zstate[SYNFIN_SERVER];
	bool o_inactive = os == SYNFIN_Z_INACTIVE || os == SYNFIN_Z_PARTIAL;
	bool r_inactive = rs == SYNFIN_Z_INACTIVE || rs == SYNFIN_Z_PARTIAL;

	if (rs == SYNFIN_Z_RESET) {
		if (os == SYNFIN_Z_SYN_SENT || os == SYNFIN_Z_SYN_ACK_SENT ||
		    (os == SYNFIN_Z_RESET && !f->bytes[0] && !f->bytes[1]))
			return SYNFIN_CS_REJ;
		return o_inactive ? SYNFIN_CS_RSTRH : SYNFIN_CS_RSTR;
	}
	if (os == SYNFIN_Z_RESET) {
		if (!r_inactive)
			return SYNFIN_CS_RSTO;
		return syn_then_reset(f->history) ? SYNFIN_CS_RSTOS0 :
						    SYNFIN_CS_OTH;
	}
	if (os == SYNFIN_Z_CLOSED && rs == SYNFIN_Z_CLOSED)
		return SYNFIN_CS_SF;
	if (os == SYNFIN_Z_CLOSED)
		return r_inactive ? SYNFIN_CS_SH : SYNFIN_CS_S2;
	if (rs == SYNFIN_Z_CLOSED)
		return o_inactive ? SYNFIN_CS_SHR : SYNFIN_CS_S3;
	if (os == SYNFIN_Z_SYN_SENT && rs == SYNFIN_Z_INACTIVE)
		return SYNFIN_CS_S0;
	if (os == SYNFIN_Z_ESTABLISHED && rs == SYNFIN_Z_ESTABLISHED)
		return SYNFIN_CS_S1;
	return SYNFIN_CS_OTH;
}

void synfin_fsm_close(struct synfin_fsm *f, struct synfin_fsm_result *res)
{
	res->ntrans = 0;
	res->anomalies = 0;
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

bool synfin_fsm_restarts(const struct synfin_fsm *f,
			 const struct synfin_seg *seg)
{
	if (!synfin_seg_is_syn(seg))
		return false;
	if (synfin_fsm_reusable(f))
		return true;
	/*
	 * Picked up from one direction only, never answered: a stray or
	 * forged segment. A SYN is a connection beginning, not an anomaly of
	 * that one.
	 */
	return (f->flags & SYNFIN_FSM_MIDSTREAM) && !synfin_fsm_confirmed(f) &&
	       f->state[SYNFIN_CLIENT] == SYNFIN_ST_ESTABLISHED &&
	       f->state[SYNFIN_SERVER] == SYNFIN_ST_ESTABLISHED;
}

bool synfin_fsm_ended(const struct synfin_fsm *f)
{
	return f->state[SYNFIN_CLIENT] == SYNFIN_ST_CLOSED &&
	       f->state[SYNFIN_SERVER] == SYNFIN_ST_CLOSED;
}

static __u32 state_timeout_ms(__u8 st, const __u32 ms[SYNFIN_TO_COUNT])
{
	switch (st) {
	case SYNFIN_ST_CLOSED:
		return ms[SYNFIN_TO_LINGER];
	case SYNFIN_ST_LISTEN:
	case SYNFIN_ST_SYN_SENT:
	case SYNFIN_ST_SYN_RCVD:
		return ms[SYNFIN_TO_SYN];
	case SYNFIN_ST_ESTABLISHED:
		return ms[SYNFIN_TO_ESTABLISHED];
	case SYNFIN_ST_TIME_WAIT:
		return ms[SYNFIN_TO_TIME_WAIT];
	default:
		return ms[SYNFIN_TO_CLOSE];
	}
}

bool synfin_fsm_confirmed(const struct synfin_fsm *f)
{
	return (f->flags & SYNFIN_FSM_NXT_CLIENT) &&
	       (f->flags & SYNFIN_FSM_NXT_SERVER);
}

__u32 synfin_fsm_timeout_ms(const struct synfin_fsm *f,
			    const __u32 ms[SYNFIN_TO_COUNT])
{
	__u32 c = state_timeout_ms(f->state[SYNFIN_CLIENT], ms);
	__u32 s = state_timeout_ms(f->state[SYNFIN_SERVER], ms);
	__u32 t;

	if (f->state[SYNFIN_CLIENT] == SYNFIN_ST_CLOSED)
		t = s;
	else if (f->state[SYNFIN_SERVER] == SYNFIN_ST_CLOSED)
		t = c;
	else
		t = c > s ? c : s;
	/* One direction only (a stranger's segment): a short life. */
	if (!synfin_fsm_confirmed(f) && t > ms[SYNFIN_TO_UNCONFIRMED])
		t = ms[SYNFIN_TO_UNCONFIRMED];
	return t;
}

int synfin_fsm_evict_rank(const struct synfin_fsm *f)
{
	if (!synfin_fsm_confirmed(f))
		return SYNFIN_EVICT_UNCONFIRMED;
	if (synfin_fsm_reusable(f))
		return SYNFIN_EVICT_ENDED;
	if (f->state[SYNFIN_CLIENT] <= SYNFIN_ST_SYN_RCVD ||
	    f->state[SYNFIN_SERVER] <= SYNFIN_ST_SYN_RCVD)
		return SYNFIN_EVICT_HANDSHAKE;
	return SYNFIN_EVICT_NEVER;
}

bool synfin_fsm_reportable(const struct synfin_seg *seg,
			   const struct synfin_fsm_result *res)
{
	return res->ntrans || res->anomalies ||
	       (seg->flags & (SYNFIN_TCP_SYN | SYNFIN_TCP_FIN | SYNFIN_TCP_RST));
}
