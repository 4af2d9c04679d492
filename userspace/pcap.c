// SPDX-License-Identifier: GPL-2.0
/*
 * synfin read FILE: the module's work over a capture. Each TCP segment of
 * a pcap or pcapng file (libpcap) goes through the same state machine in
 * a bounded flow table, and the events the module would send are made
 * from it, so the timeline, JSON, ladders and summaries are the same.
 * Time is the capture's: a flow idle past its state's timeout (the
 * module's defaults) ends when the capture's clock passes that point;
 * at the end of the file, a connection in TIME_WAIT ends as TIME_WAIT
 * would, and one still open is printed as open, as Zeek logs it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "synfin.h"
#include "packet.h"
#include "table.h"

#define NS_PER_MS 1000000ULL
#define SWEEP_NS (1000 * NS_PER_MS)	/* as the module's gc_interval_ms */

struct reader {
	struct sf_table *t;
	__u32 ms[SYNFIN_TO_COUNT];
	uint64_t next_sweep;
	uint64_t packets, segments, not_tcp, malformed, not_ip, conns;
};

/* What the module puts on a connection's final event, from @f as it is. */
static void end_fields(struct sf_event *ev, const struct synfin_fsm *f)
{
	ev->conn_state = (uint8_t)synfin_fsm_conn_state(f);
	memcpy(ev->history, f->history, sizeof(ev->history));
	ev->have_counts = true;
	memcpy(ev->segs, f->segs, sizeof(ev->segs));
	memcpy(ev->bytes, f->bytes, sizeof(ev->bytes));
}

/* Make the event the module's flow_emit() would, and hand it on. */
static void emit(struct sf_flow_entry *e, uint8_t type,
		 const struct sf_packet *p, enum synfin_side from,
		 const struct synfin_fsm_result *res, uint8_t reason,
		 uint64_t ts)
{
	struct sf_event ev;
	unsigned int i;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.ts_ns = ts;
	ev.cpu_unknown = true;
	ev.netns_unknown = true;
	ev.conn = e->conn;
	ev.index = e->next_index++;
	ev.family = e->family;
	ev.reason = reason;
	ev.state[0] = e->fsm.state[0];
	ev.state[1] = e->fsm.state[1];
	ev.isn[0] = e->fsm.isn[0];
	ev.isn[1] = e->fsm.isn[1];
	ev.isn_known = e->fsm.flags & (SYNFIN_ISN_CLIENT | SYNFIN_ISN_SERVER);
	ev.anomalies = res->anomalies;
	for (i = 0; i < res->ntrans && i < SF_MAX_TRANS; i++) {
		ev.trans[i].who = res->trans[i].who;
		ev.trans[i].from = res->trans[i].from;
		ev.trans[i].to = res->trans[i].to;
	}
	ev.ntrans = i;
	if (synfin_fsm_ended(&e->fsm))
		end_fields(&ev, &e->fsm);
	if (p) {
		memcpy(ev.saddr, p->saddr, 16);
		memcpy(ev.daddr, p->daddr, 16);
		ev.sport = p->sport;
		ev.dport = p->dport;
		ev.from = (uint8_t)from;
		ev.flags = p->seg.flags;
		ev.seq = p->seg.seq;
		ev.ack = p->seg.ack;
		ev.win = p->seg.win;
		ev.len = p->seg.len;
	} else {
		/* No segment: the connection, client to server. */
		memcpy(ev.saddr, e->caddr, 16);
		memcpy(ev.daddr, e->saddr, 16);
		ev.sport = e->cport;
		ev.dport = e->sport;
	}
	sf_conn_event(stdout, &ev);
}

/* End @e's connection without a segment, if it has not ended. */
static void end_flow(struct sf_flow_entry *e, uint8_t reason, uint64_t ts)
{
	struct synfin_fsm_result res;

	if (synfin_fsm_ended(&e->fsm))
		return;
	synfin_fsm_close(&e->fsm, &res);
	emit(e, SYNFIN_EV_TIMEOUT, NULL, SYNFIN_CLIENT, &res, reason, ts);
}

static uint64_t expiry(const struct reader *r, const struct sf_flow_entry *e)
{
	return e->last_ts + synfin_fsm_timeout_ms(&e->fsm, r->ms) * NS_PER_MS;
}

/* End and forget the flows idle past their timeout at capture time @now. */
static void sweep(struct reader *r, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < sf_table_capacity(r->t); i++) {
		struct sf_flow_entry *e = sf_table_slot(r->t, i);
		uint64_t at;

		if (!e || (at = expiry(r, e)) > now)
			continue;
		end_flow(e, synfin_fsm_reusable(&e->fsm) ?
			 SYNFIN_END_TIME_WAIT : SYNFIN_END_IDLE, at);
		sf_table_remove(r->t, e);
	}
}

static void segment(struct reader *r, const struct sf_packet *p, uint64_t ts)
{
	struct synfin_fsm_result res;
	struct sf_flow_entry old, *e;
	enum synfin_side from;
	unsigned int what;

	e = sf_table_segment(r->t, p, ts, &from, &res, &what, &old);
	if (!e)
		return;
	if (what & (SF_TBL_CREATED | SF_TBL_RESTARTED))
		r->conns++;
	/* The connection that made room, or whose tuple a SYN reused. */
	if (what & (SF_TBL_EVICTED | SF_TBL_RESTARTED))
		end_flow(&old, what & SF_TBL_EVICTED ? SYNFIN_END_EVICTED :
						       SYNFIN_END_REUSED, ts);
	if (synfin_fsm_reportable(&p->seg, &res))
		emit(e, SYNFIN_EV_SEGMENT, p, from, &res, SYNFIN_END_NONE, ts);
}

static int by_conn(const void *a, const void *b)
{
	const struct sf_flow_entry *x = *(const struct sf_flow_entry *const *)a;
	const struct sf_flow_entry *y = *(const struct sf_flow_entry *const *)b;

	return x->conn < y->conn ? -1 : x->conn > y->conn;
}

/*
 * The capture is over: TIME_WAIT runs out as it would have, and what is
 * still open is printed as open, in the order the connections began.
 */
static void finish(struct reader *r)
{
	uint32_t i, n = 0, cap = sf_table_capacity(r->t);
	struct sf_flow_entry **open = calloc(cap, sizeof(*open));

	for (i = 0; i < cap; i++) {
		struct sf_flow_entry *e = sf_table_slot(r->t, i);

		if (!e || synfin_fsm_ended(&e->fsm))
			continue;
		if (synfin_fsm_reusable(&e->fsm))
			end_flow(e, SYNFIN_END_TIME_WAIT, expiry(r, e));
		else if (open)
			open[n++] = e;
	}
	if (!open) {
		fprintf(stderr, "synfin: out of memory listing open connections\n");
		return;
	}
	qsort(open, n, sizeof(*open), by_conn);
	for (i = 0; i < n; i++) {
		struct sf_flow_entry *e = open[i];
		struct sf_event now;

		memset(&now, 0, sizeof(now));
		now.type = SYNFIN_EV_TIMEOUT;
		now.ts_ns = e->last_ts;
		now.conn = e->conn;
		now.netns_unknown = true;
		now.family = e->family;
		memcpy(now.saddr, e->caddr, 16);
		memcpy(now.daddr, e->saddr, 16);
		now.sport = e->cport;
		now.dport = e->sport;
		now.state[0] = e->fsm.state[0];
		now.state[1] = e->fsm.state[1];
		/* What Zeek would log for it at the end of the trace. */
		end_fields(&now, &e->fsm);
		sf_conn_open_at_end(stdout, &now);
	}
	free(open);
}

static void frame(struct reader *r, int dlt, const struct pcap_pkthdr *h,
		  const uint8_t *data)
{
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ULL +
		      (uint64_t)h->ts.tv_usec;	/* opened with nanosecond precision */
	struct sf_packet p;
	size_t off;
	int rc;

	r->packets++;
	/* Any packet moves the capture's clock on. */
	if (ts >= r->next_sweep) {
		sweep(r, ts);
		r->next_sweep = ts + SWEEP_NS;
	}
	rc = sf_link_ip(dlt, data, h->caplen, &off);
	if (rc != SF_PKT_OK) {
		r->not_ip++;
		return;
	}
	rc = sf_packet_parse(data + off, h->caplen - off, &p);
	if (rc == SF_PKT_SKIP) {
		r->not_tcp++;
	} else if (rc == SF_PKT_BAD) {
		r->malformed++;
	} else {
		r->segments++;
		segment(r, &p, ts);
	}
}

int sf_read_file(const char *path, const struct sf_read_limits *lim)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct reader r = { 0 };
	struct pcap_pkthdr *h;
	const u_char *data;
	int dlt, rc = SF_EXIT_OK, err;
	pcap_t *pc;

	/* Timestamps in nanoseconds, whatever the file's precision. */
	pc = pcap_open_offline_with_tstamp_precision(path,
						     PCAP_TSTAMP_PRECISION_NANO,
						     errbuf);
	if (!pc) {
		fprintf(stderr, "synfin: %s: %s\n", path, errbuf);
		return SF_EXIT_ERROR;
	}
	dlt = pcap_datalink(pc);
	if (!sf_link_known(dlt)) {
		const char *name = pcap_datalink_val_to_name(dlt);

		fprintf(stderr, "synfin: %s: link type %d (%s) is not supported: Ethernet, Linux cooked v1/v2, BSD loopback, raw IP are\n",
			path, dlt, name ? name : "unknown");
		pcap_close(pc);
		return SF_EXIT_ERROR;
	}
	r.t = sf_table_new(lim->max_flows);
	if (!r.t) {
		fprintf(stderr, "synfin: cannot allocate a table of %u flows\n",
			lim->max_flows);
		pcap_close(pc);
		return SF_EXIT_ERROR;
	}
	/* The module's defaults, but for TIME_WAIT, which may be chosen. */
	r.ms[SYNFIN_TO_LINGER] = SYNFIN_DEFAULT_LINGER_MS;
	r.ms[SYNFIN_TO_SYN] = SYNFIN_DEFAULT_SYN_MS;
	r.ms[SYNFIN_TO_ESTABLISHED] = SYNFIN_DEFAULT_ESTABLISHED_MS;
	r.ms[SYNFIN_TO_CLOSE] = SYNFIN_DEFAULT_CLOSE_MS;
	r.ms[SYNFIN_TO_UNCONFIRMED] = SYNFIN_DEFAULT_UNCONFIRMED_MS;
	r.ms[SYNFIN_TO_TIME_WAIT] = lim->time_wait_ms;

	while ((err = pcap_next_ex(pc, &h, &data)) == 1)
		frame(&r, dlt, h, data);
	if (err == PCAP_ERROR) {
		/* A cut-off file: say so, but show what it held. */
		fprintf(stderr, "synfin: %s: %s (after %llu packets)\n", path,
			pcap_geterr(pc), (unsigned long long)r.packets);
		rc = SF_EXIT_ERROR;
	}
	finish(&r);
	fflush(stdout);
	fprintf(stderr, "synfin: %s: %llu packets, %llu TCP segments, %llu connections (%llu evicted), %llu malformed, %llu not TCP, %llu not IP\n",
		path, (unsigned long long)r.packets,
		(unsigned long long)r.segments,
		(unsigned long long)r.conns,
		(unsigned long long)sf_table_evicted(r.t),
		(unsigned long long)r.malformed,
		(unsigned long long)r.not_tcp, (unsigned long long)r.not_ip);
	sf_table_free(r.t);
	pcap_close(pc);
	return rc;
}
