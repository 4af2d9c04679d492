// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: counters, the drain's part, the flows'
 * count and connection ids, and the hooks. Made when a namespace comes
 * (or at load for those already there), undone when it goes: hooks out
 * first, then its flows are forgotten and its last events sent.
 */
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "flow.h"
#include "hook.h"
#include "netns.h"

static unsigned int synfin_net_id __read_mostly;

struct synfin_net *synfin_pernet(const struct net *net)
{
	return net_generic(net, synfin_net_id);
}

static int __net_init synfin_net_init(struct net *net)
{
	struct synfin_net *sn = synfin_pernet(net);
	int err;

	sn->net = net;
	atomic_set(&sn->flows, 0);
	atomic64_set(&sn->next_conn, 0);
	atomic_set(&sn->flows_gen, 0);
	synfin_selection_net_init(&sn->selections);
	sn->stats = alloc_percpu(struct synfin_cpu_stats);
	if (!sn->stats)
		return -ENOMEM;
	err = synfin_drain_add_net(sn);
	if (err)
		goto err_stats;
	err = synfin_hook_register(net);
	if (err)
		goto err_hooks;
	return 0;

err_hooks:
	/*
	 * Some of the hooks may have run on other CPUs before they were
	 * taken out again: wait for them, then undo as synfin_net_exit().
	 */
	synchronize_net();
	synfin_flow_flush(net);
	synfin_drain_del_net(sn);
err_stats:
	free_percpu(sn->stats);
	return err;
}

static void __net_exit synfin_net_pre_exit(struct net *net)
{
	synfin_hook_unregister(net);
}

static void __net_exit synfin_net_exit(struct net *net)
{
	struct synfin_net *sn = synfin_pernet(net);

	/* No hook runs now; forget the flows, then send their last events. */
	synfin_flow_flush(net);
	synfin_drain_del_net(sn);
	synfin_selection_net_exit(&sn->selections);
	free_percpu(sn->stats);
}

static struct pernet_operations synfin_net_ops = {
	.init = synfin_net_init,
	.pre_exit = synfin_net_pre_exit,
	.exit = synfin_net_exit,
	.id = &synfin_net_id,
	.size = sizeof(struct synfin_net),
};

int synfin_netns_init(void)
{
	return register_pernet_subsys(&synfin_net_ops);
}

void synfin_netns_exit(void)
{
	unregister_pernet_subsys(&synfin_net_ops);
}
