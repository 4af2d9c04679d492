/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYNFIN_NETLINK_H
#define SYNFIN_NETLINK_H

#include "main.h"

int synfin_netlink_init(void);
/* Everything the requests read exists: answer them. */
void synfin_netlink_ready(void);
/* It is about to go: answer requests with EAGAIN, and wait for those in hand. */
void synfin_netlink_unready(void);
void synfin_netlink_exit(void);

/*
 * May anyone hear an event of @sn's netns? False when no socket, in any
 * netns, has joined the events group, or when the last message into this
 * netns reached nobody and no request came from it since (for up to
 * listener_probe_ms, when one event is let through to find out): the
 * event can be counted as unheard at once rather than queued. Any
 * context, while @sn lives.
 */
bool synfin_nl_listening(struct synfin_net *sn);

/* Ask the drain worker to run soon; callable from any context. */
void synfin_drain_kick(void);
/* A ring is filling up: drain now, not after drain_delay_ms. */
void synfin_drain_kick_now(void);
/* Drain every ring now and wait until done. Process context. */
void synfin_drain_sync(void);

/* Netns lifetime: attach/detach its state to the drain's list. */
void synfin_drain_add_net(struct synfin_net *sn);
void synfin_drain_del_net(struct synfin_net *sn);

#endif /* SYNFIN_NETLINK_H */
