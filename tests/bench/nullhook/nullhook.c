// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of a netfilter-hook tracer, for `make bench`: the hooks synfin
 * registers (IPv4 and IPv6, PRE_ROUTING and LOCAL_OUT, at the same
 * priorities, in every namespace), each accepting at once. What this costs
 * any tracer built on them pays before it reads a single header.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/net_namespace.h>

static unsigned int nullhook_accept(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static const struct nf_hook_ops nullhook_ops[] = {
	{
		.hook		= nullhook_accept,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook		= nullhook_accept,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook		= nullhook_accept,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook		= nullhook_accept,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP6_PRI_CONNTRACK_DEFRAG + 1,
	},
};

static int __net_init nullhook_net_init(struct net *net)
{
	return nf_register_net_hooks(net, nullhook_ops,
				     ARRAY_SIZE(nullhook_ops));
}

static void __net_exit nullhook_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, nullhook_ops, ARRAY_SIZE(nullhook_ops));
}

static struct pernet_operations nullhook_net_ops = {
	.init = nullhook_net_init,
	.exit = nullhook_net_exit,
};

static int __init nullhook_init(void)
{
	return register_pernet_subsys(&nullhook_net_ops);
}

static void __exit nullhook_exit(void)
{
	unregister_pernet_subsys(&nullhook_net_ops);
}

module_init(nullhook_init);
module_exit(nullhook_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("netfilter hooks that accept at once: synfin's benchmark floor");
