// SPDX-License-Identifier: GPL-2.0
/*
 * synfin: trace every TCP connection's handshake and teardown, with the
 * state of both endpoints, from netfilter hooks to a generic netlink
 * multicast group.
 */
#include <linux/cpumask.h>
#include <linux/init.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "flow.h"
#include "hook.h"
#include "main.h"
#include "netlink.h"
#include "ring.h"

unsigned int synfin_max_flows = 65536;
module_param_named(max_flows, synfin_max_flows, uint, 0644);
MODULE_PARM_DESC(max_flows,
		 "Most flows tracked at once; more are evicted or counted as untracked (default 65536)");

unsigned int synfin_ring_size = 4096;
module_param_named(ring_size, synfin_ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size,
		 "Event records per CPU ring, a power of two from 16 to 1048576 (default 4096)");

unsigned int synfin_time_wait_ms = 60000;
module_param_named(time_wait_ms, synfin_time_wait_ms, uint, 0644);
MODULE_PARM_DESC(time_wait_ms,
		 "How long TIME_WAIT lasts before the connection ends, ms (default 60000)");

unsigned int synfin_syn_timeout_ms = 120000;
module_param_named(syn_timeout_ms, synfin_syn_timeout_ms, uint, 0644);
MODULE_PARM_DESC(syn_timeout_ms,
		 "Idle timeout of an unfinished handshake, ms (default 120000)");

unsigned int synfin_established_timeout_ms = 432000000;
module_param_named(established_timeout_ms, synfin_established_timeout_ms,
		   uint, 0644);
MODULE_PARM_DESC(established_timeout_ms,
		 "Idle timeout of an established connection, ms (default 432000000, 5 days)");

unsigned int synfin_close_timeout_ms = 120000;
module_param_named(close_timeout_ms, synfin_close_timeout_ms, uint, 0644);
MODULE_PARM_DESC(close_timeout_ms,
		 "Idle timeout of a connection that is closing, ms (default 120000)");

unsigned int synfin_closed_linger_ms = 10000;
module_param_named(closed_linger_ms, synfin_closed_linger_ms, uint, 0644);
MODULE_PARM_DESC(closed_linger_ms,
		 "How long an ended connection's flow absorbs late segments, ms (default 10000)");

unsigned int synfin_gc_interval_ms = 1000;
module_param_named(gc_interval_ms, synfin_gc_interval_ms, uint, 0644);
MODULE_PARM_DESC(gc_interval_ms,
		 "How often idle flows are looked for, ms (default 1000)");

unsigned int synfin_drain_delay_ms = 5;
module_param_named(drain_delay_ms, synfin_drain_delay_ms, uint, 0644);
MODULE_PARM_DESC(drain_delay_ms,
		 "Delay from an event to the drain that sends it, ms, batching events (default 5)");

unsigned int synfin_drain_watermark = 50;
module_param_named(drain_watermark, synfin_drain_watermark, uint, 0444);
MODULE_PARM_DESC(drain_watermark,
		 "Percent of ring_size at which a ring is drained at once, without waiting for drain_delay_ms (0: never; default 50)");

DEFINE_PER_CPU(struct synfin_cpu_stats, synfin_stats);

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
	sn->dropped = alloc_percpu(u64);
	if (!sn->dropped)
		return -ENOMEM;
	sn->reported = kcalloc(nr_cpu_ids, sizeof(*sn->reported), GFP_KERNEL);
	if (!sn->reported) {
		err = -ENOMEM;
		goto err_dropped;
	}
	synfin_drain_add_net(sn);
	err = synfin_hook_register(net);
	if (err)
		goto err_list;
	return 0;

err_list:
	synfin_drain_del_net(sn);
	kfree(sn->reported);
err_dropped:
	free_percpu(sn->dropped);
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
	kfree(sn->reported);
	free_percpu(sn->dropped);
}

static struct pernet_operations synfin_net_ops = {
	.init = synfin_net_init,
	.pre_exit = synfin_net_pre_exit,
	.exit = synfin_net_exit,
	.id = &synfin_net_id,
	.size = sizeof(struct synfin_net),
};

static int __init synfin_init(void)
{
	int err;

	if (synfin_ring_size < 16 || synfin_ring_size > (1U << 20) ||
	    !is_power_of_2(synfin_ring_size)) {
		pr_err("ring_size must be a power of two from 16 to 1048576, not %u\n",
		       synfin_ring_size);
		return -EINVAL;
	}
	if (synfin_drain_watermark > 100) {
		pr_err("drain_watermark is a percentage, 0 to 100, not %u\n",
		       synfin_drain_watermark);
		return -EINVAL;
	}
	if (!synfin_max_flows || !synfin_gc_interval_ms) {
		pr_err("max_flows and gc_interval_ms must be positive\n");
		return -EINVAL;
	}

	err = synfin_ring_init(synfin_ring_size);
	if (err)
		return err;
	err = synfin_flow_init();
	if (err)
		goto err_ring;
	err = synfin_netlink_init();
	if (err)
		goto err_flow;
	err = register_pernet_subsys(&synfin_net_ops);
	if (err)
		goto err_netlink;

	pr_info("loaded: ring_size=%u max_flows=%u time_wait_ms=%u\n",
		synfin_ring_size, synfin_max_flows, synfin_time_wait_ms);
	return 0;

err_netlink:
	synfin_netlink_exit();
err_flow:
	synfin_flow_exit();
err_ring:
	synfin_ring_exit();
	return err;
}

static void __exit synfin_exit(void)
{
	unregister_pernet_subsys(&synfin_net_ops);
	synfin_flow_exit();
	synfin_netlink_exit();
	synfin_ring_exit();
	pr_info("unloaded\n");
}

module_init(synfin_init);
module_exit(synfin_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("synfin developers");
MODULE_DESCRIPTION("Trace TCP handshakes and teardowns with both endpoints' states");
MODULE_VERSION(SYNFIN_VERSION);
