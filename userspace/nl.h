/* SPDX-License-Identifier: GPL-2.0 */
/*
 * synfin reader: generic netlink plumbing on libmnl (nl.c): a socket,
 * the synfin family and its groups resolved, requests sent and their
 * replies, notifications received.
 */
#ifndef SYNFIN_NL_H
#define SYNFIN_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/netlink.h>

struct sf_nl;
struct sf_nl *sf_nl_open(void);
void sf_nl_close(struct sf_nl *nl);
int sf_nl_fd(const struct sf_nl *nl);
/* Resolve the family; returns 0, -ENOENT if the module is not loaded. */
int sf_nl_resolve(struct sf_nl *nl);
/*
 * Join the synfin group @group (NULL: "events", as resolved) and the
 * control group (family removal); -ENOENT if the family has no @group.
 */
int sf_nl_subscribe(struct sf_nl *nl, int rcvbuf, const char *group);
typedef int (*sf_msg_cb)(const struct nlmsghdr *nlh, void *arg);
/* Send a request without attributes and feed replies to @cb. */
int sf_nl_request(struct sf_nl *nl, uint8_t cmd, bool dump, sf_msg_cb cb,
		  void *arg);
struct synfin_select;
/*
 * Make @sel this socket's selection (SYNFIN_CMD_SET_SELECTION): the
 * module keeps it until the socket closes. 0 or -errno.
 */
int sf_nl_set_selection(struct sf_nl *nl, const struct synfin_select *sel);
/* Did the table change while the last request dumped it? */
bool sf_nl_dump_intr(const struct sf_nl *nl);
/* Receive one buffer of notifications; 0, -ENOBUFS, -EAGAIN, -errno. */
int sf_nl_recv(struct sf_nl *nl, sf_msg_cb cb, void *arg, bool *family_gone);
uint16_t sf_nl_family_id(const struct sf_nl *nl);

#endif /* SYNFIN_NL_H */
