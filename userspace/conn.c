// SPDX-License-Identifier: GPL-2.0
/*
 * synfin reader: follow each connection through its events and print a
 * one-line summary when it ends: endpoints, handshake time, duration and
 * how it closed.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "synfin.h"
#include "fsm.h"

#define CONN_BUCKETS 4096
/*
 * A connection whose last event was lost never ends here: keep at most
 * this many, forgetting the oldest of a chain to make room.
 */
#define CONN_MAX (CONN_BUCKETS * 64)

struct conn {
	struct conn *next;
	uint64_t id;
	uint8_t family;
	uint8_t caddr[16], saddr[16];
	uint16_t cport, sport;
	uint64_t first_ns, syn_ns, synack_ns, est_ns;
	int first_fin;			/* side that sent the first FIN, or -1 */
	int rst_from;			/* side that sent an RST, or -1 */
	bool established;		/* either side reached ESTABLISHED */
	bool crossed_fin;		/* a side went through CLOSING */
	bool fin_acked_with_fin;	/* FIN_WAIT_1 -> TIME_WAIT directly */
	uint8_t state[2];
};

static struct conn *table[CONN_BUCKETS];
static unsigned int nconns;

static struct conn **slot(uint64_t id)
{
	struct conn **pp = &table[id % CONN_BUCKETS];

	while (*pp && (*pp)->id != id)
		pp = &(*pp)->next;
	return pp;
}

static struct conn *conn_get(const struct sf_event *ev)
{
	struct conn **pp = slot(ev->conn);
	struct conn *c = *pp;
	bool client = ev->type != SYNFIN_EV_SEGMENT ||
		      ev->from == SYNFIN_CLIENT;

	if (c)
		return c;
	if (nconns >= CONN_MAX) {
		struct conn **oldest = &table[ev->conn % CONN_BUCKETS];

		for (pp = oldest; *pp; pp = &(*pp)->next)
			if ((*pp)->first_ns < (*oldest)->first_ns)
				oldest = pp;
		if (*oldest) {
			c = *oldest;
			*oldest = c->next;
			free(c);
			nconns--;
		}
		pp = slot(ev->conn);
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->id = ev->conn;
	c->family = ev->family;
	memcpy(client ? c->caddr : c->saddr, ev->saddr, 16);
	memcpy(client ? c->saddr : c->caddr, ev->daddr, 16);
	c->cport = client ? ev->sport : ev->dport;
	c->sport = client ? ev->dport : ev->sport;
	c->first_ns = ev->ts_ns;
	c->first_fin = -1;
	c->rst_from = -1;
	*pp = c;
	nconns++;
	return c;
}

static const char *side(int s)
{
	return s == SYNFIN_CLIENT ? "client" : "server";
}

static void how_closed(const struct conn *c, const struct sf_event *last,
		       char *buf, size_t len)
{
	if (c->rst_from >= 0) {
		if (!c->established && c->rst_from == SYNFIN_SERVER)
			snprintf(buf, len, "refused (RST from server)");
		else
			snprintf(buf, len, "reset by %s%s", side(c->rst_from),
				 c->established ? "" : " during handshake");
		return;
	}
	if (last->type == SYNFIN_EV_TIMEOUT &&
	    (last->reason == SYNFIN_END_IDLE ||
	     last->reason == SYNFIN_END_EVICTED)) {
		snprintf(buf, len, "%s in %s/%s",
			 last->reason == SYNFIN_END_IDLE ? "timed out" :
							   "evicted",
			 sf_state_name(c->state[SYNFIN_CLIENT]),
			 sf_state_name(c->state[SYNFIN_SERVER]));
		return;
	}
	if (c->first_fin < 0) {
		snprintf(buf, len, "ended without FIN or RST");
		return;
	}
	if (c->crossed_fin)
		snprintf(buf, len, "simultaneous close");
	else if (c->fin_acked_with_fin)
		snprintf(buf, len, "three-way close, %s first",
			 side(c->first_fin));
	else
		snprintf(buf, len, "four-way close, %s first",
			 side(c->first_fin));
}

static void ms(char *buf, size_t len, uint64_t a, uint64_t b)
{
	if (!a || !b || b < a)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f ms", (double)(b - a) / 1e6);
}

static void summary(FILE *out, const struct conn *c,
		    const struct sf_event *last)
{
	char ca[INET6_ADDRSTRLEN], sa[INET6_ADDRSTRLEN], how[96];
	char hs[32], d1[32], d2[32], dur[32];
	bool v6 = c->family == AF_INET6;

	sf_addr_str(c->family, c->caddr, ca, sizeof(ca));
	sf_addr_str(c->family, c->saddr, sa, sizeof(sa));
	how_closed(c, last, how, sizeof(how));
	ms(hs, sizeof(hs), c->syn_ns, c->est_ns);
	ms(d1, sizeof(d1), c->syn_ns, c->synack_ns);
	ms(d2, sizeof(d2), c->synack_ns, c->est_ns);
	ms(dur, sizeof(dur), c->first_ns, last->ts_ns);
	fprintf(out, "#%llu ended: %s%s%s:%u -> %s%s%s:%u  handshake %s (SYN->SYN-ACK %s, SYN-ACK->ACK %s)  duration %s  %s",
		(unsigned long long)c->id, v6 ? "[" : "", ca, v6 ? "]" : "",
		c->cport, v6 ? "[" : "", sa, v6 ? "]" : "", c->sport, hs, d1,
		d2, dur, how);
	if (last->conn_state)
		fprintf(out, "  history %s conn_state %s", last->history,
			synfin_conn_state_name(last->conn_state));
	fputc('\n', out);
}

void sf_conn_event(FILE *out, const struct sf_event *ev)
{
	struct conn *c, **pp;
	unsigned int i;

	if (ev->type == SYNFIN_EV_LOST)
		return;
	c = conn_get(ev);
	if (!c)
		return;
	if (ev->type == SYNFIN_EV_SEGMENT) {
		bool syn = ev->flags & SYNFIN_TCP_SYN;
		bool ack = ev->flags & SYNFIN_TCP_ACK;

		if (syn && !ack && ev->from == SYNFIN_CLIENT && !c->syn_ns)
			c->syn_ns = ev->ts_ns;
		if (syn && ack && ev->from == SYNFIN_SERVER && !c->synack_ns)
			c->synack_ns = ev->ts_ns;
		if ((ev->flags & SYNFIN_TCP_FIN) && c->first_fin < 0)
			c->first_fin = ev->from;
		if ((ev->flags & SYNFIN_TCP_RST) && c->rst_from < 0)
			c->rst_from = ev->from;
	}
	for (i = 0; i < ev->ntrans; i++) {
		const struct sf_trans *t = &ev->trans[i];

		if (t->to == SYNFIN_ST_ESTABLISHED) {
			c->established = true;
			if (t->who == SYNFIN_SERVER && !c->est_ns)
				c->est_ns = ev->ts_ns;
		}
		if (t->to == SYNFIN_ST_CLOSING)
			c->crossed_fin = true;
		if (t->from == SYNFIN_ST_FIN_WAIT_1 &&
		    t->to == SYNFIN_ST_TIME_WAIT)
			c->fin_acked_with_fin = true;
	}
	/* Keep the last states before the end, for "timed out in ...". */
	if (ev->type == SYNFIN_EV_SEGMENT) {
		c->state[0] = ev->state[0];
		c->state[1] = ev->state[1];
	} else {
		for (i = 0; i < ev->ntrans; i++)
			c->state[ev->trans[i].who] = ev->trans[i].from;
	}

	if (ev->state[SYNFIN_CLIENT] != SYNFIN_ST_CLOSED ||
	    ev->state[SYNFIN_SERVER] != SYNFIN_ST_CLOSED)
		return;
	summary(out, c, ev);
	pp = slot(ev->conn);
	*pp = c->next;
	free(c);
	nconns--;
}

void sf_conn_free_all(void)
{
	unsigned int i;

	for (i = 0; i < CONN_BUCKETS; i++) {
		while (table[i]) {
			struct conn *c = table[i];

			table[i] = c->next;
			free(c);
		}
	}
	nconns = 0;
}
