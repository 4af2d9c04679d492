// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks: PRE_ROUTING and LOCAL_OUT for IPv4 and IPv6, just
 * after defragmentation. Every TCP segment entering or leaving the
 * namespace is seen once: loopback traffic, which passes both hooks, is
 * taken at LOCAL_OUT only. Segments are always accepted.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "flow.h"
#include "hook.h"
#include "main.h"

/* Loopback segments already went through LOCAL_OUT. */
static bool seen_at_local_out(const struct nf_hook_state *state)
{
	return state->hook == NF_INET_PRE_ROUTING && state->in &&
	       (state->in->flags & IFF_LOOPBACK);
}

/* Parse the TCP header at @thoff and hand the segment to the flow table. */
static void synfin_tcp(struct net *net, struct sk_buff *skb,
		       unsigned int thoff, struct synfin_pkt *pkt)
{
	struct tcphdr _th;
	const struct tcphdr *th;
	unsigned int hdrlen;
	u8 _opt[MAX_TCP_OPTION_SPACE];
	const u8 *opt;

	synfin_stat_inc(segments);
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th)
		goto malformed;
	hdrlen = th->doff * 4;
	if (th->doff < 5 || skb->len < thoff + hdrlen)
		goto malformed;

	pkt->sport = ntohs(th->source);
	pkt->dport = ntohs(th->dest);
	pkt->seg.win = ntohs(th->window);
	pkt->seg.wscale = -1;
	if (th->syn && hdrlen > sizeof(*th)) {
		/* Window scaling is negotiated by the SYNs' options. */
		opt = skb_header_pointer(skb, thoff + sizeof(*th),
					 hdrlen - sizeof(*th), _opt);
		if (opt)
			pkt->seg.wscale = synfin_tcp_wscale(opt,
							    hdrlen - sizeof(*th));
	}
	pkt->seg.seq = ntohl(th->seq);
	pkt->seg.ack = ntohl(th->ack_seq);
	/* A GSO or GRO skb is one segment here, as a capture shows it. */
	pkt->seg.len = skb->len - thoff - hdrlen;
	pkt->seg.flags = tcp_flag_byte(th);
	synfin_flow_segment(net, pkt);
	return;

malformed:
	synfin_stat_inc(malformed);
}

static unsigned int synfin_hook_ipv4(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct synfin_pkt pkt = { .family = AF_INET };
	const struct iphdr *iph;
	struct iphdr _iph;

	if (seen_at_local_out(state))
		return NF_ACCEPT;
	iph = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_iph),
				 &_iph);
	if (!iph || iph->protocol != IPPROTO_TCP)
		return NF_ACCEPT;
	/* Only the first fragment carries the TCP header. */
	if (ntohs(iph->frag_off) & IP_OFFSET)
		return NF_ACCEPT;
	if (iph->ihl < 5) {
		synfin_stat_inc(malformed);
		return NF_ACCEPT;
	}
	pkt.saddr.v4 = iph->saddr;
	pkt.daddr.v4 = iph->daddr;
	synfin_tcp(state->net, skb, skb_network_offset(skb) + iph->ihl * 4,
		   &pkt);
	return NF_ACCEPT;
}

static unsigned int synfin_hook_ipv6(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct synfin_pkt pkt = { .family = AF_INET6 };
	const struct ipv6hdr *ip6h;
	struct ipv6hdr _ip6h;
	unsigned int thoff = 0;
	unsigned short fragoff = 0;

	if (seen_at_local_out(state))
		return NF_ACCEPT;
	ip6h = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_ip6h),
				  &_ip6h);
	if (!ip6h)
		return NF_ACCEPT;
	if (ipv6_find_hdr(skb, &thoff, IPPROTO_TCP, &fragoff, NULL) !=
	    IPPROTO_TCP)
		return NF_ACCEPT;
	if (fragoff)
		return NF_ACCEPT;
	pkt.saddr.v6 = ip6h->saddr;
	pkt.daddr.v6 = ip6h->daddr;
	synfin_tcp(state->net, skb, thoff, &pkt);
	return NF_ACCEPT;
}

static const struct nf_hook_ops synfin_hook_ops[] = {
	{
		.hook		= synfin_hook_ipv4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook		= synfin_hook_ipv4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook		= synfin_hook_ipv6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook		= synfin_hook_ipv6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP6_PRI_CONNTRACK_DEFRAG + 1,
	},
};

int synfin_hook_register(struct net *net)
{
	return nf_register_net_hooks(net, synfin_hook_ops,
				     ARRAY_SIZE(synfin_hook_ops));
}

void synfin_hook_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, synfin_hook_ops,
				ARRAY_SIZE(synfin_hook_ops));
}
