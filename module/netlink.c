// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "synfin": a multicast group of events that only
 * CAP_NET_ADMIN in the netns's owning user namespace may join, and
 * commands for statistics, the flow table and readers' selections, also
 * CAP_NET_ADMIN only, with strict attribute validation (requests carry
 * no attributes but a selection). The
 * messages' encoding is here too: events and lost notices for the drain
 * (drain.c), which sends them, and flows for dumps.
 */
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "drain.h"
#include "flow.h"
#include "netlink.h"
#include "netns.h"
#include "selection.h"

#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "synfin needs GENL_MCAST_CAP_NET_ADMIN to restrict its event group"
#endif

static const struct genl_multicast_group synfin_mcgrps[] = {
	[SYNFIN_NL_EVENTS] = {
		.name = SYNFIN_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
	[SYNFIN_NL_PACKED] = {
		.name = SYNFIN_MCGRP_PACKED,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
	[SYNFIN_NL_SUMMARIES] = {
		.name = SYNFIN_MCGRP_SUMMARIES,
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
	[SYNFIN_A_SELECTION]	= { .type = NLA_REJECT },
	[SYNFIN_A_EVENT_PACKED]	= { .type = NLA_REJECT },
};

/* A selection: port ranges and prefixes, checked whole by the policy. */
static const struct nla_policy sel_ports_policy[SYNFIN_SEL_PORTS_MAX + 1] = {
	[SYNFIN_SEL_PORTS_LO]	= { .type = NLA_U16 },
	[SYNFIN_SEL_PORTS_HI]	= { .type = NLA_U16 },
};

static const struct nla_policy sel_prefix_policy[SYNFIN_SEL_PREFIX_MAX + 1] = {
	[SYNFIN_SEL_PREFIX_FAMILY]	= { .type = NLA_U8 },
	[SYNFIN_SEL_PREFIX_ADDR]	= NLA_POLICY_MIN_LEN(sizeof(__be32)),
	[SYNFIN_SEL_PREFIX_LEN]		= NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy sel_policy[SYNFIN_SEL_MAX + 1] = {
	[SYNFIN_SEL_PORTS]	= NLA_POLICY_NESTED(sel_ports_policy),
	[SYNFIN_SEL_PREFIX]	= NLA_POLICY_NESTED(sel_prefix_policy),
};

static const struct nla_policy synfin_sel_req_policy[SYNFIN_A_MAX + 1] = {
	[SYNFIN_A_PAD]		= { .type = NLA_REJECT },
	[SYNFIN_A_EVENT]	= { .type = NLA_REJECT },
	[SYNFIN_A_FLOW]		= { .type = NLA_REJECT },
	[SYNFIN_A_STATS]	= { .type = NLA_REJECT },
	[SYNFIN_A_STATS_CPU]	= { .type = NLA_REJECT },
	[SYNFIN_A_SELECTION]	= NLA_POLICY_NESTED(sel_policy),
	[SYNFIN_A_EVENT_PACKED]	= { .type = NLA_REJECT },
};

static struct genl_family synfin_family;

/* ---- statistics ---- */

static int put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, SYNFIN_S_PAD);
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
	    put_u64(skb, SYNFIN_S_SEGMENTS_UNTRACKED, s->c.segments_untracked) ||
	    put_u64(skb, SYNFIN_S_EVENTS_UNSELECTED, s->c.events_unselected)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int synfin_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct synfin_stats_sum total, *cpus;
	struct sk_buff *msg;
	void *hdr;
	int cpu, err;

	/*
	 * A reader asks once it has joined the events group: from now on its
	 * netns's events are queued, whether or not the answer can be made.
	 */
	err = synfin_drain_heard_from(net);
	if (err)
		return err;

	cpus = kvcalloc(nr_cpu_ids, sizeof(*cpus), GFP_KERNEL);
	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE + nr_cpu_ids * 320, GFP_KERNEL);
	err = -ENOMEM;
	if (!cpus || !msg)
		goto err;
	err = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &synfin_family, 0,
				SYNFIN_CMD_GET_STATS);
	if (!hdr)
		goto err;
	err = synfin_drain_stats(net, &total, cpus);
	if (err)
		goto err;
	err = -EMSGSIZE;
	if (stats_put(msg, SYNFIN_A_STATS, -1, &total))
		goto err;
	for_each_possible_cpu(cpu)
		if (stats_put(msg, SYNFIN_A_STATS_CPU, cpu, &cpus[cpu]))
			goto err;
	kvfree(cpus);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err:
	nlmsg_free(msg);
	kvfree(cpus);
	return err;
}

/* ---- selections ---- */

static int addr_len(u8 family)
{
	return family == AF_INET ? sizeof(__be32) : sizeof(struct in6_addr);
}

/* A port range of a selection, added to @sel. */
static int sel_ports(const struct nlattr *nla, struct synfin_select *sel,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SYNFIN_SEL_PORTS_MAX + 1];
	u16 lo, hi;
	int err;

	err = nla_parse_nested(tb, SYNFIN_SEL_PORTS_MAX, nla, sel_ports_policy,
			       extack);
	if (err)
		return err;
	if (!tb[SYNFIN_SEL_PORTS_LO]) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "a port range needs lo");
		return -EINVAL;
	}
	lo = nla_get_u16(tb[SYNFIN_SEL_PORTS_LO]);
	hi = tb[SYNFIN_SEL_PORTS_HI] ? nla_get_u16(tb[SYNFIN_SEL_PORTS_HI]) : lo;
	switch (synfin_select_add_ports(sel, lo, hi)) {
	case SYNFIN_SELECT_OK:
		return 0;
	case SYNFIN_SELECT_BAD_RANGE:
		NL_SET_ERR_MSG_ATTR(extack, tb[SYNFIN_SEL_PORTS_HI],
				    "a port range's lo is above its hi");
		return -EINVAL;
	default:
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "a selection has at most 16 port ranges");
		return -EINVAL;
	}
}

/* An address prefix of a selection, added to @sel. */
static int sel_prefix(const struct nlattr *nla, struct synfin_select *sel,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SYNFIN_SEL_PREFIX_MAX + 1];
	u8 family, len;
	int err, alen;

	err = nla_parse_nested(tb, SYNFIN_SEL_PREFIX_MAX, nla, sel_prefix_policy,
			       extack);
	if (err)
		return err;
	if (!tb[SYNFIN_SEL_PREFIX_FAMILY] || !tb[SYNFIN_SEL_PREFIX_ADDR]) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "a prefix needs its family and addr");
		return -EINVAL;
	}
	family = nla_get_u8(tb[SYNFIN_SEL_PREFIX_FAMILY]);
	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SYNFIN_SEL_PREFIX_FAMILY],
				    "a prefix's family is AF_INET (2) or AF_INET6 (10)");
		return -EINVAL;
	}
	alen = addr_len(family);
	if (nla_len(tb[SYNFIN_SEL_PREFIX_ADDR]) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SYNFIN_SEL_PREFIX_ADDR],
				    "a prefix's addr is 4 bytes for AF_INET, 16 for AF_INET6");
		return -EINVAL;
	}
	len = tb[SYNFIN_SEL_PREFIX_LEN] ?
	      nla_get_u8(tb[SYNFIN_SEL_PREFIX_LEN]) : alen * 8;
	switch (synfin_select_add_prefix(sel, family,
					 nla_data(tb[SYNFIN_SEL_PREFIX_ADDR]),
					 len)) {
	case SYNFIN_SELECT_OK:
		return 0;
	case SYNFIN_SELECT_BAD_LEN:
		NL_SET_ERR_MSG_ATTR(extack, tb[SYNFIN_SEL_PREFIX_LEN],
				    "a prefix's len is at most 32 for AF_INET, 128 for AF_INET6");
		return -EINVAL;
	default:
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "a selection has at most 16 prefixes");
		return -EINVAL;
	}
}

/*
 * The selection of the caller's socket in its netns: the one it sends
 * replaces the one it had; none, or an empty one, removes it.
 */
static int synfin_set_selection(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *nest = info->attrs[SYNFIN_A_SELECTION];
	struct synfin_select *sel;
	const struct nlattr *nla;
	int rem, err = 0;

	sel = kzalloc(sizeof(*sel), GFP_KERNEL);
	if (!sel)
		return -ENOMEM;
	if (nest) {
		nla_for_each_nested(nla, nest, rem) {
			/* The policy let no other type through. */
			if (nla_type(nla) == SYNFIN_SEL_PORTS)
				err = sel_ports(nla, sel, info->extack);
			else if (nla_type(nla) == SYNFIN_SEL_PREFIX)
				err = sel_prefix(nla, sel, info->extack);
			if (err)
				goto out;
		}
	}
	err = synfin_selection_set(genl_info_net(info), info->snd_portid, sel,
				   info->extack);
out:
	kfree(sel);
	return err;
}

/* ---- events and flows, attribute encoding ---- */

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
/* SUMMARY: its nest, four times; END, END_BY, STATES and the HANDSHAKE flag. */
#define EV_SUMMARY_ROOM							\
	(NLA_HDRLEN + EV_U64_ROOM(4) + 3 * nla_total_size(4) +		\
	 nla_total_size(0))
/* TS_NS, CONN, CLIENT_BYTES, SERVER_BYTES; 23 others of 4 bytes at most. */
#define EV_MAX_SIZE							\
	(EV_COMMON_ROOM + EV_U64_ROOM(4) + 23 * nla_total_size(4) +	\
	 SYNFIN_MAX_TRANS * (NLA_HDRLEN + 3 * nla_total_size(1)) +	\
	 EV_SUMMARY_ROOM)
/* CONN, FIRST_NS, LAST_NS, CLIENT_BYTES, SERVER_BYTES; 11 others. */
#define FLOW_MAX_SIZE							\
	(EV_COMMON_ROOM + EV_U64_ROOM(5) + 11 * nla_total_size(4))
/* TS_NS, LOST; TYPE, CPU, NETNS. */
#define LOST_SIZE	(NLA_HDRLEN + EV_U64_ROOM(2) + 3 * nla_total_size(4))
/* The struct, and the padding it may need. */
#define PACKED_SIZE							\
	(NLA_HDRLEN + nla_total_size(sizeof(struct synfin_event_packed)))

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

/* What the summary of a connection needs, on its final event. */
static void ev_put_summary(struct sk_buff *skb, const struct synfin_summary *s)
{
	struct nlattr *nest = ev_nest(skb, SYNFIN_E_SUMMARY);

	/* ev_put_u64() pads with SYNFIN_E_PAD: the same number in the nest. */
	BUILD_BUG_ON((int)SYNFIN_SU_PAD != (int)SYNFIN_E_PAD);
	ev_put_u64(skb, SYNFIN_SU_FIRST_NS, s->first_ns);
	ev_put_u64(skb, SYNFIN_SU_SYN_NS, s->syn_ns);
	ev_put_u64(skb, SYNFIN_SU_SYNACK_NS, s->synack_ns);
	ev_put_u64(skb, SYNFIN_SU_ESTABLISHED_NS, s->est_ns);
	ev_put_u8(skb, SYNFIN_SU_END, s->end);
	if (s->end_by != SYNFIN_SUM_NOBODY)
		ev_put_u8(skb, SYNFIN_SU_END_BY, s->end_by);
	if (s->flags & SYNFIN_SUM_ESTABLISHED)
		ev_put(skb, SYNFIN_SU_HANDSHAKE, 0);
	ev_put_u32(skb, SYNFIN_SU_STATES, s->visited);
	nla_nest_end(skb, nest);
}

static void put_event_nest(struct sk_buff *skb, const struct synfin_rec *rec,
			   int cpu)
{
	int alen = addr_len(rec->ev.family);
	struct nlattr *nest;
	int i;

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
		ev_put_summary(skb, &rec->ev.sum);
	}
	for (i = 0; i < rec->ev.ntrans && i < SYNFIN_MAX_TRANS; i++)
		ev_put_trans(skb, &rec->ev.trans[i]);
	nla_nest_end(skb, nest);
}

/*
 * The same event as one struct: every byte of it is written, the unused
 * ones zero, so that no earlier record's bytes leave the ring.
 */
static struct synfin_event_packed *
put_event_packed(struct sk_buff *skb, const struct synfin_rec *rec, int cpu)
{
	const struct synfin_track_rec *ev = &rec->ev;
	struct synfin_event_packed *p;
	int i, n = min_t(int, ev->ntrans, SYNFIN_MAX_TRANS);

	/* No hole, no tail padding: the layout is the spec's. */
	BUILD_BUG_ON(sizeof(*p) != 208 || sizeof(p->trans[0]) != 3);
	BUILD_BUG_ON(offsetof(typeof(*p), pad) + sizeof(p->pad) != sizeof(*p));
	if (nla_need_padding_for_64bit(skb))
		ev_put(skb, SYNFIN_A_PAD, 0);
	p = ev_put(skb, SYNFIN_A_EVENT_PACKED, sizeof(*p));
	memset(p, 0, sizeof(*p));
	p->ts_ns = rec->ts_ns;
	p->conn = rec->conn;
	memcpy(p->saddr, &ev->saddr, addr_len(ev->family));
	memcpy(p->daddr, &ev->daddr, addr_len(ev->family));
	p->cpu = cpu;
	p->netns = rec->net->ns.inum;
	p->index = ev->index;
	p->seq = ev->seq;
	p->ack = ev->ack;
	p->len = ev->len;
	p->client_isn = ev->isn[SYNFIN_CLIENT];
	p->server_isn = ev->isn[SYNFIN_SERVER];
	p->anomalies = ev->anomalies;
	p->sport = ev->sport;
	p->dport = ev->dport;
	p->win = ev->win;
	p->type = ev->type;
	p->family = ev->family;
	p->from = ev->from;
	p->flags = ev->flags;
	p->client_state = ev->state[SYNFIN_CLIENT];
	p->server_state = ev->state[SYNFIN_SERVER];
	p->isn_known = ev->isn_known;
	p->reason = ev->reason;
	p->ntrans = n;
	for (i = 0; i < n; i++) {
		p->trans[i].who = ev->trans[i].who;
		p->trans[i].from = ev->trans[i].from;
		p->trans[i].to = ev->trans[i].to;
	}
	if (ev->conn_state) {
		p->conn_state = ev->conn_state;
		p->client_segs = ev->segs[SYNFIN_CLIENT];
		p->server_segs = ev->segs[SYNFIN_SERVER];
		p->client_bytes = ev->bytes[SYNFIN_CLIENT];
		p->server_bytes = ev->bytes[SYNFIN_SERVER];
		strscpy_pad(p->history, ev->history, sizeof(p->history));
		p->first_ns = ev->sum.first_ns;
		p->syn_ns = ev->sum.syn_ns;
		p->synack_ns = ev->sum.synack_ns;
		p->established_ns = ev->sum.est_ns;
		p->states = ev->sum.visited;
		p->end = ev->sum.end;
		p->end_by = ev->sum.end_by;
		p->handshake = !!(ev->sum.flags & SYNFIN_SUM_ESTABLISHED);
	}
	return p;
}

/* A copy of the struct put_event_packed() made for another message. */
static void put_packed_copy(struct sk_buff *skb,
			    const struct synfin_event_packed *from)
{
	if (nla_need_padding_for_64bit(skb))
		ev_put(skb, SYNFIN_A_PAD, 0);
	memcpy(ev_put(skb, SYNFIN_A_EVENT_PACKED, sizeof(*from)), from,
	       sizeof(*from));
}

/* Has every open message of @m room for an event (@lost: a notice)? */
static bool msgs_room(const struct synfin_nl_msgs *m, bool lost)
{
	int g;

	for (g = 0; g < SYNFIN_NL_GROUPS; g++) {
		int room = lost ? LOST_SIZE :
			   g == SYNFIN_NL_EVENTS ? EV_MAX_SIZE : PACKED_SIZE;

		if (m->skb[g] && skb_tailroom(m->skb[g]) < room)
			return false;
	}
	return true;
}

/*
 * A connection's final event: the one that left both sides CLOSED (a
 * transition of its own; the late segments of an ended connection,
 * CLOSED already, have none).
 */
static bool is_final(const struct synfin_track_rec *ev)
{
	return ev->ntrans &&
	       ev->state[SYNFIN_CLIENT] == SYNFIN_ST_CLOSED &&
	       ev->state[SYNFIN_SERVER] == SYNFIN_ST_CLOSED;
}

int synfin_nl_put_event(struct synfin_nl_msgs *m, const struct synfin_rec *rec,
			int cpu)
{
	struct sk_buff *summaries = m->skb[SYNFIN_NL_SUMMARIES];
	const struct synfin_event_packed *p = NULL;
	int n = 0;

	if (!msgs_room(m, false))
		return -EMSGSIZE;
	if (m->skb[SYNFIN_NL_EVENTS]) {
		put_event_nest(m->skb[SYNFIN_NL_EVENTS], rec, cpu);
		n++;
	}
	if (m->skb[SYNFIN_NL_PACKED]) {
		p = put_event_packed(m->skb[SYNFIN_NL_PACKED], rec, cpu);
		n++;
	}
	if (summaries && is_final(&rec->ev)) {
		/* (encoded once for both packed groups) */
		if (p)
			put_packed_copy(summaries, p);
		else
			put_event_packed(summaries, rec, cpu);
		n++;
	}
	return n;
}

static void put_lost(struct sk_buff *skb, struct net *net, int cpu, u64 count,
		     u64 now)
{
	struct nlattr *nest;

	nest = ev_nest(skb, SYNFIN_A_EVENT);
	ev_put_u8(skb, SYNFIN_E_TYPE, SYNFIN_EV_LOST);
	ev_put_u64(skb, SYNFIN_E_TS_NS, now);
	ev_put_u32(skb, SYNFIN_E_CPU, cpu);
	ev_put_u32(skb, SYNFIN_E_NETNS, net->ns.inum);
	ev_put_u64(skb, SYNFIN_E_LOST, count);
	nla_nest_end(skb, nest);
}

int synfin_nl_put_lost(struct synfin_nl_msgs *m, struct net *net, int cpu,
		       u64 count)
{
	u64 now = ktime_get_ns();
	int g;

	if (!msgs_room(m, true))
		return -EMSGSIZE;
	for (g = 0; g < SYNFIN_NL_GROUPS; g++)
		if (m->skb[g])
			put_lost(m->skb[g], net, cpu, count, now);
	return 0;
}

/* The message a part of a GET_FLOWS dump is filling. */
struct dump_part {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int put_flow(const struct synfin_flow_snapshot *fi, void *arg)
{
	struct dump_part *part = arg;
	struct netlink_callback *cb = part->cb;
	struct sk_buff *skb = part->skb;
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
	struct dump_part part = { .skb = skb, .cb = cb };
	struct net *net = sock_net(skb->sk);
	int err;

	if (!synfin_drain_is_ready())
		return -EAGAIN;
	/*
	 * A part resumes at a position in the table: a flow added or removed
	 * in between may shift it. The generation tells the reader so (never
	 * 0, which nl_dump_check_consistent() takes for "not set").
	 */
	cb->seq = (u32)atomic_read(&synfin_pernet(net)->flows_gen) << 1 | 1;
	err = synfin_flow_walk(net, &cb->args[0], &cb->args[1], put_flow, &part);
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
	{
		.cmd = SYNFIN_CMD_SET_SELECTION,
		.doit = synfin_set_selection,
		.policy = synfin_sel_req_policy,
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

/* ---- events, for the drain ---- */

bool synfin_nl_has_listeners(struct net *net)
{
	int g;

	for (g = 0; g < SYNFIN_NL_GROUPS; g++)
		if (genl_has_listeners(&synfin_family, net, g))
			return true;
	return false;
}

int synfin_nl_msgs_open(struct synfin_nl_msgs *m, struct net *net)
{
	int g;

	for (g = 0; g < SYNFIN_NL_GROUPS; g++) {
		m->skb[g] = NULL;
		if (!genl_has_listeners(&synfin_family, net, g))
			continue;
		m->skb[g] = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!m->skb[g])
			goto fail;
		m->hdr[g] = genlmsg_put(m->skb[g], 0, 0, &synfin_family, 0,
					SYNFIN_CMD_EVENTS);
		if (!m->hdr[g]) {
			nlmsg_free(m->skb[g]);
			m->skb[g] = NULL;
			goto fail;
		}
	}
	/* (no group left since the drain asked: the send says -ESRCH) */
	m->open = true;
	return 0;
fail:
	while (--g >= 0) {
		if (m->skb[g])
			nlmsg_free(m->skb[g]);
		m->skb[g] = NULL;
	}
	return -ENOMEM;
}

int synfin_nl_msgs_send(struct synfin_nl_msgs *m, struct net *net)
{
	int g, err, ret = -ESRCH;

	for (g = 0; g < SYNFIN_NL_GROUPS; g++) {
		if (!m->skb[g])
			continue;
		genlmsg_end(m->skb[g], m->hdr[g]);
		err = genlmsg_multicast_netns(&synfin_family, net, m->skb[g],
					      0, g, GFP_KERNEL);
		m->skb[g] = NULL;
		if (err && err != -ESRCH)
			ret = ret && ret != -ESRCH ? ret : err;
		else if (!err && ret == -ESRCH)
			ret = 0;
	}
	m->open = false;
	return ret;
}

int synfin_netlink_init(void)
{
	return genl_register_family(&synfin_family);
}

void synfin_netlink_exit(void)
{
	genl_unregister_family(&synfin_family);
}
