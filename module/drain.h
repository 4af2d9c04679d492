/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYNFIN_DRAIN_H
#define SYNFIN_DRAIN_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/types.h>
#include <net/net_namespace.h>

#include "track.h"

struct synfin_net;
struct synfin_stats_sum;

/* One event record, as the flows write it and the drain sends it. */
struct synfin_rec {
	u64 ts_ns;
	u64 conn;
	struct net *net;		/* valid until drained: see netns exit */
	struct synfin_track_rec ev;	/* what the event says */
};

/* What the drain did with one namespace's events, per CPU, drain lock. */
struct synfin_drain_stats {
	u64 sent;
	u64 unheard;
	u64 send_failed;
};

/* The drain's part of a namespace's state (struct synfin_net). */
struct synfin_drain_net {
	struct list_head list;		/* on the drain's list, drain lock */
	struct synfin_drain_stats *drained;	/* per CPU, drain lock */
	u64 *reported;			/* dropped events reported lost, per CPU */
	/*
	 * The last multicast of events into this netns reached nobody (the
	 * drain sets it, a request from the netns or a message that reached
	 * someone clears it): its events are not queued until a request, or
	 * until deaf_since + listener_probe_ms, when one is, to find out.
	 */
	bool deaf;
	atomic64_t deaf_since;		/* jiffies64; the probe takes it */
};

/* The rings (ring_size), the worker and its batches; then the flows. */
int synfin_drain_init(void);
/* After the flows: send what is left, stop, free. */
void synfin_drain_exit(void);

/*
 * Requests may read the namespaces' state (every part of the module is
 * up), or may no longer: once unready returns, none does.
 */
void synfin_drain_ready(void);
void synfin_drain_unready(void);
bool synfin_drain_is_ready(void);

/* Netns lifetime: attach/detach its state to the drain's list. */
int synfin_drain_add_net(struct synfin_net *sn);
void synfin_drain_del_net(struct synfin_net *sn);

/*
 * May anyone hear an event of @sn's netns? False when no socket, in any
 * netns, has joined the events group, or when the last message into this
 * netns reached nobody and no request came from it since (for up to
 * listener_probe_ms, when one event is let through to find out): the
 * event can be counted as unheard at once rather than queued. Any
 * context, while @sn lives.
 */
bool synfin_drain_listening(struct synfin_net *sn);

/*
 * A request came from @net, whose reader has joined the events group:
 * its events are queued again. -EAGAIN if requests are not served.
 */
int synfin_drain_heard_from(struct net *net);

/*
 * Producer, BH disabled: a slot for an event on this CPU's ring, or NULL
 * when the ring is full (the caller counts the loss, then kicks).
 * Commit publishes it and makes sure a drain will send it.
 */
struct synfin_rec *synfin_drain_reserve(void);
void synfin_drain_commit(void);

/* Ask the drain worker to run soon; callable from any context. */
void synfin_drain_kick(void);
/* Drain every ring now and wait until done. Process context. */
void synfin_drain_sync(void);

/*
 * The counters @net may see, the whole module's (@cpus: each CPU's, an
 * array of nr_cpu_ids) in one consistent snapshot: the initial namespace
 * sees everything, another only its own. -EAGAIN if requests are not
 * served.
 */
int synfin_drain_stats(struct net *net, struct synfin_stats_sum *total,
		       struct synfin_stats_sum *cpus);

#endif /* SYNFIN_DRAIN_H */
