/* SPDX-License-Identifier: GPL-2.0 */
/*
 * synfin reader: which connections to show (filter.c). --port, --host and
 * --state are parsed once into a struct sf_filter; whoever knows a
 * connection (conn.c when it ends, flows.c for a dumped flow) asks the
 * matchers, which only test that struct against what they are given.
 * Repeating an option widens it: a connection passes if it matches any
 * of the values given; different options narrow it (all must pass).
 * --port and --host (port ranges and address prefixes) are a struct
 * synfin_select, matched by the module's own code (select.c), which is
 * also what watch sends the module as its selection.
 */
#ifndef SYNFIN_FILTER_H
#define SYNFIN_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/synfin.h>

#include "select.h"

/* Values of each option: as many as a selection holds of each kind. */
#define SF_MAX_FILTERS SYNFIN_SELECT_MAX

/*
 * How a connection ended: a --state word, and the summary's "end". The
 * module's enum synfin_close, and open, which only the reader says.
 */
enum sf_end_kind {
	SF_END_FOUR_WAY = SYNFIN_CLOSE_FOUR_WAY,
	SF_END_THREE_WAY = SYNFIN_CLOSE_THREE_WAY,
	SF_END_SIMULTANEOUS = SYNFIN_CLOSE_SIMULTANEOUS,
	SF_END_RESET = SYNFIN_CLOSE_RESET,
	SF_END_REFUSED = SYNFIN_CLOSE_REFUSED,
	SF_END_TIMED_OUT = SYNFIN_CLOSE_TIMED_OUT,
	SF_END_EVICTED = SYNFIN_CLOSE_EVICTED,
	SF_END_NO_FIN = SYNFIN_CLOSE_NO_FIN,
	SF_END_OPEN = SYNFIN_CLOSE_COUNT,
	SF_END_COUNT
};

/* The word for @k, as --state takes it and the JSON summary prints it. */
const char *sf_end_kind_name(enum sf_end_kind k);

struct sf_filter {
	struct synfin_select sel;	/* --port and --host */
	/*
	 * --state: the values as given (for messages), and what they name
	 * together, a bit for each (a word may name things of several kinds).
	 */
	unsigned int nstates;
	char states[SF_MAX_FILTERS][16];
	uint32_t tcp_values;	/* bit i: states[i] names a TCP state */
	bool incomplete;	/* the handshake never finished */
	bool complete;		/* it did */
	uint32_t ends;		/* 1 << enum sf_end_kind */
	uint32_t conn_states;	/* 1 << enum synfin_conn_state, never NONE */
	uint32_t tcp_states;	/* 1 << enum synfin_state */
};

/*
 * Add one --port (N or LO-HI), --host (ADDR, [ADDR] or either /LEN) or
 * --state; -1 (said on stderr) if it is bad.
 */
int sf_filter_add_port(struct sf_filter *f, const char *arg);
int sf_filter_add_host(struct sf_filter *f, const char *arg);
/* A comma-separated list counts as that many values. */
int sf_filter_add_state(struct sf_filter *f, const char *arg);

/* Do the endpoints pass --port and --host? */
bool sf_filter_tuple(const struct sf_filter *f, uint8_t family,
		     const uint8_t *a, uint16_t pa, const uint8_t *b,
		     uint16_t pb);

/* Is there a --state to pass, so that a connection must end first? */
static inline bool sf_filter_by_state(const struct sf_filter *f)
{
	return f->nstates;
}

/*
 * Does an ended connection pass --state? @established: a side reached
 * ESTABLISHED; @conn_state: Zeek's, SYNFIN_CS_NONE if unknown; @visited:
 * a bit for each TCP state either side was in.
 */
bool sf_filter_ended(const struct sf_filter *f, bool established,
		     enum sf_end_kind end, unsigned int conn_state,
		     uint32_t visited);

/* Does a flow with its sides in TCP states @client, @server pass? */
bool sf_filter_sides(const struct sf_filter *f, unsigned int client,
		     unsigned int server);

/* The first --state value that names no TCP state, or NULL. */
const char *sf_filter_not_tcp(const struct sf_filter *f);

#endif /* SYNFIN_FILTER_H */
