// SPDX-License-Identifier: GPL-2.0
/*
 * Selections of connections by port ranges and address prefixes, shared
 * by the module and the reader: see select.h.
 */
#include "select.h"

/* The address families' numbers, the same on every Linux architecture. */
#define SELECT_AF_INET	2
#define SELECT_AF_INET6	10

static unsigned int select_addr_bits(__u8 family)
{
	return family == SELECT_AF_INET ? 32 : 128;
}

enum synfin_select_err synfin_select_add_ports(struct synfin_select *s,
					       __u16 lo, __u16 hi)
{
	if (lo > hi)
		return SYNFIN_SELECT_BAD_RANGE;
	if (s->nports >= SYNFIN_SELECT_MAX)
		return SYNFIN_SELECT_FULL;
	s->ports[s->nports].lo = lo;
	s->ports[s->nports].hi = hi;
	s->nports++;
	return SYNFIN_SELECT_OK;
}

enum synfin_select_err synfin_select_add_prefix(struct synfin_select *s,
						__u8 family, const __u8 *addr,
						__u8 len)
{
	struct synfin_prefix *p;
	unsigned int i;

	if (family != SELECT_AF_INET && family != SELECT_AF_INET6)
		return SYNFIN_SELECT_BAD_FAMILY;
	if (len > select_addr_bits(family))
		return SYNFIN_SELECT_BAD_LEN;
	if (s->nprefixes >= SYNFIN_SELECT_MAX)
		return SYNFIN_SELECT_FULL;
	p = &s->prefixes[s->nprefixes++];
	p->family = family;
	p->len = len;
	/* Kept masked: the bits past len are zero, and never compared. */
	for (i = 0; i < sizeof(p->addr); i++) {
		unsigned int bit = i * 8;
		__u8 mask = 0;

		if (bit + 8 <= len)
			mask = 0xff;
		else if (bit < len)
			mask = (__u8)(0xff << (8 - (len - bit)));
		p->addr[i] = i < select_addr_bits(family) / 8 ?
			     addr[i] & mask : 0;
	}
	return SYNFIN_SELECT_OK;
}

static bool port_in(const struct synfin_select *s, __u16 port)
{
	unsigned int i;

	for (i = 0; i < s->nports; i++)
		if (port >= s->ports[i].lo && port <= s->ports[i].hi)
			return true;
	return false;
}

/* Are the first @p->len bits of @addr, of @p's family, @p's? */
static bool prefix_holds(const struct synfin_prefix *p, const __u8 *addr)
{
	unsigned int full = p->len / 8, rest = p->len % 8, i;

	for (i = 0; i < full; i++)
		if (addr[i] != p->addr[i])
			return false;
	if (rest && ((addr[full] ^ p->addr[full]) & (__u8)(0xff << (8 - rest))))
		return false;
	return true;
}

static bool addr_in(const struct synfin_select *s, __u8 family,
		    const __u8 *addr)
{
	unsigned int i;

	for (i = 0; i < s->nprefixes; i++)
		if (s->prefixes[i].family == family &&
		    prefix_holds(&s->prefixes[i], addr))
			return true;
	return false;
}

bool synfin_select_match(const struct synfin_select *s, __u8 family,
			 const __u8 *a, __u16 pa, const __u8 *b, __u16 pb)
{
	if (s->nports && !port_in(s, pa) && !port_in(s, pb))
		return false;
	if (s->nprefixes && !addr_in(s, family, a) && !addr_in(s, family, b))
		return false;
	return true;
}
