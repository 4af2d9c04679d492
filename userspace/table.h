/* SPDX-License-Identifier: GPL-2.0 */
/*
 * synfin reader: a bounded, single-threaded table of connections for
 * offline analysis. What happens to a segment, and which connection may
 * make room for a new one, is the module's own code (module/track.c);
 * this file keeps the table: a hash of tuples, and a list per eviction
 * rank in the order the connections were last seen, so that the flow
 * that goes is the one the module's rules rank first, and of those the
 * one idle longest.
 */
#ifndef SYNFIN_TABLE_H
#define SYNFIN_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "track.h"

#define SF_RANKS	(SYNFIN_EVICT_UNCONFIRMED + 1)

struct sf_table_entry {
	struct synfin_conn c;
	uint64_t last_ts;	/* when its last segment was seen */
	/* private to table.c: entry index + 1, 0 = none */
	uint32_t hnext, prev, next;
	uint32_t bucket;
	uint8_t rank;
	bool used;
};

struct sf_table;

/* What a table did, as the module counts it. */
struct sf_table_counts {
	uint64_t evicted;		/* flows_evicted */
	uint64_t flows_untracked;	/* SYNs the table had no room for */
	uint64_t segments_untracked;
};

/*
 * A table of at most @capacity connections, at most 2^24. @ctx is passed
 * to synfin_track_begun() and synfin_track_emit() for its connections.
 */
struct sf_table *sf_table_new(uint32_t capacity, void *ctx);
void sf_table_free(struct sf_table *t);
uint32_t sf_table_count(const struct sf_table *t);
const struct sf_table_counts *sf_table_counts(const struct sf_table *t);

/*
 * Apply @p, seen at @ts, to its connection, making it (or evicting one
 * that may go, to make room) as the module does. Returns its entry, or
 * NULL when there is no room: the segment is counted untracked.
 */
struct sf_table_entry *sf_table_segment(struct sf_table *t,
					const struct synfin_packet *p,
					uint64_t ts);

/* Slot @i of the table, 0 <= i < capacity: its entry, or NULL if free. */
struct sf_table_entry *sf_table_slot(struct sf_table *t, uint32_t i);
uint32_t sf_table_capacity(const struct sf_table *t);

/* Forget @e, without an event. */
void sf_table_remove(struct sf_table *t, struct sf_table_entry *e);

#endif /* SYNFIN_TABLE_H */
