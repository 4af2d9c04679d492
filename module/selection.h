/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYNFIN_SELECTION_H
#define SYNFIN_SELECTION_H

#include <linux/netlink.h>
#include <linux/rculist.h>
#include <linux/types.h>
#include <net/net_namespace.h>

#include "select.h"
#include "track.h"

/*
 * The selections registered in one netns (SYNFIN_CMD_SET_SELECTION), one
 * a netlink socket: an RCU list, changed under the selection lock. A
 * connection is selected when the list is empty, or it matches one.
 */
struct synfin_selections {
	struct hlist_head list;		/* of struct synfin_selection */
	unsigned int n;			/* under the selection lock */
};

/*
 * Make @sel (empty: none) the selection of socket @portid of @net. 0, or
 * -ENOSPC when @net has max_selections already, -EAGAIN while the
 * module loads or unloads, -ENOMEM; said in @extack.
 */
int synfin_selection_set(struct net *net, u32 portid,
			 const struct synfin_select *sel,
			 struct netlink_ext_ack *extack);

/* Does a selection of @s want connection @c? (Not empty; takes RCU.) */
bool synfin_selection_any(const struct synfin_selections *s,
			  const struct synfin_conn *c);

/* Does the netns of @s want the events of @c, a connection beginning? */
static inline bool synfin_selected(const struct synfin_selections *s,
				   const struct synfin_conn *c)
{
	/* No selection in the netns: every connection, and no more work. */
	return hlist_empty(&s->list) || synfin_selection_any(s, c);
}

/* A netns comes, and goes (its sockets all closed by then). */
void synfin_selection_net_init(struct synfin_selections *s);
void synfin_selection_net_exit(struct synfin_selections *s);

/* Selections die with their sockets (a netlink notifier) from here on. */
int synfin_selection_init(void);
/* No selection is made or removed once this returns. */
void synfin_selection_exit(void);

#endif /* SYNFIN_SELECTION_H */
