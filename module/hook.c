// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks: PRE_ROUTING and LOCAL_OUT for IPv4 and IPv6, just
 * after defragmentation. Every TCP segment entering or leaving the
 * namespace is seen once: loopback traffic, which passes both hooks, is
 * taken at LOCAL_OUT only, and a VRF's second pass of a segment through
 * either hook, for its master device, is skipped. (Bridged packets that
 * reach the host pass PRE_ROUTING once more too, but br_netfilter's
 * ip_sabotage_in() stops them before hooks of our priority.) Segments
 * are always accepted.
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
#include <net/ip6_checksum.h>
#include <net/ip6_fib.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/tcp.h>

#include "flow.h"
#include "hook.h"
#include "netns.h"

/* Is @skb's route a local delivery (its VRF's own address)? */
static bool dst_is_local(const struct sk_buff *skb, u8 pf)
{
	const struct dst_entry *dst = skb_dst(skb);

	if (!dst)
		return false;
	if (pf == NFPROTO_IPV4)
		return skb_rtable(skb)->rt_type == RTN_LOCAL;
	return container_of(dst, struct rt6_info, dst)->rt6i_flags & RTF_LOCAL;
}

/*
 * Has this segment been, or will it be, seen at another pass? Loopback
 * segments went through LOCAL_OUT already. A VRF runs LOCAL_OUT (and, on
 * the way in, PRE_ROUTING) once for its master device and once for the
 * real one: the master's pass is the extra one (conntrack skips it too),
 * but for a connection to the VRF's own address, whose segments go out
 * through the master only and come back in through it, as loopback ones
 * do. A copy made by TEE or nf_dup is not a segment of the connection.
 */
static bool seen_elsewhere(const struct nf_hook_state *state,
			   const struct sk_buff *skb)
{
	if (state->hook == NF_INET_PRE_ROUTING)
		return state->in && ((state->in->flags & IFF_LOOPBACK) ||
				     netif_is_l3_master(state->in));
	if (this_cpu_read(nf_skb_duplicated))
		return true;
	return state->out && netif_is_l3_master(state->out) &&
	       !dst_is_local(skb, state->pf);
}

/*
 * A locally made segment whose checksum nobody computed for the stack
 * (CHECKSUM_NONE: a raw socket's): checked without touching @skb, which
 * goes on its way.
 */
static bool local_csum_bad(struct sk_buff *skb, const struct synfin_pkt *pkt)
{
	unsigned int len = skb->len - pkt->thoff;
	__wsum csum = skb_checksum(skb, pkt->thoff, len, 0);

	if (pkt->p.family == AF_INET)
		return csum_tcpudp_magic(pkt->p.saddr.v4, pkt->p.daddr.v4, len,
					 IPPROTO_TCP, csum) != 0;
	return csum_ipv6_magic((const struct in6_addr *)pkt->p.saddr.b,
			       (const struct in6_addr *)pkt->p.daddr.b, len,
			       IPPROTO_TCP, csum) != 0;
}

bool synfin_pkt_csum_bad(struct synfin_pkt *pkt)
{
	struct sk_buff *skb = pkt->skb;

	if (!skb)
		return false;
	pkt->skb = NULL;		/* once is enough */
	if (pkt->local)
		return local_csum_bad(skb, pkt);
	return nf_checksum(skb, NF_INET_PRE_ROUTING, pkt->thoff, IPPROTO_TCP,
			   pkt->p.family) != 0;
}

/* Parse the TCP header at @thoff and hand the segment to the flow table. */
static void synfin_tcp(struct net *net, struct sk_buff *skb,
		       const struct nf_hook_state *state, unsigned int thoff,
		       struct synfin_pkt *pkt)
{
	struct synfin_net *sn = synfin_pernet(net);
	struct tcphdr _th;
	const struct tcphdr *th;
	unsigned int hdrlen;
	u8 _opt[MAX_TCP_OPTION_SPACE];
	const u8 *opt;

	synfin_stat_inc(sn, segments);
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th)
		goto malformed;
	hdrlen = th->doff * 4;
	if (th->doff < 5 || skb->len < thoff + hdrlen)
		goto malformed;

	pkt->p.sport = ntohs(th->source);
	pkt->p.dport = ntohs(th->dest);
	pkt->p.seg.win = ntohs(th->window);
	pkt->p.seg.wscale = -1;
	if (th->syn && hdrlen > sizeof(*th)) {
		/* Window scaling is negotiated by the SYNs' options. */
		opt = skb_header_pointer(skb, thoff + sizeof(*th),
					 hdrlen - sizeof(*th), _opt);
		if (opt)
			pkt->p.seg.wscale =
				synfin_tcp_wscale(opt, hdrlen - sizeof(*th));
	}
	pkt->p.seg.seq = ntohl(th->seq);
	pkt->p.seg.ack = ntohl(th->ack_seq);
	/* A GSO or GRO skb is one segment here, as a capture shows it. */
	pkt->p.seg.len = skb->len - thoff - hdrlen;
	pkt->p.seg.flags = tcp_flag_byte(th);
	/*
	 * Received segments may need their checksum checked, and locally
	 * made ones that nobody checksummed (raw sockets); the stack's own
	 * are good. The first fragment of a datagram not reassembled cannot
	 * be checked: its checksum covers fragments still to come.
	 */
	pkt->thoff = thoff;
	pkt->local = state->hook != NF_INET_PRE_ROUTING;
	if (pkt->frag || (pkt->local && skb->ip_summed != CHECKSUM_NONE))
		pkt->skb = NULL;
	else
		pkt->skb = skb;
	synfin_flow_segment(net, sn, pkt);
	return;

malformed:
	synfin_stat_inc(sn, malformed);
}

static unsigned int synfin_hook_ipv4(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct synfin_pkt pkt = { .p.family = AF_INET };
	const struct iphdr *iph;
	struct iphdr _iph;

	if (seen_elsewhere(state, skb))
		return NF_ACCEPT;
	iph = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_iph),
				 &_iph);
	if (!iph || iph->protocol != IPPROTO_TCP)
		return NF_ACCEPT;
	/* Only the first fragment carries the TCP header. */
	if (ntohs(iph->frag_off) & IP_OFFSET)
		return NF_ACCEPT;
	if (iph->ihl < 5) {
		synfin_stat_inc(synfin_pernet(state->net), malformed);
		return NF_ACCEPT;
	}
	pkt.p.saddr.v4 = iph->saddr;
	pkt.p.daddr.v4 = iph->daddr;
	pkt.frag = !!(ntohs(iph->frag_off) & IP_MF);
	synfin_tcp(state->net, skb, state,
		   skb_network_offset(skb) + iph->ihl * 4, &pkt);
	return NF_ACCEPT;
}

static unsigned int synfin_hook_ipv6(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct synfin_pkt pkt = { .p.family = AF_INET6 };
	const struct ipv6hdr *ip6h;
	struct ipv6hdr _ip6h;
	unsigned int thoff = 0;
	unsigned short fragoff = 0;
	int hflags = 0;

	if (seen_elsewhere(state, skb))
		return NF_ACCEPT;
	ip6h = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_ip6h),
				  &_ip6h);
	if (!ip6h)
		return NF_ACCEPT;
	if (ipv6_find_hdr(skb, &thoff, IPPROTO_TCP, &fragoff, &hflags) !=
	    IPPROTO_TCP)
		return NF_ACCEPT;
	if (fragoff)
		return NF_ACCEPT;
	memcpy(pkt.p.saddr.b, &ip6h->saddr, sizeof(pkt.p.saddr.b));
	memcpy(pkt.p.daddr.b, &ip6h->daddr, sizeof(pkt.p.daddr.b));
	pkt.frag = !!(hflags & IP6_FH_F_FRAG);
	synfin_tcp(state->net, skb, state, thoff, &pkt);
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
