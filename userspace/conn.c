// SPDX-License-Identifier: GPL-2.0
/*
 * synfin reader: follow each connection through its events. Events are
 * printed as they come, or, when the whole connection must be known
 * first (--ladder, --state), kept until it ends. When it ends, the
 * connection is printed as sf_opts says, with a summary: endpoints,
 * handshake times, duration, segments and bytes each way, how it ended,
 * Zeek's history and conn_state. The final event carries all of it (the
 * tracking core's struct synfin_summary, SYNFIN_E_SUMMARY), so that it
 * alone makes the summary, and so does read's last word on a connection
 * still open. Only when events are kept is the same made here of the
 * events seen, the core's way, for the connections watch prints open when
 * it exits; a final event without a summary says what it alone can.
 * Which connections are shown is filter.c's answer, asked with what is
 * known of each here.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "synfin.h"
#include "fsm.h"
#include "jline.h"

#define CONN_BUCKETS 4096
/*
 * A connection whose last event was lost never ends here: keep at most
 * this many, forgetting the oldest of a chain to make room.
 */
#define CONN_MAX (CONN_BUCKETS * 64)
/*
 * Events kept per connection for --ladder and --state: the first
 * KEEP_HEAD, then the latest KEEP_MAX - KEEP_HEAD; those in between are
 * counted and said to be left out.
 */
#define KEEP_MAX 64
#define KEEP_HEAD SF_KEEP_HEAD
/* Ended connections remembered, so that a late event is not a new one. */
#define ENDED_MAX 4096

struct conn {
	struct conn *next;
	uint64_t id;
	uint32_t netns;
	bool netns_unknown;
	uint8_t family;
	uint8_t caddr[16], saddr[16];
	uint16_t cport, sport;
	uint64_t first_ns;		/* its first event seen */
	struct synfin_summary sum;	/* of the events kept (keeping()) */
	bool show;			/* passes --port and --host */
	uint8_t state[2];		/* last states before the end */
	struct sf_event *evs;		/* kept events (--ladder, --state) */
	unsigned int nevs;
	uint32_t elided;
};

static struct conn *table[CONN_BUCKETS];
static unsigned int nconns;

/*
 * The ended connections: a ring of the last ENDED_MAX, the oldest
 * overwritten first, each also chained (by ring slot + 1; 0 ends a chain)
 * in a hash of its id: every new connection asks whether it ended
 * already, and a scan of the whole ring each time was most of the
 * reader's work under a high connection rate.
 */
#define ENDED_HASH_BITS 12
#define ENDED_BUCKETS (1u << ENDED_HASH_BITS)
static struct {
	uint64_t id;
	uint32_t next;
	bool shown;
} ended[ENDED_MAX];
static uint32_t ended_head[ENDED_BUCKETS];
static unsigned int nended;

static bool keeping(void)
{
	/* (--summaries: the final event says all a summary needs) */
	return !sf_opts.summaries &&
	       (sf_opts.ladder || sf_filter_by_state(&sf_opts.filter));
}

static struct conn **slot(uint64_t id)
{
	struct conn **pp = &table[id % CONN_BUCKETS];

	while (*pp && (*pp)->id != id)
		pp = &(*pp)->next;
	return pp;
}

static void conn_free(struct conn *c)
{
	free(c->evs);
	free(c);
}

static struct conn *conn_new(const struct sf_event *ev)
{
	struct conn **pp = slot(ev->conn);
	struct conn *c;
	bool client = ev->type != SYNFIN_EV_SEGMENT ||
		      ev->from == SYNFIN_CLIENT;

	if (nconns >= CONN_MAX) {
		struct conn **oldest = &table[ev->conn % CONN_BUCKETS];

		for (pp = oldest; *pp; pp = &(*pp)->next)
			if ((*pp)->first_ns < (*oldest)->first_ns)
				oldest = pp;
		if (*oldest) {
			c = *oldest;
			*oldest = c->next;
			conn_free(c);
			nconns--;
		}
		pp = slot(ev->conn);
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (keeping()) {
		c->evs = calloc(KEEP_MAX, sizeof(*c->evs));
		if (!c->evs) {
			free(c);
			return NULL;
		}
	}
	c->id = ev->conn;
	c->netns = ev->netns;
	c->netns_unknown = ev->netns_unknown;
	c->family = ev->family;
	memcpy(client ? c->caddr : c->saddr, ev->saddr, 16);
	memcpy(client ? c->saddr : c->caddr, ev->daddr, 16);
	c->cport = client ? ev->sport : ev->dport;
	c->sport = client ? ev->dport : ev->sport;
	c->first_ns = ev->ts_ns;
	synfin_summary_begin(&c->sum, ev->ts_ns);
	c->show = sf_filter_tuple(&sf_opts.filter, c->family, c->caddr,
				  c->cport, c->saddr, c->sport);
	*pp = c;
	nconns++;
	return c;
}

static uint32_t *ended_chain(uint64_t id)
{
	/* Fibonacci hashing: the top bits of the product. */
	return &ended_head[(id * 0x9E3779B97F4A7C15ULL) >> (64 - ENDED_HASH_BITS)];
}

static void remember_ended(uint64_t id, bool shown)
{
	uint32_t slot = nended % ENDED_MAX;
	uint32_t *link;

	if (nended >= ENDED_MAX) {
		/* Forget the oldest, whose slot this is: unchain it. */
		for (link = ended_chain(ended[slot].id); *link != slot + 1;
		     link = &ended[*link - 1].next)
			;
		*link = ended[slot].next;
	}
	link = ended_chain(id);
	ended[slot].id = id;
	ended[slot].shown = shown;
	ended[slot].next = *link;
	*link = slot + 1;
	nended++;
}

/* Has connection @id ended already? *@shown: was it printed. */
static bool was_ended(uint64_t id, bool *shown)
{
	uint32_t i;

	for (i = *ended_chain(id); i; i = ended[i - 1].next) {
		if (ended[i - 1].id == id) {
			*shown = ended[i - 1].shown;
			return true;
		}
	}
	return false;
}

static const char *side(int s)
{
	return s == SYNFIN_CLIENT ? "client" : "server";
}

/* How a connection ended, as @s says, and *@by which side, or -1. */
static enum sf_end_kind end_kind(const struct synfin_summary *s, bool open,
				 int *by)
{
	*by = -1;
	if (open)
		return SF_END_OPEN;
	if (s->end_by != SYNFIN_SUM_NOBODY)
		*by = s->end_by;
	return (enum sf_end_kind)s->end;
}

static void end_text(const struct conn *c, const struct synfin_summary *s,
		     enum sf_end_kind k, int by, char *buf, size_t len)
{
	switch (k) {
	case SF_END_FOUR_WAY:
		snprintf(buf, len, "four-way close, %s first", side(by));
		break;
	case SF_END_THREE_WAY:
		snprintf(buf, len, "three-way close, %s first", side(by));
		break;
	case SF_END_SIMULTANEOUS:
		snprintf(buf, len, "simultaneous close");
		break;
	case SF_END_REFUSED:
		snprintf(buf, len, "refused (RST from server)");
		break;
	case SF_END_RESET:
		snprintf(buf, len, "reset by %s%s", side(by),
			 s->flags & SYNFIN_SUM_ESTABLISHED ? "" :
			 " during handshake");
		break;
	case SF_END_TIMED_OUT:
	case SF_END_EVICTED:
	case SF_END_OPEN:
		snprintf(buf, len, "%s in %s/%s",
			 k == SF_END_TIMED_OUT ? "timed out" :
			 k == SF_END_EVICTED ? "evicted" : "still open",
			 sf_state_name(c->state[SYNFIN_CLIENT]),
			 sf_state_name(c->state[SYNFIN_SERVER]));
		break;
	default:
		snprintf(buf, len, "ended without FIN or RST");
	}
}

static void ms(char *buf, size_t len, uint64_t a, uint64_t b)
{
	if (!a || !b || b < a)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f ms", (double)(b - a) / 1e6);
}

static void json_ns(struct jline *j, uint64_t a, uint64_t b)
{
	if (!a || !b || b < a)
		j_lit(j, "null");
	else
		j_u64(j, b - a);
}

static void summary_json(FILE *out, const struct conn *c,
			 const struct synfin_summary *s,
			 const struct sf_event *last, enum sf_end_kind k,
			 int by, const char *how)
{
	char ca[INET6_ADDRSTRLEN], sa[INET6_ADDRSTRLEN];
	struct jline j;

	j_init(&j);
	sf_addr_str(c->family, c->caddr, ca, sizeof(ca));
	sf_addr_str(c->family, c->saddr, sa, sizeof(sa));
	j_num(&j, "{\"type\":\"summary\",\"conn\":", c->id);
	if (c->netns_unknown)
		j_lit(&j, "\"netns\":null,");
	else
		j_num(&j, "\"netns\":", c->netns);
	j_str(&j, "\"family\":", c->family == AF_INET ? "ipv4" : "ipv6");
	j_str(&j, "\"client\":", ca);
	j_num(&j, "\"client_port\":", c->cport);
	j_str(&j, "\"server\":", sa);
	j_num(&j, "\"server_port\":", c->sport);
	j_num(&j, "\"first_ns\":", s->first_ns);
	j_lit(&j, "\"last_ns\":");
	j_u64(&j, last->ts_ns);
	j_lit(&j, ",\"duration_ns\":");
	json_ns(&j, s->first_ns, last->ts_ns);
	j_lit(&j, ",\"handshake_ns\":");
	json_ns(&j, s->syn_ns, s->est_ns);
	j_lit(&j, ",\"syn_to_synack_ns\":");
	json_ns(&j, s->syn_ns, s->synack_ns);
	j_lit(&j, ",\"synack_to_ack_ns\":");
	json_ns(&j, s->synack_ns, s->est_ns);
	if (last->have_counts) {
		j_lit(&j, ",");
		j_num(&j, "\"client_segments\":", last->segs[SYNFIN_CLIENT]);
		j_num(&j, "\"server_segments\":", last->segs[SYNFIN_SERVER]);
		j_num(&j, "\"client_bytes\":", last->bytes[SYNFIN_CLIENT]);
		j_lit(&j, "\"server_bytes\":");
		j_u64(&j, last->bytes[SYNFIN_SERVER]);
	} else {
		j_lit(&j, ",\"client_segments\":null,\"server_segments\":null,\"client_bytes\":null,\"server_bytes\":null");
	}
	j_lit(&j, ",");
	j_str(&j, "\"end\":", sf_end_kind_name(k));
	if (by >= 0)
		j_str(&j, "\"end_by\":", side(by));
	else
		j_lit(&j, "\"end_by\":null,");
	j_str(&j, "\"how\":", how);
	j_str(&j, "\"client_state\":", sf_state_name(last->state[SYNFIN_CLIENT]));
	j_str(&j, "\"server_state\":", sf_state_name(last->state[SYNFIN_SERVER]));
	if (s->flags & SYNFIN_SUM_ESTABLISHED)
		j_lit(&j, "\"handshake_complete\":true");
	else
		j_lit(&j, "\"handshake_complete\":false");
	if (last->conn_state) {
		j_lit(&j, ",");
		j_str(&j, "\"history\":", last->history);
		j_lit(&j, "\"conn_state\":\"");
		j_name(&j, synfin_conn_state_name(last->conn_state));
		j_lit(&j, "\"}\n");
	} else {
		j_lit(&j, ",\"history\":null,\"conn_state\":null}\n");
	}
	j_write(&j, out);
}

static void summary_text(FILE *out, const struct conn *c,
			 const struct synfin_summary *s,
			 const struct sf_event *last, bool open,
			 const char *how)
{
	char ca[INET6_ADDRSTRLEN], sa[INET6_ADDRSTRLEN];
	char hs[32], d1[32], d2[32], dur[32];
	bool v6 = c->family == AF_INET6;

	sf_addr_str(c->family, c->caddr, ca, sizeof(ca));
	sf_addr_str(c->family, c->saddr, sa, sizeof(sa));
	ms(hs, sizeof(hs), s->syn_ns, s->est_ns);
	ms(d1, sizeof(d1), s->syn_ns, s->synack_ns);
	ms(d2, sizeof(d2), s->synack_ns, s->est_ns);
	ms(dur, sizeof(dur), s->first_ns, last->ts_ns);
	fprintf(out, "%s#%llu %s:%s %s%s%s:%u -> %s%s%s:%u  handshake %s (SYN->SYN-ACK %s, SYN-ACK->ACK %s)  duration %s",
		sf_color(SF_BOLD), (unsigned long long)c->id,
		open ? "open" : "ended", sf_color(SF_RESET), v6 ? "[" : "", ca,
		v6 ? "]" : "", c->cport, v6 ? "[" : "", sa, v6 ? "]" : "",
		c->sport, hs, d1, d2, dur);
	if (last->have_counts)
		fprintf(out, "  segments c>s %u s>c %u  bytes c>s %llu s>c %llu",
			last->segs[SYNFIN_CLIENT], last->segs[SYNFIN_SERVER],
			(unsigned long long)last->bytes[SYNFIN_CLIENT],
			(unsigned long long)last->bytes[SYNFIN_SERVER]);
	fprintf(out, "  %s", how);
	if (last->conn_state)
		fprintf(out, "  history %s conn_state %s", last->history,
			synfin_conn_state_name(last->conn_state));
	fputc('\n', out);
}

static void print_event(FILE *out, const struct sf_event *ev)
{
	if (sf_opts.summaries && ev->type != SYNFIN_EV_LOST)
		return;
	if (sf_opts.json)
		sf_event_json(out, ev);
	else
		sf_event_text(out, ev);
}

static void conn_unlink(struct conn *c)
{
	struct conn **pp = slot(c->id);

	*pp = c->next;
	nconns--;
}

/*
 * The summary of the events seen, made as the core makes it (track.h):
 * of each event kept, for a connection printed open, or of a final event
 * that does not carry its own.
 */
static void summarize(struct conn *c, const struct sf_event *ev)
{
	unsigned int i;

	if (ev->type == SYNFIN_EV_SEGMENT)
		synfin_summary_segment(&c->sum, ev->ts_ns, ev->from,
				       ev->flags, (uint16_t)ev->anomalies);
	for (i = 0; i < ev->ntrans; i++)
		synfin_summary_trans(&c->sum, ev->ts_ns, ev->trans[i].who,
				     ev->trans[i].from, ev->trans[i].to);
	synfin_summary_states(&c->sum, ev->state);
}

/*
 * What @last says of how its connection went: its own summary, the
 * core's, if it carries one; else what was made here of the events seen.
 */
static const struct synfin_summary *summary_of(struct conn *c,
					       const struct sf_event *last,
					       bool open)
{
	if (last->have_summary)
		return &last->summary;
	if (open)
		return &c->sum;
	if (!keeping())
		summarize(c, last);
	synfin_summary_close(&c->sum, last->type, last->reason);
	return &c->sum;
}

/* The connection ended (or is still open at the end): print it, forget it. */
static void finish(FILE *out, struct conn *c, const struct sf_event *last,
		   bool open)
{
	const struct synfin_summary *s = summary_of(c, last, open);
	int by;
	enum sf_end_kind k = end_kind(s, open, &by);
	bool show = c->show &&
		    sf_filter_ended(&sf_opts.filter,
				    s->flags & SYNFIN_SUM_ESTABLISHED, k,
				    last->conn_state, s->visited);
	char how[96];
	unsigned int i;

	if (show) {
		end_text(c, s, k, by, how, sizeof(how));
		if (sf_opts.ladder) {
			sf_ladder_print(out, c->evs, c->nevs, c->elided);
		} else if (keeping()) {
			for (i = 0; i < c->nevs; i++) {
				print_event(out, &c->evs[i]);
				if (i == KEEP_HEAD - 1 && c->elided)
					fprintf(sf_opts.json ? stderr : out,
						"... %u events of #%llu not kept ...\n",
						c->elided,
						(unsigned long long)c->id);
			}
		}
		if (sf_opts.json)
			summary_json(out, c, s, last, k, by, how);
		else
			summary_text(out, c, s, last, open, how);
	}
	remember_ended(c->id, show);
	conn_unlink(c);
	conn_free(c);
}

static void keep(struct conn *c, const struct sf_event *ev)
{
	if (c->nevs < KEEP_MAX) {
		c->evs[c->nevs++] = *ev;
		return;
	}
	memmove(&c->evs[KEEP_HEAD], &c->evs[KEEP_HEAD + 1],
		(KEEP_MAX - KEEP_HEAD - 1) * sizeof(*c->evs));
	c->evs[KEEP_MAX - 1] = *ev;
	c->elided++;
}

/* Keep the last states before the end, for "timed out in ...". */
static void track(struct conn *c, const struct sf_event *ev)
{
	unsigned int i;

	if (ev->type == SYNFIN_EV_SEGMENT) {
		c->state[0] = ev->state[0];
		c->state[1] = ev->state[1];
	} else {
		for (i = 0; i < ev->ntrans; i++)
			c->state[ev->trans[i].who & 1] = ev->trans[i].from;
	}
}

void sf_conn_event(FILE *out, const struct sf_event *ev)
{
	struct conn *c;
	bool shown;

	if (ev->type == SYNFIN_EV_LOST) {
		print_event(out, ev);	/* loss is never filtered out */
		return;
	}
	c = *slot(ev->conn);
	if (!c && was_ended(ev->conn, &shown)) {
		/*
		 * A late segment of an ended connection (its flow lingers to
		 * absorb them): print it as it is, but it ends nothing.
		 */
		if (shown)
			print_event(out, ev);
		return;
	}
	if (!c)
		c = conn_new(ev);
	if (!c) {
		print_event(out, ev);	/* out of memory: still show it */
		return;
	}
	track(c, ev);
	if (keeping()) {
		summarize(c, ev);
		keep(c, ev);
	} else if (c->show)
		print_event(out, ev);
	if (ev->state[SYNFIN_CLIENT] == SYNFIN_ST_CLOSED &&
	    ev->state[SYNFIN_SERVER] == SYNFIN_ST_CLOSED)
		finish(out, c, ev, false);
}

void sf_conn_open_at_end(FILE *out, const struct sf_event *now)
{
	struct conn *c = *slot(now->conn);

	if (!c)
		c = conn_new(now);
	if (!c)
		return;
	c->state[0] = now->state[0];
	c->state[1] = now->state[1];
	finish(out, c, now, true);
}

void sf_conn_flush(FILE *out)
{
	unsigned int i;

	if (keeping()) {
		for (i = 0; i < CONN_BUCKETS; i++) {
			while (table[i]) {
				struct conn *c = table[i];
				struct sf_event now;

				/* Kept connections have at least their first event. */
				now = c->nevs ? c->evs[c->nevs - 1] : (struct sf_event){
					.conn = c->id, .family = c->family };
				now.conn_state = SYNFIN_CS_NONE;
				now.have_counts = false;
				finish(out, c, &now, true);
			}
		}
	}
	sf_conn_free_all();
}

void sf_conn_free_all(void)
{
	unsigned int i;

	for (i = 0; i < CONN_BUCKETS; i++) {
		while (table[i]) {
			struct conn *c = table[i];

			table[i] = c->next;
			conn_free(c);
		}
	}
	nconns = 0;
}
