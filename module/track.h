/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection tracking around the state machine: what the module and the
 * reader both do with a TCP segment. A connection lives on a fixed tuple;
 * a segment is matched to it, may end it and begin a new one on the same
 * tuple (the reuse rule), and makes the event the state machine says it
 * is worth. A connection ends by its last segment, by a timeout or by
 * eviction, and the table that holds it admits, ranks and evicts by the
 * rules here.
 *
 * Plain C, like fsm.c: no kernel includes, built into the module and the
 * reader. What is the caller's own (the module's RCU hash, locks, jiffies
 * and ring; the reader's single-threaded table and the capture's clock)
 * stays with the caller, which provides the three functions declared at
 * the end of this file.
 */
#ifndef SYNFIN_TRACK_H
#define SYNFIN_TRACK_H

#include "fsm.h"

#ifndef __KERNEL__
#include <stddef.h>
#endif

/* An address: IPv4 fills the first word and zeroes the rest. */
union synfin_addr {
	__be32 v4;
	__u8 b[16];
	__u32 w[4];
};

static inline bool synfin_addr_eq(const union synfin_addr *x,
				  const union synfin_addr *y)
{
	return ((x->w[0] ^ y->w[0]) | (x->w[1] ^ y->w[1]) |
		(x->w[2] ^ y->w[2]) | (x->w[3] ^ y->w[3])) == 0;
}

/* One TCP segment, as both paths parse it. */
struct synfin_packet {
	union synfin_addr saddr;
	union synfin_addr daddr;
	__u16 sport;
	__u16 dport;
	__u8 family;		/* AF_INET or AF_INET6 */
	struct synfin_seg seg;
};

/* No side did it (struct synfin_summary's first_fin, rst_from, end_by). */
#define SYNFIN_SUM_NOBODY	0xff

/* struct synfin_summary.flags */
#define SYNFIN_SUM_ESTABLISHED	0x01	/* a side reached ESTABLISHED */
#define SYNFIN_SUM_CROSSED_FIN	0x02	/* a side went through CLOSING */
#define SYNFIN_SUM_FIN_WITH_FIN	0x04	/* FIN_WAIT_1 to TIME_WAIT at once */
#define SYNFIN_SUM_ENDED	0x08	/* end and end_by are set: no more */

/*
 * What a connection's summary says, made of its events as they happen:
 * each time is the timestamp of the event that made it (0: none did).
 * The core keeps one in each connection and puts it on the final event;
 * a reader that sees the events can make the same with the functions
 * below.
 */
struct synfin_summary {
	__u64 first_ns;		/* the connection's first event */
	__u64 syn_ns;		/* the client's first SYN */
	__u64 synack_ns;	/* the server's first SYN-ACK */
	__u64 est_ns;		/* the server reached ESTABLISHED */
	__u16 visited;		/* 1 << enum synfin_state, either side */
	__u8 flags;		/* SYNFIN_SUM_* */
	__u8 first_fin;		/* the side that sent the first FIN */
	__u8 rst_from;		/* the side whose RST was first obeyed */
	__u8 end;		/* enum synfin_close, once ended */
	__u8 end_by;		/* the side that ended it, once ended */
};

static inline void synfin_summary_begin(struct synfin_summary *s,
					__u64 first_ns)
{
	*s = (struct synfin_summary){
		.first_ns = first_ns,
		.first_fin = SYNFIN_SUM_NOBODY,
		.rst_from = SYNFIN_SUM_NOBODY,
		.end_by = SYNFIN_SUM_NOBODY,
	};
}

/*
 * An event's segment, sent by @from with @flags at @ts_ns: what its SYN,
 * FIN or RST says (@anomalies: its SYNFIN_AN_*). Others say nothing.
 */
static inline void synfin_summary_segment(struct synfin_summary *s,
					  __u64 ts_ns, __u8 from, __u8 flags,
					  __u16 anomalies)
{
	if (!(flags & (SYNFIN_TCP_SYN | SYNFIN_TCP_FIN | SYNFIN_TCP_RST)))
		return;
	if (flags & SYNFIN_TCP_SYN) {
		if (!(flags & SYNFIN_TCP_ACK)) {
			if (from == SYNFIN_CLIENT && !s->syn_ns)
				s->syn_ns = ts_ns;
		} else if (from == SYNFIN_SERVER && !s->synack_ns) {
			s->synack_ns = ts_ns;
		}
	}
	if ((flags & SYNFIN_TCP_FIN) && s->first_fin == SYNFIN_SUM_NOBODY)
		s->first_fin = from;
	if ((flags & SYNFIN_TCP_RST) && s->rst_from == SYNFIN_SUM_NOBODY &&
	    !(anomalies & SYNFIN_AN_RST_OUT_OF_WINDOW))
		s->rst_from = from;
}

/* A state change of @who, from @from to @to, by an event at @ts_ns. */
static inline void synfin_summary_trans(struct synfin_summary *s,
					__u64 ts_ns, __u8 who, __u8 from,
					__u8 to)
{
	s->visited |= (__u16)(1u << (from & 15)) | (__u16)(1u << (to & 15));
	if (to == SYNFIN_ST_ESTABLISHED) {
		s->flags |= SYNFIN_SUM_ESTABLISHED;
		if (who == SYNFIN_SERVER && !s->est_ns)
			s->est_ns = ts_ns;
	}
	if (to == SYNFIN_ST_CLOSING)
		s->flags |= SYNFIN_SUM_CROSSED_FIN;
	if (from == SYNFIN_ST_FIN_WAIT_1 && to == SYNFIN_ST_TIME_WAIT)
		s->flags |= SYNFIN_SUM_FIN_WITH_FIN;
}

/* Both sides' states after an event. */
static inline void synfin_summary_states(struct synfin_summary *s,
					 const __u8 state[2])
{
	s->visited |= (__u16)(1u << (state[0] & 15)) |
		      (__u16)(1u << (state[1] & 15));
}

/*
 * The connection ended with an event of @type (enum synfin_event_type)
 * and, without a segment, @reason (enum synfin_end_reason): how, and by
 * which side.
 */
static inline void synfin_summary_close(struct synfin_summary *s, __u8 type,
					__u8 reason)
{
	bool timeout = type == SYNFIN_EV_TIMEOUT;

	s->end_by = SYNFIN_SUM_NOBODY;
	if (s->rst_from != SYNFIN_SUM_NOBODY) {
		s->end_by = s->rst_from;
		s->end = !(s->flags & SYNFIN_SUM_ESTABLISHED) &&
			 s->rst_from == SYNFIN_SERVER ?
			 SYNFIN_CLOSE_REFUSED : SYNFIN_CLOSE_RESET;
	} else if (timeout && reason == SYNFIN_END_IDLE) {
		s->end = SYNFIN_CLOSE_TIMED_OUT;
	} else if (timeout && reason == SYNFIN_END_EVICTED) {
		s->end = SYNFIN_CLOSE_EVICTED;
	} else if (s->first_fin == SYNFIN_SUM_NOBODY) {
		s->end = SYNFIN_CLOSE_NO_FIN;
	} else {
		s->end_by = s->first_fin;
		if (s->flags & SYNFIN_SUM_CROSSED_FIN)
			s->end = SYNFIN_CLOSE_SIMULTANEOUS;
		else if (s->flags & SYNFIN_SUM_FIN_WITH_FIN)
			s->end = SYNFIN_CLOSE_THREE_WAY;
		else
			s->end = SYNFIN_CLOSE_FOUR_WAY;
	}
	s->flags |= SYNFIN_SUM_ENDED;
}

/*
 * One connection on a tuple. The tuple (a, b, family) is fixed when the
 * connection is first made and never rewritten: endpoint a sent the first
 * segment seen, so lockless lookups compare stable fields. Which endpoint
 * is the client can change when a new connection reuses the tuple.
 */
struct synfin_conn {
	union synfin_addr a_addr;
	union synfin_addr b_addr;
	__u16 a_port;
	__u16 b_port;
	__u8 family;
	/* Below: the connection's own, changed by each segment. */
	bool client_is_b;
	__u32 next_index;	/* index of its next event, lost ones too */
	__u64 id;		/* set by synfin_track_begun() */
	struct synfin_fsm fsm;
	struct synfin_summary sum;	/* sum.first_ns: when it began */
};

/* What a connection's event says, before the caller's own fields. */
struct synfin_track_rec {
	union synfin_addr saddr;	/* the segment's, or client to server */
	union synfin_addr daddr;
	__u64 bytes[2];			/* set when the connection ended */
	__u32 seq;
	__u32 ack;
	__u32 isn[2];
	__u32 len;
	__u32 index;
	__u32 segs[2];			/* set when the connection ended */
	__u16 sport;
	__u16 dport;
	__u16 win;
	__u16 anomalies;		/* SYNFIN_AN_* */
	__u8 type;			/* enum synfin_event_type */
	__u8 family;
	__u8 from;			/* enum synfin_side */
	__u8 flags;			/* SYNFIN_TCP_* */
	__u8 state[2];			/* after the event */
	__u8 isn_known;			/* SYNFIN_ISN_* */
	__u8 reason;			/* enum synfin_end_reason */
	__u8 conn_state;		/* set when the connection ended */
	__u8 ntrans;
	struct synfin_trans trans[SYNFIN_MAX_TRANS];
	char history[SYNFIN_HISTORY_LEN];	/* set when it ended */
	struct synfin_summary sum;		/* idem */
};

/* An event a connection makes, handed to synfin_track_emit(). */
struct synfin_track_event {
	__u64 ts_ns;			/* synfin_track_now() when it was made */
	const struct synfin_packet *pkt;	/* NULL: ended without one */
	const struct synfin_fsm_result *res;
	__u32 index;
	__u8 type;			/* enum synfin_event_type */
	__u8 reason;			/* enum synfin_end_reason */
	__u8 from;			/* the sender of pkt */
};

static inline bool synfin_track_endpoint_eq(const union synfin_addr *x,
					    __u16 px,
					    const union synfin_addr *y,
					    __u16 py)
{
	return px == py && synfin_addr_eq(x, y);
}

/*
 * Does @p belong to @c? *@from_a tells whether endpoint a sent it.
 * Reads only the fixed tuple. Inline: the module's lockless lookup runs
 * it on every flow of a hash chain.
 */
static inline bool synfin_track_match(const struct synfin_conn *c,
				      const struct synfin_packet *p,
				      bool *from_a)
{
	if (c->family != p->family)
		return false;
	if (synfin_track_endpoint_eq(&p->saddr, p->sport, &c->a_addr, c->a_port) &&
	    synfin_track_endpoint_eq(&p->daddr, p->dport, &c->b_addr, c->b_port)) {
		*from_a = true;
		return true;
	}
	if (synfin_track_endpoint_eq(&p->saddr, p->sport, &c->b_addr, c->b_port) &&
	    synfin_track_endpoint_eq(&p->daddr, p->dport, &c->a_addr, c->a_port)) {
		*from_a = false;
		return true;
	}
	return false;
}

/* Fix @c's tuple from @p, its first segment: before @c is published. */
void synfin_track_tuple(struct synfin_conn *c, const struct synfin_packet *p);

/*
 * The first connection on @c's new tuple, with @p (as given to
 * synfin_track_tuple()) its first segment: begun, and @p applied.
 */
void synfin_track_first(void *ctx, struct synfin_conn *c,
			const struct synfin_packet *p);

/*
 * Apply @p to @c (@from_a as synfin_track_match() said). A SYN that
 * starts a new connection on the tuple first ends the old one, reason
 * SYNFIN_END_REUSED.
 */
void synfin_track_segment(void *ctx, struct synfin_conn *c,
			  const struct synfin_packet *p, bool from_a);

/* End @c's connection without a segment (@reason), if it has not ended. */
void synfin_track_end(void *ctx, struct synfin_conn *c, __u8 reason);

/* The client's and the server's endpoint of @c. */
void synfin_track_ends(const struct synfin_conn *c,
		       const union synfin_addr **caddr, __u16 *cport,
		       const union synfin_addr **saddr, __u16 *sport);

/* The record of @ev, an event of @c, as both paths report it. */
void synfin_track_fill(const struct synfin_conn *c,
		       const struct synfin_track_event *ev,
		       struct synfin_track_rec *rec);

/* ---- timeouts ---- */

/* The default of each timeout (enum synfin_timeout), in ms. */
void synfin_track_default_timeouts(__u32 ms[SYNFIN_TO_COUNT]);

/* How long @c may stay idle, given the timeout of each kind in @ms. */
__u32 synfin_track_timeout_ms(const struct synfin_conn *c,
			      const __u32 ms[SYNFIN_TO_COUNT]);

/* The reason @c ends when it has been idle past its timeout. */
__u8 synfin_track_idle_reason(const struct synfin_conn *c);

/* ---- the table around connections ---- */

/*
 * How readily @c may go to make room for a new connection, higher first
 * (enum synfin_evict_rank): SYNFIN_EVICT_NEVER keeps it. @same_owner:
 * the newcomer is of @c's namespace. Flows seen one way only and ended
 * connections may go whoever needs the room; an unfinished handshake
 * only for its own namespace, so that another's flood cannot cost it a
 * connection; an open, confirmed connection never.
 */
int synfin_track_evict_rank(const struct synfin_conn *c, bool same_owner);

/* The table's limits, as its parameters say. */
struct synfin_track_limits {
	__u32 max_flows;
	__u32 owner_share;	/* percent one guest may hold, 1 to 100 */
	__u32 host_reserve;	/* percent only the host may take, 0 to 99 */
};

/* How full the table is, for a newcomer of some owner. */
struct synfin_track_fill {
	__u32 total;		/* every flow */
	__u32 mine;		/* the newcomer's owner's */
	__u32 guests;		/* every guest's */
	bool guest;		/* the newcomer's owner is a guest */
};

/* What a newcomer needs to be admitted. */
enum synfin_admit {
	SYNFIN_ADMIT,		/* room: take it */
	SYNFIN_ADMIT_EVICT_ANY,	/* the table is full: evict any that may go */
	SYNFIN_ADMIT_EVICT_OWN,	/* its owner holds its share: one of its own */
	SYNFIN_ADMIT_EVICT_GUESTS, /* the guests hold theirs: one of theirs */
};

/*
 * Owners are the module's network namespaces: the initial one is the
 * host, the others are guests. Each guest may hold owner_share percent
 * of the table, and all of them together all but host_reserve percent,
 * for an unprivileged user can make namespaces of their own. The reader
 * has one owner, the host.
 */
enum synfin_admit synfin_track_admit(const struct synfin_track_fill *n,
				     const struct synfin_track_limits *lim);

/* @percent of a table of @most flows, at least 1. */
__u32 synfin_track_share(__u32 most, __u32 percent);

/* ---- provided by the caller ---- */

/*
 * The caller's clock, in ns: the timestamp of a connection's beginning
 * (c->sum.first_ns, and of its first event) and of each later event,
 * taken once per event. @ctx is what the caller passed to the function
 * that made the event.
 */
__u64 synfin_track_now(void *ctx);

/* A connection begins on @c: set c->id, and count it. */
void synfin_track_begun(void *ctx, struct synfin_conn *c);

/* @c makes the event @ev: report it (synfin_track_fill() describes it). */
void synfin_track_emit(void *ctx, struct synfin_conn *c,
		       const struct synfin_track_event *ev);

#endif /* SYNFIN_TRACK_H */
