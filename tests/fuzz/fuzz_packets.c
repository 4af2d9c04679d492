// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: header parsing, the bounded flow table, the tracking
 * core and the state machine, fed arbitrary packets. Input: one byte, of which the low
 * nibble is the table capacity and the high one a link type (0: raw IP);
 * one byte k: when not 0, every new flow's counters that segments drive
 * (segments, retransmissions, zero windows) start k below their maximum,
 * so that a few segments take them there; then frames, each a 2-byte
 * big-endian length and that many bytes. Any invariant broken aborts,
 * which libFuzzer reports; a loop that does not end is a timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "table.h"

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "invariant broken: %s\n", #cond); \
			abort();                                          \
		}                                                         \
	} while (0)

static void check_conn(const struct synfin_conn *c)
{
	enum synfin_conn_state cs = synfin_fsm_conn_state(&c->fsm);

	CHECK(c->fsm.state[0] < SYNFIN_ST_COUNT);
	CHECK(c->fsm.state[1] < SYNFIN_ST_COUNT);
	CHECK(c->fsm.zstate[0] <= SYNFIN_Z_RESET);
	CHECK(c->fsm.zstate[1] <= SYNFIN_Z_RESET);
	CHECK(cs > SYNFIN_CS_NONE && cs < SYNFIN_CS_COUNT);
	CHECK(c->fsm.hist_len < SYNFIN_HISTORY_LEN);
	CHECK(memchr(c->fsm.history, 0, SYNFIN_HISTORY_LEN) != NULL);
}

/* Counters that segments drive start this far below their maximum. */
static unsigned int preset;
static uint64_t next_id;

/* Start @f's outsider-driven counters @k below their maximum. */
static void preset_counters(struct synfin_fsm *f, unsigned int k)
{
	int side;

	for (side = 0; side < 2; side++) {
		f->segs[side] = SYNFIN_COUNT_MAX - k;
		f->retrans[side] = SYNFIN_COUNT_MAX - k;
		f->zero_win[side] = SYNFIN_COUNT_MAX - k;
	}
}

__u64 synfin_track_now(void *ctx)
{
	(void)ctx;
	return 0;
}

void synfin_track_begun(void *ctx, struct synfin_conn *c)
{
	(void)ctx;
	c->id = ++next_id;
	/* as if it had run long: its next segments take the counters to
	 * their maximum, where they must stay */
	if (preset)
		preset_counters(&c->fsm, preset);
}

void synfin_track_emit(void *ctx, struct synfin_conn *c,
		       const struct synfin_track_event *ev)
{
	const struct synfin_fsm_result *res = ev->res;
	struct synfin_track_rec rec;
	unsigned int i;

	(void)ctx;
	CHECK(res->ntrans <= SYNFIN_MAX_TRANS);
	CHECK(!(res->anomalies & ~((1u << SYNFIN_AN_COUNT) - 1)));
	for (i = 0; i < res->ntrans; i++) {
		CHECK(res->trans[i].who <= SYNFIN_SERVER);
		CHECK(res->trans[i].from < SYNFIN_ST_COUNT);
		CHECK(res->trans[i].to < SYNFIN_ST_COUNT);
		CHECK(res->trans[i].from != res->trans[i].to);
	}
	CHECK(ev->from == SYNFIN_CLIENT || ev->from == SYNFIN_SERVER);
	CHECK(ev->type == SYNFIN_EV_SEGMENT || ev->type == SYNFIN_EV_TIMEOUT);
	CHECK((ev->type == SYNFIN_EV_SEGMENT) == (ev->pkt != NULL));
	CHECK(ev->index + 1 == c->next_index);
	check_conn(c);
	synfin_track_fill(c, ev, &rec);
	CHECK(rec.index == ev->index);
	CHECK((rec.conn_state != SYNFIN_CS_NONE) == synfin_fsm_ended(&c->fsm));
	CHECK(memchr(rec.history, 0, SYNFIN_HISTORY_LEN) != NULL);
	/* The summary: on the final event, and as the header says. */
	CHECK(!!(rec.sum.flags & SYNFIN_SUM_ENDED) ==
	      (rec.conn_state != SYNFIN_CS_NONE));
	CHECK(rec.sum.end < SYNFIN_CLOSE_COUNT);
	CHECK(rec.sum.end_by <= SYNFIN_SERVER ||
	      rec.sum.end_by == SYNFIN_SUM_NOBODY);
	CHECK(!(rec.sum.visited & ~((1u << SYNFIN_ST_COUNT) - 1)));
}

static const int links[16] = {
	SF_DLT_RAW, SF_DLT_EN10MB, SF_DLT_LINUX_SLL, SF_DLT_LINUX_SLL2,
	SF_DLT_NULL, SF_DLT_LOOP, SF_DLT_IPV4, SF_DLT_IPV6, SF_DLT_RAW_BSD,
	SF_DLT_EN10MB, SF_DLT_EN10MB, SF_DLT_LINUX_SLL2, SF_DLT_NULL,
	105 /* 802.11: not understood */, SF_DLT_RAW, SF_DLT_EN10MB,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_table *t;
	uint32_t cap;
	uint64_t ts = 0;
	int dlt;

	if (size < 2)
		return 0;
	cap = (data[0] & 15) + 1;	/* tiny tables: evictions happen */
	dlt = links[data[0] >> 4];
	preset = data[1];
	t = sf_table_new(cap, NULL);
	CHECK(t);
	data += 2;
	size -= 2;

	while (size >= 2) {
		size_t len = (size_t)data[0] << 8 | data[1];
		struct sf_table_entry *e;
		struct synfin_packet p;
		size_t off = 0;
		int rc;

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		rc = sf_link_ip(dlt, data, len, &off);
		CHECK(rc == SF_PKT_OK || rc == SF_PKT_SKIP || rc == SF_PKT_BAD);
		CHECK(sf_link_known(dlt) || rc == SF_PKT_SKIP);
		CHECK(rc != SF_PKT_OK || off <= len);
		if (rc == SF_PKT_OK)
			rc = sf_packet_parse(data + off, len - off, &p);
		CHECK(rc == SF_PKT_OK || rc == SF_PKT_SKIP || rc == SF_PKT_BAD);
		if (rc == SF_PKT_OK) {
			CHECK(p.seg.wscale >= -1 && p.seg.wscale <= 14);
			CHECK(p.family == 2 || p.family == 10);
			e = sf_table_segment(t, &p, ++ts);
			/* Full of open connections, or room made. */
			if (!e) {
				CHECK(sf_table_count(t) == cap);
			} else {
				CHECK(!preset || e->c.fsm.segs[0] == 0 ||
				      e->c.fsm.segs[0] >= SYNFIN_COUNT_MAX - preset);
				CHECK(!preset || e->c.fsm.segs[1] == 0 ||
				      e->c.fsm.segs[1] >= SYNFIN_COUNT_MAX - preset);
				check_conn(&e->c);
				if (synfin_fsm_ended(&e->c.fsm))
					sf_table_remove(t, e);
			}
		}
		CHECK(sf_table_count(t) <= cap);
		data += len;
		size -= len;
	}
	sf_table_free(t);
	return 0;
}
