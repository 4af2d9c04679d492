/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYNFIN_NETNS_H
#define SYNFIN_NETNS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <net/net_namespace.h>

#include "drain.h"
#include "selection.h"

/*
 * Counters of one network namespace, kept by the CPU that does the work
 * (this_cpu_inc()). The whole module's are the sum over every namespace,
 * those gone included.
 */
struct synfin_cpu_stats {
	u64 segments;
	u64 malformed;
	u64 bad_checksum;
	u64 events_written;	/* queued; stats add events_unheard */
	u64 events_dropped;
	u64 events_unheard;	/* not queued: no listener in the netns */
	u64 flows_created;
	u64 flows_evicted;
	u64 flows_timed_out;
	u64 flows_untracked;
	u64 segments_untracked;
	u64 events_unselected;	/* not queued: no selection wanted them */
};

/* A snapshot of counters, summed over namespaces and CPUs as asked. */
struct synfin_stats_sum {
	struct synfin_cpu_stats c;
	struct synfin_drain_stats d;
	u64 flows_active;
};

/* Per network namespace state. */
struct synfin_net {
	struct net *net;
	struct synfin_cpu_stats __percpu *stats;
	struct synfin_drain_net drain;
	atomic_t flows;			/* this netns's flows in the table */
	atomic64_t next_conn;		/* connection ids, per namespace */
	atomic_t flows_gen;		/* flows added or removed: dumps check it */
	struct synfin_selections selections;	/* its readers' (selection.c) */
};

struct synfin_net *synfin_pernet(const struct net *net);

#define synfin_stat_inc(sn, field)	this_cpu_inc((*(sn)->stats).field)

/* Every namespace's state and hooks, now and as namespaces come. */
int synfin_netns_init(void);
void synfin_netns_exit(void);

#endif /* SYNFIN_NETNS_H */
