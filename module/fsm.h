/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two-endpoint TCP state machine, observer view.
 *
 * Plain C: this file and fsm.c include nothing from the kernel but the
 * UAPI types, so the same code is built into the module and into the
 * userspace tests.
 */
#ifndef SYNFIN_FSM_H
#define SYNFIN_FSM_H

#include "uapi/linux/synfin.h"

#ifndef __KERNEL__
#include <stdbool.h>
#endif

/* struct synfin_fsm.flags: ISN bits are SYNFIN_ISN_CLIENT/SERVER */
#define SYNFIN_FSM_FIN_CLIENT	0x0004	/* client has sent a FIN */
#define SYNFIN_FSM_FIN_SERVER	0x0008	/* server has sent a FIN */
#define SYNFIN_FSM_MIDSTREAM	0x0010	/* first segment seen was not a SYN */
#define SYNFIN_FSM_NXT_CLIENT	0x0020	/* nxt[client] is known */
#define SYNFIN_FSM_NXT_SERVER	0x0040
#define SYNFIN_FSM_ACK_CLIENT	0x0080	/* last_ack[client] is known */
#define SYNFIN_FSM_ACK_SERVER	0x0100
#define SYNFIN_FSM_WS_CLIENT	0x0200	/* client's SYN offered window scaling */
#define SYNFIN_FSM_WS_SERVER	0x0400
#define SYNFIN_FSM_HALF_CLOSE	0x0800	/* half-close already reported */
#define SYNFIN_FSM_SA_CLIENT	0x1000	/* client has sent a SYN-ACK */
#define SYNFIN_FSM_SA_SERVER	0x2000	/* server has sent a SYN-ACK */

/* Zeek's endpoint states, for conn_state. */
enum synfin_zeek_state {
	SYNFIN_Z_INACTIVE,
	SYNFIN_Z_SYN_SENT,
	SYNFIN_Z_SYN_ACK_SENT,
	SYNFIN_Z_PARTIAL,
	SYNFIN_Z_ESTABLISHED,
	SYNFIN_Z_CLOSED,
	SYNFIN_Z_RESET,
};

struct synfin_fsm {
	__u64 bytes[2];		/* payload bytes sent by each side */
	__u32 segs[2];		/* segments sent by each side */
	__u32 isn[2];		/* indexed by enum synfin_side */
	__u32 fin_end[2];	/* sequence number just after each side's FIN */
	__u32 nxt[2];		/* highest next sequence number each side sent */
	__u32 last_ack[2];	/* latest acknowledgment each side sent */
	__u32 wnd[2];		/* latest window each side offered, scaled */
	__u32 hist_seq[2][4];	/* last seq of each side's S, H, F, R letters */
	__u32 retrans[2];	/* retransmitted payload segments, per side */
	__u32 zero_win[2];	/* zero window advertisements, per side */
	__u16 flags;
	__u8 state[2];
	__u8 zstate[2];		/* enum synfin_zeek_state */
	__u8 wscale[2];		/* window scale offered in each side's SYN */
	__u8 hist_once[2];	/* letters recorded once per side, as bits */
	__u8 hist_len;
	char history[SYNFIN_HISTORY_LEN];
};

/* What the state machine needs from one TCP segment. */
struct synfin_seg {
	__u32 seq;
	__u32 ack;
	__u32 len;		/* payload bytes */
	__u16 win;		/* raw window field */
	__u8 flags;		/* SYNFIN_TCP_* */
	__s8 wscale;		/* window scale option of a SYN, or -1 */
};

struct synfin_trans {
	__u8 who;		/* enum synfin_side */
	__u8 from;		/* enum synfin_state */
	__u8 to;
};

struct synfin_fsm_result {
	__u8 ntrans;
	__u16 anomalies;	/* SYNFIN_AN_* */
	struct synfin_trans trans[SYNFIN_MAX_TRANS];
};

/*
 * Start tracking with the first segment seen of a flow. Returns the side
 * that sent it: the client for a SYN (and for traffic picked up
 * mid-stream), the server for a SYN-ACK.
 */
enum synfin_side synfin_fsm_init(struct synfin_fsm *f,
				 const struct synfin_seg *seg);

/* Apply one segment sent by @from: the sender's and the receiver's moves. */
void synfin_fsm_segment(struct synfin_fsm *f, enum synfin_side from,
			const struct synfin_seg *seg,
			struct synfin_fsm_result *res);

/* Move both sides to CLOSED (timeout, eviction). */
void synfin_fsm_close(struct synfin_fsm *f, struct synfin_fsm_result *res);

/* A SYN on this flow starts a new connection. */
bool synfin_fsm_reusable(const struct synfin_fsm *f);

/*
 * Does @seg start a new connection on this flow's tuple? A SYN does on a
 * reusable flow, and on one picked up mid-stream that was never answered.
 */
bool synfin_fsm_restarts(const struct synfin_fsm *f,
			 const struct synfin_seg *seg);

/* Both sides are CLOSED: the connection has ended. */
bool synfin_fsm_ended(const struct synfin_fsm *f);

/* Is this segment, with what it did, worth an event? */
bool synfin_fsm_reportable(const struct synfin_seg *seg,
			   const struct synfin_fsm_result *res);

/* Idle timeouts, by what a flow is waiting for. */
enum synfin_timeout {
	SYNFIN_TO_LINGER,	/* ended: absorbing late segments */
	SYNFIN_TO_SYN,		/* handshake unfinished */
	SYNFIN_TO_ESTABLISHED,
	SYNFIN_TO_CLOSE,	/* FIN_WAIT_*, CLOSE_WAIT, CLOSING, LAST_ACK */
	SYNFIN_TO_TIME_WAIT,
	SYNFIN_TO_UNCONFIRMED,	/* seen one direction only: at most this */
	SYNFIN_TO_COUNT
};

/* The default of each timeout, for the module and the reader alike. */
#define SYNFIN_DEFAULT_LINGER_MS	10000
#define SYNFIN_DEFAULT_SYN_MS		120000
#define SYNFIN_DEFAULT_ESTABLISHED_MS	432000000	/* 5 days */
#define SYNFIN_DEFAULT_CLOSE_MS		120000
#define SYNFIN_DEFAULT_TIME_WAIT_MS	60000
#define SYNFIN_DEFAULT_UNCONFIRMED_MS	60000

/* Where a counter an outsider can drive stops. */
#define SYNFIN_COUNT_MAX	0xffffffffU

/*
 * How long @f may stay idle, given the timeout of each kind in @ms: that
 * of its livelier side (a CLOSED side waits for the other).
 */
__u32 synfin_fsm_timeout_ms(const struct synfin_fsm *f,
			    const __u32 ms[SYNFIN_TO_COUNT]);

/*
 * Has each side sent something? A flow seen in one direction only may
 * be a stranger's forgery: it has a short timeout and goes first.
 */
bool synfin_fsm_confirmed(const struct synfin_fsm *f);

/* Eviction preference, higher first; SYNFIN_EVICT_NEVER: keep. */
enum synfin_evict_rank {
	SYNFIN_EVICT_NEVER,	/* an open, confirmed connection */
	SYNFIN_EVICT_HANDSHAKE,	/* confirmed, handshake unfinished */
	SYNFIN_EVICT_ENDED,	/* ended or in TIME_WAIT */
	SYNFIN_EVICT_UNCONFIRMED,
};

int synfin_fsm_evict_rank(const struct synfin_fsm *f);

/* Is this a connection request (SYN without ACK)? */
static inline bool synfin_seg_is_syn(const struct synfin_seg *seg)
{
	return (seg->flags & (SYNFIN_TCP_SYN | SYNFIN_TCP_ACK)) ==
	       SYNFIN_TCP_SYN;
}

const char *synfin_state_name(unsigned int state);

/* Name of anomaly bit number @bit (0 for SYNFIN_AN_RETRANSMISSION...). */
const char *synfin_anomaly_name(unsigned int bit);

/* Zeek's conn_state for the connection as it stands. */
enum synfin_conn_state synfin_fsm_conn_state(const struct synfin_fsm *f);
const char *synfin_conn_state_name(unsigned int cs);

/*
 * The window scale option in TCP options @opt of @len bytes: its shift
 * count (at most 14), or -1 if absent or malformed.
 */
int synfin_tcp_wscale(const __u8 *opt, unsigned int len);

#endif /* SYNFIN_FSM_H */
