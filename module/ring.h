/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYNFIN_RING_H
#define SYNFIN_RING_H

#include <linux/in6.h>
#include <linux/types.h>
#include <net/net_namespace.h>

#include "track.h"

/* One fixed-size event record. */
struct synfin_rec {
	u64 ts_ns;
	u64 conn;
	struct net *net;		/* valid until drained: see netns exit */
	struct synfin_track_rec ev;	/* what the event says */
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
