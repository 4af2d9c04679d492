/* SPDX-License-Identifier: GPL-2.0 */
/*
 * synfin reader: what its rooms share. The exit codes, an event decoded
 * (from the module or made from a capture), a record of the GET_FLOWS
 * dump, the options every command reads (sf_opts, set by main.c); and
 * the output room: decoding and printing events (event.c), following
 * each connection to its summary (conn.c), its ladder figure (ladder.c).
 */
#ifndef SYNFIN_READER_H
#define SYNFIN_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/netlink.h>
#include <linux/synfin.h>

#include "filter.h"
#include "track.h"


/* Exit codes (documented in --help and the README). */
enum {
	SF_EXIT_OK = 0,
	SF_EXIT_ERROR = 1,	/* runtime error */
	SF_EXIT_USAGE = 2,	/* bad command line */
	SF_EXIT_NOMODULE = 3,	/* module not loaded, or unloaded while watching */
	SF_EXIT_PERM = 4,	/* permission denied (needs CAP_NET_ADMIN) */
};


struct sf_trans {
	uint8_t who, from, to;
};

/* One decoded event: a segment, a timeout or a loss report. */
struct sf_event {
	uint8_t type;			/* enum synfin_event_type */
	uint64_t ts_ns;
	uint32_t cpu;
	uint32_t netns;
	uint64_t conn;
	uint32_t index;
	uint8_t family;			/* AF_INET, AF_INET6 */
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	uint8_t from;			/* enum synfin_side */
	uint8_t flags;
	uint32_t seq, ack, win, len;
	uint8_t state[2];
	uint8_t isn_known;
	uint32_t isn[2];
	uint8_t reason;
	uint64_t lost;			/* 0 with type LOST: count unknown */
	bool cpu_unknown;
	uint32_t anomalies;		/* SYNFIN_AN_* */
	uint8_t conn_state;		/* final event: enum synfin_conn_state */
	char history[SYNFIN_HISTORY_LEN];	/* final event */
	bool have_counts;		/* final event: segs and bytes are set */
	uint32_t segs[2];		/* segments each side sent */
	uint64_t bytes[2];		/* payload bytes each side sent */
	bool have_summary;		/* final event: summary is set */
	struct synfin_summary summary;	/* SYNFIN_E_SUMMARY */
	bool netns_unknown;		/* offline: no network namespace */
	unsigned int ntrans;
	struct sf_trans trans[SYNFIN_MAX_TRANS];
};

/* One record of a GET_FLOWS dump: a connection the module tracks now. */
struct sf_flow_record {
	uint64_t conn;
	uint8_t family;
	uint8_t caddr[16], saddr[16];
	uint16_t cport, sport;
	uint8_t state[2];
	uint32_t events;
	uint64_t first_ns, last_ns;
	char history[SYNFIN_HISTORY_LEN];
	uint32_t segs[2];
	uint64_t bytes[2];
};

/* What to print and which connections, for watch, read and flows. */
struct sf_opts {
	bool json;
	bool ladder;		/* draw each connection when it ends */
	bool absolute;		/* raw seq/ack instead of ISN-relative */
	bool color;
	bool offline;		/* read: timestamps are wall-clock */
	bool summaries;		/* connections' summaries only (and losses) */
	struct sf_filter filter;	/* --port, --host, --state */
};

/* The command line's, set by main.c before a command runs. */
extern struct sf_opts sf_opts;

/* event.c */
const char *sf_state_name(unsigned int state);
int sf_event_parse(const struct nlattr *nest, struct sf_event *ev);
/* The same from a SYNFIN_A_EVENT_PACKED attribute: 0 or -EINVAL. */
int sf_event_unpack(const struct nlattr *attr, struct sf_event *ev);
int sf_flow_record_parse(const struct nlattr *nest,
			 struct sf_flow_record *fl);
/* @addr as text in @buf (INET6_ADDRSTRLEN bytes); returns its length. */
size_t sf_addr_str(uint8_t family, const uint8_t *addr, char *buf, size_t len);
void sf_event_json(FILE *out, const struct sf_event *ev);
void sf_event_text(FILE *out, const struct sf_event *ev);
void sf_anomalies_str(uint32_t anomalies, char *buf, size_t len);
void sf_flags_str(uint8_t flags, char *buf, size_t len);
/* The colour for a segment with @flags (SYN, FIN, RST), or "". */
const char *sf_flags_color(uint8_t flags);
/* Seq and ack as printed: relative, or raw with --absolute. */
void sf_seqack_str(const struct sf_event *ev, char *seq, char *ack,
		   size_t len);
const char *sf_reason_name(unsigned int reason);
/* Relative seq/ack; false when the ISN is unknown. */
bool sf_rel_seq(const struct sf_event *ev, uint32_t *rel);
bool sf_rel_ack(const struct sf_event *ev, uint32_t *rel);

/* Colour escapes; "" unless sf_opts.color. */
enum sf_color { SF_RESET, SF_BOLD, SF_RED, SF_GREEN, SF_BLUE, SF_MAGENTA };
const char *sf_color(enum sf_color c);

/*
 * conn.c: follows each connection through its events and prints them as
 * sf_opts says: a timeline line per event (at once, or when the
 * connection ends if --state must first know how it went), a ladder
 * diagram, and a summary when it ends.
 */
void sf_conn_event(FILE *out, const struct sf_event *ev);
/*
 * The capture ended with a connection still open (read): print it, with
 * the counts, history and conn_state it has so far in @now.
 */
void sf_conn_open_at_end(FILE *out, const struct sf_event *now);
/* Print what is still buffered (watch --ladder / --state), then free. */
void sf_conn_flush(FILE *out);
void sf_conn_free_all(void);

/* Events kept from a connection's start when some must be left out. */
#define SF_KEEP_HEAD 32

/*
 * The JSON output's format (synfin --version says it): 2 since each key
 * has one meaning in every record (client_port/server_port in summaries
 * and flows; sport/dport only a segment's). tests/lib/synfin_json.py
 * holds the contract.
 */
#define SF_JSON_FORMAT 2

/* ladder.c: draw one connection as the textbook two-column figure. */
void sf_ladder_print(FILE *out, const struct sf_event *evs, unsigned int n,
		     uint32_t elided);

#endif /* SYNFIN_READER_H */
