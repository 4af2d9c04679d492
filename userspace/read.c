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
 * sf_cmd_read() is the command, read_capture() the capture's path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "synfin.h"
#include "commands.h"
#include "packet.h"
#include "table.h"

#define NS_PER_MS 1000000ULL
#define SWEEP_NS (1000 * NS_PER_MS)	/* as the module's gc_interval_ms */

struct reader {
	struct sf_table *t;
	__u32 ms[SYNFIN_TO_COUNT];
	uint64_t now;			/* the capture's clock */
	uint64_t next_sweep;
	uint64_t next_conn;
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

/* module/track.c: the clock, the capture's. */
__u64 synfin_track_now(void *ctx)
{
	const struct reader *r = ctx;

	return r->now;
}

/* module/track.c: a connection begins. */
void synfin_track_begun(void *ctx, struct synfin_conn *c)
{
	struct reader *r = ctx;

	c->id = ++r->next_conn;
	r->conns++;
}

/* module/track.c: the event the module would send, handed on. */
void synfin_track_emit(void *ctx, struct synfin_conn *c,
		       const struct synfin_track_event *tev)
{
	struct synfin_track_rec rec;
	struct sf_event ev;
	unsigned int i;

	(void)ctx;
	synfin_track_fill(c, tev, &rec);
	memset(&ev, 0, sizeof(ev));
	ev.type = rec.type;
	ev.ts_ns = tev->ts_ns;
	ev.cpu_unknown = true;
	ev.netns_unknown = true;
	ev.conn = c->id;
	ev.index = rec.index;
	ev.family = rec.family;
	memcpy(ev.saddr, rec.saddr.b, 16);
	memcpy(ev.daddr, rec.daddr.b, 16);
	ev.sport = rec.sport;
	ev.dport = rec.dport;
	ev.from = rec.from;
	ev.flags = rec.flags;
	ev.seq = rec.seq;
	ev.ack = rec.ack;
	ev.win = rec.win;
	ev.len = rec.len;
	ev.reason = rec.reason;
	ev.state[0] = rec.state[0];
	ev.state[1] = rec.state[1];
	ev.isn[0] = rec.isn[0];
	ev.isn[1] = rec.isn[1];
	ev.isn_known = rec.isn_known;
	ev.anomalies = rec.anomalies;
	for (i = 0; i < rec.ntrans && i < SYNFIN_MAX_TRANS; i++) {
		ev.trans[i].who = rec.trans[i].who;
		ev.trans[i].from = rec.trans[i].from;
		ev.trans[i].to = rec.trans[i].to;
	}
	ev.ntrans = i;
	/* The record's end fields are the connection's, as it ended. */
	if (rec.conn_state != SYNFIN_CS_NONE) {
		end_fields(&ev, &c->fsm);
		ev.have_summary = true;
		ev.summary = rec.sum;
	}
	sf_conn_event(stdout, &ev);
}

static uint64_t expiry(const struct reader *r, const struct sf_table_entry *e)
{
	return e->last_ts + synfin_track_timeout_ms(&e->c, r->ms) * NS_PER_MS;
}

/* End and forget the flows idle past their timeout at capture time @now. */
static void sweep(struct reader *r, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < sf_table_capacity(r->t); i++) {
		struct sf_table_entry *e = sf_table_slot(r->t, i);
		uint64_t at;

		if (!e || (at = expiry(r, e)) > now)
			continue;
		/* The end is stamped when the timeout ran out. */
		r->now = at;
		synfin_track_end(r, &e->c, synfin_track_idle_reason(&e->c));
		sf_table_remove(r->t, e);
	}
	r->now = now;
}

static int by_conn(const void *a, const void *b)
{
	const struct sf_table_entry *x = *(const struct sf_table_entry *const *)a;
	const struct sf_table_entry *y = *(const struct sf_table_entry *const *)b;

	return x->c.id < y->c.id ? -1 : x->c.id > y->c.id;
}

/*
 * The capture is over: TIME_WAIT runs out as it would have, and what is
 * still open is printed as open, in the order the connections began.
 */
static void finish(struct reader *r)
{
	uint32_t i, n = 0, cap = sf_table_capacity(r->t);
	struct sf_table_entry **open = calloc(cap, sizeof(*open));

	for (i = 0; i < cap; i++) {
		struct sf_table_entry *e = sf_table_slot(r->t, i);

		if (!e || synfin_fsm_ended(&e->c.fsm))
			continue;
		if (synfin_fsm_reusable(&e->c.fsm)) {
			r->now = expiry(r, e);
			synfin_track_end(r, &e->c, SYNFIN_END_TIME_WAIT);
		} else if (open) {
			open[n++] = e;
		}
	}
	if (!open) {
		fprintf(stderr, "synfin: out of memory listing open connections\n");
		return;
	}
	qsort(open, n, sizeof(*open), by_conn);
	for (i = 0; i < n; i++) {
		struct sf_table_entry *e = open[i];
		const union synfin_addr *caddr, *saddr;
		struct sf_event now;

		memset(&now, 0, sizeof(now));
		now.type = SYNFIN_EV_TIMEOUT;
		now.ts_ns = e->last_ts;
		now.conn = e->c.id;
		now.netns_unknown = true;
		now.family = e->c.family;
		synfin_track_ends(&e->c, &caddr, &now.sport, &saddr, &now.dport);
		memcpy(now.saddr, caddr->b, 16);
		memcpy(now.daddr, saddr->b, 16);
		now.state[0] = e->c.fsm.state[0];
		now.state[1] = e->c.fsm.state[1];
		/* What Zeek would log for it at the end of the trace. */
		end_fields(&now, &e->c.fsm);
		/* And its summary as the core has it, not ended. */
		now.have_summary = true;
		now.summary = e->c.sum;
		sf_conn_open_at_end(stdout, &now);
	}
	free(open);
}

static void frame(struct reader *r, int dlt, const struct pcap_pkthdr *h,
		  const uint8_t *data)
{
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ULL +
		      (uint64_t)h->ts.tv_usec;	/* opened with nanosecond precision */
	struct synfin_packet p;
	size_t off;
	int rc;

	r->packets++;
	/* Any packet moves the capture's clock on. */
	if (ts >= r->next_sweep) {
		sweep(r, ts);
		r->next_sweep = ts + SWEEP_NS;
	}
	r->now = ts;
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
		/* NULL: no room, and counted so by the table. */
		sf_table_segment(r->t, &p, ts);
	}
}

static int read_capture(const char *path, const struct sf_read_limits *lim)
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
		rc = SF_EXIT_ERROR;
		goto out_close;
	}
	r.t = sf_table_new(lim->max_flows, &r);
	if (!r.t) {
		fprintf(stderr, "synfin: cannot allocate a table of %u flows\n",
			lim->max_flows);
		rc = SF_EXIT_ERROR;
		goto out_close;
	}
	/* The module's defaults, but for TIME_WAIT, which may be chosen. */
	synfin_track_default_timeouts(r.ms);
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
	fprintf(stderr, "synfin: %s: %llu packets, %llu TCP segments, %llu connections (%llu evicted, %llu untracked), %llu malformed, %llu not TCP, %llu not IP\n",
		path, (unsigned long long)r.packets,
		(unsigned long long)r.segments,
		(unsigned long long)r.conns,
		(unsigned long long)sf_table_counts(r.t)->evicted,
		(unsigned long long)sf_table_counts(r.t)->flows_untracked,
		(unsigned long long)r.malformed,
		(unsigned long long)r.not_tcp, (unsigned long long)r.not_ip);
	sf_table_free(r.t);
out_close:
	pcap_close(pc);
	return rc;
}

int sf_cmd_read(const struct sf_cmdline *cl)
{
	int rc;

	/* Timestamps are the capture's: wall-clock time. */
	sf_opts.offline = true;
	rc = read_capture(cl->file, &cl->read);
	sf_conn_free_all();
	return rc;
}
