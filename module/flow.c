// SPDX-License-Identifier: GPL-2.0
/*
 * Flow table: an RCU hash of TCP flows keyed by network namespace and the
 * 5-tuple, both directions mapping to one flow. Lookups are lockless;
 * insertion and removal take a striped bucket lock; the state machine of
 * each flow runs under the flow's own lock. The table holds at most
 * max_flows flows: when it is full, a flow that is not carrying an open
 * connection is evicted from the new flow's bucket or the few after it,
 * or the new flow is not tracked; both are counted. A periodic worker ends idle flows.
 */
#include <linux/atomic.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>
#include <net/netns/hash.h>

#include "flow.h"
#include "main.h"
#include "netlink.h"

struct synfin_flow {
	struct hlist_node node;
	struct rcu_head rcu;
	spinlock_t lock;		/* protects everything below */
	struct net *net;		/* flows are flushed before their netns dies */
	u64 conn;
	u64 first_ns;
	unsigned long last_seen;	/* jiffies */
	union synfin_addr caddr;
	union synfin_addr saddr;
	u16 cport;
	u16 sport;
	u8 family;
	bool dead;			/* unhashed, waiting for RCU */
	u32 next_index;
	struct synfin_fsm fsm;
};

#define SYNFIN_LOCKS_MAX	1024
#define SYNFIN_GC_BATCH		64
#define SYNFIN_EVICT_RANGE	8	/* buckets looked at to make room */

static struct kmem_cache *flow_cache;
static struct hlist_head *buckets;
static spinlock_t *locks;
static unsigned int bucket_mask;
static unsigned int lock_mask;
static u32 hash_seed __read_mostly;
static atomic_t flow_count = ATOMIC_INIT(0);
static atomic64_t next_conn = ATOMIC64_INIT(0);

static void gc_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(gc_work, gc_work_fn);

static spinlock_t *bucket_lock(unsigned int b)
{
	return &locks[b & lock_mask];
}

/* The same hash for both directions: the endpoints are ordered first. */
static u32 tuple_hash(const struct net *net, const struct synfin_pkt *pkt)
{
	u32 seed = hash_seed ^ net_hash_mix(net);
	struct {
		struct in6_addr a;
		struct in6_addr b;
		u32 ports;
	} key;
	int cmp;

	if (pkt->family == AF_INET) {
		u32 s = (__force u32)pkt->saddr.v4;
		u32 d = (__force u32)pkt->daddr.v4;

		if (s < d || (s == d && pkt->sport <= pkt->dport))
			return jhash_3words(s, d,
					    (u32)pkt->sport << 16 | pkt->dport,
					    seed);
		return jhash_3words(d, s, (u32)pkt->dport << 16 | pkt->sport,
				    seed);
	}
	cmp = memcmp(&pkt->saddr.v6, &pkt->daddr.v6, sizeof(key.a));
	if (cmp < 0 || (cmp == 0 && pkt->sport <= pkt->dport)) {
		key.a = pkt->saddr.v6;
		key.b = pkt->daddr.v6;
		key.ports = (u32)pkt->sport << 16 | pkt->dport;
	} else {
		key.a = pkt->daddr.v6;
		key.b = pkt->saddr.v6;
		key.ports = (u32)pkt->dport << 16 | pkt->sport;
	}
	return jhash2((const u32 *)&key, sizeof(key) / sizeof(u32), seed);
}

/* IPv4 addresses fill the union's first word and zero the rest. */
static __always_inline bool endpoint_eq(const union synfin_addr *a, u16 pa,
					const union synfin_addr *b, u16 pb)
{
	return pa == pb && ipv6_addr_equal(&a->v6, &b->v6);
}

/* Does @pkt belong to @flow, and if so which side sent it? */
static bool flow_match(const struct synfin_flow *flow, const struct net *net,
		       const struct synfin_pkt *pkt, enum synfin_side *from)
{
	if (flow->net != net || flow->family != pkt->family)
		return false;
	if (endpoint_eq(&pkt->saddr, pkt->sport, &flow->caddr, flow->cport) &&
	    endpoint_eq(&pkt->daddr, pkt->dport, &flow->saddr, flow->sport)) {
		*from = SYNFIN_CLIENT;
		return true;
	}
	if (endpoint_eq(&pkt->saddr, pkt->sport, &flow->saddr, flow->sport) &&
	    endpoint_eq(&pkt->daddr, pkt->dport, &flow->caddr, flow->cport)) {
		*from = SYNFIN_SERVER;
		return true;
	}
	return false;
}

static struct synfin_flow *flow_find(struct net *net,
				     const struct synfin_pkt *pkt,
				     unsigned int b, enum synfin_side *from)
{
	struct synfin_flow *flow;

	hlist_for_each_entry_rcu(flow, &buckets[b], node)
		if (flow_match(flow, net, pkt, from))
			return flow;
	return NULL;
}

/* Record an event for @flow, whose lock is held with BH disabled. */
static void flow_emit(struct synfin_flow *flow, u8 type,
		      const struct synfin_pkt *pkt, enum synfin_side from,
		      const struct synfin_fsm_result *res, u8 reason)
{
	/* The index counts dropped events too: a gap shows the loss. */
	u32 index = flow->next_index++;
	struct synfin_rec *rec;

	if (!synfin_nl_listening(flow->net)) {
		/* No reader anywhere: counted, not queued for the drain. */
		synfin_stat_inc(events_written);
		synfin_stat_inc(events_unheard);
		return;
	}
	rec = synfin_ring_reserve(flow->net);
	if (!rec)
		return;

	rec->ts_ns = ktime_get_ns();
	rec->conn = flow->conn;
	rec->net = flow->net;
	rec->index = index;
	rec->type = type;
	rec->family = flow->family;
	rec->reason = reason;
	rec->state[SYNFIN_CLIENT] = flow->fsm.state[SYNFIN_CLIENT];
	rec->state[SYNFIN_SERVER] = flow->fsm.state[SYNFIN_SERVER];
	rec->isn[SYNFIN_CLIENT] = flow->fsm.isn[SYNFIN_CLIENT];
	rec->isn[SYNFIN_SERVER] = flow->fsm.isn[SYNFIN_SERVER];
	rec->isn_known = flow->fsm.flags &
			 (SYNFIN_ISN_CLIENT | SYNFIN_ISN_SERVER);
	rec->ntrans = res->ntrans;
	memcpy(rec->trans, res->trans, sizeof(rec->trans));
	rec->anomalies = res->anomalies;
	if (synfin_fsm_ended(&flow->fsm)) {
		/* The last event of a connection says how Zeek would log it. */
		rec->conn_state = synfin_fsm_conn_state(&flow->fsm);
		memcpy(rec->history, flow->fsm.history, sizeof(rec->history));
		memcpy(rec->segs, flow->fsm.segs, sizeof(rec->segs));
		memcpy(rec->bytes, flow->fsm.bytes, sizeof(rec->bytes));
	} else {
		rec->conn_state = SYNFIN_CS_NONE;
		rec->history[0] = '\0';
	}
	if (pkt) {
		rec->saddr = pkt->saddr;
		rec->daddr = pkt->daddr;
		rec->sport = pkt->sport;
		rec->dport = pkt->dport;
		rec->from = from;
		rec->flags = pkt->seg.flags;
		rec->seq = pkt->seg.seq;
		rec->ack = pkt->seg.ack;
		rec->win = pkt->seg.win;
		rec->len = pkt->seg.len;
	} else {
		/* No segment: describe the connection client to server. */
		rec->saddr = flow->caddr;
		rec->daddr = flow->saddr;
		rec->sport = flow->cport;
		rec->dport = flow->sport;
		rec->from = SYNFIN_CLIENT;
		rec->flags = 0;
		rec->seq = 0;
		rec->ack = 0;
		rec->win = 0;
		rec->len = 0;
	}
	synfin_ring_commit();
}

/* End @flow's connection without a segment, if it has not ended. */
static void flow_end(struct synfin_flow *flow, u8 reason)
{
	struct synfin_fsm_result res;

	if (synfin_fsm_ended(&flow->fsm))
		return;
	synfin_fsm_close(&flow->fsm, &res);
	flow_emit(flow, SYNFIN_EV_TIMEOUT, NULL, 0, &res, reason);
}

/* Start a new connection on @flow with @pkt, its first segment. */
static void flow_start(struct synfin_flow *flow, const struct synfin_pkt *pkt)
{
	enum synfin_side from = synfin_fsm_init(&flow->fsm, &pkt->seg);

	flow->conn = atomic64_inc_return(&next_conn);
	flow->first_ns = ktime_get_ns();
	flow->next_index = 0;
	flow->family = pkt->family;
	if (from == SYNFIN_CLIENT) {
		flow->caddr = pkt->saddr;
		flow->cport = pkt->sport;
		flow->saddr = pkt->daddr;
		flow->sport = pkt->dport;
	} else {
		flow->caddr = pkt->daddr;
		flow->cport = pkt->dport;
		flow->saddr = pkt->saddr;
		flow->sport = pkt->sport;
	}
	synfin_stat_inc(flows_created);
}

/* Unhash @flow; bucket lock and flow lock held. */
static void flow_unlink(struct synfin_flow *flow)
{
	flow->dead = true;
	hlist_del_rcu(&flow->node);
	atomic_dec(&flow_count);
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

/* Eviction preference: 0 = never, higher = evict first. */
static int evict_rank(const struct synfin_fsm *f)
{
	if (synfin_fsm_reusable(f))
		return 3;
	if (f->state[SYNFIN_CLIENT] <= SYNFIN_ST_SYN_RCVD ||
	    f->state[SYNFIN_SERVER] <= SYNFIN_ST_SYN_RCVD)
		return 2;
	return 0;
}

/* Bucket @b's lock held: its least valuable flow, if any may go. */
static struct synfin_flow *evict_candidate(unsigned int b)
{
	struct synfin_flow *flow, *victim = NULL;
	int best = 0;

	hlist_for_each_entry(flow, &buckets[b], node) {
		int rank;

		spin_lock(&flow->lock);
		rank = evict_rank(&flow->fsm);
		spin_unlock(&flow->lock);
		if (rank > best || (rank && rank == best &&
				    time_before(flow->last_seen,
						victim->last_seen))) {
			best = rank;
			victim = flow;
		}
	}
	return victim;
}

/* Bucket @b's lock held: evict its least valuable flow, if it has one. */
static bool evict_from(unsigned int b)
{
	struct synfin_flow *victim = evict_candidate(b);

	if (!victim)
		return false;
	spin_lock(&victim->lock);
	flow_end(victim, SYNFIN_END_EVICTED);
	flow_unlink(victim);
	spin_unlock(&victim->lock);
	flow_free(victim);
	synfin_stat_inc(flows_evicted);
	return true;
}

/*
 * Bucket @b's lock held: evict one flow that carries no open connection
 * from @b or the next buckets. Their locks are only tried, never waited
 * for, so two CPUs evicting at once cannot deadlock.
 */
static bool flow_evict(unsigned int b)
{
	unsigned int range = min_t(unsigned int, SYNFIN_EVICT_RANGE,
				   bucket_mask + 1);
	unsigned int i;

	for (i = 0; i < range; i++) {
		unsigned int vb = (b + i) & bucket_mask;
		spinlock_t *lock = bucket_lock(vb);
		bool done = false;

		if (lock == bucket_lock(b)) {
			done = evict_from(vb);
		} else if (spin_trylock(lock)) {
			done = evict_from(vb);
			spin_unlock(lock);
		}
		if (done)
			return true;
	}
	return false;
}

/*
 * Find or create the flow of @pkt, under the bucket lock (BH already
 * disabled by the caller). *@created tells whether it is new.
 */
static struct synfin_flow *flow_create(struct net *net,
				       const struct synfin_pkt *pkt,
				       unsigned int b, bool *created)
{
	struct synfin_flow *flow;
	enum synfin_side from;

	*created = false;
	spin_lock(bucket_lock(b));
	flow = flow_find(net, pkt, b, &from);
	if (flow)
		goto out;
	if (atomic_read(&flow_count) >= READ_ONCE(synfin_max_flows) &&
	    !flow_evict(b)) {
		synfin_stat_inc(flows_untracked);
		goto out;
	}
	flow = kmem_cache_zalloc(flow_cache, GFP_ATOMIC);
	if (!flow) {
		synfin_stat_inc(flows_untracked);
		goto out;
	}
	spin_lock_init(&flow->lock);
	flow->net = net;
	flow_start(flow, pkt);
	flow->last_seen = jiffies;
	hlist_add_head_rcu(&flow->node, &buckets[b]);
	atomic_inc(&flow_count);
	*created = true;
out:
	spin_unlock(bucket_lock(b));
	return flow;
}

/* Apply @pkt to @flow, whose lock is held. */
static void flow_process(struct synfin_flow *flow, const struct synfin_pkt *pkt,
			 enum synfin_side from, bool created)
{
	struct synfin_fsm_result res;

	if (!created && synfin_seg_is_syn(&pkt->seg) &&
	    synfin_fsm_reusable(&flow->fsm)) {
		/* A new connection on the 4-tuple of an ended one. */
		flow_end(flow, SYNFIN_END_REUSED);
		flow_start(flow, pkt);
		from = SYNFIN_CLIENT;
	}

	synfin_fsm_segment(&flow->fsm, from, &pkt->seg, &res);
	if (synfin_fsm_reportable(&pkt->seg, &res))
		flow_emit(flow, SYNFIN_EV_SEGMENT, pkt, from, &res,
			  SYNFIN_END_NONE);
	flow->last_seen = jiffies;
}

void synfin_flow_segment(struct net *net, const struct synfin_pkt *pkt)
{
	unsigned int b = tuple_hash(net, pkt) & bucket_mask;
	struct synfin_flow *flow;
	enum synfin_side from;
	bool created = false;
	int tries;

	local_bh_disable();
	for (tries = 0; tries < 2; tries++) {
		flow = flow_find(net, pkt, b, &from);
		if (!flow)
			flow = flow_create(net, pkt, b, &created);
		if (!flow)
			goto out;
		spin_lock(&flow->lock);
		if (!flow->dead && flow_match(flow, net, pkt, &from)) {
			flow_process(flow, pkt, from, created);
			spin_unlock(&flow->lock);
			goto out;
		}
		/* Removed since we found it: look again. */
		spin_unlock(&flow->lock);
	}
	synfin_stat_inc(flows_untracked);
out:
	local_bh_enable();
}

/* Flow lock held: has @flow been idle past the timeout of its states? */
static bool flow_expired(const struct synfin_flow *flow, u8 *reason)
{
	const u32 ms[SYNFIN_TO_COUNT] = {
		[SYNFIN_TO_LINGER] = READ_ONCE(synfin_closed_linger_ms),
		[SYNFIN_TO_SYN] = READ_ONCE(synfin_syn_timeout_ms),
		[SYNFIN_TO_ESTABLISHED] = READ_ONCE(synfin_established_timeout_ms),
		[SYNFIN_TO_CLOSE] = READ_ONCE(synfin_close_timeout_ms),
		[SYNFIN_TO_TIME_WAIT] = READ_ONCE(synfin_time_wait_ms),
	};
	unsigned long timeout;

	timeout = msecs_to_jiffies(synfin_fsm_timeout_ms(&flow->fsm, ms));
	if (time_before(jiffies, flow->last_seen + timeout))
		return false;
	*reason = synfin_fsm_reusable(&flow->fsm) ? SYNFIN_END_TIME_WAIT :
						    SYNFIN_END_IDLE;
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
				synfin_stat_inc(flows_timed_out);
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
			   msecs_to_jiffies(READ_ONCE(synfin_gc_interval_ms)));
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
			  struct synfin_flow_info *info)
{
	spin_lock_bh(&flow->lock);
	info->conn = flow->conn;
	info->first_ns = flow->first_ns;
	info->last_ns = ktime_get_ns() -
			jiffies_to_nsecs(jiffies - flow->last_seen);
	info->caddr = flow->caddr;
	info->saddr = flow->saddr;
	info->cport = flow->cport;
	info->sport = flow->sport;
	info->family = flow->family;
	info->events = flow->next_index;
	info->fsm = flow->fsm;
	spin_unlock_bh(&flow->lock);
}

int synfin_flow_walk(struct net *net, unsigned long *bucket,
		     unsigned long *skip, synfin_flow_fill_t fill, void *arg)
{
	struct synfin_flow_info info;
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

	/* About four flows per bucket when the table is full. */
	nbuckets = roundup_pow_of_two(max(synfin_max_flows / 4, 1U));
	nlocks = min_t(unsigned int, nbuckets, SYNFIN_LOCKS_MAX);

	flow_cache = KMEM_CACHE(synfin_flow, 0);
	if (!flow_cache)
		return -ENOMEM;
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

	queue_delayed_work(system_unbound_wq, &gc_work,
			   msecs_to_jiffies(synfin_gc_interval_ms));
	return 0;

err_buckets:
	kvfree(buckets);
err_cache:
	kmem_cache_destroy(flow_cache);
	return -ENOMEM;
}

void synfin_flow_exit(void)
{
	cancel_delayed_work_sync(&gc_work);
	synfin_flow_flush(NULL);
	/* Wait for flow_free_rcu() before the cache goes away. */
	rcu_barrier();
	kvfree(locks);
	kvfree(buckets);
	kmem_cache_destroy(flow_cache);
}
