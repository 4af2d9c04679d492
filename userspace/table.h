/* SPDX-License-Identifier: GPL-2.0 */
/*
 * synfin reader: a bounded flow table for offline analysis, running the
 * same state machine as the module. At capacity the least recently used
 * flow is evicted.
 */
#ifndef SYNFIN_TABLE_H
#define SYNFIN_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "fsm.h"
#include "packet.h"

struct sf_flow_entry {
	struct synfin_fsm fsm;
	uint64_t conn;
	uint64_t first_ts, last_ts;
	uint32_t next_index;
	uint8_t family;
	uint8_t caddr[16], saddr[16];
	uint16_t cport, sport;
	/* private to table.c */
	uint32_t hnext, lru_prev, lru_next;	/* entry index + 1, 0 = none */
	uint32_t bucket;
};

/* sf_table_segment() result bits */
#define SF_TBL_CREATED		0x1	/* a new flow */
#define SF_TBL_RESTARTED	0x2	/* a SYN reused an ended flow's tuple */
#define SF_TBL_EVICTED		0x4	/* another flow was evicted for room */

struct sf_table;

struct sf_table *sf_table_new(uint32_t capacity);
void sf_table_free(struct sf_table *t);
uint32_t sf_table_count(const struct sf_table *t);
uint64_t sf_table_evicted(const struct sf_table *t);

/*
 * Apply @p, seen at @ts, to its flow. Returns the flow and what the
 * segment did in @res; @from says which side sent it. If a flow had to be
 * evicted or an ended connection was replaced, a copy of it as it was is
 * left in @old (when not NULL). Returns NULL only if @t has no room at all.
 */
struct sf_flow_entry *sf_table_segment(struct sf_table *t,
				       const struct sf_packet *p, uint64_t ts,
				       enum synfin_side *from,
				       struct synfin_fsm_result *res,
				       unsigned int *what,
				       struct sf_flow_entry *old);

/* Slot @i of the table, 0 <= i < capacity: its flow, or NULL if free. */
struct sf_flow_entry *sf_table_slot(struct sf_table *t, uint32_t i);
uint32_t sf_table_capacity(const struct sf_table *t);

/* Forget @e (its connection ended and was reported). */
void sf_table_remove(struct sf_table *t, struct sf_flow_entry *e);

#endif /* SYNFIN_TABLE_H */
