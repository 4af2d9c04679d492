// SPDX-License-Identifier: GPL-2.0
/*
 * Selections registered by readers (SYNFIN_CMD_SET_SELECTION): per netns,
 * at most max_selections, one a generic netlink socket, each kept until
 * its socket is released (NETLINK_URELEASE). A netns's selections are an
 * RCU list, changed under selection_lock: adding or replacing one
 * allocates (and may fail, to the request), removing one never does, so
 * a socket's selection always goes with it. The flow table reads the
 * list once a connection, when the connection begins, and keeps the
 * answer in the flow (flow.c). The union of the selections is sent: each
 * reader filters its own.
 */
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "netns.h"
#include "param.h"
#include "selection.h"

static unsigned int max_selections = 64;

static struct synfin_uint_param max_selections_p = {
	&max_selections, 1, 1024, NULL
};

module_param_cb(max_selections, &synfin_uint_param_ops, &max_selections_p, 0644);
__MODULE_PARM_TYPE(max_selections, "uint");
MODULE_PARM_DESC(max_selections,
		 "Most selections (readers' --port/--host) one network namespace may register, 1 to 1024 (default 64)");

/* One socket's selection. */
struct synfin_selection {
	struct hlist_node node;
	struct rcu_head rcu;
	u32 portid;			/* of the socket that made it */
	struct synfin_select sel;
};

/* Writers of every netns's list, and selection_ready. */
static DEFINE_MUTEX(selection_lock);
/* The namespaces' state exists: requests and the notifier may use it. */
static bool selection_ready;

bool synfin_selection_any(const struct synfin_selections *s,
			  const struct synfin_conn *c)
{
	const struct synfin_selection *e;
	bool want = false;

	rcu_read_lock();
	hlist_for_each_entry_rcu(e, &s->list, node) {
		if (synfin_select_match(&e->sel, c->family, c->a_addr.b,
					c->a_port, c->b_addr.b, c->b_port)) {
			want = true;
			break;
		}
	}
	rcu_read_unlock();
	return want;
}

/* Socket @portid's selection in @s, or NULL. Selection lock held. */
static struct synfin_selection *selection_find(struct synfin_selections *s,
					       u32 portid)
{
	struct synfin_selection *e;

	hlist_for_each_entry(e, &s->list, node)
		if (e->portid == portid)
			return e;
	return NULL;
}

/* Remove @e from @s. Selection lock held. */
static void selection_del(struct synfin_selections *s,
			  struct synfin_selection *e)
{
	hlist_del_rcu(&e->node);
	s->n--;
	kfree_rcu(e, rcu);
}

int synfin_selection_set(struct net *net, u32 portid,
			 const struct synfin_select *sel,
			 struct netlink_ext_ack *extack)
{
	struct synfin_selection *old, *e = NULL;
	struct synfin_selections *s;
	int err = 0;

	if (!synfin_select_empty(sel)) {
		e = kmalloc(sizeof(*e), GFP_KERNEL);
		if (!e)
			return -ENOMEM;
		e->portid = portid;
		e->sel = *sel;
	}
	mutex_lock(&selection_lock);
	if (!selection_ready) {
		NL_SET_ERR_MSG(extack, "the synfin module is loading or unloading");
		err = -EAGAIN;
		goto out;
	}
	s = &synfin_pernet(net)->selections;
	old = selection_find(s, portid);
	if (!e) {
		if (old)
			selection_del(s, old);
		goto out;
	}
	if (old) {
		hlist_replace_rcu(&old->node, &e->node);
		kfree_rcu(old, rcu);
	} else if (s->n >= READ_ONCE(max_selections)) {
		NL_SET_ERR_MSG(extack,
			       "this network namespace has max_selections selections already");
		err = -ENOSPC;
		goto out;
	} else {
		hlist_add_head_rcu(&e->node, &s->list);
		s->n++;
	}
	e = NULL;
out:
	mutex_unlock(&selection_lock);
	kfree(e);
	return err;
}

static int selection_notify(struct notifier_block *nb, unsigned long state,
			    void *ptr)
{
	struct netlink_notify *n = ptr;
	struct synfin_selections *s;
	struct synfin_selection *e;

	if (state != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	mutex_lock(&selection_lock);
	if (selection_ready) {
		s = &synfin_pernet(n->net)->selections;
		e = selection_find(s, n->portid);
		if (e)
			selection_del(s, e);
	}
	mutex_unlock(&selection_lock);
	return NOTIFY_DONE;
}

static struct notifier_block selection_nb = {
	.notifier_call = selection_notify,
};

void synfin_selection_net_init(struct synfin_selections *s)
{
	INIT_HLIST_HEAD(&s->list);
	s->n = 0;
}

void synfin_selection_net_exit(struct synfin_selections *s)
{
	struct synfin_selection *e;
	struct hlist_node *tmp;

	/* No hook runs in the netns now; RCU still for any late reader. */
	mutex_lock(&selection_lock);
	hlist_for_each_entry_safe(e, tmp, &s->list, node)
		selection_del(s, e);
	mutex_unlock(&selection_lock);
}

int synfin_selection_init(void)
{
	int err = netlink_register_notifier(&selection_nb);

	if (err)
		return err;
	mutex_lock(&selection_lock);
	selection_ready = true;
	mutex_unlock(&selection_lock);
	return 0;
}

void synfin_selection_exit(void)
{
	mutex_lock(&selection_lock);
	selection_ready = false;
	mutex_unlock(&selection_lock);
	netlink_unregister_notifier(&selection_nb);
}
