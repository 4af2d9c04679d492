/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYNFIN_HOOK_H
#define SYNFIN_HOOK_H

#include <net/net_namespace.h>

int synfin_hook_register(struct net *net);
void synfin_hook_unregister(struct net *net);

#endif /* SYNFIN_HOOK_H */
