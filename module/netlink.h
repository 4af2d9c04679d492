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

/*
 * Has any socket, in any netns, joined the events group? (netlink keeps
 * one bitmap for all namespaces; a multicast into @net tells for sure.)
 */
bool synfin_nl_has_listeners(struct net *net);

/* A new message of events; NULL if none could be made. */
struct sk_buff *synfin_nl_events_new(void **hdr);
/*
 * Add one event, or a notice of @count events CPU @cpu lost to a full
 * ring, to @skb: -EMSGSIZE when it is full.
 */
int synfin_nl_put_event(struct sk_buff *skb, const struct synfin_rec *rec,
			int cpu);
int synfin_nl_put_lost(struct sk_buff *skb, struct net *net, int cpu,
		       u64 count);
/* Finish and multicast @skb into @net: the multicast's result. */
int synfin_nl_events_send(struct sk_buff *skb, void *hdr, struct net *net);

#endif /* SYNFIN_NETLINK_H */
