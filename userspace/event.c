// SPDX-License-Identifier: GPL-2.0
/* synfin reader: decoding and printing events. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "synfin.h"
#include "fsm.h"

const char *sf_state_name(unsigned int state)
{
	return synfin_state_name(state);
}

static const enum mnl_attr_data_type ev_types[SYNFIN_E_MAX + 1] = {
	[SYNFIN_E_TYPE] = MNL_TYPE_U8,
	[SYNFIN_E_TS_NS] = MNL_TYPE_U64,
	[SYNFIN_E_CPU] = MNL_TYPE_U32,
	[SYNFIN_E_NETNS] = MNL_TYPE_U32,
	[SYNFIN_E_CONN] = MNL_TYPE_U64,
	[SYNFIN_E_INDEX] = MNL_TYPE_U32,
	[SYNFIN_E_FAMILY] = MNL_TYPE_U8,
	[SYNFIN_E_SADDR] = MNL_TYPE_BINARY,
	[SYNFIN_E_DADDR] = MNL_TYPE_BINARY,
	[SYNFIN_E_SPORT] = MNL_TYPE_U16,
	[SYNFIN_E_DPORT] = MNL_TYPE_U16,
	[SYNFIN_E_FROM] = MNL_TYPE_U8,
	[SYNFIN_E_FLAGS] = MNL_TYPE_U8,
	[SYNFIN_E_SEQ] = MNL_TYPE_U32,
	[SYNFIN_E_ACK] = MNL_TYPE_U32,
	[SYNFIN_E_WIN] = MNL_TYPE_U16,
	[SYNFIN_E_LEN] = MNL_TYPE_U32,
	[SYNFIN_E_CLIENT_STATE] = MNL_TYPE_U8,
	[SYNFIN_E_SERVER_STATE] = MNL_TYPE_U8,
	[SYNFIN_E_TRANS] = MNL_TYPE_NESTED,
	[SYNFIN_E_ISN_KNOWN] = MNL_TYPE_U8,
	[SYNFIN_E_CLIENT_ISN] = MNL_TYPE_U32,
	[SYNFIN_E_SERVER_ISN] = MNL_TYPE_U32,
	[SYNFIN_E_REASON] = MNL_TYPE_U8,
	[SYNFIN_E_LOST] = MNL_TYPE_U64,
	[SYNFIN_E_FIRST_NS] = MNL_TYPE_U64,
	[SYNFIN_E_LAST_NS] = MNL_TYPE_U64,
	[SYNFIN_E_ANOMALIES] = MNL_TYPE_U32,
	[SYNFIN_E_HISTORY] = MNL_TYPE_NUL_STRING,
	[SYNFIN_E_CONN_STATE] = MNL_TYPE_U8,
	[SYNFIN_E_CLIENT_SEGS] = MNL_TYPE_U32,
	[SYNFIN_E_SERVER_SEGS] = MNL_TYPE_U32,
	[SYNFIN_E_CLIENT_BYTES] = MNL_TYPE_U64,
	[SYNFIN_E_SERVER_BYTES] = MNL_TYPE_U64,
};

/* Keep only the letters a history may hold, so output stays clean. */
static void get_history(const struct nlattr *a, char *dst)
{
	const char *src = mnl_attr_get_str(a);
	size_t i;

	for (i = 0; i < SYNFIN_HISTORY_LEN - 1 && src[i]; i++) {
		char c = src[i];

		dst[i] = ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  c == '^') ? c : '?';
	}
	dst[i] = '\0';
}

static void get_addr(const struct nlattr *a, uint8_t *dst)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	memset(dst, 0, 16);
	if (len == 4 || len == 16)
		memcpy(dst, mnl_attr_get_payload(a), len);
}

static void parse_trans(const struct nlattr *nest, struct sf_event *ev)
{
	struct sf_trans t = { 0 };
	const struct nlattr *a;

	if (ev->ntrans >= SF_MAX_TRANS)
		return;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			continue;
		switch (mnl_attr_get_type(a)) {
		case SYNFIN_T_WHO:
			t.who = mnl_attr_get_u8(a);
			break;
		case SYNFIN_T_FROM:
			t.from = mnl_attr_get_u8(a);
			break;
		case SYNFIN_T_TO:
			t.to = mnl_attr_get_u8(a);
			break;
		}
	}
	ev->trans[ev->ntrans++] = t;
}

/* Decode the attributes shared by events and flows. */
static int parse_attrs(const struct nlattr *nest, struct sf_event *ev,
		       struct sf_flow *fl)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int type = mnl_attr_get_type(a);

		if (type > SYNFIN_E_MAX || !ev_types[type])
			continue;	/* newer kernel: ignore what we don't know */
		if (mnl_attr_validate(a, ev_types[type]) < 0)
			return -EINVAL;
		switch (type) {
		case SYNFIN_E_TYPE: ev->type = mnl_attr_get_u8(a); break;
		case SYNFIN_E_TS_NS: ev->ts_ns = mnl_attr_get_u64(a); break;
		case SYNFIN_E_CPU: ev->cpu = mnl_attr_get_u32(a); break;
		case SYNFIN_E_NETNS: ev->netns = mnl_attr_get_u32(a); break;
		case SYNFIN_E_CONN: ev->conn = mnl_attr_get_u64(a); break;
		case SYNFIN_E_INDEX: ev->index = mnl_attr_get_u32(a); break;
		case SYNFIN_E_FAMILY: ev->family = mnl_attr_get_u8(a); break;
		case SYNFIN_E_SADDR: get_addr(a, ev->saddr); break;
		case SYNFIN_E_DADDR: get_addr(a, ev->daddr); break;
		case SYNFIN_E_SPORT: ev->sport = mnl_attr_get_u16(a); break;
		case SYNFIN_E_DPORT: ev->dport = mnl_attr_get_u16(a); break;
		case SYNFIN_E_FROM: ev->from = mnl_attr_get_u8(a); break;
		case SYNFIN_E_FLAGS: ev->flags = mnl_attr_get_u8(a); break;
		case SYNFIN_E_SEQ: ev->seq = mnl_attr_get_u32(a); break;
		case SYNFIN_E_ACK: ev->ack = mnl_attr_get_u32(a); break;
		case SYNFIN_E_WIN: ev->win = mnl_attr_get_u16(a); break;
		case SYNFIN_E_LEN: ev->len = mnl_attr_get_u32(a); break;
		case SYNFIN_E_CLIENT_STATE:
			ev->state[SYNFIN_CLIENT] = mnl_attr_get_u8(a);
			break;
		case SYNFIN_E_SERVER_STATE:
			ev->state[SYNFIN_SERVER] = mnl_attr_get_u8(a);
			break;
		case SYNFIN_E_TRANS: parse_trans(a, ev); break;
		case SYNFIN_E_ISN_KNOWN: ev->isn_known = mnl_attr_get_u8(a); break;
		case SYNFIN_E_CLIENT_ISN:
			ev->isn[SYNFIN_CLIENT] = mnl_attr_get_u32(a);
			break;
		case SYNFIN_E_SERVER_ISN:
			ev->isn[SYNFIN_SERVER] = mnl_attr_get_u32(a);
			break;
		case SYNFIN_E_REASON: ev->reason = mnl_attr_get_u8(a); break;
		case SYNFIN_E_LOST: ev->lost = mnl_attr_get_u64(a); break;
		case SYNFIN_E_ANOMALIES:
			ev->anomalies = mnl_attr_get_u32(a);
			break;
		case SYNFIN_E_HISTORY: get_history(a, ev->history); break;
		case SYNFIN_E_CONN_STATE:
			ev->conn_state = mnl_attr_get_u8(a);
			break;
		case SYNFIN_E_CLIENT_SEGS:
			ev->segs[SYNFIN_CLIENT] = mnl_attr_get_u32(a);
			ev->have_counts = true;
			break;
		case SYNFIN_E_SERVER_SEGS:
			ev->segs[SYNFIN_SERVER] = mnl_attr_get_u32(a);
			break;
		case SYNFIN_E_CLIENT_BYTES:
			ev->bytes[SYNFIN_CLIENT] = mnl_attr_get_u64(a);
			break;
		case SYNFIN_E_SERVER_BYTES:
			ev->bytes[SYNFIN_SERVER] = mnl_attr_get_u64(a);
			break;
		case SYNFIN_E_FIRST_NS:
			if (fl)
				fl->first_ns = mnl_attr_get_u64(a);
			break;
		case SYNFIN_E_LAST_NS:
			if (fl)
				fl->last_ns = mnl_attr_get_u64(a);
			break;
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

int sf_flow_parse(const struct nlattr *nest, struct sf_flow *fl)
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

void sf_addr_str(uint8_t family, const uint8_t *addr, char *buf, size_t len)
{
	/*
	 * IPv4 by hand: glibc's inet_ntop() formats it with sprintf(), a
	 * third of the reader's time at a high event rate.
	 */
	if (family == AF_INET && len >= INET_ADDRSTRLEN) {
		size_t n = 0;
		int i;

		for (i = 0; i < 4; i++) {
			unsigned int b = addr[i];

			if (b >= 100)
				buf[n++] = (char)('0' + b / 100);
			if (b >= 10)
				buf[n++] = (char)('0' + b / 10 % 10);
			buf[n++] = (char)('0' + b % 10);
			buf[n++] = i < 3 ? '.' : '\0';
		}
		return;
	}
	if (!inet_ntop(family == AF_INET ? AF_INET : AF_INET6, addr, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
}

static const char *const flag_names[8] = {
	"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"
};

static const char *side_name(unsigned int side)
{
	return side == SYNFIN_CLIENT ? "client" : "server";
}

static const char *type_name(unsigned int type)
{
	switch (type) {
	case SYNFIN_EV_SEGMENT: return "segment";
	case SYNFIN_EV_TIMEOUT: return "timeout";
	default: return "lost";
	}
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
 * A JSON line is built in memory and written with one fwrite(): under a
 * flood the reader formats thousands of events a second, and printf's
 * format parsing was most of its time. The longest line (every anomaly,
 * every transition, IPv6 addresses) is under 2 KiB.
 */
struct jline {
	char buf[4096];
	size_t len;
};

static void j_raw(struct jline *j, const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(j->buf) - j->len)
		n = sizeof(j->buf) - j->len;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void j_u64(struct jline *j, uint64_t v)
{
	char tmp[20];
	int i = 0;

	do {
		tmp[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i && j->len < sizeof(j->buf))
		j->buf[j->len++] = tmp[--i];
}

/* "key":number, */
static void j_num(struct jline *j, const char *key, uint64_t v)
{
	j_raw(j, key);
	j_u64(j, v);
	j_raw(j, ",");
}

/* "key":"value", -- values are names and addresses, nothing to escape */
static void j_str(struct jline *j, const char *key, const char *v)
{
	j_raw(j, key);
	j_raw(j, "\"");
	j_raw(j, v);
	j_raw(j, "\",");
}

static const char *flag_name(unsigned int bit)
{
	return flag_names[bit];
}

/* ["name",...] of the bits set in @bits, lowest first. */
static void j_names(struct jline *j, uint32_t bits, unsigned int nbits,
		    const char *(*name)(unsigned int bit))
{
	const char *sep = "[\"";
	unsigned int i;

	for (i = 0; i < nbits; i++) {
		if (bits & (1u << i)) {
			j_raw(j, sep);
			j_raw(j, name(i));
			j_raw(j, "\"");
			sep = ",\"";
		}
	}
	j_raw(j, sep[0] == '[' ? "[]" : "]");
}

void sf_event_json(FILE *out, const struct sf_event *ev)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	bool seg = ev->type == SYNFIN_EV_SEGMENT;
	struct jline j = { .len = 0 };
	uint32_t rel;
	unsigned int i;

	j_str(&j, "{\"type\":", type_name(ev->type));
	j_num(&j, "\"ts_ns\":", ev->ts_ns);
	if (ev->cpu_unknown)
		j_raw(&j, "\"cpu\":null,");
	else
		j_num(&j, "\"cpu\":", ev->cpu);
	if (ev->netns_unknown) {
		j_raw(&j, "\"netns\":null");
	} else {
		j_raw(&j, "\"netns\":");
		j_u64(&j, ev->netns);
	}
	if (ev->type == SYNFIN_EV_LOST) {
		j_raw(&j, ",\"conn\":null,\"index\":null,\"family\":null,"
		      "\"src\":null,\"sport\":null,\"dst\":null,\"dport\":null,"
		      "\"from\":null,\"flags\":[],\"seq\":null,\"ack\":null,"
		      "\"rel_seq\":null,\"rel_ack\":null,\"win\":null,"
		      "\"len\":null,\"client_state\":null,"
		      "\"server_state\":null,\"transitions\":[],"
		      "\"anomalies\":[],\"count\":");
		if (ev->lost)
			j_u64(&j, ev->lost);
		else
			j_raw(&j, "null");
		j_raw(&j, "}\n");
		fwrite(j.buf, 1, j.len, out);
		return;
	}
	sf_addr_str(ev->family, ev->saddr, src, sizeof(src));
	sf_addr_str(ev->family, ev->daddr, dst, sizeof(dst));
	j_raw(&j, ",");
	j_num(&j, "\"conn\":", ev->conn);
	j_num(&j, "\"index\":", ev->index);
	j_str(&j, "\"family\":", ev->family == AF_INET ? "ipv4" : "ipv6");
	j_str(&j, "\"src\":", src);
	j_num(&j, "\"sport\":", ev->sport);
	j_str(&j, "\"dst\":", dst);
	j_num(&j, "\"dport\":", ev->dport);
	if (seg)
		j_str(&j, "\"from\":", side_name(ev->from));
	else
		j_raw(&j, "\"from\":null,");
	j_raw(&j, "\"flags\":");
	j_names(&j, ev->flags, 8, flag_name);
	j_raw(&j, ",");
	if (seg) {
		j_num(&j, "\"seq\":", ev->seq);
		j_num(&j, "\"ack\":", ev->ack);
	} else {
		j_raw(&j, "\"seq\":null,\"ack\":null,");
	}
	if (sf_rel_seq(ev, &rel))
		j_num(&j, "\"rel_seq\":", rel);
	else
		j_raw(&j, "\"rel_seq\":null,");
	if (sf_rel_ack(ev, &rel))
		j_num(&j, "\"rel_ack\":", rel);
	else
		j_raw(&j, "\"rel_ack\":null,");
	if (seg) {
		j_num(&j, "\"win\":", ev->win);
		j_num(&j, "\"len\":", ev->len);
	} else {
		j_raw(&j, "\"win\":null,\"len\":null,");
	}
	j_str(&j, "\"client_state\":", sf_state_name(ev->state[SYNFIN_CLIENT]));
	j_str(&j, "\"server_state\":", sf_state_name(ev->state[SYNFIN_SERVER]));
	j_raw(&j, "\"transitions\":[");
	for (i = 0; i < ev->ntrans; i++) {
		j_raw(&j, i ? ",{" : "{");
		j_str(&j, "\"who\":", side_name(ev->trans[i].who));
		j_str(&j, "\"from\":", sf_state_name(ev->trans[i].from));
		j_raw(&j, "\"to\":\"");
		j_raw(&j, sf_state_name(ev->trans[i].to));
		j_raw(&j, "\"}");
	}
	j_raw(&j, "],\"anomalies\":");
	j_names(&j, ev->anomalies, 32, synfin_anomaly_name);
	if (ev->conn_state) {
		j_raw(&j, ",\"history\":\"");
		j_raw(&j, ev->history);
		j_raw(&j, "\",\"conn_state\":\"");
		j_raw(&j, synfin_conn_state_name(ev->conn_state));
		j_raw(&j, "\"");
	}
	if (ev->have_counts) {
		j_raw(&j, ",\"client_segments\":");
		j_u64(&j, ev->segs[SYNFIN_CLIENT]);
		j_raw(&j, ",\"server_segments\":");
		j_u64(&j, ev->segs[SYNFIN_SERVER]);
		j_raw(&j, ",\"client_bytes\":");
		j_u64(&j, ev->bytes[SYNFIN_CLIENT]);
		j_raw(&j, ",\"server_bytes\":");
		j_u64(&j, ev->bytes[SYNFIN_SERVER]);
	}
	j_raw(&j, "}\n");
	fwrite(j.buf, 1, j.len, out);
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
 * Wall-clock time of an event: live timestamps are this kernel's
 * CLOCK_MONOTONIC, a capture's are wall-clock already (shown in UTC, so
 * that a capture reads the same everywhere).
 */
static void format_time(uint64_t ts_ns, char *buf, size_t len)
{
	struct timespec mono, real;
	int64_t offset = 0;
	uint64_t wall;
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
	if (sf_opts.offline)
		gmtime_r(&secs, &tm);
	else
		localtime_r(&secs, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06llu", tm.tm_hour, tm.tm_min,
		 tm.tm_sec, (unsigned long long)(wall % 1000000000ULL) / 1000);
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

void sf_event_text(FILE *out, const struct sf_event *ev)
{
	char when[32], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char fl[48], seq[16], ack[16];
	const char *off = sf_color(SF_RESET);
	unsigned int i;

	format_time(ev->ts_ns, when, sizeof(when));
	if (ev->type == SYNFIN_EV_LOST) {
		if (ev->lost)
			fprintf(out, "%s  %sLOST %llu events on cpu %u%s\n", when,
				sf_color(SF_RED), (unsigned long long)ev->lost,
				ev->cpu, off);
		else
			fprintf(out, "%s  %sLOST events: receive buffer overflow%s\n",
				when, sf_color(SF_RED), off);
		return;
	}
	sf_addr_str(ev->family, ev->saddr, src, sizeof(src));
	sf_addr_str(ev->family, ev->daddr, dst, sizeof(dst));
	if (ev->type == SYNFIN_EV_TIMEOUT) {
		fprintf(out, "%s  #%-5llu      %s\n", when,
			(unsigned long long)ev->conn, sf_reason_name(ev->reason));
	} else {
		sf_flags_str(ev->flags, fl, sizeof(fl));
		sf_seqack_str(ev, seq, ack, sizeof(seq));
		fprintf(out, "%s  #%-5llu %s %s%s%s:%u > %s%s%s:%u  %s%-11s%s seq=%-6s ack=%-6s len=%u",
			when, (unsigned long long)ev->conn,
			ev->from == SYNFIN_CLIENT ? "C>S" : "S>C",
			ev->family == AF_INET6 ? "[" : "", src,
			ev->family == AF_INET6 ? "]" : "", ev->sport,
			ev->family == AF_INET6 ? "[" : "", dst,
			ev->family == AF_INET6 ? "]" : "", ev->dport,
			sf_flags_color(ev->flags), fl,
			*sf_flags_color(ev->flags) ? off : "", seq, ack,
			ev->len);
		fputc('\n', out);
	}
	for (i = 0; i < ev->ntrans; i++)
		fprintf(out, "%32s%s %s -> %s%s%s\n", "",
			side_name(ev->trans[i].who),
			sf_state_name(ev->trans[i].from), sf_color(SF_BOLD),
			sf_state_name(ev->trans[i].to), off);
	if (ev->anomalies) {
		char an[256];

		sf_anomalies_str(ev->anomalies, an, sizeof(an));
		fprintf(out, "%32s%s! %s%s\n", "", sf_color(SF_MAGENTA), an, off);
	}
}
