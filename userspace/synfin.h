/* SPDX-License-Identifier: GPL-2.0 */
/* synfin reader: shared declarations. */
#ifndef SYNFIN_READER_H
#define SYNFIN_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/netlink.h>
#include <linux/synfin.h>

#define SF_VERSION "1.0"

/* Exit codes (documented in --help and the README). */
enum {
	SF_EXIT_OK = 0,
	SF_EXIT_ERROR = 1,	/* runtime error */
	SF_EXIT_USAGE = 2,	/* bad command line */
	SF_EXIT_NOMODULE = 3,	/* module not loaded, or unloaded while watching */
	SF_EXIT_PERM = 4,	/* permission denied (needs CAP_NET_ADMIN) */
};

#define SF_MAX_TRANS 8

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
	unsigned int ntrans;
	struct sf_trans trans[SF_MAX_TRANS];
};

/* A flow from the flow table dump. */
struct sf_flow {
	uint64_t conn;
	uint8_t family;
	uint8_t caddr[16], saddr[16];
	uint16_t cport, sport;
	uint8_t state[2];
	uint32_t events;
	uint64_t first_ns, last_ns;
	char history[SYNFIN_HISTORY_LEN];
};

/* nl.c */
struct sf_nl;
struct sf_nl *sf_nl_open(void);
void sf_nl_close(struct sf_nl *nl);
int sf_nl_fd(const struct sf_nl *nl);
/* Resolve the family; returns 0, -ENOENT if the module is not loaded. */
int sf_nl_resolve(struct sf_nl *nl);
/* Join the event group and the control group (family removal). */
int sf_nl_subscribe(struct sf_nl *nl, int rcvbuf);
typedef int (*sf_msg_cb)(const struct nlmsghdr *nlh, void *arg);
/* Send a request without attributes and feed replies to @cb. */
int sf_nl_request(struct sf_nl *nl, uint8_t cmd, bool dump, sf_msg_cb cb,
		  void *arg);
/* Receive one buffer of notifications; 0, -ENOBUFS, -EAGAIN, -errno. */
int sf_nl_recv(struct sf_nl *nl, sf_msg_cb cb, void *arg, bool *family_gone);
uint16_t sf_nl_family_id(const struct sf_nl *nl);

/* event.c */
const char *sf_state_name(unsigned int state);
int sf_event_parse(const struct nlattr *nest, struct sf_event *ev);
int sf_flow_parse(const struct nlattr *nest, struct sf_flow *fl);
void sf_addr_str(uint8_t family, const uint8_t *addr, char *buf, size_t len);
void sf_event_json(FILE *out, const struct sf_event *ev);
void sf_event_text(FILE *out, const struct sf_event *ev);
void sf_anomalies_str(uint32_t anomalies, char *buf, size_t len);
/* Relative seq/ack; false when the ISN is unknown. */
bool sf_rel_seq(const struct sf_event *ev, uint32_t *rel);
bool sf_rel_ack(const struct sf_event *ev, uint32_t *rel);

/* conn.c: per-connection summaries, printed when a connection ends */
void sf_conn_event(FILE *out, const struct sf_event *ev);
void sf_conn_free_all(void);

#endif /* SYNFIN_READER_H */
