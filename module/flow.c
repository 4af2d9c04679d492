// SPDX-License-Identifier: GPL-2.0
/*
 * Flow table: an RCU hash of TCP flows keyed by network namespace and the
 * 5-tuple, both directions mapping to one flow. Each flow holds a
 * connection of the tracking core (track.c), which says what a segment
 * does, what it reports, which flows may go and when one is admitted.
 * Lookups are lockless; insertion and removal take a striped bucket lock;
 * the core runs under the flow's own lock. The table holds at most
 * max_flows flows: when it is full, a flow that may go (seen one way
 * only, ended, or its handshake unfinished) is evicted from the new
 * flow's bucket or the few after it, or the new flow is not tracked;
 * both are counted. A flow seen one way only may be a stranger's
 * forgery: it goes first, and after unconfirmed_timeout_ms at most. A
 * periodic worker ends idle flows.
 */
#include <linux/atomic.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>
#include <net/netns/hash.h>

#include "drain.h"
#include "flow.h"
#include "netns.h"
#include "param.h"
#include "selection.h"

/* ---- parameters ---- */

static unsigned int max_flows = 65536;
static unsigned int time_wait_ms = SYNFIN_DEFAULT_TIME_WAIT_MS;
static unsigned int syn_timeout_ms = SYNFIN_DEFAULT_SYN_MS;
static unsigned int established_timeout_ms = SYNFIN_DEFAULT_ESTABLISHED_MS;
static unsigned int close_timeout_ms = SYNFIN_DEFAULT_CLOSE_MS;
static unsigned int closed_linger_ms = SYNFIN_DEFAULT_LINGER_MS;
static unsigned int unconfirmed_timeout_ms = SYNFIN_DEFAULT_UNCONFIRMED_MS;
static unsigned int gc_interval_ms = 1000;

#define DAY_MS		86400000U
/* Flows per bucket, on average, that a table may be raised to hold. */
#define SYNFIN_FLOWS_PER_BUCKET_MAX	16
/* At load: what the hash is sized from (about 1 KiB of memory a flow). */
#define SYNFIN_MAX_FLOWS_LOAD		BIT(22)

static void gc_interval_changed(void);

static struct synfin_uint_param time_wait_p = {
	&time_wait_ms, 0, DAY_MS, NULL
};

module_param_cb(time_wait_ms, &synfin_uint_param_ops, &time_wait_p, 0644);
__MODULE_PARM_TYPE(time_wait_ms, "uint");
MODULE_PARM_DESC(time_wait_ms,
		 "How long TIME_WAIT lasts before the connection ends, 0 to 86400000 ms (default 60000)");

static struct synfin_uint_param syn_timeout_p = {
	&syn_timeout_ms, 1, DAY_MS, NULL
};

module_param_cb(syn_timeout_ms, &synfin_uint_param_ops, &syn_timeout_p, 0644);
__MODULE_PARM_TYPE(syn_timeout_ms, "uint");
MODULE_PARM_DESC(syn_timeout_ms,
		 "Idle timeout of an unfinished handshake, 1 to 86400000 ms (default 120000)");

static struct synfin_uint_param established_p = {
	&established_timeout_ms, 1, 30 * DAY_MS, NULL
};

module_param_cb(established_timeout_ms, &synfin_uint_param_ops, &established_p, 0644);
__MODULE_PARM_TYPE(established_timeout_ms, "uint");
MODULE_PARM_DESC(established_timeout_ms,
		 "Idle timeout of an established connection, 1 to 2592000000 ms (default 432000000, 5 days)");

static struct synfin_uint_param close_timeout_p = {
	&close_timeout_ms, 1, DAY_MS, NULL
};

module_param_cb(close_timeout_ms, &synfin_uint_param_ops, &close_timeout_p, 0644);
__MODULE_PARM_TYPE(close_timeout_ms, "uint");
MODULE_PARM_DESC(close_timeout_ms,
		 "Idle timeout of a connection that is closing, 1 to 86400000 ms (default 120000)");

static struct synfin_uint_param linger_p = {
	&closed_linger_ms, 0, DAY_MS, NULL
};

module_param_cb(closed_linger_ms, &synfin_uint_param_ops, &linger_p, 0644);
__MODULE_PARM_TYPE(closed_linger_ms, "uint");
MODULE_PARM_DESC(closed_linger_ms,
		 "How long an ended connection's flow absorbs late segments, 0 to 86400000 ms (default 10000)");

static struct synfin_uint_param unconfirmed_p = {
	&unconfirmed_timeout_ms, 1, DAY_MS, NULL
};

module_param_cb(unconfirmed_timeout_ms, &synfin_uint_param_ops, &unconfirmed_p, 0644);
__MODULE_PARM_TYPE(unconfirmed_timeout_ms, "uint");
MODULE_PARM_DESC(unconfirmed_timeout_ms,
		 "Longest idle time of a flow seen in one direction only, 1 to 86400000 ms (default 60000)");

static struct synfin_uint_param gc_interval_p = {
	&gc_interval_ms, 10, 60000, gc_interval_changed
};

module_param_cb(gc_interval_ms, &synfin_uint_param_ops, &gc_interval_p, 0644);
__MODULE_PARM_TYPE(gc_interval_ms, "uint");
MODULE_PARM_DESC(gc_interval_ms,
		 "How often idle flows are looked for, 10 to 60000 ms (default 1000)");

/* ---- the table ---- */

/*
 * A flow: the tracking core's connection (track.h) in the RCU hash. Its
 * tuple is fixed before the flow is published and never rewritten, so
 * lockless lookups compare stable fields; the rest of the connection is
 * the flow's lock's.
 */
struct synfin_flow {
	struct hlist_node node;
	struct rcu_head rcu;
	struct net *net;		/* flows are flushed before their netns dies */
	struct synfin_net *sn;
	spinlock_t lock;		/* protects what follows, but c's tuple */
	bool dead;			/* unhashed, waiting for RCU */
	bool selected;			/* its connection's events are wanted */
	unsigned long last_seen;	/* jiffies */
	struct synfin_conn c;
};

#define SYNFIN_LOCKS_MAX	1024
#define SYNFIN_GC_BATCH		64
/*
 * Flows looked at, on average, to make room: the buckets that hold them
 * at the table's fill (8 when max_flows is what the hash was sized for,
 * more when it was lowered at run time), up to SYNFIN_EVICT_BUCKETS_MAX.
 */
#define SYNFIN_EVICT_FLOWS		32
#define SYNFIN_EVICT_BUCKETS_MAX	1024

static struct kmem_cache *flow_cache;
static struct hlist_head *buckets;
static spinlock_t *locks;
static unsigned int bucket_mask;
static unsigned int lock_mask;
static u32 hash_seed __read_mostly;
static atomic_t flow_count = ATOMIC_INIT(0);
/* Of them, the flows of every netns but the initial one. */
static atomic_t guest_count = ATOMIC_INIT(0);
/* The table exists and the sweeper runs: parameter writes may reach it. */
static bool flow_ready;

static void gc_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(gc_work, gc_work_fn);

static spinlock_t *bucket_lock(unsigned int b)
{
	return &locks[b & lock_mask];
}

/* A new interval reaches the sweep already queued. Parameter lock held. */
static void gc_interval_changed(void)
{
	if (flow_ready)
		mod_delayed_work(system_unbound_wq, &gc_work,
				 msecs_to_jiffies(READ_ONCE(gc_interval_ms)));
}

static int max_flows_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v, most = SYNFIN_MAX_FLOWS_LOAD;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	/* Once the hash is sized, a few more flows a bucket at most. */
	if (flow_ready)
		most = min_t(u64, most, (u64)(bucket_mask + 1) *
					SYNFIN_FLOWS_PER_BUCKET_MAX);
	if (v < 1 || v > most) {
		pr_err("max_flows must be from 1 to %u%s, not %u\n", most,
		       flow_ready ? " (the hash was sized at load: reload for more)" : "",
		       v);
		return -EINVAL;
	}
	WRITE_ONCE(max_flows, v);
	return 0;
}

static const struct kernel_param_ops max_flows_ops = {
	.set = max_flows_set,
	.get = param_get_uint,
};

module_param_cb(max_flows, &max_flows_ops, &max_flows, 0644);
__MODULE_PARM_TYPE(max_flows, "uint");
MODULE_PARM_DESC(max_flows,
		 "Most flows tracked at once, 1 to 4194304 at load and up to 16 a hash bucket after; more are evicted or untracked (default 65536)");

/*
 * A share of the table for each netns but the initial one (the host's):
 * one container's connections, real ones included, cannot take every
 * slot. At its share, a netns's new flow may only take the place of one
 * of its own.
 */
static unsigned int netns_flow_share = 50;

static struct synfin_uint_param netns_flow_share_p = {
	&netns_flow_share, 1, 100, NULL
};

module_param_cb(netns_flow_share, &synfin_uint_param_ops, &netns_flow_share_p, 0644);
__MODULE_PARM_TYPE(netns_flow_share, "uint");
MODULE_PARM_DESC(netns_flow_share,
		 "Percent of max_flows that one network namespace other than the initial one may hold, 1 to 100 (default 50)");

/*
 * What every netns but the initial one may hold together: all but
 * host_flow_reserve percent of max_flows. Each may make namespaces of
 * its own (an unprivileged user can), so a share each is not enough: the
 * host's new connections keep this part of the table whatever they do.
 */
static unsigned int host_flow_reserve = 25;

static struct synfin_uint_param host_flow_reserve_p = {
	&host_flow_reserve, 0, 99, NULL
};

module_param_cb(host_flow_reserve, &synfin_uint_param_ops, &host_flow_reserve_p, 0644);
__MODULE_PARM_TYPE(host_flow_reserve, "uint");
MODULE_PARM_DESC(host_flow_reserve,
		 "Percent of max_flows that only the initial network namespace's flows may take, 0 to 99 (default 25)");

/* Is @net one of the namespaces held to shares (all but the initial one)? */
static bool net_is_guest(const struct net *net)
{
	return !net_eq(net, &init_net);
}

/* The same hash for both directions: the endpoints are ordered first. */
static u32 tuple_hash(const struct net *net, const struct synfin_packet *p)
{
	u32 seed = hash_seed ^ net_hash_mix(net);
	const union synfin_addr *lo = &p->saddr, *hi = &p->daddr;
	u16 plo = p->sport, phi = p->dport;
	u32 key[9];
	int cmp;

	if (p->family == AF_INET) {
		u32 s = (__force u32)p->saddr.v4;
		u32 d = (__force u32)p->daddr.v4;

		if (s < d || (s == d && p->sport <= p->dport))
			return jhash_3words(s, d,
					    (u32)p->sport << 16 | p->dport,
					    seed);
		return jhash_3words(d, s, (u32)p->dport << 16 | p->sport,
				    seed);
	}
	cmp = memcmp(p->saddr.b, p->daddr.b, sizeof(p->saddr.b));
	if (cmp > 0 || (cmp == 0 && p->sport > p->dport)) {
		lo = &p->daddr;
		hi = &p->saddr;
		plo = p->dport;
		phi = p->sport;
	}
	memcpy(key, lo->w, sizeof(lo->w));
	memcpy(key + 4, hi->w, sizeof(hi->w));
	key[8] = (u32)plo << 16 | phi;
	return jhash2(key, ARRAY_SIZE(key), seed);
}

/*
 * Does @pkt belong to @flow? *@from_a tells whether endpoint a sent it.
 * Reads only what never changes after the flow is made: safe unlocked.
 */
static bool flow_match(const struct synfin_flow *flow, const struct net *net,
		       const struct synfin_pkt *pkt, bool *from_a)
{
	return flow->net == net && synfin_track_match(&flow->c, &pkt->p, from_a);
}

static struct synfin_flow *flow_find(struct net *net,
				     const struct synfin_pkt *pkt,
				     unsigned int b, bool *from_a)
{
	struct synfin_flow *flow;

	hlist_for_each_entry_rcu(flow, &buckets[b], node)
		if (flow_match(flow, net, pkt, from_a))
			return flow;
	return NULL;
}

/*
 * The tracking core's clock: an event's timestamp (struct synfin_rec's
 * ts_ns), taken once for each event a flow makes, heard or not, for the
 * summary its final event carries.
 */
u64 synfin_track_now(void *ctx)
{
	return ktime_get_ns();
}

/*
 * The tracking core: a connection begins on @c, of the flow @ctx, whose
 * lock is held.
 */
void synfin_track_begun(void *ctx, struct synfin_conn *c)
{
	struct synfin_flow *flow = ctx;

	c->id = atomic64_inc_return(&flow->sn->next_conn);
	/* Once a connection: a later selection is for later connections. */
	flow->selected = synfin_selected(&flow->sn->selections, c);
	synfin_stat_inc(flow->sn, flows_created);
}

/*
 * The tracking core: record an event of @c, of the flow @ctx, whose lock
 * is held with BH disabled.
 */
void synfin_track_emit(void *ctx, struct synfin_conn *c,
		       const struct synfin_track_event *ev)
{
	struct synfin_flow *flow = ctx;
	struct synfin_net *sn = flow->sn;
	struct synfin_rec *rec;

	if (!flow->selected) {
		/* No reader's selection wants it: counted, never queued. */
		synfin_stat_inc(sn, events_unselected);
		return;
	}
	if (!synfin_drain_listening(sn)) {
		/*
		 * No reader in the netns: counted, not queued for the drain
		 * (and written, in stats: one counter, exact by itself).
		 */
		synfin_stat_inc(sn, events_unheard);
		return;
	}
	rec = synfin_drain_reserve();
	if (!rec) {
		/* Reported to this netns's readers as lost by the drain. */
		synfin_stat_inc(sn, events_dropped);
		synfin_drain_kick();
		return;
	}
	rec->ts_ns = ev->ts_ns;
	rec->conn = c->id;
	rec->net = flow->net;
	synfin_track_fill(c, ev, &rec->ev);
	/*
	 * Counted before it is published: the drain cannot send it first,
	 * so a snapshot never shows more sent than written.
	 */
	synfin_stat_inc(sn, events_written);
	synfin_drain_commit();
}

/* End @flow's connection without a segment, if it has not ended. */
static void flow_end(struct synfin_flow *flow, u8 reason)
{
	synfin_track_end(flow, &flow->c, reason);
}

/* Unhash @flow; bucket lock and flow lock held. */
static void flow_unlink(struct synfin_flow *flow)
{
	flow->dead = true;
	hlist_del_rcu(&flow->node);
	atomic_dec(&flow_count);
	if (net_is_guest(flow->net))
		atomic_dec(&guest_count);
	atomic_dec(&flow->sn->flows);
	atomic_inc(&flow->sn->flows_gen);
}

static void flow_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(flow_cache, container_of(head, struct synfin_flow, rcu));
}

/*
 * call_rcu() rather than kfree_rcu(): rcu_barrier() waits for the former
 * only, and the cache must be empty when the module goes.
 */
static void flow_free(struct synfin_flow *flow)
{
	call_rcu(&flow->rcu, flow_free_rcu);
}

/* How readily @flow may go for a new flow of @net (track.h). */
static int evict_rank(const struct synfin_flow *flow, const struct net *net)
{
	return synfin_track_evict_rank(&flow->c, flow->net == net);
}

/* Which flows may make room for a new one. */
enum evict_among {
	EVICT_ANY,		/* the table is full */
	EVICT_OWN,		/* its netns is at its share: one of its own */
	EVICT_GUESTS,		/* the other netns at theirs: one of theirs */
};

/* May @flow go for a new flow of @net, looked for @among? (Fixed fields.) */
static bool evict_candidate(const struct synfin_flow *flow,
			    const struct net *net, enum evict_among among)
{
	switch (among) {
	case EVICT_OWN:
		return flow->net == net;
	case EVICT_GUESTS:
		return net_is_guest(flow->net);
	default:
		return true;
	}
}

/*
 * Bucket @b's lock held: evict its least valuable flow for a new flow of
 * @net, if one may go (of those @among says). The rank is checked again
 * under the victim's lock, for a segment may have confirmed it
 * meanwhile.
 */
static bool evict_from(unsigned int b, const struct net *net,
		       enum evict_among among)
{
	struct synfin_flow *flow, *victim = NULL;
	int best = SYNFIN_EVICT_NEVER;

	unsigned long oldest = 0;

	hlist_for_each_entry(flow, &buckets[b], node) {
		unsigned long seen;
		int rank;

		if (!evict_candidate(flow, net, among))
			continue;
		spin_lock(&flow->lock);
		rank = evict_rank(flow, net);
		seen = flow->last_seen;
		spin_unlock(&flow->lock);
		if (rank > best || (rank && rank == best &&
				    time_before(seen, oldest))) {
			best = rank;
			victim = flow;
			oldest = seen;
		}
	}
	if (!victim)
		return false;
	spin_lock(&victim->lock);
	if (evict_rank(victim, net) < best) {
		spin_unlock(&victim->lock);
		return false;
	}
	flow_end(victim, SYNFIN_END_EVICTED);
	flow_unlink(victim);
	synfin_stat_inc(victim->sn, flows_evicted);
	spin_unlock(&victim->lock);
	flow_free(victim);
	return true;
}

/*
 * Bucket @b's lock held: evict one flow that may go from @b or the next
 * buckets, enough of them to hold SYNFIN_EVICT_FLOWS flows on average of
 * the @n that are candidates (of those @among says).
 * Their locks are only tried, never waited for, so two CPUs evicting at
 * once cannot deadlock.
 */
static bool flow_evict(unsigned int b, const struct net *net,
		       enum evict_among among, unsigned int n)
{
	u64 want = div_u64((u64)SYNFIN_EVICT_FLOWS * (bucket_mask + 1),
			   max(n, 1U));
	unsigned int range = clamp_t(u64, want, 8, SYNFIN_EVICT_BUCKETS_MAX);
	unsigned int i;

	range = min(range, bucket_mask + 1);
	for (i = 0; i < range; i++) {
		unsigned int vb = (b + i) & bucket_mask;
		spinlock_t *lock = bucket_lock(vb);
		bool done = false;

		/* A sparse table: most buckets are empty, and not locked. */
		if (hlist_empty(&buckets[vb]))
			continue;
		if (lock == bucket_lock(b)) {
			done = evict_from(vb, net, among);
		} else if (spin_trylock(lock)) {
			done = evict_from(vb, net, among);
			spin_unlock(lock);
		}
		if (done)
			return true;
	}
	return false;
}

/* A segment of a flow the table refused: counted, and its SYN as a flow. */
static void flow_untracked(struct synfin_net *sn, const struct synfin_pkt *pkt)
{
	synfin_stat_inc(sn, segments_untracked);
	if (synfin_seg_is_syn(&pkt->p.seg))
		synfin_stat_inc(sn, flows_untracked);
}

/*
 * Flow lock held: must @pkt's checksum be verified before it is applied?
 * Only where it could move a state: a SYN, FIN or RST, or any segment
 * while the connection is opening or closing. Bulk data pays nothing.
 */
static bool flow_needs_csum(const struct synfin_flow *flow,
			    const struct synfin_pkt *pkt)
{
	const struct synfin_fsm *f = &flow->c.fsm;

	if (pkt->p.seg.flags & (SYNFIN_TCP_SYN | SYNFIN_TCP_FIN | SYNFIN_TCP_RST))
		return true;
	/* A segment that would confirm a flow: it keeps the slot. */
	if (!synfin_fsm_confirmed(f))
		return true;
	return f->state[SYNFIN_CLIENT] != SYNFIN_ST_ESTABLISHED ||
	       f->state[SYNFIN_SERVER] != SYNFIN_ST_ESTABLISHED;
}

/*
 * Apply @pkt to @flow, whose lock is held; @from_a as flow_match() said.
 * A flow just made (@created) starts its connection with @pkt.
 */
static void flow_process(struct synfin_flow *flow, struct synfin_pkt *pkt,
			 bool from_a, bool created)
{
	if (!created && flow_needs_csum(flow, pkt) && synfin_pkt_csum_bad(pkt)) {
		/* The host drops it: so does the state machine. */
		synfin_stat_inc(flow->sn, bad_checksum);
		return;
	}
	if (created)
		synfin_track_first(flow, &flow->c, &pkt->p);
	else
		synfin_track_segment(flow, &flow->c, &pkt->p, from_a);
	flow->last_seen = jiffies;
}

/*
 * Find the flow of @pkt or make it, under the bucket lock (BH already
 * disabled by the caller). A flow made here is started with @pkt, and
 * @pkt applied, before its lock is let go: no other CPU can evict or use
 * it first. Returns the flow found, to be locked and used by the caller;
 * NULL with *@done set if @pkt made a flow and was applied; NULL if there
 * is no room.
 */
static struct synfin_flow *flow_create(struct net *net, struct synfin_net *sn,
				       struct synfin_pkt *pkt, unsigned int b,
				       bool *from_a, bool *done)
{
	struct synfin_track_limits lim = {
		.max_flows = READ_ONCE(max_flows),
		.owner_share = READ_ONCE(netns_flow_share),
		.host_reserve = READ_ONCE(host_flow_reserve),
	};
	struct synfin_track_fill fill;
	struct synfin_flow *flow;
	bool room = true;

	*done = false;
	spin_lock(bucket_lock(b));
	flow = flow_find(net, pkt, b, from_a);
	if (flow)
		goto out;
	fill.total = atomic_read(&flow_count);
	fill.mine = atomic_read(&sn->flows);
	fill.guest = net_is_guest(net);
	fill.guests = fill.guest ? atomic_read(&guest_count) : 0;
	switch (synfin_track_admit(&fill, &lim)) {
	case SYNFIN_ADMIT_EVICT_OWN:
		room = flow_evict(b, net, EVICT_OWN, fill.mine);
		break;
	case SYNFIN_ADMIT_EVICT_GUESTS:
		room = flow_evict(b, net, EVICT_GUESTS, fill.guests);
		break;
	case SYNFIN_ADMIT_EVICT_ANY:
		room = flow_evict(b, net, EVICT_ANY, lim.max_flows);
		break;
	case SYNFIN_ADMIT:
		break;
	}
	if (!room)
		goto out;
	flow = kmem_cache_zalloc(flow_cache, GFP_ATOMIC);
	if (!flow)
		goto out;
	spin_lock_init(&flow->lock);
	flow->net = net;
	flow->sn = sn;
	synfin_track_tuple(&flow->c, &pkt->p);
	flow->last_seen = jiffies;
	spin_lock(&flow->lock);
	hlist_add_head_rcu(&flow->node, &buckets[b]);
	atomic_inc(&flow_count);
	if (net_is_guest(net))
		atomic_inc(&guest_count);
	atomic_inc(&sn->flows);
	atomic_inc(&sn->flows_gen);
	spin_unlock(bucket_lock(b));
	flow_process(flow, pkt, true, true);
	spin_unlock(&flow->lock);
	*done = true;
	return NULL;
out:
	spin_unlock(bucket_lock(b));
	return flow;
}

void synfin_flow_segment(struct net *net, struct synfin_net *sn,
			 struct synfin_pkt *pkt)
{
	unsigned int b = tuple_hash(net, &pkt->p) & bucket_mask;
	struct synfin_flow *flow;
	bool done, from_a;
	int tries;

	local_bh_disable();
	for (tries = 0; tries < 2; tries++) {
		flow = flow_find(net, pkt, b, &from_a);
		if (!flow) {
			/* A first segment the host would drop makes no flow. */
			if (synfin_pkt_csum_bad(pkt)) {
				synfin_stat_inc(sn, bad_checksum);
				goto out;
			}
			flow = flow_create(net, sn, pkt, b, &from_a, &done);
			if (done)
				goto out;
			if (!flow)
				break;
		}
		spin_lock(&flow->lock);
		if (!flow->dead) {
			flow_process(flow, pkt, from_a, false);
			spin_unlock(&flow->lock);
			goto out;
		}
		/* Removed since we found it: look again. */
		spin_unlock(&flow->lock);
	}
	flow_untracked(sn, pkt);
out:
	local_bh_enable();
}

/* Flow lock held: has @flow been idle past the timeout of its states? */
static bool flow_expired(const struct synfin_flow *flow, u8 *reason)
{
	const u32 ms[SYNFIN_TO_COUNT] = {
		[SYNFIN_TO_LINGER] = READ_ONCE(closed_linger_ms),
		[SYNFIN_TO_SYN] = READ_ONCE(syn_timeout_ms),
		[SYNFIN_TO_ESTABLISHED] = READ_ONCE(established_timeout_ms),
		[SYNFIN_TO_CLOSE] = READ_ONCE(close_timeout_ms),
		[SYNFIN_TO_TIME_WAIT] = READ_ONCE(time_wait_ms),
		[SYNFIN_TO_UNCONFIRMED] = READ_ONCE(unconfirmed_timeout_ms),
	};
	unsigned long timeout;

	timeout = msecs_to_jiffies(synfin_track_timeout_ms(&flow->c, ms));
	if (time_before(jiffies, flow->last_seen + timeout))
		return false;
	*reason = synfin_track_idle_reason(&flow->c);
	return true;
}

/* Remove flows of @net (or all) that @expire_only says are expired. */
static void flow_sweep(struct net *net, bool expire_only)
{
	unsigned int b;

	for (b = 0; b <= bucket_mask; b++) {
		struct synfin_flow *flow;
		struct hlist_node *tmp;

		if (hlist_empty(&buckets[b]))
			goto next;
		spin_lock_bh(bucket_lock(b));
		hlist_for_each_entry_safe(flow, tmp, &buckets[b], node) {
			u8 reason = SYNFIN_END_NONE;

			if (net && flow->net != net)
				continue;
			spin_lock(&flow->lock);
			if (expire_only && !flow_expired(flow, &reason)) {
				spin_unlock(&flow->lock);
				continue;
			}
			if (expire_only) {
				flow_end(flow, reason);
				synfin_stat_inc(flow->sn, flows_timed_out);
			}
			flow_unlink(flow);
			spin_unlock(&flow->lock);
			flow_free(flow);
		}
		spin_unlock_bh(bucket_lock(b));
next:
		if ((b % SYNFIN_GC_BATCH) == SYNFIN_GC_BATCH - 1)
			cond_resched();
	}
}

static void gc_work_fn(struct work_struct *work)
{
	flow_sweep(NULL, true);
	queue_delayed_work(system_unbound_wq, &gc_work,
			   msecs_to_jiffies(READ_ONCE(gc_interval_ms)));
}

void synfin_flow_flush(struct net *net)
{
	flow_sweep(net, false);
}

u32 synfin_flows_active(void)
{
	return atomic_read(&flow_count);
}

static void flow_snapshot(struct synfin_flow *flow,
			  struct synfin_flow_snapshot *info)
{
	const union synfin_addr *caddr, *saddr;

	spin_lock_bh(&flow->lock);
	info->conn = flow->c.id;
	info->first_ns = flow->c.sum.first_ns;
	info->last_ns = ktime_get_ns() -
			jiffies_to_nsecs(jiffies - flow->last_seen);
	synfin_track_ends(&flow->c, &caddr, &info->cport, &saddr, &info->sport);
	info->caddr = *caddr;
	info->saddr = *saddr;
	info->family = flow->c.family;
	info->events = flow->c.next_index;
	info->fsm = flow->c.fsm;
	spin_unlock_bh(&flow->lock);
}

int synfin_flow_walk(struct net *net, unsigned long *bucket,
		     unsigned long *skip, synfin_flow_fill_t fill, void *arg)
{
	struct synfin_flow_snapshot info;
	int err = 0;

	for (; *bucket <= bucket_mask; (*bucket)++, *skip = 0) {
		struct synfin_flow *flow;
		unsigned long i = 0;

		rcu_read_lock();
		hlist_for_each_entry_rcu(flow, &buckets[*bucket], node) {
			if (flow->net != net || i++ < *skip)
				continue;
			flow_snapshot(flow, &info);
			err = fill(&info, arg);
			if (err) {
				rcu_read_unlock();
				return err;
			}
			(*skip)++;
		}
		rcu_read_unlock();
	}
	return 0;
}

int synfin_flow_init(void)
{
	unsigned int nbuckets, nlocks, i;

	/*
	 * About four flows per bucket when the table is full. The parameter
	 * lock keeps max_flows as it is sized for until flow_ready says
	 * writes are bounded by the hash.
	 */
	kernel_param_lock(THIS_MODULE);
	nbuckets = roundup_pow_of_two(max(max_flows / 4, 1U));
	nlocks = min_t(unsigned int, nbuckets, SYNFIN_LOCKS_MAX);

	flow_cache = KMEM_CACHE(synfin_flow, 0);
	if (!flow_cache)
		goto err_unlock;
	buckets = kvcalloc(nbuckets, sizeof(*buckets), GFP_KERNEL);
	if (!buckets)
		goto err_cache;
	locks = kvcalloc(nlocks, sizeof(*locks), GFP_KERNEL);
	if (!locks)
		goto err_buckets;

	for (i = 0; i < nbuckets; i++)
		INIT_HLIST_HEAD(&buckets[i]);
	for (i = 0; i < nlocks; i++)
		spin_lock_init(&locks[i]);
	bucket_mask = nbuckets - 1;
	lock_mask = nlocks - 1;
	hash_seed = get_random_u32();

	flow_ready = true;
	queue_delayed_work(system_unbound_wq, &gc_work,
			   msecs_to_jiffies(gc_interval_ms));
	kernel_param_unlock(THIS_MODULE);
	return 0;

err_buckets:
	kvfree(buckets);
err_cache:
	kmem_cache_destroy(flow_cache);
err_unlock:
	kernel_param_unlock(THIS_MODULE);
	return -ENOMEM;
}

void synfin_flow_exit(void)
{
	/* No parameter write may queue the sweep again from here on. */
	kernel_param_lock(THIS_MODULE);
	flow_ready = false;
	kernel_param_unlock(THIS_MODULE);
	cancel_delayed_work_sync(&gc_work);
	synfin_flow_flush(NULL);
	/* Wait for flow_free_rcu() before the cache goes away. */
	rcu_barrier();
	kvfree(locks);
	kvfree(buckets);
	kmem_cache_destroy(flow_cache);
}
