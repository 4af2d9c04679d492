/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYNFIN_RING_H
#define SYNFIN_RING_H

#include <linux/in6.h>
#include <linux/types.h>
#include <net/net_namespace.h>

#include "fsm.h"

union synfin_addr {
	__be32 v4;
	struct in6_addr v6;
};

/* One fixed-size event record. */
struct synfin_rec {
	u64 ts_ns;
	u64 conn;
	struct net *net;		/* valid until drained: see netns exit */
	union synfin_addr saddr;
	union synfin_addr daddr;
	u32 seq;
	u32 ack;
	u32 isn[2];
	u32 len;
	u32 index;
	u16 sport;
	u16 dport;
	u16 win;
	u8 type;			/* enum synfin_event_type */
	u8 family;
	u8 from;			/* enum synfin_side */
	u8 flags;			/* SYNFIN_TCP_* */
	u8 state[2];			/* after the event */
	u8 isn_known;			/* SYNFIN_ISN_* */
	u8 reason;			/* enum synfin_end_reason */
	u8 ntrans;
	struct synfin_trans trans[SYNFIN_MAX_TRANS];
	u16 anomalies;			/* SYNFIN_AN_* */
	u8 conn_state;			/* set when the connection ended */
	char history[SYNFIN_HISTORY_LEN];	/* idem */
	u32 segs[2];			/* idem: segments each side sent */
	u64 bytes[2];			/* idem: payload bytes each side sent */
};

/*
 * A single-producer single-consumer ring per CPU. The producer is the
 * owning CPU with bottom halves disabled; the consumer is the drain
 * worker, serialised by its mutex. The ring counts nothing: its callers
 * count what they wrote, dropped and sent.
 */
struct synfin_ring {
	u32 head;			/* consumer side */
	u32 tail ____cacheline_aligned_in_smp;	/* producer side */
	struct synfin_rec *recs;
};

extern struct synfin_ring __percpu *synfin_rings;

/* ring_size and drain_watermark, the module parameters, at load. */
int synfin_ring_init(void);
void synfin_ring_exit(void);

/* Producer, BH disabled: a free slot on this CPU's ring, or NULL if full. */
struct synfin_rec *synfin_ring_reserve(void);
/*
 * Producer: publish the slot synfin_ring_reserve() returned. True when
 * the ring has just reached drain_watermark: drain it now.
 */
bool synfin_ring_commit(void);

/* Consumer, drain lock held. */
u32 synfin_ring_tail(struct synfin_ring *ring);
struct synfin_rec *synfin_ring_slot(struct synfin_ring *ring, u32 pos);
void synfin_ring_release(struct synfin_ring *ring, u32 pos);

#endif /* SYNFIN_RING_H */
