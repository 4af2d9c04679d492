/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYNFIN_MAIN_H
#define SYNFIN_MAIN_H

#include <linux/atomic.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <net/net_namespace.h>

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
};

/* What the drain did with one namespace's events, per CPU, drain lock. */
struct synfin_drain_stats {
	u64 sent;
	u64 unheard;
	u64 send_failed;
};

/* Per network namespace state. */
struct synfin_net {
	struct net *net;
	struct list_head list;		/* on the drain's list, drain lock */
	struct synfin_cpu_stats __percpu *stats;
	struct synfin_drain_stats *drained;	/* per CPU, drain lock */
	u64 *reported;			/* dropped events reported lost, per CPU */
	atomic_t flows;			/* this netns's flows in the table */
	atomic64_t next_conn;		/* connection ids, per namespace */
	atomic_t flows_gen;		/* flows added or removed: dumps check it */
	/*
	 * The last multicast of events into this netns reached nobody (the
	 * drain sets it, a request from the netns or a message that reached
	 * someone clears it): its events are not queued until a request, or
	 * until deaf_since + listener_probe_ms, when one is, to find out.
	 */
	bool deaf;
	atomic64_t deaf_since;		/* jiffies64; the probe takes it */
};

struct synfin_net *synfin_pernet(const struct net *net);

#define SYNFIN_STATS(sn)		(*(sn)->stats)
#define synfin_stat_inc(sn, field)	this_cpu_inc(SYNFIN_STATS(sn).field)

/*
 * An unsigned module parameter checked when it is written, at load time
 * and under /sys/module/synfin/parameters/ alike: out of [min, max] it is
 * refused with -EINVAL and a message saying why. @changed, if set, runs
 * after an accepted write, under the module's parameter lock.
 */
struct synfin_uint_param {
	unsigned int *val;
	unsigned int min;
	unsigned int max;
	void (*changed)(void);
};

extern const struct kernel_param_ops synfin_uint_param_ops;

#endif /* SYNFIN_MAIN_H */
