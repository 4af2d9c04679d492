// SPDX-License-Identifier: GPL-2.0
/*
 * Connection tracking around the state machine, shared by the module and
 * the reader: see track.h.
 */
#include "track.h"

/* The compiler's own, in the kernel and out: no header needed. */
#define track_copy(dst, src)	__builtin_memcpy(dst, src, sizeof(dst))
#define track_zero(dst)		__builtin_memset(dst, 0, sizeof(dst))

/* The side that sent a segment from a (or from b). */
static enum synfin_side track_side(const struct synfin_conn *c, bool from_a)
{
	return from_a != c->client_is_b ? SYNFIN_CLIENT : SYNFIN_SERVER;
}

/*
 * Begin a new connection on @c with @p, its first segment, which
 * endpoint a sent if @from_a. Returns the side that sent it: the client,
 * or the server when a SYN-ACK is seen first.
 */
static enum synfin_side track_begin(void *ctx, struct synfin_conn *c,
				    const struct synfin_packet *p, bool from_a)
{
	enum synfin_side from = synfin_fsm_init(&c->fsm, &p->seg);

	/* Its first event's timestamp, taken here once. */
	synfin_summary_begin(&c->sum, synfin_track_now(ctx));
	c->next_index = 0;
	c->client_is_b = (from == SYNFIN_CLIENT) != from_a;
	synfin_track_begun(ctx, c);
	return from;
}

/*
 * The summary's part of an event at @ts_ns, until the connection ends:
 * work only for a SYN, FIN or RST and for state changes.
 */
static void track_summary(struct synfin_conn *c, __u64 ts_ns, __u8 type,
			  const struct synfin_packet *p, enum synfin_side from,
			  const struct synfin_fsm_result *res, __u8 reason)
{
	struct synfin_summary *s = &c->sum;
	unsigned int i;

	if (s->flags & SYNFIN_SUM_ENDED)
		return;		/* a late segment: the summary is made */
	if (p)
		synfin_summary_segment(s, ts_ns, (__u8)from, p->seg.flags,
				       res->anomalies);
	for (i = 0; i < res->ntrans; i++)
		synfin_summary_trans(s, ts_ns, res->trans[i].who,
				     res->trans[i].from, res->trans[i].to);
	synfin_summary_states(s, c->fsm.state);
	if (synfin_fsm_ended(&c->fsm))
		synfin_summary_close(s, type, reason);
}

static void track_emit(void *ctx, struct synfin_conn *c, __u8 type,
		       const struct synfin_packet *p, enum synfin_side from,
		       const struct synfin_fsm_result *res, __u8 reason)
{
	struct synfin_track_event ev = {
		/* The first event's time is the connection's beginning. */
		.ts_ns = c->next_index ? synfin_track_now(ctx) :
					 c->sum.first_ns,
		.pkt = p,
		.res = res,
		/* The index counts lost events too: a gap shows the loss. */
		.index = c->next_index++,
		.type = type,
		.reason = reason,
		.from = (__u8)from,
	};

	track_summary(c, ev.ts_ns, type, p, from, res, reason);
	synfin_track_emit(ctx, c, &ev);
}

static void track_apply(void *ctx, struct synfin_conn *c,
			const struct synfin_packet *p, enum synfin_side from)
{
	struct synfin_fsm_result res;

	synfin_fsm_segment(&c->fsm, from, &p->seg, &res);
	if (synfin_fsm_reportable(&p->seg, &res))
		track_emit(ctx, c, SYNFIN_EV_SEGMENT, p, from, &res,
			   SYNFIN_END_NONE);
}

void synfin_track_tuple(struct synfin_conn *c, const struct synfin_packet *p)
{
	c->family = p->family;
	c->a_addr = p->saddr;
	c->a_port = p->sport;
	c->b_addr = p->daddr;
	c->b_port = p->dport;
}

void synfin_track_first(void *ctx, struct synfin_conn *c,
			const struct synfin_packet *p)
{
	track_apply(ctx, c, p, track_begin(ctx, c, p, true));
}

void synfin_track_end(void *ctx, struct synfin_conn *c, __u8 reason)
{
	struct synfin_fsm_result res;

	if (synfin_fsm_ended(&c->fsm))
		return;
	synfin_fsm_close(&c->fsm, &res);
	track_emit(ctx, c, SYNFIN_EV_TIMEOUT, NULL, SYNFIN_CLIENT, &res,
		   reason);
}

void synfin_track_segment(void *ctx, struct synfin_conn *c,
			  const struct synfin_packet *p, bool from_a)
{
	enum synfin_side from = track_side(c, from_a);

	if (synfin_fsm_restarts(&c->fsm, &p->seg)) {
		/* A new connection on the tuple of an ended one. */
		synfin_track_end(ctx, c, SYNFIN_END_REUSED);
		from = track_begin(ctx, c, p, from_a);
	}
	track_apply(ctx, c, p, from);
}

void synfin_track_ends(const struct synfin_conn *c,
		       const union synfin_addr **caddr, __u16 *cport,
		       const union synfin_addr **saddr, __u16 *sport)
{
	if (c->client_is_b) {
		*caddr = &c->b_addr;
		*cport = c->b_port;
		*saddr = &c->a_addr;
		*sport = c->a_port;
	} else {
		*caddr = &c->a_addr;
		*cport = c->a_port;
		*saddr = &c->b_addr;
		*sport = c->b_port;
	}
}

void synfin_track_fill(const struct synfin_conn *c,
		       const struct synfin_track_event *ev,
		       struct synfin_track_rec *rec)
{
	const struct synfin_fsm *f = &c->fsm;
	const struct synfin_packet *p = ev->pkt;
	const union synfin_addr *caddr, *saddr;
	__u16 cport, sport;

	rec->index = ev->index;
	rec->type = ev->type;
	rec->family = c->family;
	rec->reason = ev->reason;
	rec->state[SYNFIN_CLIENT] = f->state[SYNFIN_CLIENT];
	rec->state[SYNFIN_SERVER] = f->state[SYNFIN_SERVER];
	rec->isn[SYNFIN_CLIENT] = f->isn[SYNFIN_CLIENT];
	rec->isn[SYNFIN_SERVER] = f->isn[SYNFIN_SERVER];
	rec->isn_known = f->flags & (SYNFIN_ISN_CLIENT | SYNFIN_ISN_SERVER);
	rec->ntrans = ev->res->ntrans;
	track_copy(rec->trans, ev->res->trans);
	rec->anomalies = ev->res->anomalies;
	if (synfin_fsm_ended(f)) {
		/* The last event of a connection says how Zeek would log it. */
		rec->conn_state = (__u8)synfin_fsm_conn_state(f);
		track_copy(rec->history, f->history);
		track_copy(rec->segs, f->segs);
		track_copy(rec->bytes, f->bytes);
		rec->sum = c->sum;
	} else {
		rec->conn_state = SYNFIN_CS_NONE;
		rec->history[0] = '\0';
		track_zero(rec->segs);
		track_zero(rec->bytes);
		rec->sum = (struct synfin_summary){ 0 };
	}
	if (p) {
		rec->saddr = p->saddr;
		rec->daddr = p->daddr;
		rec->sport = p->sport;
		rec->dport = p->dport;
		rec->from = ev->from;
		rec->flags = p->seg.flags;
		rec->seq = p->seg.seq;
		rec->ack = p->seg.ack;
		rec->win = p->seg.win;
		rec->len = p->seg.len;
	} else {
		/* No segment: describe the connection client to server. */
		synfin_track_ends(c, &caddr, &cport, &saddr, &sport);
		rec->saddr = *caddr;
		rec->daddr = *saddr;
		rec->sport = cport;
		rec->dport = sport;
		rec->from = SYNFIN_CLIENT;
		rec->flags = 0;
		rec->seq = 0;
		rec->ack = 0;
		rec->win = 0;
		rec->len = 0;
	}
}

void synfin_track_default_timeouts(__u32 ms[SYNFIN_TO_COUNT])
{
	ms[SYNFIN_TO_LINGER] = SYNFIN_DEFAULT_LINGER_MS;
	ms[SYNFIN_TO_SYN] = SYNFIN_DEFAULT_SYN_MS;
	ms[SYNFIN_TO_ESTABLISHED] = SYNFIN_DEFAULT_ESTABLISHED_MS;
	ms[SYNFIN_TO_CLOSE] = SYNFIN_DEFAULT_CLOSE_MS;
	ms[SYNFIN_TO_TIME_WAIT] = SYNFIN_DEFAULT_TIME_WAIT_MS;
	ms[SYNFIN_TO_UNCONFIRMED] = SYNFIN_DEFAULT_UNCONFIRMED_MS;
}

__u32 synfin_track_timeout_ms(const struct synfin_conn *c,
			      const __u32 ms[SYNFIN_TO_COUNT])
{
	return synfin_fsm_timeout_ms(&c->fsm, ms);
}

__u8 synfin_track_idle_reason(const struct synfin_conn *c)
{
	/* TIME_WAIT running out is how such a connection ends. */
	return synfin_fsm_reusable(&c->fsm) ? SYNFIN_END_TIME_WAIT :
					      SYNFIN_END_IDLE;
}

int synfin_track_evict_rank(const struct synfin_conn *c, bool same_owner)
{
	int rank = synfin_fsm_evict_rank(&c->fsm);

	if (rank == SYNFIN_EVICT_HANDSHAKE && !same_owner)
		return SYNFIN_EVICT_NEVER;
	return rank;
}

__u32 synfin_track_share(__u32 most, __u32 percent)
{
	/* Exact, in 32 bits: most * percent may not fit. */
	__u32 n;

	if (percent > 100)
		percent = 100;
	n = most / 100 * percent + most % 100 * percent / 100;

	return n ? n : 1;
}

enum synfin_admit synfin_track_admit(const struct synfin_track_fill *n,
				     const struct synfin_track_limits *lim)
{
	if (n->guest) {
		if (n->mine >= synfin_track_share(lim->max_flows,
						  lim->owner_share))
			return SYNFIN_ADMIT_EVICT_OWN;
		if (n->guests >= synfin_track_share(lim->max_flows,
						    lim->host_reserve < 100 ?
						    100 - lim->host_reserve : 0))
			return SYNFIN_ADMIT_EVICT_GUESTS;
	}
	if (n->total >= lim->max_flows)
		return SYNFIN_ADMIT_EVICT_ANY;
	return SYNFIN_ADMIT;
}
