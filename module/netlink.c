// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "synfin": a multicast group of events that only
 * CAP_NET_ADMIN in the netns's owning user namespace may join, and
 * commands for statistics and the flow table, also CAP_NET_ADMIN only,
 * with strict attribute validation (requests carry no attributes).
 *
 * A worker drains the per-CPU rings in timestamp order and multicasts
 * the events in batches into the namespace each belongs to, followed by
 * a "lost" record per CPU for events that namespace lost to a full ring.
 */
#include <linux/cpumask.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "flow.h"
#include "netlink.h"
#include "ring.h"

#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "synfin needs GENL_MCAST_CAP_NET_ADMIN to restrict its event group"
#endif

enum synfin_mcgrp { SYNFIN_MCGRP_EVENTS_ID };

static const struct genl_multicast_group synfin_mcgrps[] = {
	[SYNFIN_MCGRP_EVENTS_ID] = {
		.name = SYNFIN_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/* Requests carry no attributes: reject any that is sent. */
static const struct nla_policy synfin_req_policy[SYNFIN_A_MAX + 1] = {
	[SYNFIN_A_PAD]		= { .type = NLA_REJECT },
	[SYNFIN_A_EVENT]	= { .type = NLA_REJECT },
	[SYNFIN_A_FLOW]		= { .type = NLA_REJECT },
	[SYNFIN_A_STATS]	= { .type = NLA_REJECT },
	[SYNFIN_A_STATS_CPU]	= { .type = NLA_REJECT },
};

static struct genl_family synfin_family;

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
static u32 *drain_tails;		/* per CPU, under drain_lock */
/*
 * The CPUs with records to send in this drain, under drain_lock: the
 * oldest record is looked for among these, not among every possible CPU
 * (hundreds on some servers, few of them busy).
 */
static unsigned int *drain_cpus;
static unsigned int drain_ncpus;

/* ---- statistics ---- */

static int put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, SYNFIN_S_PAD);
}

struct synfin_stats_sum {
	struct synfin_cpu_stats c;
	struct synfin_drain_stats d;
	u64 flows_active;
};

/* Namespaces gone: what they counted, per CPU, under drain_lock. */
static struct synfin_stats_sum *retired;

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

	one.d = sn->drained[cpu];
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
	one.flows_active = 0;
	stats_add(s, &one);
}

/*
 * The counters of @cpu (all CPUs if negative) that @net may see, drain
 * lock held: the initial namespace (whose owner is the host's
 * CAP_NET_ADMIN: the op requires it) sees the whole module's, another
 * sees only its own. A container learns nothing of the host from them.
 */
static void stats_gather(struct net *net, int cpu, struct synfin_stats_sum *s)
{
	bool host = net_eq(net, &init_net);
	struct synfin_net *sn;
	int c;

	memset(s, 0, sizeof(*s));
	list_for_each_entry(sn, &synfin_nets, list) {
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

static int stats_put(struct sk_buff *skb, int type, int cpu,
		     const struct synfin_stats_sum *s)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if ((cpu >= 0 && nla_put_u32(skb, SYNFIN_S_CPU, cpu)) ||
	    (cpu < 0 && put_u64(skb, SYNFIN_S_FLOWS_ACTIVE, s->flows_active)) ||
	    put_u64(skb, SYNFIN_S_SEGMENTS, s->c.segments) ||
	    put_u64(skb, SYNFIN_S_MALFORMED, s->c.malformed) ||
	    put_u64(skb, SYNFIN_S_EVENTS_WRITTEN, s->c.events_written) ||
	    put_u64(skb, SYNFIN_S_EVENTS_DROPPED, s->c.events_dropped) ||
	    put_u64(skb, SYNFIN_S_EVENTS_SENT, s->d.sent) ||
	    put_u64(skb, SYNFIN_S_EVENTS_UNHEARD,
		    s->d.unheard + s->c.events_unheard) ||
	    put_u64(skb, SYNFIN_S_NL_SEND_FAILED, s->d.send_failed) ||
	    put_u64(skb, SYNFIN_S_FLOWS_CREATED, s->c.flows_created) ||
	    put_u64(skb, SYNFIN_S_FLOWS_EVICTED, s->c.flows_evicted) ||
	    put_u64(skb, SYNFIN_S_FLOWS_TIMED_OUT, s->c.flows_timed_out) ||
	    put_u64(skb, SYNFIN_S_FLOWS_UNTRACKED, s->c.flows_untracked) ||
	    put_u64(skb, SYNFIN_S_BAD_CHECKSUM, s->c.bad_checksum) ||
	    put_u64(skb, SYNFIN_S_SEGMENTS_UNTRACKED, s->c.segments_untracked)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * The family is registered before the flow table and the namespaces'
 * state exist (the drain needs it first): until synfin_netlink_ready(),
 * requests are answered with EAGAIN.
 */
static bool nl_ready;

void synfin_netlink_ready(void)
{
	mutex_lock(&drain_lock);
	WRITE_ONCE(nl_ready, true);
	mutex_unlock(&drain_lock);
}

/*
 * Requests check nl_ready under the drain lock before they touch a
 * namespace's state, so none does once this returns. (A dump holds a
 * reference to the module: none runs while it unloads.)
 */
void synfin_netlink_unready(void)
{
	mutex_lock(&drain_lock);
	WRITE_ONCE(nl_ready, false);
	mutex_unlock(&drain_lock);
}

static int synfin_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct synfin_stats_sum one;
	struct sk_buff *msg;
	void *hdr;
	int cpu, err = -EMSGSIZE;

	/*
	 * A reader asks once it has joined the events group: from now on its
	 * netns's events are queued, whether or not the answer can be made.
	 * Under the drain lock, so that no message sent before it joined can
	 * make the netns deaf again afterwards.
	 */
	mutex_lock(&drain_lock);
	if (!nl_ready) {
		mutex_unlock(&drain_lock);
		return -EAGAIN;
	}
	WRITE_ONCE(synfin_pernet(net)->deaf, false);
	mutex_unlock(&drain_lock);

	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE + nr_cpu_ids * 320, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &synfin_family, 0,
				SYNFIN_CMD_GET_STATS);
	if (!hdr)
		goto err;

	mutex_lock(&drain_lock);
	if (!nl_ready) {
		err = -EAGAIN;
		goto err_unlock;
	}
	stats_gather(net, -1, &one);
	if (stats_put(msg, SYNFIN_A_STATS, -1, &one))
		goto err_unlock;
	for_each_possible_cpu(cpu) {
		stats_gather(net, cpu, &one);
		if (stats_put(msg, SYNFIN_A_STATS_CPU, cpu, &one))
			goto err_unlock;
	}
	mutex_unlock(&drain_lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_unlock:
	mutex_unlock(&drain_lock);
err:
	nlmsg_free(msg);
	return err;
}

/* ---- events and flows, attribute encoding ---- */

static int addr_len(u8 family)
{
	return family == AF_INET ? sizeof(__be32) : sizeof(struct in6_addr);
}

/*
 * Events are encoded without nla_put() for each of their thirty-odd
 * attributes: its tailroom check, skb_put() and out-of-line copies of a
 * few bytes and of the padding were most of the drain's time under a
 * high connection rate. The room for the largest event is checked once
 * (EV_MAX_SIZE); then each attribute is written in place, as nla_put()
 * would write it, with the same 64-bit padding. Flows of a dump and loss
 * notices are written the same way.
 */

/* Room for @n 64-bit attributes, each with the padding it may need. */
#define EV_U64_ROOM(n)	((n) * (nla_total_size_64bit(8) + NLA_HDRLEN))
/* Room for the attributes events and flows share at most. */
#define EV_COMMON_ROOM							\
	(NLA_HDRLEN +			/* the nest */			\
	 2 * nla_total_size(sizeof(struct in6_addr)) +			\
	 nla_total_size(SYNFIN_HISTORY_LEN))
/* TS_NS, CONN, CLIENT_BYTES, SERVER_BYTES; 23 others of 4 bytes at most. */
#define EV_MAX_SIZE							\
	(EV_COMMON_ROOM + EV_U64_ROOM(4) + 23 * nla_total_size(4) +	\
	 SYNFIN_MAX_TRANS * (NLA_HDRLEN + 3 * nla_total_size(1)))
/* CONN, FIRST_NS, LAST_NS, CLIENT_BYTES, SERVER_BYTES; 11 others. */
#define FLOW_MAX_SIZE							\
	(EV_COMMON_ROOM + EV_U64_ROOM(5) + 11 * nla_total_size(4))
/* TS_NS, LOST; TYPE, CPU, NETNS. */
#define LOST_SIZE	(NLA_HDRLEN + EV_U64_ROOM(2) + 3 * nla_total_size(4))

static __always_inline void *ev_put(struct sk_buff *skb, int type, int len)
{
	struct nlattr *nla = __skb_put(skb, nla_total_size(len));

	nla->nla_type = type;
	nla->nla_len = nla_attr_size(len);
	memset((u8 *)nla + nla->nla_len, 0, nla_padlen(len));
	return nla_data(nla);
}

static __always_inline void ev_put_u8(struct sk_buff *skb, int type, u8 v)
{
	*(u8 *)ev_put(skb, type, sizeof(v)) = v;
}

static __always_inline void ev_put_u16(struct sk_buff *skb, int type, u16 v)
{
	*(u16 *)ev_put(skb, type, sizeof(v)) = v;
}

static __always_inline void ev_put_u32(struct sk_buff *skb, int type, u32 v)
{
	*(u32 *)ev_put(skb, type, sizeof(v)) = v;
}

static __always_inline void ev_put_u64(struct sk_buff *skb, int type, u64 v)
{
	if (nla_need_padding_for_64bit(skb))
		ev_put(skb, SYNFIN_E_PAD, 0);
	memcpy(ev_put(skb, type, sizeof(v)), &v, sizeof(v));
}

static void ev_put_bytes(struct sk_buff *skb, int type, const void *p,
			 int len)
{
	memcpy(ev_put(skb, type, len), p, len);
}

/* A string, NUL-terminated within @size bytes whatever @s holds. */
static void ev_put_str(struct sk_buff *skb, int type, const char *s, int size)
{
	int len = strnlen(s, size - 1);
	char *p = ev_put(skb, type, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
}

static struct nlattr *ev_nest(struct sk_buff *skb, int type)
{
	struct nlattr *nest = (struct nlattr *)skb_tail_pointer(skb);

	ev_put(skb, type | NLA_F_NESTED, 0);
	return nest;
}

static void ev_put_trans(struct sk_buff *skb, const struct synfin_trans *t)
{
	struct nlattr *nest = ev_nest(skb, SYNFIN_E_TRANS);

	ev_put_u8(skb, SYNFIN_T_WHO, t->who);
	ev_put_u8(skb, SYNFIN_T_FROM, t->from);
	ev_put_u8(skb, SYNFIN_T_TO, t->to);
	nla_nest_end(skb, nest);
}

/* Segments and payload bytes each side sent. */
static void ev_put_counts(struct sk_buff *skb, const u32 *segs,
			  const u64 *bytes)
{
	ev_put_u32(skb, SYNFIN_E_CLIENT_SEGS, segs[SYNFIN_CLIENT]);
	ev_put_u32(skb, SYNFIN_E_SERVER_SEGS, segs[SYNFIN_SERVER]);
	ev_put_u64(skb, SYNFIN_E_CLIENT_BYTES, bytes[SYNFIN_CLIENT]);
	ev_put_u64(skb, SYNFIN_E_SERVER_BYTES, bytes[SYNFIN_SERVER]);
}

static int put_event(struct sk_buff *skb, const struct synfin_rec *rec,
		     int cpu)
{
	int alen = addr_len(rec->ev.family);
	struct nlattr *nest;
	int i;

	if (skb_tailroom(skb) < EV_MAX_SIZE)
		return -EMSGSIZE;
	nest = ev_nest(skb, SYNFIN_A_EVENT);
	ev_put_u8(skb, SYNFIN_E_TYPE, rec->ev.type);
	ev_put_u64(skb, SYNFIN_E_TS_NS, rec->ts_ns);
	ev_put_u32(skb, SYNFIN_E_CPU, cpu);
	ev_put_u32(skb, SYNFIN_E_NETNS, rec->net->ns.inum);
	ev_put_u64(skb, SYNFIN_E_CONN, rec->conn);
	ev_put_u32(skb, SYNFIN_E_INDEX, rec->ev.index);
	ev_put_u8(skb, SYNFIN_E_FAMILY, rec->ev.family);
	ev_put_bytes(skb, SYNFIN_E_SADDR, &rec->ev.saddr, alen);
	ev_put_bytes(skb, SYNFIN_E_DADDR, &rec->ev.daddr, alen);
	ev_put_u16(skb, SYNFIN_E_SPORT, rec->ev.sport);
	ev_put_u16(skb, SYNFIN_E_DPORT, rec->ev.dport);
	ev_put_u8(skb, SYNFIN_E_FROM, rec->ev.from);
	ev_put_u8(skb, SYNFIN_E_FLAGS, rec->ev.flags);
	ev_put_u32(skb, SYNFIN_E_SEQ, rec->ev.seq);
	ev_put_u32(skb, SYNFIN_E_ACK, rec->ev.ack);
	ev_put_u16(skb, SYNFIN_E_WIN, rec->ev.win);
	ev_put_u32(skb, SYNFIN_E_LEN, rec->ev.len);
	ev_put_u8(skb, SYNFIN_E_CLIENT_STATE, rec->ev.state[SYNFIN_CLIENT]);
	ev_put_u8(skb, SYNFIN_E_SERVER_STATE, rec->ev.state[SYNFIN_SERVER]);
	ev_put_u8(skb, SYNFIN_E_ISN_KNOWN, rec->ev.isn_known);
	ev_put_u32(skb, SYNFIN_E_CLIENT_ISN, rec->ev.isn[SYNFIN_CLIENT]);
	ev_put_u32(skb, SYNFIN_E_SERVER_ISN, rec->ev.isn[SYNFIN_SERVER]);
	ev_put_u8(skb, SYNFIN_E_REASON, rec->ev.reason);
	ev_put_u32(skb, SYNFIN_E_ANOMALIES, rec->ev.anomalies);
	if (rec->ev.conn_state) {
		ev_put_u8(skb, SYNFIN_E_CONN_STATE, rec->ev.conn_state);
		ev_put_str(skb, SYNFIN_E_HISTORY, rec->ev.history,
			   SYNFIN_HISTORY_LEN);
		ev_put_counts(skb, rec->ev.segs, rec->ev.bytes);
	}
	for (i = 0; i < rec->ev.ntrans && i < SYNFIN_MAX_TRANS; i++)
		ev_put_trans(skb, &rec->ev.trans[i]);
	nla_nest_end(skb, nest);
	return 0;
}

static int put_lost(struct sk_buff *skb, struct net *net, int cpu, u64 count)
{
	struct nlattr *nest;

	if (skb_tailroom(skb) < LOST_SIZE)
		return -EMSGSIZE;
	nest = ev_nest(skb, SYNFIN_A_EVENT);
	ev_put_u8(skb, SYNFIN_E_TYPE, SYNFIN_EV_LOST);
	ev_put_u64(skb, SYNFIN_E_TS_NS, ktime_get_ns());
	ev_put_u32(skb, SYNFIN_E_CPU, cpu);
	ev_put_u32(skb, SYNFIN_E_NETNS, net->ns.inum);
	ev_put_u64(skb, SYNFIN_E_LOST, count);
	nla_nest_end(skb, nest);
	return 0;
}

struct flow_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int put_flow(const struct synfin_flow_info *fi, void *arg)
{
	struct flow_dump *fd = arg;
	struct netlink_callback *cb = fd->cb;
	struct sk_buff *skb = fd->skb;
	int alen = addr_len(fi->family);
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &synfin_family, NLM_F_MULTI, SYNFIN_CMD_GET_FLOWS);
	if (!hdr)
		return -EMSGSIZE;
	/* Flows came or went since the dump began: NLM_F_DUMP_INTR. */
	genl_dump_check_consistent(cb, hdr);
	if (skb_tailroom(skb) < FLOW_MAX_SIZE) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nest = ev_nest(skb, SYNFIN_A_FLOW);
	ev_put_u64(skb, SYNFIN_E_CONN, fi->conn);
	ev_put_u8(skb, SYNFIN_E_FAMILY, fi->family);
	ev_put_bytes(skb, SYNFIN_E_SADDR, &fi->caddr, alen);
	ev_put_bytes(skb, SYNFIN_E_DADDR, &fi->saddr, alen);
	ev_put_u16(skb, SYNFIN_E_SPORT, fi->cport);
	ev_put_u16(skb, SYNFIN_E_DPORT, fi->sport);
	ev_put_u8(skb, SYNFIN_E_CLIENT_STATE, fi->fsm.state[SYNFIN_CLIENT]);
	ev_put_u8(skb, SYNFIN_E_SERVER_STATE, fi->fsm.state[SYNFIN_SERVER]);
	ev_put_u8(skb, SYNFIN_E_ISN_KNOWN,
		  fi->fsm.flags & (SYNFIN_ISN_CLIENT | SYNFIN_ISN_SERVER));
	ev_put_u32(skb, SYNFIN_E_CLIENT_ISN, fi->fsm.isn[SYNFIN_CLIENT]);
	ev_put_u32(skb, SYNFIN_E_SERVER_ISN, fi->fsm.isn[SYNFIN_SERVER]);
	ev_put_u32(skb, SYNFIN_E_INDEX, fi->events);
	ev_put_u64(skb, SYNFIN_E_FIRST_NS, fi->first_ns);
	ev_put_u64(skb, SYNFIN_E_LAST_NS, fi->last_ns);
	ev_put_str(skb, SYNFIN_E_HISTORY, fi->fsm.history, SYNFIN_HISTORY_LEN);
	ev_put_counts(skb, fi->fsm.segs, fi->fsm.bytes);
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

static int synfin_dump_flows(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct flow_dump fd = { .skb = skb, .cb = cb };
	struct net *net = sock_net(skb->sk);
	int err;

	if (!READ_ONCE(nl_ready))
		return -EAGAIN;
	/*
	 * A part resumes at a position in the table: a flow added or removed
	 * in between may shift it. The generation tells the reader so (never
	 * 0, which nl_dump_check_consistent() takes for "not set").
	 */
	cb->seq = (u32)atomic_read(&synfin_pernet(net)->flows_gen) << 1 | 1;
	err = synfin_flow_walk(net, &cb->args[0], &cb->args[1], put_flow, &fd);
	if (err == -EMSGSIZE && skb->len)
		return skb->len;	/* full: continue in the next part */
	return err ? err : skb->len;
}

static const struct genl_ops synfin_ops[] = {
	{
		.cmd = SYNFIN_CMD_GET_STATS,
		.doit = synfin_get_stats,
		.policy = synfin_req_policy,
		.maxattr = SYNFIN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SYNFIN_CMD_GET_FLOWS,
		.dumpit = synfin_dump_flows,
		.policy = synfin_req_policy,
		.maxattr = SYNFIN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family synfin_family __ro_after_init = {
	.name = SYNFIN_GENL_NAME,
	.version = SYNFIN_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = synfin_ops,
	.n_ops = ARRAY_SIZE(synfin_ops),
	.resv_start_op = SYNFIN_CMD_GET_FLOWS + 1,
	.mcgrps = synfin_mcgrps,
	.n_mcgrps = ARRAY_SIZE(synfin_mcgrps),
};

/* ---- draining ---- */

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
	struct sk_buff *skb;
	struct net *net;
	void *hdr;
	u32 *count;			/* events in the message, per CPU */
	/* per CPU: the dropped count a lost notice in it reports up to */
	u64 *lost;
};

/* Under drain_lock. */
static struct synfin_batch drain_batches[DRAIN_BATCHES];
static unsigned int drain_evict;	/* the next open batch to send early */

/*
 * netlink keeps one bitmap of groups with listeners per protocol, for all
 * namespaces: true if a listener exists in any of them. The multicast
 * into @net tells for sure (-ESRCH: nobody there).
 */
static bool has_listeners(struct net *net)
{
	return genl_has_listeners(&synfin_family, net, SYNFIN_MCGRP_EVENTS_ID);
}

/*
 * netlink says nothing when a socket joins a group in one netns, so a
 * netns whose events reached nobody is taken to have no listener (its
 * events are counted unheard, not queued: a reader elsewhere does not
 * make them take ring slots and drain time) until a request comes from
 * it, as synfin's reader makes once subscribed, or until this long has
 * passed, when one event is queued to find out.
 */
static unsigned int listener_probe_ms = 1000;

static struct synfin_uint_param listener_probe_p = {
	&listener_probe_ms, 0, 3600000, NULL
};

module_param_cb(listener_probe_ms, &synfin_uint_param_ops, &listener_probe_p, 0644);
__MODULE_PARM_TYPE(listener_probe_ms, "uint");
MODULE_PARM_DESC(listener_probe_ms,
		 "How long a netns whose events reached nobody is taken to have no listener, unless it makes a request, 0 (never) to 3600000 ms (default 1000)");

bool synfin_nl_listening(struct synfin_net *sn)
{
	unsigned int probe_ms;
	u64 since, now;

	if (!has_listeners(sn->net))
		return false;
	if (!READ_ONCE(sn->deaf))
		return true;
	probe_ms = READ_ONCE(listener_probe_ms);
	if (!probe_ms)
		return true;
	smp_rmb();	/* pairs with note_heard(): the time of that "deaf" */
	since = atomic64_read(&sn->deaf_since);
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
	return atomic64_cmpxchg(&sn->deaf_since, since, now) == since;
}

/* What a multicast into @sn's netns, returning @err, says of listeners. */
static void note_heard(struct synfin_net *sn, int err)
{
	if (err == -ESRCH) {
		atomic64_set(&sn->deaf_since, get_jiffies_64());
		smp_wmb();	/* a new time before "deaf" */
		WRITE_ONCE(sn->deaf, true);
	} else if (!err || err == -ENOBUFS) {
		WRITE_ONCE(sn->deaf, false);
	}
}

/*
 * What became of @b's message (@err from the multicast), counted for its
 * netns. A lost notice in it counts as reported once it went out, to
 * someone (a listener that overflowed was told so by ENOBUFS) or to
 * nobody (-ESRCH): then nobody is waiting for it. Otherwise the next
 * drain says it again.
 */
static void batch_account(struct synfin_batch *b, int err)
{
	struct synfin_net *sn = synfin_pernet(b->net);
	bool out = !err || err == -ESRCH || err == -ENOBUFS;
	int cpu;

	note_heard(sn, err);
	smp_mb();	/* events counted written before counted sent */
	for_each_possible_cpu(cpu) {
		struct synfin_drain_stats *d = &sn->drained[cpu];
		u32 n = b->count[cpu];

		if (b->lost[cpu] && out)
			sn->reported[cpu] = b->lost[cpu];
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
	int err;

	if (!b->skb)
		return;
	genlmsg_end(b->skb, b->hdr);
	err = genlmsg_multicast_netns(&synfin_family, b->net, b->skb, 0,
				      SYNFIN_MCGRP_EVENTS_ID, GFP_KERNEL);
	batch_account(b, err);
	b->skb = NULL;
}

static void batch_flush_all(void)
{
	unsigned int i;

	for (i = 0; i < DRAIN_BATCHES; i++)
		batch_flush(&drain_batches[i]);
}

static int batch_open(struct synfin_batch *b, struct net *net)
{
	b->skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!b->skb)
		return -ENOMEM;
	b->hdr = genlmsg_put(b->skb, 0, 0, &synfin_family, 0,
			     SYNFIN_CMD_EVENTS);
	if (!b->hdr) {
		nlmsg_free(b->skb);
		b->skb = NULL;
		return -EMSGSIZE;
	}
	b->net = net;
	return 0;
}

/*
 * The open message for @net, or a new one, in a free slot or in one whose
 * message is sent now; NULL if no message could be made.
 */
static struct synfin_batch *batch_get(struct net *net)
{
	struct synfin_batch *b, *free = NULL;
	unsigned int i;

	for (i = 0; i < DRAIN_BATCHES; i++) {
		b = &drain_batches[i];
		if (!b->skb)
			free = free ?: b;
		else if (b->net == net)
			return b;
	}
	if (!free) {
		free = &drain_batches[drain_evict++ % DRAIN_BATCHES];
		batch_flush(free);
	}
	return batch_open(free, net) ? NULL : free;
}

/*
 * Add one record to its netns's message, in a fresh message if that one
 * is full; false if it was not sent.
 */
static bool batch_add(const struct synfin_rec *rec, int cpu)
{
	struct synfin_batch *b;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		b = batch_get(rec->net);
		if (!b)
			return false;
		if (!put_event(b->skb, rec, cpu)) {
			b->count[cpu]++;
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
		if (!put_lost(b->skb, net, cpu, count)) {
			b->lost[cpu] = dropped;
			return true;
		}
		batch_flush(b);
	}
	return false;
}

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
		struct synfin_ring *ring = per_cpu_ptr(synfin_rings, cpu);
		const struct synfin_rec *rec;

		if (ring->head == drain_tails[cpu]) {
			drain_cpus[i] = drain_cpus[--drain_ncpus];
			continue;
		}
		rec = synfin_ring_slot(ring, ring->head);
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

	list_for_each_entry(sn, &synfin_nets, list) {
		/* (the notice's own multicast says for sure) */
		bool listening = has_listeners(sn->net);

		for_each_possible_cpu(cpu) {
			u64 dropped = READ_ONCE(per_cpu_ptr(sn->stats,
							    cpu)->events_dropped);
			u64 count = dropped - sn->reported[cpu];

			if (!count)
				continue;
			if (!listening) {
				sn->reported[cpu] = dropped;
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
		struct synfin_ring *ring = per_cpu_ptr(synfin_rings, cpu);

		drain_tails[cpu] = synfin_ring_tail(ring);
		if (ring->head != drain_tails[cpu])
			drain_cpus[drain_ncpus++] = cpu;
	}

	while ((cpu = oldest_cpu()) >= 0) {
		struct synfin_ring *ring = per_cpu_ptr(synfin_rings, cpu);
		u32 pos = ring->head;
		struct synfin_rec *rec = synfin_ring_slot(ring, pos);
		struct synfin_drain_stats *d;

		if (!has_listeners(rec->net)) {
			d = &synfin_pernet(rec->net)->drained[cpu];
			WRITE_ONCE(d->unheard, d->unheard + 1);
		} else if (!batch_add(rec, cpu)) {
			d = &synfin_pernet(rec->net)->drained[cpu];
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

static unsigned int drain_delay_ms = 5;
/* The drain's workqueue exists: a new delay may reach it. */
static bool drain_ready;

/* A new delay reaches a drain already queued. Parameter lock held. */
static void drain_delay_changed(void)
{
	if (drain_ready && delayed_work_pending(&drain_work))
		mod_delayed_work(drain_wq, &drain_work,
				 msecs_to_jiffies(READ_ONCE(drain_delay_ms)));
}

static struct synfin_uint_param drain_delay_p = {
	&drain_delay_ms, 0, 60000, drain_delay_changed
};

module_param_cb(drain_delay_ms, &synfin_uint_param_ops, &drain_delay_p, 0644);
__MODULE_PARM_TYPE(drain_delay_ms, "uint");
MODULE_PARM_DESC(drain_delay_ms,
		 "Delay from an event to the drain that sends it, 0 to 60000 ms, batching events (default 5)");

void synfin_drain_kick(void)
{
	queue_delayed_work(drain_wq, &drain_work,
			   msecs_to_jiffies(READ_ONCE(drain_delay_ms)));
}

void synfin_drain_kick_now(void)
{
	mod_delayed_work(drain_wq, &drain_work, 0);
}

void synfin_drain_sync(void)
{
	mutex_lock(&drain_lock);
	drain_locked();
	mutex_unlock(&drain_lock);
}

void synfin_drain_add_net(struct synfin_net *sn)
{
	mutex_lock(&drain_lock);
	list_add(&sn->list, &synfin_nets);
	mutex_unlock(&drain_lock);
}

void synfin_drain_del_net(struct synfin_net *sn)
{
	int cpu;

	mutex_lock(&drain_lock);
	/* Send what this netns has pending, while its pointer is valid. */
	drain_locked();
	list_del(&sn->list);
	/* The whole module's counters keep what it counted. */
	for_each_possible_cpu(cpu)
		stats_read(sn, cpu, &retired[cpu]);
	mutex_unlock(&drain_lock);
}

static void batch_free_counts(void)
{
	unsigned int i;

	for (i = 0; i < DRAIN_BATCHES; i++) {
		kfree(drain_batches[i].count);
		kfree(drain_batches[i].lost);
		drain_batches[i].count = NULL;
		drain_batches[i].lost = NULL;
	}
}

static int batch_alloc_counts(void)
{
	unsigned int i;

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

int synfin_netlink_init(void)
{
	int err;

	/*
	 * Before any event can be written: the hooks, and so the flows that
	 * write events, come after this.
	 */
	drain_wq = alloc_workqueue("synfin_drain", WQ_UNBOUND | WQ_HIGHPRI, 1);
	if (!drain_wq)
		return -ENOMEM;
	drain_tails = kcalloc(nr_cpu_ids, sizeof(*drain_tails), GFP_KERNEL);
	drain_cpus = kcalloc(nr_cpu_ids, sizeof(*drain_cpus), GFP_KERNEL);
	retired = kcalloc(nr_cpu_ids, sizeof(*retired), GFP_KERNEL);
	if (!drain_tails || !drain_cpus || !retired || batch_alloc_counts()) {
		err = -ENOMEM;
		goto err_free;
	}
	err = genl_register_family(&synfin_family);
	if (err)
		goto err_free;
	kernel_param_lock(THIS_MODULE);
	drain_ready = true;
	kernel_param_unlock(THIS_MODULE);
	return 0;

err_free:
	batch_free_counts();
	kfree(retired);
	kfree(drain_cpus);
	kfree(drain_tails);
	destroy_workqueue(drain_wq);
	return err;
}

void synfin_netlink_exit(void)
{
	kernel_param_lock(THIS_MODULE);
	drain_ready = false;
	kernel_param_unlock(THIS_MODULE);
	cancel_delayed_work_sync(&drain_work);
	synfin_drain_sync();
	genl_unregister_family(&synfin_family);
	batch_free_counts();
	kfree(retired);
	kfree(drain_cpus);
	kfree(drain_tails);
	destroy_workqueue(drain_wq);
}
