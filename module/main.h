/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYNFIN_MAIN_H
#define SYNFIN_MAIN_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <net/net_namespace.h>

/* Module parameters: see main.c for their descriptions and defaults. */
extern unsigned int synfin_max_flows;
extern unsigned int synfin_ring_size;
extern unsigned int synfin_time_wait_ms;
extern unsigned int synfin_syn_timeout_ms;
extern unsigned int synfin_established_timeout_ms;
extern unsigned int synfin_close_timeout_ms;
extern unsigned int synfin_closed_linger_ms;
extern unsigned int synfin_gc_interval_ms;
extern unsigned int synfin_drain_delay_ms;
extern unsigned int synfin_drain_watermark;

/* Counters kept by the CPU that does the work, updated with this_cpu_inc(). */
struct synfin_cpu_stats {
	u64 segments;
	u64 malformed;
	u64 events_written;
	u64 events_dropped;
	u64 events_unheard;	/* not queued: no listener anywhere */
	u64 flows_created;
	u64 flows_evicted;
	u64 flows_timed_out;
	u64 flows_untracked;
};

DECLARE_PER_CPU(struct synfin_cpu_stats, synfin_stats);

#define synfin_stat_inc(field) this_cpu_inc(synfin_stats.field)

/* Per network namespace state. */
struct synfin_net {
	struct net *net;
	struct list_head list;		/* on synfin_nets, under the drain lock */
	u64 __percpu *dropped;		/* this netns's events dropped, per CPU */
	u64 *reported;			/* of those, reported as lost, per CPU */
};

struct synfin_net *synfin_pernet(const struct net *net);

#endif /* SYNFIN_MAIN_H */
