// SPDX-License-Identifier: GPL-2.0
/*
 * synfin: trace every TCP connection's handshake and teardown, with the
 * state of both endpoints, from netfilter hooks to a generic netlink
 * multicast group. This file only brings the parts up and down, in
 * order: the family, the drain that sends its events, the flow table
 * that writes them, and the namespaces whose hooks feed the table.
 */
#include <linux/init.h>
#include <linux/module.h>

#include "drain.h"
#include "flow.h"
#include "netlink.h"
#include "netns.h"
#include "selection.h"

static int __init synfin_init(void)
{
	int err;

	err = synfin_netlink_init();
	if (err)
		return err;
	err = synfin_drain_init();
	if (err)
		goto err_netlink;
	err = synfin_flow_init();
	if (err)
		goto err_drain;
	err = synfin_netns_init();
	if (err)
		goto err_flow;
	err = synfin_selection_init();
	if (err)
		goto err_netns;
	synfin_drain_ready();

	pr_info("loaded\n");
	return 0;

	/* In the order of synfin_exit(). */
err_netns:
	synfin_netns_exit();
err_flow:
	synfin_flow_exit();
err_drain:
	synfin_drain_exit();
err_netlink:
	synfin_netlink_exit();
	return err;
}

static void __exit synfin_exit(void)
{
	/* No request may use a namespace's state once it can be freed. */
	synfin_drain_unready();
	synfin_selection_exit();
	synfin_netns_exit();
	synfin_flow_exit();
	synfin_drain_exit();
	synfin_netlink_exit();
	pr_info("unloaded\n");
}

module_init(synfin_init);
module_exit(synfin_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("synfin developers");
MODULE_DESCRIPTION("Trace TCP handshakes and teardowns with both endpoints' states");
MODULE_VERSION(SYNFIN_VERSION);
