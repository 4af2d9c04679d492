// SPDX-License-Identifier: GPL-2.0
/*
 * synfin reader: a connection as the textbook ladder figure. The client
 * is the left column, the server the right; each event is a row: the
 * time since the previous one, a side's new state written beside its
 * column, and the segment as an arrow across with its flags and seq/ack.
 *
 *    +ms        client 10.0.0.1:40000                  server 10.0.0.2:80
 *                      CLOSED |                            | LISTEN
 *   0.000        SYN_SENT |-- SYN seq=0 ----------------->|
 *   0.210     ESTABLISHED |<------------ SYN,ACK seq=0 ack=1 --| SYN_RCVD
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "synfin.h"

#define ARROW 46	/* columns between the two bars */
#define STATE 11	/* widest state name, ESTABLISHED */

static void endpoint(const struct sf_event *ev, bool client, char *buf,
		     size_t len)
{
	bool src = (ev->type != SYNFIN_EV_SEGMENT ||
		    ev->from == SYNFIN_CLIENT) == client;
	char a[INET6_ADDRSTRLEN];

	sf_addr_str(ev->family, src ? ev->saddr : ev->daddr, a, sizeof(a));
	snprintf(buf, len, ev->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		 src ? ev->sport : ev->dport);
}

/* The state a side had before the first of these events changed it. */
static unsigned int initial_state(const struct sf_event *evs, unsigned int n,
				  unsigned int who)
{
	unsigned int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < evs[i].ntrans; j++)
			if (evs[i].trans[j].who == who)
				return evs[i].trans[j].from;
	return n ? evs[0].state[who] : SYNFIN_ST_CLOSED;
}

/* The state @who moved to in @ev, or NULL if it did not move. */
static const char *moved_to(const struct sf_event *ev, unsigned int who)
{
	const char *to = NULL;
	unsigned int j;

	for (j = 0; j < ev->ntrans; j++)
		if (ev->trans[j].who == who)
			to = sf_state_name(ev->trans[j].to);
	return to;
}

static void arrow(const struct sf_event *ev, char *buf)
{
	char label[128], fl[48], seq[16], ack[16];
	size_t n, dashes;

	if (ev->type != SYNFIN_EV_SEGMENT) {
		snprintf(label, sizeof(label), "( %s )",
			 sf_reason_name(ev->reason));
		n = strlen(label);
		if (n > ARROW)
			n = ARROW;
		memset(buf, ' ', ARROW);
		memcpy(buf + (ARROW - n) / 2, label, n);
		buf[ARROW] = '\0';
		return;
	}
	sf_flags_str(ev->flags, fl, sizeof(fl));
	sf_seqack_str(ev, seq, ack, sizeof(seq));
	if (ev->flags & SYNFIN_TCP_ACK)
		snprintf(label, sizeof(label), "%s seq=%s ack=%s", fl, seq, ack);
	else
		snprintf(label, sizeof(label), "%s seq=%s", fl, seq);
	n = strlen(label);
	if (ev->len && n + 16 < sizeof(label))
		n += (size_t)snprintf(label + n, sizeof(label) - n, " len=%u",
				      ev->len);
	if (n > ARROW - 6) {
		n = ARROW - 6;
		label[n] = '\0';
	}
	dashes = ARROW - 5 - n;
	if (ev->from == SYNFIN_CLIENT) {
		/* |-- LABEL ------->| */
		memcpy(buf, "-- ", 3);
		memcpy(buf + 3, label, n);
		buf[3 + n] = ' ';
		memset(buf + 4 + n, '-', dashes);
		buf[ARROW - 1] = '>';
	} else {
		/* |<------- LABEL --| */
		buf[0] = '<';
		memset(buf + 1, '-', dashes);
		buf[1 + dashes] = ' ';
		memcpy(buf + 2 + dashes, label, n);
		memcpy(buf + 2 + dashes + n, " --", 3);
	}
	buf[ARROW] = '\0';
}

static void row(FILE *out, const char *when, const char *cstate,
		const char *arrow_str, const char *acolor, const char *sstate,
		const char *note)
{
	const char *off = sf_color(SF_RESET);

	fprintf(out, "%10s  %s%*s%s |%s%s%s|", when, sf_color(SF_BOLD), STATE,
		cstate ? cstate : "", off, acolor, arrow_str,
		*acolor ? off : "");
	if (sstate)
		fprintf(out, " %s%s%s", sf_color(SF_BOLD), sstate, off);
	if (note && *note)
		fprintf(out, "%*s%s! %s%s",
			(int)(STATE + 3 - (sstate ? strlen(sstate) + 1 : 0)),
			"", sf_color(SF_MAGENTA), note, off);
	fputc('\n', out);
}

void sf_ladder_print(FILE *out, const struct sf_event *evs, unsigned int n,
		     uint32_t elided)
{
	char c[64], s[64], when[32], arr[ARROW + 1], blank[ARROW + 1];
	uint64_t prev;
	unsigned int i;

	if (!n)
		return;
	endpoint(&evs[0], true, c, sizeof(c));
	endpoint(&evs[0], false, s, sizeof(s));
	memset(blank, ' ', ARROW);
	blank[ARROW] = '\0';

	fprintf(out, "\n%s#%llu%s %s\n", sf_color(SF_BOLD),
		(unsigned long long)evs[0].conn, sf_color(SF_RESET),
		evs[0].family == AF_INET6 ? "IPv6" : "IPv4");
	/* Each endpoint above its bar: the client's ends at the left one. */
	fprintf(out, "%10s  %*s  %*s  %s\n", "+ms", STATE, "client", ARROW, "",
		"server");
	fprintf(out, "%*s  %*s  %s\n", 10 + 2 + STATE, c, ARROW, "", s);
	row(out, "", sf_state_name(initial_state(evs, n, SYNFIN_CLIENT)),
	    blank, "", sf_state_name(initial_state(evs, n, SYNFIN_SERVER)),
	    NULL);

	prev = evs[0].ts_ns;
	for (i = 0; i < n; i++) {
		const struct sf_event *ev = &evs[i];
		char an[256] = "";

		if (i == SF_KEEP_HEAD && elided) {
			fprintf(out, "%10s  %*s |   ... %u events not kept ...\n",
				"", STATE, "", elided);
		}
		snprintf(when, sizeof(when), "%s%.3f", i ? "+" : "",
			 ev->ts_ns >= prev ? (double)(ev->ts_ns - prev) / 1e6 :
					     0.0);
		prev = ev->ts_ns;
		arrow(ev, arr);
		if (ev->anomalies)
			sf_anomalies_str(ev->anomalies, an, sizeof(an));
		row(out, when, moved_to(ev, SYNFIN_CLIENT), arr,
		    ev->type == SYNFIN_EV_SEGMENT ? sf_flags_color(ev->flags) :
						    "",
		    moved_to(ev, SYNFIN_SERVER), an);
	}
}
