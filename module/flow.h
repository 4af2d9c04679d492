/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYNFIN_FLOW_H
#define SYNFIN_FLOW_H

#include <linux/types.h>
#include <linux/skbuff.h>
#include <net/net_namespace.h>

#include "track.h"

/* One parsed TCP segment, as the hooks hand it to the flow table. */
struct synfin_pkt {
	struct synfin_packet p;		/* what the tracking core needs */
	/* For its checksum: NULL once verified, or when none is needed. */
	struct sk_buff *skb;
	unsigned int thoff;
	bool local;		/* made here, seen at LOCAL_OUT */
	bool frag;		/* first fragment of a datagram not reassembled */
};

/*
 * Is @pkt's TCP checksum wrong? Verified once, where the stack has not:
 * at PRE_ROUTING with nf_checksum(), at LOCAL_OUT only for segments
 * nobody checksummed (CHECKSUM_NONE: raw sockets).
 */
bool synfin_pkt_csum_bad(struct synfin_pkt *pkt);

struct synfin_net;

/* A consistent copy of one flow, for dumps. */
struct synfin_flow_snapshot {
	u64 conn;
	u64 first_ns;
	u64 last_ns;
	union synfin_addr caddr;
	union synfin_addr saddr;
	u16 cport;
	u16 sport;
	u8 family;
	u32 events;
	struct synfin_fsm fsm;
};

int synfin_flow_init(void);
void synfin_flow_exit(void);

/* Hook path, RCU read side held; @sn is @net's synfin state. */
void synfin_flow_segment(struct net *net, struct synfin_net *sn,
			 struct synfin_pkt *pkt);

/* Forget every flow of @net (all flows if @net is NULL), without events. */
void synfin_flow_flush(struct net *net);

u32 synfin_flows_active(void);

typedef int (*synfin_flow_fill_t)(const struct synfin_flow_snapshot *info,
				  void *arg);
/*
 * Call @fill for each flow of @net from position (*bucket, *skip) on;
 * stop, keeping the position, when @fill returns non-zero.
 */
int synfin_flow_walk(struct net *net, unsigned long *bucket,
		     unsigned long *skip, synfin_flow_fill_t fill, void *arg);

#endif /* SYNFIN_FLOW_H */
