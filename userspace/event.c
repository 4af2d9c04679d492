// SPDX-License-Identifier: GPL-2.0
/*
 * synfin reader: an event nest or a GET_FLOWS record decoded, and an
 * event printed: a timeline line for people or a JSON line, with the
 * names of states, flags, anomalies and end reasons, and colours.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "synfin.h"
#include "fsm.h"
#include "jline.h"

const char *sf_state_name(unsigned int state)
{
	return synfin_state_name(state);
}

/*
 * How each attribute of an event or flow is decoded: most are a number
 * copied to a field of the same width, the rest (F_SPECIAL) have code of
 * their own; @min is the shortest payload accepted, as mnl_attr_validate()
 * has it for the attribute's type. Attributes not listed are skipped.
 */
enum ev_kind { F_SKIP, F_U8, F_U16, F_U32, F_U64, F_SPECIAL };

struct ev_field {
	uint8_t kind;			/* enum ev_kind */
	uint8_t min;
	uint16_t off;			/* in struct sf_event */
};

#define EVF(kind, field)						\
	{ F_##kind, sizeof(((struct sf_event *)0)->field),		\
	  offsetof(struct sf_event, field) }
#define EVS(min)	{ F_SPECIAL, (min), 0 }

static const struct ev_field ev_fields[SYNFIN_E_MAX + 1] = {
	[SYNFIN_E_TYPE] = EVF(U8, type),
	[SYNFIN_E_TS_NS] = EVF(U64, ts_ns),
	[SYNFIN_E_CPU] = EVF(U32, cpu),
	[SYNFIN_E_NETNS] = EVF(U32, netns),
	[SYNFIN_E_CONN] = EVF(U64, conn),
	[SYNFIN_E_INDEX] = EVF(U32, index),
	[SYNFIN_E_FAMILY] = EVF(U8, family),
	[SYNFIN_E_SADDR] = EVS(0),
	[SYNFIN_E_DADDR] = EVS(0),
	[SYNFIN_E_SPORT] = EVF(U16, sport),
	[SYNFIN_E_DPORT] = EVF(U16, dport),
	[SYNFIN_E_FROM] = EVF(U8, from),
	[SYNFIN_E_FLAGS] = EVF(U8, flags),
	[SYNFIN_E_SEQ] = EVF(U32, seq),
	[SYNFIN_E_ACK] = EVF(U32, ack),
	[SYNFIN_E_WIN] = EVS(2),		/* 16 bits into a u32 */
	[SYNFIN_E_LEN] = EVF(U32, len),
	[SYNFIN_E_CLIENT_STATE] = EVF(U8, state[SYNFIN_CLIENT]),
	[SYNFIN_E_SERVER_STATE] = EVF(U8, state[SYNFIN_SERVER]),
	[SYNFIN_E_TRANS] = EVS(0),
	[SYNFIN_E_ISN_KNOWN] = EVF(U8, isn_known),
	[SYNFIN_E_CLIENT_ISN] = EVF(U32, isn[SYNFIN_CLIENT]),
	[SYNFIN_E_SERVER_ISN] = EVF(U32, isn[SYNFIN_SERVER]),
	[SYNFIN_E_REASON] = EVF(U8, reason),
	[SYNFIN_E_LOST] = EVF(U64, lost),
	[SYNFIN_E_FIRST_NS] = EVS(8),		/* flows only */
	[SYNFIN_E_LAST_NS] = EVS(8),
	[SYNFIN_E_ANOMALIES] = EVF(U32, anomalies),
	[SYNFIN_E_HISTORY] = EVS(1),
	[SYNFIN_E_CONN_STATE] = EVF(U8, conn_state),
	[SYNFIN_E_CLIENT_SEGS] = EVS(4),	/* and have_counts */
	[SYNFIN_E_SERVER_SEGS] = EVF(U32, segs[SYNFIN_SERVER]),
	[SYNFIN_E_CLIENT_BYTES] = EVF(U64, bytes[SYNFIN_CLIENT]),
	[SYNFIN_E_SERVER_BYTES] = EVF(U64, bytes[SYNFIN_SERVER]),
	[SYNFIN_E_SUMMARY] = EVS(0),		/* and have_summary */
};

/*
 * The event nest is decoded without a library call per attribute: at a
 * high connection rate this is the reader's hottest loop, and libmnl's
 * accessors (several out-of-line calls for each of some 30 attributes)
 * were most of its cost. The checks are libmnl's: the same walk as
 * mnl_attr_ok() and the same minimum lengths as mnl_attr_validate().
 */
struct attr_view {
	unsigned int type;
	const uint8_t *p;		/* payload */
	uint16_t len;			/* payload length */
};

/* The first attribute of @nest's payload, or of what follows @v. */
static bool attr_next(const uint8_t **pos, const uint8_t *end,
		      struct attr_view *v)
{
	struct nlattr h;
	size_t left = (size_t)(end - *pos);

	if (left < sizeof(h))
		return false;
	memcpy(&h, *pos, sizeof(h));
	if (h.nla_len < sizeof(h) || h.nla_len > left)
		return false;
	v->type = h.nla_type & NLA_TYPE_MASK;
	v->p = *pos + MNL_ATTR_HDRLEN;
	v->len = (uint16_t)(h.nla_len - MNL_ATTR_HDRLEN);
	left = MNL_ALIGN(h.nla_len);
	*pos = left < (size_t)(end - *pos) ? *pos + left : end;
	return true;
}

static void attr_range(const struct nlattr *nest, const uint8_t **pos,
		       const uint8_t **end)
{
	*pos = (const uint8_t *)nest + MNL_ATTR_HDRLEN;
	*end = (const uint8_t *)nest + nest->nla_len;
}

static uint16_t get16(const struct attr_view *v)
{
	uint16_t x;

	memcpy(&x, v->p, sizeof(x));
	return x;
}

static uint32_t get32(const struct attr_view *v)
{
	uint32_t x;

	memcpy(&x, v->p, sizeof(x));
	return x;
}

static uint64_t get64(const struct attr_view *v)
{
	uint64_t x;

	memcpy(&x, v->p, sizeof(x));
	return x;
}

/* Keep only the letters a history may hold, so output stays clean. */
static void get_history(const struct attr_view *v, char *dst)
{
	const char *src = (const char *)v->p;
	size_t i;

	for (i = 0; i < SYNFIN_HISTORY_LEN - 1 && src[i]; i++) {
		char c = src[i];

		dst[i] = ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  c == '^') ? c : '?';
	}
	dst[i] = '\0';
}

static void get_addr(const struct attr_view *v, uint8_t *dst)
{
	memset(dst, 0, 16);
	if (v->len == 4 || v->len == 16)
		memcpy(dst, v->p, v->len);
}

static void parse_trans(const struct attr_view *nest, struct sf_event *ev)
{
	const uint8_t *pos = nest->p, *end = nest->p + nest->len;
	struct sf_trans t = { 0 };
	struct attr_view v;

	if (ev->ntrans >= SYNFIN_MAX_TRANS)
		return;
	while (attr_next(&pos, end, &v)) {
		if (!v.len)
			continue;
		switch (v.type) {
		case SYNFIN_T_WHO:
			t.who = v.p[0];
			break;
		case SYNFIN_T_FROM:
			t.from = v.p[0];
			break;
		case SYNFIN_T_TO:
			t.to = v.p[0];
			break;
		}
	}
	ev->trans[ev->ntrans++] = t;
}

static bool get_ns(const struct attr_view *v, __u64 *dst)
{
	if (v->len < 8)
		return false;
	*dst = get64(v);
	return true;
}

/* SYNFIN_E_SUMMARY's nest; false if it is malformed. */
static bool parse_summary(const struct attr_view *nest, struct sf_event *ev)
{
	const uint8_t *pos = nest->p, *end = nest->p + nest->len;
	struct synfin_summary *s = &ev->summary;
	struct attr_view v;
	bool ok = true;

	if (nest->len && nest->len < MNL_ATTR_HDRLEN)
		return false;
	synfin_summary_begin(s, 0);
	s->flags = SYNFIN_SUM_ENDED;
	while (attr_next(&pos, end, &v)) {
		switch (v.type) {
		case SYNFIN_SU_FIRST_NS:
			ok = get_ns(&v, &s->first_ns);
			break;
		case SYNFIN_SU_SYN_NS:
			ok = get_ns(&v, &s->syn_ns);
			break;
		case SYNFIN_SU_SYNACK_NS:
			ok = get_ns(&v, &s->synack_ns);
			break;
		case SYNFIN_SU_ESTABLISHED_NS:
			ok = get_ns(&v, &s->est_ns);
			break;
		case SYNFIN_SU_END:
			ok = v.len && v.p[0] < SYNFIN_CLOSE_COUNT;
			if (ok)
				s->end = v.p[0];
			break;
		case SYNFIN_SU_END_BY:
			ok = v.len && v.p[0] <= SYNFIN_SERVER;
			if (ok)
				s->end_by = v.p[0];
			break;
		case SYNFIN_SU_HANDSHAKE:
			s->flags |= SYNFIN_SUM_ESTABLISHED;
			break;
		case SYNFIN_SU_STATES:
			ok = v.len >= 4;
			if (ok)
				s->visited = (uint16_t)get32(&v);
			break;
		}
		if (!ok)
			return false;
	}
	ev->have_summary = true;
	return true;
}

/* An attribute without a plain number; false if it is malformed. */
static bool parse_special(const struct attr_view *v, struct sf_event *ev,
			  struct sf_flow_record *fl)
{
	switch (v->type) {
	case SYNFIN_E_SADDR:
		get_addr(v, ev->saddr);
		break;
	case SYNFIN_E_DADDR:
		get_addr(v, ev->daddr);
		break;
	case SYNFIN_E_WIN:
		ev->win = get16(v);
		break;
	case SYNFIN_E_TRANS:
		if (v->len && v->len < MNL_ATTR_HDRLEN)
			return false;
		parse_trans(v, ev);
		break;
	case SYNFIN_E_HISTORY:
		if (v->p[v->len - 1])
			return false;		/* not NUL-terminated */
		get_history(v, ev->history);
		break;
	case SYNFIN_E_CLIENT_SEGS:
		ev->segs[SYNFIN_CLIENT] = get32(v);
		ev->have_counts = true;
		break;
	case SYNFIN_E_SUMMARY:
		return parse_summary(v, ev);
	case SYNFIN_E_FIRST_NS:
		if (fl)
			fl->first_ns = get64(v);
		break;
	case SYNFIN_E_LAST_NS:
		if (fl)
			fl->last_ns = get64(v);
		break;
	}
	return true;
}

/* Decode the attributes shared by events and flows. */
static int parse_attrs(const struct nlattr *nest, struct sf_event *ev,
		       struct sf_flow_record *fl)
{
	uint8_t *base = (uint8_t *)ev;
	const uint8_t *pos, *end;
	struct attr_view v;

	attr_range(nest, &pos, &end);
	while (attr_next(&pos, end, &v)) {
		const struct ev_field *f;

		if (v.type > SYNFIN_E_MAX)
			continue;	/* newer kernel: ignore what we don't know */
		f = &ev_fields[v.type];
		if (v.len < f->min)
			return -EINVAL;
		switch (f->kind) {
		case F_SKIP:
			break;
		case F_U8:
			base[f->off] = v.p[0];
			break;
		case F_U16:
			memcpy(base + f->off, v.p, 2);
			break;
		case F_U32:
			memcpy(base + f->off, v.p, 4);
			break;
		case F_U64:
			memcpy(base + f->off, v.p, 8);
			break;
		default:
			if (!parse_special(&v, ev, fl))
				return -EINVAL;
		}
	}
	return 0;
}

int sf_event_parse(const struct nlattr *nest, struct sf_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (parse_attrs(nest, ev, NULL))
		return -EINVAL;
	if (ev->type < SYNFIN_EV_SEGMENT || ev->type > SYNFIN_EV_LOST)
		return -EINVAL;
	if (ev->type != SYNFIN_EV_LOST &&
	    ev->family != AF_INET && ev->family != AF_INET6)
		return -EINVAL;
	return 0;
}

/* Keep only the letters a history may hold; false if it has no NUL. */
static bool copy_history(const char *src, char *dst)
{
	struct attr_view v = { .p = (const uint8_t *)src };

	if (!memchr(src, '\0', SYNFIN_HISTORY_LEN))
		return false;
	get_history(&v, dst);
	return true;
}

int sf_event_unpack(const struct nlattr *attr, struct sf_event *ev)
{
	struct synfin_event_packed p;
	unsigned int i;

	if (mnl_attr_get_payload_len(attr) < sizeof(p))
		return -EINVAL;
	/* (the attribute may be 4-byte aligned only: copy it out) */
	memcpy(&p, mnl_attr_get_payload(attr), sizeof(p));
	/* (losses come as nests: the struct has no count for them) */
	if (p.type < SYNFIN_EV_SEGMENT || p.type >= SYNFIN_EV_LOST ||
	    p.ntrans > SYNFIN_MAX_TRANS)
		return -EINVAL;
	if (p.family != AF_INET && p.family != AF_INET6)
		return -EINVAL;
	memset(ev, 0, sizeof(*ev));
	if (!copy_history(p.history, ev->history))
		return -EINVAL;
	ev->type = p.type;
	ev->ts_ns = p.ts_ns;
	ev->cpu = p.cpu;
	ev->netns = p.netns;
	ev->conn = p.conn;
	ev->index = p.index;
	ev->family = p.family;
	memcpy(ev->saddr, p.saddr, 16);
	memcpy(ev->daddr, p.daddr, 16);
	ev->sport = p.sport;
	ev->dport = p.dport;
	ev->from = p.from;
	ev->flags = p.flags;
	ev->seq = p.seq;
	ev->ack = p.ack;
	ev->win = p.win;
	ev->len = p.len;
	ev->state[SYNFIN_CLIENT] = p.client_state;
	ev->state[SYNFIN_SERVER] = p.server_state;
	ev->isn_known = p.isn_known;
	ev->isn[SYNFIN_CLIENT] = p.client_isn;
	ev->isn[SYNFIN_SERVER] = p.server_isn;
	ev->reason = p.reason;
	ev->anomalies = p.anomalies;
	ev->conn_state = p.conn_state;
	if (p.conn_state) {
		struct synfin_summary *su = &ev->summary;

		if (p.end >= SYNFIN_CLOSE_COUNT ||
		    (p.end_by > SYNFIN_SERVER && p.end_by != SYNFIN_SUM_NOBODY))
			return -EINVAL;
		synfin_summary_begin(su, p.first_ns);
		su->syn_ns = p.syn_ns;
		su->synack_ns = p.synack_ns;
		su->est_ns = p.established_ns;
		su->visited = p.states;
		su->end = p.end;
		su->end_by = p.end_by;
		su->flags = SYNFIN_SUM_ENDED |
			    (p.handshake ? SYNFIN_SUM_ESTABLISHED : 0);
		ev->have_summary = true;
		ev->have_counts = true;
		ev->segs[SYNFIN_CLIENT] = p.client_segs;
		ev->segs[SYNFIN_SERVER] = p.server_segs;
		ev->bytes[SYNFIN_CLIENT] = p.client_bytes;
		ev->bytes[SYNFIN_SERVER] = p.server_bytes;
	}
	ev->ntrans = p.ntrans;
	for (i = 0; i < p.ntrans; i++) {
		ev->trans[i].who = p.trans[i].who;
		ev->trans[i].from = p.trans[i].from;
		ev->trans[i].to = p.trans[i].to;
	}
	return 0;
}

int sf_flow_record_parse(const struct nlattr *nest,
			 struct sf_flow_record *fl)
{
	struct sf_event ev = { 0 };

	memset(fl, 0, sizeof(*fl));
	if (parse_attrs(nest, &ev, fl))
		return -EINVAL;
	if (ev.family != AF_INET && ev.family != AF_INET6)
		return -EINVAL;
	fl->conn = ev.conn;
	fl->family = ev.family;
	memcpy(fl->caddr, ev.saddr, 16);
	memcpy(fl->saddr, ev.daddr, 16);
	fl->cport = ev.sport;
	fl->sport = ev.dport;
	fl->state[0] = ev.state[0];
	fl->state[1] = ev.state[1];
	fl->events = ev.index;
	memcpy(fl->history, ev.history, sizeof(fl->history));
	memcpy(fl->segs, ev.segs, sizeof(fl->segs));
	memcpy(fl->bytes, ev.bytes, sizeof(fl->bytes));
	return 0;
}

/*
 * The text of each octet value and its length, made once: an IPv4
 * address is then four 4-byte copies, not a division per digit.
 */
static struct {
	bool ready;
	struct {
		char s[4];
		uint8_t len;
	} o[256];
} octets;

static void octets_init(void)
{
	unsigned int b;

	for (b = 0; b < 256; b++) {
		char *s = octets.o[b].s;
		uint8_t n = 0;

		if (b >= 100)
			s[n++] = (char)('0' + b / 100);
		if (b >= 10)
			s[n++] = (char)('0' + b / 10 % 10);
		s[n++] = (char)('0' + b % 10);
		octets.o[b].len = n;
	}
	octets.ready = true;
}

/*
 * IPv4 by hand: glibc's inet_ntop() formats it with sprintf(), a third of
 * the reader's time at a high event rate. Each octet's copy writes 4
 * bytes: the next dot lands on the fourth; the last copy and its dot
 * end at byte 15 at most, within INET_ADDRSTRLEN. No NUL is written.
 */
static char *ipv4_text(char *p, const uint8_t *addr)
{
	int i;

	if (!octets.ready)
		octets_init();
	for (i = 0; i < 4; i++) {
		memcpy(p, octets.o[addr[i]].s, 4);
		p += octets.o[addr[i]].len;
		*p++ = '.';
	}
	return p - 1;
}

/* A 16-bit group as "%x" has it: lowercase, no leading zeros. */
static char *hex16(char *p, unsigned int w)
{
	static const char hex[16] = "0123456789abcdef";

	if (w >= 0x1000)
		*p++ = hex[w >> 12];
	if (w >= 0x100)
		*p++ = hex[(w >> 8) & 15];
	if (w >= 0x10)
		*p++ = hex[(w >> 4) & 15];
	*p++ = hex[w & 15];
	return p;
}

/*
 * IPv6 by hand, as glibc's inet_ntop() writes it (RFC 5952 but for one
 * thing glibc keeps: ::a.b.c.d for an IPv4-compatible address): the
 * longest run of two or more zero groups, the first of equal ones, is
 * "::"; ::ffff:a.b.c.d for an IPv4-mapped one. glibc formats each group
 * with sprintf(), some 3,000 instructions an address; this is under 200.
 */
static char *ipv6_text(char *p, const uint8_t *a)
{
	unsigned int w[8], i, best = 8, blen = 0, cur = 0, clen = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i]) {
			clen = 0;
			continue;
		}
		if (!clen++)
			cur = i;
		if (clen > blen) {
			best = cur;
			blen = clen;
		}
	}
	if (blen < 2)
		best = 8;
	if (best == 0 && (blen == 6 || (blen == 5 && w[5] == 0xffff))) {
		p = blen == 6 ? jp_lit(p, "::") : jp_lit(p, "::ffff:");
		return ipv4_text(p, a + 12);
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			i += blen - 1;
			if (i == 7)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		p = hex16(p, w[i]);
	}
	return p;
}

/*
 * An address's text at @p, with no NUL: @p has room for INET6_ADDRSTRLEN
 * bytes (the longest is 39; an IPv4 tail's copies end within 23).
 */
static char *addr_text(char *p, uint8_t family, const uint8_t *addr)
{
	if (family == AF_INET)
		return ipv4_text(p, addr);
	return ipv6_text(p, addr);
}

/*
 * The texts of addresses seen lately, by a hash of the address: an
 * address comes back in every event of its connection, and a server's
 * in every connection. An entry is a cache line; a hit is some twenty
 * instructions, against 70 for IPv4 by hand and 200 for IPv6.
 */
#define ADDR_CACHE_BITS	6

struct addr_entry {
	uint64_t k0, k1;
	uint8_t family;
	uint8_t len;			/* 0: empty */
	char text[46];
};

static struct addr_entry addr_cache[1u << ADDR_CACHE_BITS];

/*
 * addr_text() through the cache. The copy out is a whole entry's text,
 * 46 bytes: @p must have that much room (a jline's buffer has).
 */
static char *jp_addr(char *p, uint8_t family, const uint8_t *addr)
{
	struct addr_entry *e;
	uint64_t k0, k1;
	char *end;

	memcpy(&k0, addr, 8);
	memcpy(&k1, addr + 8, 8);
	e = &addr_cache[((k0 ^ k1 ^ family) * 0x9e3779b97f4a7c15ULL) >>
			(64 - ADDR_CACHE_BITS)];
	if (e->k0 == k0 && e->k1 == k1 && e->family == family && e->len) {
		memcpy(p, e->text, sizeof(e->text));
		return p + e->len;
	}
	end = addr_text(p, family, addr);
	e->k0 = k0;
	e->k1 = k1;
	e->family = family;
	e->len = (uint8_t)(end - p);
	memcpy(e->text, p, e->len);
	return end;
}

size_t sf_addr_str(uint8_t family, const uint8_t *addr, char *buf, size_t len)
{
	char *end;

	if (len >= INET6_ADDRSTRLEN ||
	    (family == AF_INET && len >= INET_ADDRSTRLEN)) {
		end = addr_text(buf, family, addr);
		*end = '\0';
		return (size_t)(end - buf);
	}
	/* too short for any address: what inet_ntop() says of it */
	if (!inet_ntop(family == AF_INET ? AF_INET : AF_INET6, addr, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
	return strlen(buf);
}

static const char *const flag_names[8] = {
	"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"
};

static const char *side_name(unsigned int side)
{
	return side == SYNFIN_CLIENT ? "client" : "server";
}

const char *sf_reason_name(unsigned int reason)
{
	switch (reason) {
	case SYNFIN_END_TIME_WAIT: return "TIME_WAIT expired";
	case SYNFIN_END_IDLE: return "idle timeout";
	case SYNFIN_END_EVICTED: return "evicted (max_flows)";
	case SYNFIN_END_REUSED: return "4-tuple reused by a new SYN";
	default: return "ended";
	}
}

bool sf_rel_seq(const struct sf_event *ev, uint32_t *rel)
{
	uint8_t bit = ev->from == SYNFIN_CLIENT ? SYNFIN_ISN_CLIENT :
						  SYNFIN_ISN_SERVER;

	if (ev->type != SYNFIN_EV_SEGMENT || !(ev->isn_known & bit))
		return false;
	*rel = ev->seq - ev->isn[ev->from];
	return true;
}

bool sf_rel_ack(const struct sf_event *ev, uint32_t *rel)
{
	unsigned int peer = !ev->from;
	uint8_t bit = peer == SYNFIN_CLIENT ? SYNFIN_ISN_CLIENT :
					      SYNFIN_ISN_SERVER;

	if (ev->type != SYNFIN_EV_SEGMENT || !(ev->flags & SYNFIN_TCP_ACK) ||
	    !(ev->isn_known & bit))
		return false;
	*rel = ev->ack - ev->isn[peer];
	return true;
}

/*
 * The names a JSON line holds, as JSON strings (quotes included), made
 * once: each is then copied as a block (jline.h). Anomaly bits without a
 * name are all "unknown", as synfin_anomaly_name() says.
 */
static struct {
	bool ready;
	struct jname state[SYNFIN_ST_COUNT + 1];	/* last: INVALID */
	struct jname side[2];
	struct jname flag[8];
	struct jname anomaly[32];
	struct jname conn_state[SYNFIN_CS_COUNT];
} jn;

static void jn_quoted(struct jname *n, const char *name)
{
	/* no snprintf(): a short capture has fewer events than names */
	size_t len = strnlen(name, sizeof(n->s) - 2);

	memset(n->s, 0, sizeof(n->s));
	n->s[0] = '"';
	memcpy(n->s + 1, name, len);
	n->s[len + 1] = '"';
	n->len = (uint8_t)(len + 2);
}

static void jn_init(void)
{
	unsigned int i;

	for (i = 0; i <= SYNFIN_ST_COUNT; i++)
		jn_quoted(&jn.state[i], sf_state_name(i));
	jn_quoted(&jn.side[SYNFIN_CLIENT], side_name(SYNFIN_CLIENT));
	jn_quoted(&jn.side[SYNFIN_SERVER], side_name(SYNFIN_SERVER));
	for (i = 0; i < 8; i++)
		jn_quoted(&jn.flag[i], flag_names[i]);
	for (i = 0; i < 32; i++)
		jn_quoted(&jn.anomaly[i], synfin_anomaly_name(i));
	for (i = 0; i < SYNFIN_CS_COUNT; i++)
		jn_quoted(&jn.conn_state[i], synfin_conn_state_name(i));
	jn.ready = true;
}

static const struct jname *jn_state(unsigned int state)
{
	return &jn.state[state < SYNFIN_ST_COUNT ? state : SYNFIN_ST_COUNT];
}

static const struct jname *jn_side(unsigned int side)
{
	return &jn.side[side == SYNFIN_CLIENT ? SYNFIN_CLIENT : SYNFIN_SERVER];
}

/* ["name",...] of the bits set in @bits, lowest first. */
static char *jp_bits(char *p, uint32_t bits, const struct jname *names)
{
	*p++ = '[';
	if (bits) {
		p = jp_jname(p, &names[__builtin_ctz(bits)]);
		bits &= bits - 1;
		while (bits) {
			*p++ = ',';
			p = jp_jname(p, &names[__builtin_ctz(bits)]);
			bits &= bits - 1;
		}
	}
	*p++ = ']';
	return p;
}


/*
 * A nanosecond timestamp: its digits above the last 8 change ten times a
 * second, so their text is kept and only the last 8 made each time (two
 * 64-bit divisions were a tenth of what a line cost).
 */
static char *jp_ts(char *p, uint64_t ts)
{
	static struct {
		uint64_t base;		/* the digits kept, times 10^8 */
		uint8_t len;		/* 0: none kept */
		char s[24];		/* 12 digits at most, and a copy's slack */
	} last;
	uint64_t hi;

	/* (both compares: above the last base, the difference wraps) */
	if (last.len && ts >= last.base && ts - last.base < 100000000) {
		memcpy(p, last.s, 16);
		return jp_8digits(p + last.len, (uint32_t)(ts - last.base));
	}
	if (ts < 100000000)
		return jp_u32(p, (uint32_t)ts);
	hi = ts / 100000000;
	last.base = hi * 100000000;
	last.len = (uint8_t)(jp_u64(last.s, hi) - last.s);
	memcpy(p, last.s, 16);
	return jp_8digits(p + last.len, (uint32_t)(ts - last.base));
}

/*
 * Keys and the punctuation around them are merged into as few literals
 * as the line allows, each one copy; numbers go through jp_u32() where
 * the field has 32 bits.
 */
void sf_event_json(FILE *out, const struct sf_event *ev)
{
	bool seg = ev->type == SYNFIN_EV_SEGMENT;
	struct jline j;
	char *start = jp_begin(&j, out), *p = start;
	uint32_t rel;
	unsigned int i;

	if (!jn.ready)
		jn_init();
	switch (ev->type) {
	case SYNFIN_EV_SEGMENT:
		p = jp_lit(p, "{\"type\":\"segment\",\"ts_ns\":");
		break;
	case SYNFIN_EV_TIMEOUT:
		p = jp_lit(p, "{\"type\":\"timeout\",\"ts_ns\":");
		break;
	default:
		p = jp_lit(p, "{\"type\":\"lost\",\"ts_ns\":");
		break;
	}
	p = jp_ts(p, ev->ts_ns);
	if (ev->cpu_unknown) {
		p = jp_lit(p, ",\"cpu\":null,\"netns\":");
	} else {
		p = jp_lit(p, ",\"cpu\":");
		p = jp_u32(p, ev->cpu);
		p = jp_lit(p, ",\"netns\":");
	}
	if (ev->netns_unknown)
		p = jp_lit(p, "null");
	else
		p = jp_u32(p, ev->netns);
	if (ev->type == SYNFIN_EV_LOST) {
		p = jp_lit(p, ",\"conn\":null,\"index\":null,\"family\":null,"
			   "\"src\":null,\"sport\":null,\"dst\":null,\"dport\":null,"
			   "\"from\":null,\"flags\":[],\"seq\":null,\"ack\":null,"
			   "\"rel_seq\":null,\"rel_ack\":null,\"win\":null,"
			   "\"len\":null,\"client_state\":null,"
			   "\"server_state\":null,\"transitions\":[],"
			   "\"anomalies\":[],\"count\":");
		if (ev->lost)
			p = jp_u64(p, ev->lost);
		else
			p = jp_lit(p, "null");
		p = jp_lit(p, "}\n");
		jp_end(&j, out, start, p);
		return;
	}
	p = jp_lit(p, ",\"conn\":");
	p = jp_u64(p, ev->conn);
	p = jp_lit(p, ",\"index\":");
	p = jp_u32(p, ev->index);
	if (ev->family == AF_INET)
		p = jp_lit(p, ",\"family\":\"ipv4\",\"src\":\"");
	else
		p = jp_lit(p, ",\"family\":\"ipv6\",\"src\":\"");
	p = jp_addr(p, ev->family, ev->saddr);
	p = jp_lit(p, "\",\"sport\":");
	p = jp_u32(p, ev->sport);
	p = jp_lit(p, ",\"dst\":\"");
	p = jp_addr(p, ev->family, ev->daddr);
	p = jp_lit(p, "\",\"dport\":");
	p = jp_u32(p, ev->dport);
	if (seg) {
		p = jp_lit(p, ",\"from\":");
		p = jp_jname(p, jn_side(ev->from));
		p = jp_lit(p, ",\"flags\":");
	} else {
		p = jp_lit(p, ",\"from\":null,\"flags\":");
	}
	p = jp_bits(p, ev->flags, jn.flag);
	if (seg) {
		p = jp_lit(p, ",\"seq\":");
		p = jp_u32(p, ev->seq);
		p = jp_lit(p, ",\"ack\":");
		p = jp_u32(p, ev->ack);
	} else {
		p = jp_lit(p, ",\"seq\":null,\"ack\":null");
	}
	if (sf_rel_seq(ev, &rel)) {
		p = jp_lit(p, ",\"rel_seq\":");
		p = jp_u32(p, rel);
	} else {
		p = jp_lit(p, ",\"rel_seq\":null");
	}
	if (sf_rel_ack(ev, &rel)) {
		p = jp_lit(p, ",\"rel_ack\":");
		p = jp_u32(p, rel);
	} else {
		p = jp_lit(p, ",\"rel_ack\":null");
	}
	if (seg) {
		p = jp_lit(p, ",\"win\":");
		p = jp_u32(p, ev->win);
		p = jp_lit(p, ",\"len\":");
		p = jp_u32(p, ev->len);
	} else {
		p = jp_lit(p, ",\"win\":null,\"len\":null");
	}
	p = jp_lit(p, ",\"client_state\":");
	p = jp_jname(p, jn_state(ev->state[SYNFIN_CLIENT]));
	p = jp_lit(p, ",\"server_state\":");
	p = jp_jname(p, jn_state(ev->state[SYNFIN_SERVER]));
	p = jp_lit(p, ",\"transitions\":[");
	for (i = 0; i < ev->ntrans; i++) {
		if (i)
			*p++ = ',';
		p = jp_lit(p, "{\"who\":");
		p = jp_jname(p, jn_side(ev->trans[i].who));
		p = jp_lit(p, ",\"from\":");
		p = jp_jname(p, jn_state(ev->trans[i].from));
		p = jp_lit(p, ",\"to\":");
		p = jp_jname(p, jn_state(ev->trans[i].to));
		*p++ = '}';
	}
	p = jp_lit(p, "],\"anomalies\":");
	p = jp_bits(p, ev->anomalies, jn.anomaly);
	if (ev->conn_state) {
		p = jp_lit(p, ",\"history\":\"");
		p = jp_mem(p, ev->history, strnlen(ev->history, J_STR_MAX));
		p = jp_lit(p, "\",\"conn_state\":");
		p = jp_jname(p, &jn.conn_state[ev->conn_state < SYNFIN_CS_COUNT ?
						ev->conn_state : 0]);
	}
	if (ev->have_counts) {
		p = jp_lit(p, ",\"client_segments\":");
		p = jp_u32(p, ev->segs[SYNFIN_CLIENT]);
		p = jp_lit(p, ",\"server_segments\":");
		p = jp_u32(p, ev->segs[SYNFIN_SERVER]);
		p = jp_lit(p, ",\"client_bytes\":");
		p = jp_u64(p, ev->bytes[SYNFIN_CLIENT]);
		p = jp_lit(p, ",\"server_bytes\":");
		p = jp_u64(p, ev->bytes[SYNFIN_SERVER]);
	}
	p = jp_lit(p, "}\n");
	jp_end(&j, out, start, p);
}

void sf_anomalies_str(uint32_t anomalies, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < 32 && n < len; i++)
		if (anomalies & (1u << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? ", " : "",
					      synfin_anomaly_name(i));
}

/*
 * Wall-clock time of an event, HH:MM:SS.micros: live timestamps are this
 * kernel's CLOCK_MONOTONIC, a capture's are wall-clock already (shown in
 * UTC, so that a capture reads the same everywhere). The broken-down
 * time of the last second is kept: events come many to a second, and
 * gmtime_r()/localtime_r() and snprintf() were 700 instructions a line.
 * A zone's offset changes only on a second's boundary.
 */
static char *jp_time(char *p, uint64_t ts_ns)
{
	static struct {
		bool valid, offline;
		time_t secs;
		char hms[8];
	} last;
	struct timespec mono, real;
	int64_t offset = 0;
	uint64_t wall;
	uint32_t us;
	time_t secs;
	struct tm tm;

	if (!sf_opts.offline) {
		clock_gettime(CLOCK_MONOTONIC, &mono);
		clock_gettime(CLOCK_REALTIME, &real);
		offset = ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000LL +
			 (real.tv_nsec - mono.tv_nsec);
	}
	wall = ts_ns + (uint64_t)offset;
	secs = (time_t)(wall / 1000000000ULL);
	if (!last.valid || last.secs != secs || last.offline != sf_opts.offline) {
		if (sf_opts.offline)
			gmtime_r(&secs, &tm);
		else
			localtime_r(&secs, &tm);
		/* as "%02d": fields are in range, but not trusted to be */
		if ((unsigned int)tm.tm_hour > 99 || (unsigned int)tm.tm_min > 99 ||
		    (unsigned int)tm.tm_sec > 99) {
			char buf[40];
			int n = snprintf(buf, sizeof(buf), "%02d:%02d:%02d",
					 tm.tm_hour, tm.tm_min, tm.tm_sec);

			last.valid = false;
			p = jp_mem(p, buf, (size_t)n);
			goto micros;
		}
		memcpy(last.hms, &j_digits[2 * tm.tm_hour], 2);
		last.hms[2] = ':';
		memcpy(last.hms + 3, &j_digits[2 * tm.tm_min], 2);
		last.hms[5] = ':';
		memcpy(last.hms + 6, &j_digits[2 * tm.tm_sec], 2);
		last.secs = secs;
		last.offline = sf_opts.offline;
		last.valid = true;
	}
	p = jp_mem(p, last.hms, 8);
micros:
	us = (uint32_t)(wall % 1000000000ULL / 1000);
	*p++ = '.';
	memcpy(p, &j_digits[2 * (us / 10000)], 2);
	memcpy(p + 2, &j_digits[2 * (us / 100 % 100)], 2);
	memcpy(p + 4, &j_digits[2 * (us % 100)], 2);
	return p + 6;
}

void sf_flags_str(uint8_t flags, char *buf, size_t len)
{
	/* SYN, FIN, RST first: they are what the timeline is about. */
	static const unsigned int order[8] = { 1, 0, 2, 4, 3, 5, 6, 7 };
	size_t n = 0;
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < 8 && n + 5 < len; i++) {
		if (flags & (1u << order[i]))
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? "," : "",
					      flag_names[order[i]]);
	}
	if (!n)
		snprintf(buf, len, "-");
}

const char *sf_flags_color(uint8_t flags)
{
	if (flags & SYNFIN_TCP_RST)
		return sf_color(SF_RED);
	if (flags & SYNFIN_TCP_SYN)
		return sf_color(SF_GREEN);
	if (flags & SYNFIN_TCP_FIN)
		return sf_color(SF_BLUE);
	return "";
}

/*
 * Seq and ack as the user asked: ISN-relative unless --absolute; a raw
 * number stands with a '*' when relative was wanted but the ISN is unknown.
 */
void sf_seqack_str(const struct sf_event *ev, char *seq, char *ack,
		   size_t len)
{
	uint32_t rel;

	if (sf_opts.absolute)
		snprintf(seq, len, "%u", ev->seq);
	else if (sf_rel_seq(ev, &rel))
		snprintf(seq, len, "%u", rel);
	else
		snprintf(seq, len, "%u*", ev->seq);
	if (!(ev->flags & SYNFIN_TCP_ACK))
		snprintf(ack, len, "-");
	else if (sf_opts.absolute)
		snprintf(ack, len, "%u", ev->ack);
	else if (sf_rel_ack(ev, &rel))
		snprintf(ack, len, "%u", rel);
	else
		snprintf(ack, len, "%u*", ev->ack);
}

const char *sf_color(enum sf_color c)
{
	static const char *const esc[] = {
		[SF_RESET] = "\033[0m", [SF_BOLD] = "\033[1m",
		[SF_RED] = "\033[1;31m", [SF_GREEN] = "\033[1;32m",
		[SF_BLUE] = "\033[1;34m", [SF_MAGENTA] = "\033[35m",
	};

	return sf_opts.color ? esc[c] : "";
}

/* A NUL-terminated string, short (a colour, a name): no library call. */
static char *jp_cstr(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/* What "%-*s" makes of the text from @start to @p: spaces to @width. */
static char *jp_pad(char *p, const char *start, size_t width)
{
	while ((size_t)(p - start) < width)
		*p++ = ' ';
	return p;
}

/* A name of jn's without its quotes (a whole entry copied, as j_jname). */
static char *jp_bare(char *p, const struct jname *n)
{
	memcpy(p, n->s + 1, sizeof(n->s) - 1);
	return p + n->len - 2;
}

/* sf_flags_str()'s text: SYN, FIN, RST first; "-" for none. */
static char *jp_flags(char *p, uint8_t flags)
{
	static const uint8_t order[8] = { 1, 0, 2, 4, 3, 5, 6, 7 };
	char *start = p;
	unsigned int i;

	for (i = 0; i < 8; i++) {
		if (!(flags & (1u << order[i])))
			continue;
		if (p != start)
			*p++ = ',';
		memcpy(p, flag_names[order[i]], 4);	/* 3 letters and NUL */
		p += 3;
	}
	if (p == start)
		*p++ = '-';
	return p;
}

/* sf_seqack_str()'s seq, then ack, each padded as "%-6s" has it. */
static char *jp_seqack(char *p, const struct sf_event *ev)
{
	char *start;
	uint32_t rel;

	p = jp_lit(p, " seq=");
	start = p;
	if (sf_opts.absolute) {
		p = jp_u32(p, ev->seq);
	} else if (sf_rel_seq(ev, &rel)) {
		p = jp_u32(p, rel);
	} else {
		p = jp_u32(p, ev->seq);
		*p++ = '*';
	}
	p = jp_pad(p, start, 6);
	p = jp_lit(p, " ack=");
	start = p;
	if (!(ev->flags & SYNFIN_TCP_ACK)) {
		*p++ = '-';
	} else if (sf_opts.absolute) {
		p = jp_u32(p, ev->ack);
	} else if (sf_rel_ack(ev, &rel)) {
		p = jp_u32(p, rel);
	} else {
		p = jp_u32(p, ev->ack);
		*p++ = '*';
	}
	return jp_pad(p, start, 6);
}

/* [address]:port for IPv6, address:port for IPv4. */
static char *jp_endpoint(char *p, uint8_t family, const uint8_t *addr,
			 uint16_t port)
{
	if (family == AF_INET6) {
		*p++ = '[';
		p = jp_addr(p, family, addr);
		*p++ = ']';
	} else {
		p = jp_addr(p, family, addr);
	}
	*p++ = ':';
	return jp_u32(p, port);
}

/*
 * The timeline: an event's line, its transitions' and its anomalies',
 * built in one buffer and written with one call, as the JSON line is
 * (printf's format parsing was most of the 12,000 instructions a line
 * took). The longest there can be: a segment line under 200 bytes,
 * SYNFIN_MAX_TRANS transition lines under 100 and the anomalies' under
 * 300 (sf_anomalies_str()'s 256 and the colours).
 */
void sf_event_text(FILE *out, const struct sf_event *ev)
{
	const char *off = sf_color(SF_RESET);
	struct jline j;
	char *line, *p, *start;
	unsigned int i;

	if (!jn.ready)
		jn_init();
	if (ev->type == SYNFIN_EV_LOST) {
		char when[48];	/* jp_time(): 15, 42 out of range */

		*jp_time(when, ev->ts_ns) = '\0';
		if (ev->lost)
			fprintf(out, "%s  %sLOST %llu events on cpu %u%s\n", when,
				sf_color(SF_RED), (unsigned long long)ev->lost,
				ev->cpu, off);
		else
			fprintf(out, "%s  %sLOST events: receive buffer overflow%s\n",
				when, sf_color(SF_RED), off);
		return;
	}
	line = jp_begin(&j, out);
	p = jp_time(line, ev->ts_ns);
	p = jp_lit(p, "  #");
	start = p;
	p = jp_u64(p, ev->conn);
	p = jp_pad(p, start, 5);
	if (ev->type == SYNFIN_EV_TIMEOUT) {
		p = jp_lit(p, "      ");
		p = jp_cstr(p, sf_reason_name(ev->reason));
	} else {
		const char *fc = sf_flags_color(ev->flags);

		p = ev->from == SYNFIN_CLIENT ? jp_lit(p, " C>S ") :
						jp_lit(p, " S>C ");
		p = jp_endpoint(p, ev->family, ev->saddr, ev->sport);
		p = jp_lit(p, " > ");
		p = jp_endpoint(p, ev->family, ev->daddr, ev->dport);
		p = jp_lit(p, "  ");
		p = jp_cstr(p, fc);
		start = p;
		p = jp_flags(p, ev->flags);
		p = jp_pad(p, start, 11);
		if (*fc)
			p = jp_cstr(p, off);
		p = jp_seqack(p, ev);
		p = jp_lit(p, " len=");
		p = jp_u32(p, ev->len);
	}
	*p++ = '\n';
	for (i = 0; i < ev->ntrans; i++) {
		p = jp_lit(p, "                                ");	/* 32 */
		p = jp_bare(p, jn_side(ev->trans[i].who));
		*p++ = ' ';
		p = jp_bare(p, jn_state(ev->trans[i].from));
		p = jp_lit(p, " -> ");
		p = jp_cstr(p, sf_color(SF_BOLD));
		p = jp_bare(p, jn_state(ev->trans[i].to));
		p = jp_cstr(p, off);
		*p++ = '\n';
	}
	if (ev->anomalies) {
		char an[256];

		sf_anomalies_str(ev->anomalies, an, sizeof(an));
		p = jp_lit(p, "                                ");
		p = jp_cstr(p, sf_color(SF_MAGENTA));
		p = jp_lit(p, "! ");
		p = jp_cstr(p, an);
		p = jp_cstr(p, off);
		*p++ = '\n';
	}
	jp_end(&j, out, line, p);
}
