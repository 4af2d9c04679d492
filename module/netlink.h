/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYNFIN_NETLINK_H
#define SYNFIN_NETLINK_H

#include <linux/skbuff.h>
#include <linux/types.h>
#include <net/net_namespace.h>

struct synfin_rec;

/* The generic netlink family: its requests are EAGAIN until ready. */
int synfin_netlink_init(void);
void synfin_netlink_exit(void);

/* The multicast groups events go to, in the family's order. */
enum synfin_nl_group {
	SYNFIN_NL_EVENTS,	/* "events": each event a SYNFIN_A_EVENT nest */
	SYNFIN_NL_PACKED,	/* "events-packed": a SYNFIN_A_EVENT_PACKED */
	SYNFIN_NL_SUMMARIES,	/* "summaries": final events only, packed */
	SYNFIN_NL_GROUPS
};

/*
 * Has any socket, in any netns, joined a group of events? (netlink keeps
 * one bitmap for all namespaces; a multicast into @net tells for sure.)
 */
bool synfin_nl_has_listeners(struct net *net);

/*
 * One netns's open messages of events, one for each group that has
 * listeners when they are opened: every event and notice goes into all
 * of them, and they are sent together.
 */
struct synfin_nl_msgs {
	struct sk_buff *skb[SYNFIN_NL_GROUPS];
	void *hdr[SYNFIN_NL_GROUPS];
	bool open;
};

/* Open the messages for @net: 0, or -ENOMEM with none open. */
int synfin_nl_msgs_open(struct synfin_nl_msgs *m, struct net *net);
/*
 * Add one event to every message whose group wants it (summaries: only
 * a connection's final event), or a notice of @count events CPU @cpu
 * lost to a full ring to every message: -EMSGSIZE, and nothing added,
 * when one is full; else how many messages the event went into.
 */
int synfin_nl_put_event(struct synfin_nl_msgs *m, const struct synfin_rec *rec,
			int cpu);
int synfin_nl_put_lost(struct synfin_nl_msgs *m, struct net *net, int cpu,
		       u64 count);
/*
 * Finish and multicast the messages into @net, closing them: what one
 * multicast to all their listeners would return (-ENOBUFS if one
 * listener missed one, else 0 if one reached someone, else -ESRCH).
 */
int synfin_nl_msgs_send(struct synfin_nl_msgs *m, struct net *net);

#endif /* SYNFIN_NETLINK_H */
