// SPDX-License-Identifier: GPL-2.0
/*
 * The drain: the flows write events into per-CPU rings (ring.c); a
 * worker takes them out in timestamp order and multicasts them in
 * batches into the namespace each belongs to (netlink.c makes the
 * messages), followed by a "lost" notice per CPU for the events that
 * namespace lost to a full ring. It keeps the list of namespaces, what it
 * did with each one's events, and whether anyone listens there, and so
 * makes the counters' snapshots.
 */
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "drain.h"
#include "flow.h"
#include "netlink.h"
#include "netns.h"
#include "param.h"
#include "ring.h"

/* ---- parameters ---- */

static unsigned int ring_size = 4096;
static unsigned int drain_watermark = 50;
static unsigned int drain_delay_ms = 5;
static unsigned int listener_probe_ms = 1000;

static int ring_size_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (v < 16 || v > (1U << 20) || !is_power_of_2(v)) {
		pr_err("ring_size must be a power of two from 16 to 1048576, not %u\n",
		       v);
		return -EINVAL;
	}
	ring_size = v;
	return 0;
}

static const struct kernel_param_ops ring_size_ops = {
	.set = ring_size_set,
	.get = param_get_uint,
};

module_param_cb(ring_size, &ring_size_ops, &ring_size, 0444);
__MODULE_PARM_TYPE(ring_size, "uint");
MODULE_PARM_DESC(ring_size,
		 "Event records per CPU ring, a power of two from 16 to 1048576 (default 4096)");

static int watermark_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (v > 100) {
		pr_err("drain_watermark is a percentage, 0 to 100, not %u\n", v);
		return -EINVAL;
	}
	drain_watermark = v;
	return 0;
}

static const struct kernel_param_ops watermark_ops = {
	.set = watermark_set,
	.get = param_get_uint,
};

module_param_cb(drain_watermark, &watermark_ops, &drain_watermark, 0444);
__MODULE_PARM_TYPE(drain_watermark, "uint");
MODULE_PARM_DESC(drain_watermark,
		 "Percent of ring_size at which a ring is drained at once, without waiting for drain_delay_ms (0: never; default 50)");

static void drain_delay_changed(void);

static struct synfin_uint_param drain_delay_p = {
	&drain_delay_ms, 0, 60000, drain_delay_changed
};

module_param_cb(drain_delay_ms, &synfin_uint_param_ops, &drain_delay_p, 0644);
__MODULE_PARM_TYPE(drain_delay_ms, "uint");
MODULE_PARM_DESC(drain_delay_ms,
		 "Delay from an event to the drain that sends it, 0 to 60000 ms, batching events (default 5)");

/*
 * netlink says nothing when a socket joins a group in one netns, so a
 * netns whose events reached nobody is taken to have no listener (its
 * events are counted unheard, not queued: a reader elsewhere does not
 * make them take ring slots and drain time) until a request comes from
 * it, as synfin's reader makes once subscribed, or until this long has
 * passed, when one event is queued to find out.
 */
static struct synfin_uint_param listener_probe_p = {
	&listener_probe_ms, 0, 3600000, NULL
};

module_param_cb(listener_probe_ms, &synfin_uint_param_ops, &listener_probe_p, 0644);
__MODULE_PARM_TYPE(listener_probe_ms, "uint");
MODULE_PARM_DESC(listener_probe_ms,
		 "How long a netns whose events reached nobody is taken to have no listener, unless it makes a request, 0 (never) to 3600000 ms (default 1000)");

/* ---- state ---- */

static struct synfin_rings rings;
static u32 ring_kick_at;	/* records that drain a ring at once; 0: never */

static DEFINE_MUTEX(drain_lock);	/* serialises draining, guards nets */
static LIST_HEAD(synfin_nets);
static void drain_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(drain_work, drain_work_fn);
/*
 * The drain runs at high priority: a flood keeps the CPUs busy in softirq,
 * and a worker queued behind everything else would let the rings overflow
 * while the readers could still keep up.
 */
static struct workqueue_struct *drain_wq;
/* The drain's workqueue exists: a new delay may reach it. */
static bool drain_up;
static u32 *drain_tails;		/* per CPU, under drain_lock */
/*
 * The CPUs with records to send in this drain, under drain_lock: the
 * oldest record is looked for among these, not among every possible CPU
 * (hundreds on some servers, few of them busy).
 */
static unsigned int *drain_cpus;
static unsigned int drain_ncpus;

/* Namespaces gone: what they counted, per CPU, under drain_lock. */
static struct synfin_stats_sum *retired;

/*
 * The drain and the family come before the flow table and the
 * namespaces' state (events need them first): until synfin_drain_ready(),
 * requests are answered with EAGAIN.
 */
static bool requests_ready;

/*
 * A message of events for one netns, being filled. Events of different
 * namespaces interleave in the rings (a veth pair between two namespaces
 * records every segment in both), so the drain keeps a message open for
 * each of the last few namespaces rather than sending one at every switch:
 * one reader wake-up per event otherwise. Each netns's events still go in
 * order, and few messages are open at once.
 */
#define DRAIN_BATCHES	8

struct synfin_batch {
	struct synfin_nl_msgs msgs;
	struct net *net;
	u32 *count;			/* events in the message, per CPU */
	/* per CPU: the dropped count a lost notice in it reports up to */
	u64 *lost;
};

/* Under drain_lock. */
static struct synfin_batch drain_batches[DRAIN_BATCHES];
static unsigned int drain_evict;	/* the next open batch to send early */

/* ---- counters ---- */

static void stats_add(struct synfin_stats_sum *to,
		      const struct synfin_stats_sum *s)
{
	to->c.segments += s->c.segments;
	to->c.malformed += s->c.malformed;
	to->c.bad_checksum += s->c.bad_checksum;
	to->c.events_written += s->c.events_written;
	to->c.events_dropped += s->c.events_dropped;
	to->c.events_unheard += s->c.events_unheard;
	to->c.flows_created += s->c.flows_created;
	to->c.flows_evicted += s->c.flows_evicted;
	to->c.flows_timed_out += s->c.flows_timed_out;
	to->c.flows_untracked += s->c.flows_untracked;
	to->c.segments_untracked += s->c.segments_untracked;
	to->c.events_unselected += s->c.events_unselected;
	to->d.sent += s->d.sent;
	to->d.unheard += s->d.unheard;
	to->d.send_failed += s->d.send_failed;
	to->flows_active += s->flows_active;
}

/*
 * Add @sn's counters of @cpu to @s, drain lock held. What the drain did
 * is read first: an event is counted written before it can be sent, so
 * a snapshot never shows more sent than written.
 */
static void stats_read(const struct synfin_net *sn, int cpu,
		       struct synfin_stats_sum *s)
{
	const struct synfin_cpu_stats *c = per_cpu_ptr(sn->stats, cpu);
	struct synfin_stats_sum one;

	one.d = sn->drain.drained[cpu];
	smp_rmb();	/* pairs with the smp_mb() of batch_account() */
	one.c.segments = READ_ONCE(c->segments);
	one.c.malformed = READ_ONCE(c->malformed);
	one.c.bad_checksum = READ_ONCE(c->bad_checksum);
	one.c.events_dropped = READ_ONCE(c->events_dropped);
	one.c.events_unheard = READ_ONCE(c->events_unheard);
	/* An unheard event is written too: counted once, exact by itself. */
	one.c.events_written = READ_ONCE(c->events_written) +
			       one.c.events_unheard;
	one.c.flows_created = READ_ONCE(c->flows_created);
	one.c.flows_evicted = READ_ONCE(c->flows_evicted);
	one.c.flows_timed_out = READ_ONCE(c->flows_timed_out);
	one.c.flows_untracked = READ_ONCE(c->flows_untracked);
	one.c.segments_untracked = READ_ONCE(c->segments_untracked);
	one.c.events_unselected = READ_ONCE(c->events_unselected);
	one.flows_active = 0;
	stats_add(s, &one);
}

/*
 * The counters of @cpu (all CPUs if negative) that @net may see, drain
 * lock held: the initial namespace (whose owner is the host's
 * CAP_NET_ADMIN: the request requires it) sees the whole module's,
 * another sees only its own. A container learns nothing of the host
 * from them.
 */
static void stats_gather(struct net *net, int cpu, struct synfin_stats_sum *s)
{
	bool host = net_eq(net, &init_net);
	struct synfin_net *sn;
	int c;

	memset(s, 0, sizeof(*s));
	list_for_each_entry(sn, &synfin_nets, drain.list) {
		if (!host && sn->net != net)
			continue;
		if (cpu >= 0) {
			stats_read(sn, cpu, s);
			continue;
		}
		for_each_possible_cpu(c)
			stats_read(sn, c, s);
		s->flows_active += atomic_read(&sn->flows);
	}
	if (!host)
		return;
	if (cpu >= 0) {
		stats_add(s, &retired[cpu]);
		return;
	}
	for_each_possible_cpu(c)
		stats_add(s, &retired[c]);
	s->flows_active = synfin_flows_active();
}

int synfin_drain_stats(struct net *net, struct synfin_stats_sum *total,
		       struct synfin_stats_sum *cpus)
{
	int cpu, err = 0;

	mutex_lock(&drain_lock);
	if (!requests_ready) {
		err = -EAGAIN;
		goto out;
	}
	stats_gather(net, -1, total);
	for_each_possible_cpu(cpu)
		stats_gather(net, cpu, &cpus[cpu]);
out:
	mutex_unlock(&drain_lock);
	return err;
}

/* ---- readiness and listeners ---- */

void synfin_drain_ready(void)
{
	mutex_lock(&drain_lock);
	/* Pairs with synfin_drain_is_ready(): all that came up before it. */
	smp_store_release(&requests_ready, true);
	mutex_unlock(&drain_lock);
}

/*
 * Requests check readiness under the drain lock before they touch a
 * namespace's state, so none does once this returns. (A dump holds a
 * reference to the module: none runs while it unloads.)
 */
void synfin_drain_unready(void)
{
	mutex_lock(&drain_lock);
	WRITE_ONCE(requests_ready, false);
	mutex_unlock(&drain_lock);
}

/* Lockless, for dumps: ready means all that came up before it is seen. */
bool synfin_drain_is_ready(void)
{
	/* Pairs with the release in synfin_drain_ready(). */
	return smp_load_acquire(&requests_ready);
}

/*
 * Under the drain lock, so that no message sent before the reader joined
 * can make the netns deaf again afterwards.
 */
int synfin_drain_heard_from(struct net *net)
{
	int err = 0;

	mutex_lock(&drain_lock);
	if (requests_ready)
		WRITE_ONCE(synfin_pernet(net)->drain.deaf, false);
	else
		err = -EAGAIN;
	mutex_unlock(&drain_lock);
	return err;
}

bool synfin_drain_listening(struct synfin_net *sn)
{
	struct synfin_drain_net *dn = &sn->drain;
	unsigned int probe_ms;
	u64 since, now;

	if (!synfin_nl_has_listeners(sn->net))
		return false;
	if (!READ_ONCE(dn->deaf))
		return true;
	probe_ms = READ_ONCE(listener_probe_ms);
	if (!probe_ms)
		return true;
	smp_rmb();	/* pairs with note_heard(): the time of that "deaf" */
	since = atomic64_read(&dn->deaf_since);
	now = get_jiffies_64();
	if (time_before64(now, since + msecs_to_jiffies(probe_ms)))
		return false;
	/*
	 * The probe: this one event is queued, and the netns stays deaf for
	 * every other until the drain has sent it and said what it found.
	 * A probe that finds the ring full, or whose message cannot be made,
	 * finds nothing: the next one comes listener_probe_ms later. (Making
	 * it due at once would make every event of the netns a probe for as
	 * long as a flood elsewhere keeps a ring full.)
	 */
	return atomic64_cmpxchg(&dn->deaf_since, since, now) == since;
}

/* What a multicast into @sn's netns, returning @err, says of listeners. */
static void note_heard(struct synfin_drain_net *dn, int err)
{
	if (err == -ESRCH) {
		atomic64_set(&dn->deaf_since, get_jiffies_64());
		smp_wmb();	/* a new time before "deaf" */
		WRITE_ONCE(dn->deaf, true);
	} else if (!err || err == -ENOBUFS) {
		WRITE_ONCE(dn->deaf, false);
	}
}

/* ---- batches ---- */

/*
 * What became of @b's message (@err from the multicast), counted for its
 * netns. A lost notice in it counts as reported once it went out, to
 * someone (a listener that overflowed was told so by ENOBUFS) or to
 * nobody (-ESRCH): then nobody is waiting for it. Otherwise the next
 * drain says it again.
 */
static void batch_account(struct synfin_batch *b, int err)
{
	struct synfin_drain_net *dn = &synfin_pernet(b->net)->drain;
	bool out = !err || err == -ESRCH || err == -ENOBUFS;
	int cpu;

	note_heard(dn, err);
	smp_mb();	/* events counted written before counted sent */
	for_each_possible_cpu(cpu) {
		struct synfin_drain_stats *d = &dn->drained[cpu];
		u32 n = b->count[cpu];

		if (b->lost[cpu] && out)
			dn->reported[cpu] = b->lost[cpu];
		b->lost[cpu] = 0;
		if (!n)
			continue;
		if (!err)
			WRITE_ONCE(d->sent, d->sent + n);
		else if (err == -ESRCH)
			WRITE_ONCE(d->unheard, d->unheard + n);
		else
			WRITE_ONCE(d->send_failed, d->send_failed + n);
		b->count[cpu] = 0;
	}
}

static void batch_flush(struct synfin_batch *b)
{
	if (!b->msgs.open)
		return;
	batch_account(b, synfin_nl_msgs_send(&b->msgs, b->net));
}

static void batch_flush_all(void)
{
	unsigned int i;

	for (i = 0; i < DRAIN_BATCHES; i++)
		batch_flush(&drain_batches[i]);
}

/* @net's open messages, or NULL (open: it had listeners then). */
static struct synfin_batch *batch_find(struct net *net)
{
	unsigned int i;

	for (i = 0; i < DRAIN_BATCHES; i++)
		if (drain_batches[i].msgs.open && drain_batches[i].net == net)
			return &drain_batches[i];
	return NULL;
}

/*
 * The open message for @net, or a new one, in a free slot or in one whose
 * message is sent now; NULL if no message could be made.
 */
static struct synfin_batch *batch_get(struct net *net)
{
	struct synfin_batch *free = batch_find(net);
	unsigned int i;

	if (free)
		return free;
	for (i = 0; i < DRAIN_BATCHES && !free; i++)
		if (!drain_batches[i].msgs.open)
			free = &drain_batches[i];
	if (!free) {
		free = &drain_batches[drain_evict++ % DRAIN_BATCHES];
		batch_flush(free);
	}
	if (synfin_nl_msgs_open(&free->msgs, net))
		return NULL;
	free->net = net;
	return free;
}

/* The record's netns heard nothing of it: none listens, or to others. */
static void count_unheard(const struct synfin_rec *rec, int cpu)
{
	struct synfin_drain_stats *d = &synfin_pernet(rec->net)->drain.drained[cpu];

	WRITE_ONCE(d->unheard, d->unheard + 1);
}

/*
 * Add one record to its netns's messages @b (NULL: none open yet), in
 * fresh ones if those are full; false if it was not sent. One that no
 * group of those listening wants (only summaries, and not a final
 * event) is counted unheard.
 */
static bool batch_add(struct synfin_batch *b, const struct synfin_rec *rec,
		      int cpu)
{
	int tries, n;

	for (tries = 0; tries < 2; tries++, b = NULL) {
		if (!b)
			b = batch_get(rec->net);
		if (!b)
			return false;
		n = synfin_nl_put_event(&b->msgs, rec, cpu);
		if (n > 0) {
			b->count[cpu]++;
			return true;
		}
		if (!n) {
			count_unheard(rec, cpu);
			return true;
		}
		batch_flush(b);
	}
	return false;
}

/*
 * Add a "lost" record for @net to its message, like batch_add(): the
 * events CPU @cpu dropped up to @dropped, of which @count not reported.
 */
static bool batch_add_lost(struct net *net, int cpu, u64 count, u64 dropped)
{
	struct synfin_batch *b;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		b = batch_get(net);
		if (!b)
			return false;
		if (!synfin_nl_put_lost(&b->msgs, net, cpu, count)) {
			b->lost[cpu] = dropped;
			return true;
		}
		batch_flush(b);
	}
	return false;
}

/* ---- draining ---- */

/*
 * Pick the CPU whose oldest pending record is the oldest of all, dropping
 * from drain_cpus those with nothing left.
 */
static int oldest_cpu(void)
{
	u64 best_ts = U64_MAX;
	unsigned int i = 0;
	int best = -1;

	while (i < drain_ncpus) {
		int cpu = drain_cpus[i];
		struct synfin_ring *ring = synfin_ring_of(&rings, cpu);
		const struct synfin_rec *rec;

		if (ring->head == drain_tails[cpu]) {
			drain_cpus[i] = drain_cpus[--drain_ncpus];
			continue;
		}
		rec = synfin_ring_slot(&rings, ring, ring->head);
		if (rec->ts_ns < best_ts) {
			best_ts = rec->ts_ns;
			best = cpu;
		}
		i++;
	}
	return best;
}

static void drain_lost(void)
{
	struct synfin_net *sn;
	int cpu;

	list_for_each_entry(sn, &synfin_nets, drain.list) {
		/* (the notice's own multicast says for sure) */
		bool listening = synfin_nl_has_listeners(sn->net);
		u64 *reported = sn->drain.reported;

		for_each_possible_cpu(cpu) {
			u64 dropped = READ_ONCE(per_cpu_ptr(sn->stats,
							    cpu)->events_dropped);
			u64 count = dropped - reported[cpu];

			if (!count)
				continue;
			if (!listening) {
				reported[cpu] = dropped;
				continue;
			}
			/*
			 * Reported when its message goes out (batch_account());
			 * if it cannot be added, a drain soon tries again.
			 */
			if (!batch_add_lost(sn->net, cpu, count, dropped)) {
				synfin_drain_kick();
				return;
			}
		}
	}
}

static void drain_locked(void)
{
	int cpu;

	drain_ncpus = 0;
	for_each_possible_cpu(cpu) {
		struct synfin_ring *ring = synfin_ring_of(&rings, cpu);

		drain_tails[cpu] = synfin_ring_tail(ring);
		if (ring->head != drain_tails[cpu])
			drain_cpus[drain_ncpus++] = cpu;
	}

	while ((cpu = oldest_cpu()) >= 0) {
		struct synfin_ring *ring = synfin_ring_of(&rings, cpu);
		u32 pos = ring->head;
		struct synfin_rec *rec = synfin_ring_slot(&rings, ring, pos);
		struct synfin_drain_stats *d;
		struct synfin_batch *b;

		/*
		 * Listeners are asked when a netns's messages are opened, not
		 * for each record: their multicast tells for sure.
		 */
		b = batch_find(rec->net);
		if (!b && !synfin_nl_has_listeners(rec->net)) {
			count_unheard(rec, cpu);
		} else if (!batch_add(b, rec, cpu)) {
			d = &synfin_pernet(rec->net)->drain.drained[cpu];
			WRITE_ONCE(d->send_failed, d->send_failed + 1);
		}
		synfin_ring_release(ring, pos);
		if (need_resched()) {
			batch_flush_all();
			cond_resched();
		}
	}
	batch_flush_all();
	drain_lost();
	batch_flush_all();
}

static void drain_work_fn(struct work_struct *work)
{
	synfin_drain_sync();
}

/* A new delay reaches a drain already queued. Parameter lock held. */
static void drain_delay_changed(void)
{
	if (drain_up && delayed_work_pending(&drain_work))
		mod_delayed_work(drain_wq, &drain_work,
				 msecs_to_jiffies(READ_ONCE(drain_delay_ms)));
}

void synfin_drain_kick(void)
{
	queue_delayed_work(drain_wq, &drain_work,
			   msecs_to_jiffies(READ_ONCE(drain_delay_ms)));
}

void synfin_drain_sync(void)
{
	mutex_lock(&drain_lock);
	drain_locked();
	mutex_unlock(&drain_lock);
}

struct synfin_rec *synfin_drain_reserve(void)
{
	return synfin_ring_reserve(&rings);
}

void synfin_drain_commit(void)
{
	/*
	 * Only this CPU adds, one at a time, so the count passes the mark
	 * on its way up: drained at once, once per filling.
	 */
	if (synfin_ring_commit(&rings) == ring_kick_at && ring_kick_at)
		mod_delayed_work(drain_wq, &drain_work, 0);
	else
		synfin_drain_kick();
}

/* ---- namespaces ---- */

int synfin_drain_add_net(struct synfin_net *sn)
{
	struct synfin_drain_net *dn = &sn->drain;

	dn->deaf = false;
	atomic64_set(&dn->deaf_since, 0);
	dn->reported = kcalloc(nr_cpu_ids, sizeof(*dn->reported), GFP_KERNEL);
	dn->drained = kcalloc(nr_cpu_ids, sizeof(*dn->drained), GFP_KERNEL);
	if (!dn->reported || !dn->drained)
		goto err_free;
	mutex_lock(&drain_lock);
	list_add(&dn->list, &synfin_nets);
	mutex_unlock(&drain_lock);
	return 0;

err_free:
	kfree(dn->drained);
	kfree(dn->reported);
	return -ENOMEM;
}

void synfin_drain_del_net(struct synfin_net *sn)
{
	struct synfin_drain_net *dn = &sn->drain;
	int cpu;

	mutex_lock(&drain_lock);
	/* Send what this netns has pending, while its pointer is valid. */
	drain_locked();
	list_del(&dn->list);
	/* The whole module's counters keep what it counted. */
	for_each_possible_cpu(cpu)
		stats_read(sn, cpu, &retired[cpu]);
	mutex_unlock(&drain_lock);
	kfree(dn->drained);
	kfree(dn->reported);
}

/* ---- init and exit ---- */

static void drain_free(void)
{
	unsigned int i;

	for (i = 0; i < DRAIN_BATCHES; i++) {
		kfree(drain_batches[i].count);
		kfree(drain_batches[i].lost);
		drain_batches[i].count = NULL;
		drain_batches[i].lost = NULL;
	}
	kfree(retired);
	kfree(drain_cpus);
	kfree(drain_tails);
	synfin_rings_exit(&rings);
}

static int drain_alloc(void)
{
	unsigned int i;
	int err;

	err = synfin_rings_init(&rings, ring_size, sizeof(struct synfin_rec));
	if (err)
		return err;
	drain_tails = kcalloc(nr_cpu_ids, sizeof(*drain_tails), GFP_KERNEL);
	drain_cpus = kcalloc(nr_cpu_ids, sizeof(*drain_cpus), GFP_KERNEL);
	retired = kcalloc(nr_cpu_ids, sizeof(*retired), GFP_KERNEL);
	if (!drain_tails || !drain_cpus || !retired)
		return -ENOMEM;
	for (i = 0; i < DRAIN_BATCHES; i++) {
		drain_batches[i].count = kcalloc(nr_cpu_ids, sizeof(u32),
						 GFP_KERNEL);
		drain_batches[i].lost = kcalloc(nr_cpu_ids, sizeof(u64),
						GFP_KERNEL);
		if (!drain_batches[i].count || !drain_batches[i].lost)
			return -ENOMEM;
	}
	return 0;
}

int synfin_drain_init(void)
{
	int err;

	ring_kick_at = drain_watermark ?
		       max(1U, ring_size * drain_watermark / 100) : 0;
	drain_wq = alloc_workqueue("synfin_drain", WQ_UNBOUND | WQ_HIGHPRI, 1);
	if (!drain_wq)
		return -ENOMEM;
	err = drain_alloc();
	if (err)
		goto err_free;
	kernel_param_lock(THIS_MODULE);
	drain_up = true;
	kernel_param_unlock(THIS_MODULE);
	pr_debug("rings of %u records, drained at %u\n", ring_size,
		 ring_kick_at);
	return 0;

err_free:
	drain_free();
	destroy_workqueue(drain_wq);
	return err;
}

void synfin_drain_exit(void)
{
	kernel_param_lock(THIS_MODULE);
	drain_up = false;
	kernel_param_unlock(THIS_MODULE);
	cancel_delayed_work_sync(&drain_work);
	synfin_drain_sync();
	drain_free();
	destroy_workqueue(drain_wq);
}
