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
#include <linux/sysfs.h>
#include <linux/netdevice.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "flow.h"
#include "hook.h"
#include "main.h"
#include "netlink.h"
#include "ring.h"

/* ---- checked module parameters (declared where they are read) ---- */

static int uint_param_set(const char *val, const struct kernel_param *kp)
{
	const struct synfin_uint_param *p = kp->arg;
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err) {
		pr_err("%s: not a number from %u to %u: %s\n", kp->name,
		       p->min, p->max, val);
		return err;
	}
	if (v < p->min || v > p->max) {
		pr_err("%s must be from %u to %u, not %u\n", kp->name, p->min,
		       p->max, v);
		return -EINVAL;
	}
	WRITE_ONCE(*p->val, v);
	if (p->changed)
		p->changed();
	return 0;
}

static int uint_param_get(char *buf, const struct kernel_param *kp)
{
	const struct synfin_uint_param *p = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*p->val));
}

const struct kernel_param_ops synfin_uint_param_ops = {
	.set = uint_param_set,
	.get = uint_param_get,
};

static unsigned int synfin_net_id __read_mostly;

struct synfin_net *synfin_pernet(const struct net *net)
{
	return net_generic(net, synfin_net_id);
}

static void synfin_net_free(struct synfin_net *sn)
{
	kfree(sn->drained);
	kfree(sn->reported);
	free_percpu(sn->stats);
}

static int __net_init synfin_net_init(struct net *net)
{
	struct synfin_net *sn = synfin_pernet(net);
	int err;

	sn->net = net;
	atomic_set(&sn->flows, 0);
	atomic64_set(&sn->next_conn, 0);
	atomic_set(&sn->flows_gen, 0);
	sn->deaf = false;
	atomic64_set(&sn->deaf_since, 0);
	sn->stats = alloc_percpu(struct synfin_cpu_stats);
	sn->reported = kcalloc(nr_cpu_ids, sizeof(*sn->reported), GFP_KERNEL);
	sn->drained = kcalloc(nr_cpu_ids, sizeof(*sn->drained), GFP_KERNEL);
	if (!sn->stats || !sn->reported || !sn->drained) {
		err = -ENOMEM;
		goto err_free;
	}
	synfin_drain_add_net(sn);
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
err_free:
	synfin_net_free(sn);
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
	synfin_net_free(sn);
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

	err = synfin_ring_init();
	if (err)
		return err;
	/* The drain before the flows, whose events it sends. */
	err = synfin_netlink_init();
	if (err)
		goto err_ring;
	err = synfin_flow_init();
	if (err)
		goto err_netlink;
	err = register_pernet_subsys(&synfin_net_ops);
	if (err)
		goto err_flow;
	synfin_netlink_ready();

	pr_info("loaded\n");
	return 0;

	/* In the order of synfin_exit(). */
err_flow:
	synfin_flow_exit();
err_netlink:
	synfin_netlink_exit();
err_ring:
	synfin_ring_exit();
	return err;
}

static void __exit synfin_exit(void)
{
	/* No request may use a namespace's state once it can be freed. */
	synfin_netlink_unready();
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
