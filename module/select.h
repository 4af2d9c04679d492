/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which connections a reader wants: port ranges and address prefixes,
 * matched against a connection's two endpoints. The reader's --port and
 * --host filter with it, and the module decides with it, once a
 * connection, whether any registered selection of its netns wants its
 * events (SYNFIN_CMD_SET_SELECTION).
 *
 * Plain C, like fsm.c: no kernel includes, built into the module and the
 * reader, so the two never disagree on what a selection means.
 */
#ifndef SYNFIN_SELECT_H
#define SYNFIN_SELECT_H

#include "uapi/linux/synfin.h"

#ifndef __KERNEL__
#include <stdbool.h>
#endif

/* Ports lo to hi, both included. */
struct synfin_port_range {
	__u16 lo;
	__u16 hi;
};

/* The addresses of @family whose first @len bits are @addr's. */
struct synfin_prefix {
	__u8 addr[16];		/* network order; IPv4 in the first 4 bytes */
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 len;		/* 0 to 32 or 128 */
};

/*
 * A connection matches when (there is no port range, or one holds the
 * port of either end) and (there is no prefix, or one holds the address
 * of either end). Empty: every connection matches.
 */
struct synfin_select {
	__u8 nports;
	__u8 nprefixes;
	struct synfin_port_range ports[SYNFIN_SELECT_MAX];
	struct synfin_prefix prefixes[SYNFIN_SELECT_MAX];
};

/* Why an entry was refused: SYNFIN_SELECT_OK (0) if it was not. */
enum synfin_select_err {
	SYNFIN_SELECT_OK,
	SYNFIN_SELECT_FULL,		/* SYNFIN_SELECT_MAX of its kind already */
	SYNFIN_SELECT_BAD_RANGE,	/* lo > hi */
	SYNFIN_SELECT_BAD_FAMILY,	/* neither AF_INET nor AF_INET6 */
	SYNFIN_SELECT_BAD_LEN,		/* longer than the family's address */
};

/* Add the ports @lo to @hi. */
enum synfin_select_err synfin_select_add_ports(struct synfin_select *s,
					       __u16 lo, __u16 hi);
/*
 * Add the prefix @addr/@len of @family (@addr: 4 or 16 bytes as the
 * family says). Bits past @len are not compared.
 */
enum synfin_select_err synfin_select_add_prefix(struct synfin_select *s,
						__u8 family, const __u8 *addr,
						__u8 len);

static inline bool synfin_select_empty(const struct synfin_select *s)
{
	return !s->nports && !s->nprefixes;
}

/*
 * Does the connection between @a port @pa and @b port @pb, addresses of
 * @family (4 or 16 bytes, network order), match @s?
 */
bool synfin_select_match(const struct synfin_select *s, __u8 family,
			 const __u8 *a, __u16 pa, const __u8 *b, __u16 pb);

#endif /* SYNFIN_SELECT_H */
