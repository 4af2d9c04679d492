/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * synfin: per-connection TCP handshake/teardown tracing.
 *
 * This is the one header shared by the kernel module and userspace:
 * the generic netlink family, its attributes and the TCP state numbers.
 */
#ifndef _UAPI_LINUX_SYNFIN_H
#define _UAPI_LINUX_SYNFIN_H

#include <linux/types.h>

#define SYNFIN_GENL_NAME	"synfin"
#define SYNFIN_GENL_VERSION	1
#define SYNFIN_MCGRP_EVENTS	"events"
/* The same events, each in one SYNFIN_A_EVENT_PACKED: cheaper to read. */
#define SYNFIN_MCGRP_PACKED	"events-packed"
/* Only the event that ends each connection (both sides CLOSED), packed. */
#define SYNFIN_MCGRP_SUMMARIES	"summaries"

/* TCP states, RFC 9293 section 3.3.2, as seen by a passive observer. */
enum synfin_state {
	SYNFIN_ST_CLOSED,
	SYNFIN_ST_LISTEN,
	SYNFIN_ST_SYN_SENT,
	SYNFIN_ST_SYN_RCVD,
	SYNFIN_ST_ESTABLISHED,
	SYNFIN_ST_FIN_WAIT_1,
	SYNFIN_ST_FIN_WAIT_2,
	SYNFIN_ST_CLOSE_WAIT,
	SYNFIN_ST_CLOSING,
	SYNFIN_ST_LAST_ACK,
	SYNFIN_ST_TIME_WAIT,
	SYNFIN_ST_COUNT
};

/* Which endpoint: the client is the sender of the first SYN. */
enum synfin_side {
	SYNFIN_CLIENT,
	SYNFIN_SERVER,
};

enum synfin_event_type {
	SYNFIN_EV_SEGMENT = 1,	/* a TCP segment was observed */
	SYNFIN_EV_TIMEOUT,	/* a connection ended without a segment */
	SYNFIN_EV_LOST,		/* events were dropped: SYNFIN_E_LOST says how many */
};

/* Why a connection ended without a segment (SYNFIN_E_REASON). */
enum synfin_end_reason {
	SYNFIN_END_NONE,
	SYNFIN_END_TIME_WAIT,	/* TIME_WAIT ran out (time_wait_ms) */
	SYNFIN_END_IDLE,	/* idle timeout of its state */
	SYNFIN_END_EVICTED,	/* evicted to make room (max_flows) */
	SYNFIN_END_REUSED,	/* a new SYN reused the 4-tuple */
};

/* TCP header flag bits, as in byte 13 of the TCP header. */
#define SYNFIN_TCP_FIN	0x01
#define SYNFIN_TCP_SYN	0x02
#define SYNFIN_TCP_RST	0x04
#define SYNFIN_TCP_PSH	0x08
#define SYNFIN_TCP_ACK	0x10
#define SYNFIN_TCP_URG	0x20
#define SYNFIN_TCP_ECE	0x40
#define SYNFIN_TCP_CWR	0x80

/* SYNFIN_E_ANOMALIES bits: what was unusual about a segment. */
#define SYNFIN_AN_RETRANSMISSION	0x0001	/* repeats a SYN, SYN-ACK or FIN */
#define SYNFIN_AN_BAD_SYNACK_ACK	0x0002	/* SYN-ACK ack != client ISN + 1 */
#define SYNFIN_AN_BAD_HANDSHAKE_ACK	0x0004	/* 3rd segment ack != server ISN + 1 */
#define SYNFIN_AN_RST_OUT_OF_WINDOW	0x0008	/* RST outside the window: not obeyed */
#define SYNFIN_AN_MIDSTREAM		0x0010	/* flow picked up without its SYN */
#define SYNFIN_AN_UNEXPECTED_SYN	0x0020	/* SYN on a synchronized connection */
#define SYNFIN_AN_SIMULTANEOUS_OPEN	0x0040	/* SYNs crossed (or split handshake) */
#define SYNFIN_AN_SIMULTANEOUS_CLOSE	0x0080	/* FINs crossed */
#define SYNFIN_AN_INVALID_FLAGS		0x0100	/* SYN+FIN, SYN+RST or FIN+RST */
#define SYNFIN_AN_NEW_ISN		0x0200	/* SYN again with another ISN */
#define SYNFIN_AN_HALF_CLOSE		0x0400	/* data after the peer's FIN */
#define SYNFIN_AN_FIN_OUT_OF_WINDOW	0x0800	/* FIN outside the window: not obeyed */
#define SYNFIN_AN_SYN_OUT_OF_WINDOW	0x1000	/* SYN outside the window: not obeyed */
#define SYNFIN_AN_COUNT			13

/* Zeek conn.log conn_state codes, for SYNFIN_E_CONN_STATE. */
enum synfin_conn_state {
	SYNFIN_CS_NONE,		/* connection not ended */
	SYNFIN_CS_S0,
	SYNFIN_CS_S1,
	SYNFIN_CS_SF,
	SYNFIN_CS_REJ,
	SYNFIN_CS_S2,
	SYNFIN_CS_S3,
	SYNFIN_CS_RSTO,
	SYNFIN_CS_RSTR,
	SYNFIN_CS_RSTOS0,
	SYNFIN_CS_RSTRH,
	SYNFIN_CS_SH,
	SYNFIN_CS_SHR,
	SYNFIN_CS_OTH,
	SYNFIN_CS_COUNT
};

/* Most state transitions one event carries (SYNFIN_E_TRANS nests). */
#define SYNFIN_MAX_TRANS	4

/* Longest Zeek-style history string, with its NUL. */
#define SYNFIN_HISTORY_LEN	32

/* SYNFIN_E_ISN_KNOWN bits */
#define SYNFIN_ISN_CLIENT	0x01
#define SYNFIN_ISN_SERVER	0x02

enum synfin_cmd {
	SYNFIN_CMD_UNSPEC,
	SYNFIN_CMD_EVENTS,	/* multicast notification: SYNFIN_A_EVENT... */
	SYNFIN_CMD_GET_STATS,	/* do: SYNFIN_A_STATS, SYNFIN_A_STATS_CPU... */
	SYNFIN_CMD_GET_FLOWS,	/* dump: one SYNFIN_A_FLOW per message */
	SYNFIN_CMD_SET_SELECTION, /* do: SYNFIN_A_SELECTION for the socket, or none */
	__SYNFIN_CMD_MAX,
};

#define SYNFIN_CMD_MAX (__SYNFIN_CMD_MAX - 1)

/*
 * Top-level attributes. Requests carry none (the kernel rejects any) but
 * SET_SELECTION's SYNFIN_A_SELECTION.
 */
enum synfin_attr {
	SYNFIN_A_UNSPEC,
	SYNFIN_A_PAD,
	SYNFIN_A_EVENT,		/* nest: SYNFIN_E_* */
	SYNFIN_A_FLOW,		/* nest: SYNFIN_E_* */
	SYNFIN_A_STATS,		/* nest: SYNFIN_S_*, the netns's (initial netns: all) */
	SYNFIN_A_STATS_CPU,	/* nest: SYNFIN_S_*, one per possible CPU */
	SYNFIN_A_SELECTION,	/* nest: SYNFIN_SEL_* */
	SYNFIN_A_EVENT_PACKED,	/* struct synfin_event_packed (events-packed) */
	__SYNFIN_A_MAX,
};

#define SYNFIN_A_MAX (__SYNFIN_A_MAX - 1)

/* Event and flow attributes. Addresses are in network byte order. */
enum synfin_event_attr {
	SYNFIN_E_UNSPEC,
	SYNFIN_E_PAD,
	SYNFIN_E_TYPE,		/* u8: enum synfin_event_type */
	SYNFIN_E_TS_NS,		/* u64: CLOCK_MONOTONIC ns */
	SYNFIN_E_CPU,		/* u32 */
	SYNFIN_E_NETNS,		/* u32: netns inode number */
	SYNFIN_E_CONN,		/* u64: connection id, unique in its netns per load */
	SYNFIN_E_INDEX,		/* u32: event index within the connection */
	SYNFIN_E_FAMILY,	/* u8: AF_INET or AF_INET6 */
	SYNFIN_E_SADDR,		/* binary 4 or 16: segment source (flow: client) */
	SYNFIN_E_DADDR,		/* binary 4 or 16: segment dest (flow: server) */
	SYNFIN_E_SPORT,		/* u16, host order */
	SYNFIN_E_DPORT,		/* u16, host order */
	SYNFIN_E_FROM,		/* u8: enum synfin_side of the sender */
	SYNFIN_E_FLAGS,		/* u8: SYNFIN_TCP_* */
	SYNFIN_E_SEQ,		/* u32 */
	SYNFIN_E_ACK,		/* u32 */
	SYNFIN_E_WIN,		/* u16: raw (unscaled) window */
	SYNFIN_E_LEN,		/* u32: payload bytes */
	SYNFIN_E_CLIENT_STATE,	/* u8: client state after the event */
	SYNFIN_E_SERVER_STATE,	/* u8: server state after the event */
	SYNFIN_E_TRANS,		/* nest, repeated: SYNFIN_T_* */
	SYNFIN_E_ISN_KNOWN,	/* u8: SYNFIN_ISN_* */
	SYNFIN_E_CLIENT_ISN,	/* u32 */
	SYNFIN_E_SERVER_ISN,	/* u32 */
	SYNFIN_E_REASON,	/* u8: enum synfin_end_reason */
	SYNFIN_E_LOST,		/* u64: events lost on SYNFIN_E_CPU */
	SYNFIN_E_FIRST_NS,	/* u64, flows: first segment seen */
	SYNFIN_E_LAST_NS,	/* u64, flows: last segment seen */
	SYNFIN_E_ANOMALIES,	/* u32: SYNFIN_AN_* */
	SYNFIN_E_HISTORY,	/* string: Zeek-style history, final event */
	SYNFIN_E_CONN_STATE,	/* u8: enum synfin_conn_state, final event */
	SYNFIN_E_CLIENT_SEGS,	/* u32: segments the client sent, final event */
	SYNFIN_E_SERVER_SEGS,	/* u32: segments the server sent, final event */
	SYNFIN_E_CLIENT_BYTES,	/* u64: payload bytes the client sent, idem */
	SYNFIN_E_SERVER_BYTES,	/* u64: payload bytes the server sent, idem */
	SYNFIN_E_SUMMARY,	/* nest: SYNFIN_SU_*, final event */
	__SYNFIN_E_MAX,
};

#define SYNFIN_E_MAX (__SYNFIN_E_MAX - 1)

/* How a connection ended (SYNFIN_SU_END). */
enum synfin_close {
	SYNFIN_CLOSE_FOUR_WAY,		/* a FIN each way, each acked by itself */
	SYNFIN_CLOSE_THREE_WAY,		/* the second FIN acked the first */
	SYNFIN_CLOSE_SIMULTANEOUS,	/* the FINs crossed (CLOSING) */
	SYNFIN_CLOSE_RESET,		/* an RST in the window */
	SYNFIN_CLOSE_REFUSED,		/* the server's RST, never established */
	SYNFIN_CLOSE_TIMED_OUT,		/* idle past its state's timeout */
	SYNFIN_CLOSE_EVICTED,		/* evicted to make room (max_flows) */
	SYNFIN_CLOSE_NO_FIN,		/* ended without FIN or RST */
	SYNFIN_CLOSE_COUNT
};

/*
 * What a connection's summary needs, on its final event (SYNFIN_E_SUMMARY):
 * times are SYNFIN_E_TS_NS of the events that made them, 0 if none did.
 */
enum synfin_summary_attr {
	SYNFIN_SU_UNSPEC,
	SYNFIN_SU_PAD,
	SYNFIN_SU_FIRST_NS,	/* u64: the connection's first event */
	SYNFIN_SU_SYN_NS,	/* u64: the client's first SYN */
	SYNFIN_SU_SYNACK_NS,	/* u64: the server's first SYN-ACK */
	SYNFIN_SU_ESTABLISHED_NS, /* u64: the server reached ESTABLISHED */
	SYNFIN_SU_END,		/* u8: enum synfin_close */
	SYNFIN_SU_END_BY,	/* u8: enum synfin_side that closed; absent: neither */
	SYNFIN_SU_HANDSHAKE,	/* flag: a side reached ESTABLISHED */
	SYNFIN_SU_STATES,	/* u32: bit 1 << enum synfin_state, each state a side was in */
	__SYNFIN_SU_MAX,
};

#define SYNFIN_SU_MAX (__SYNFIN_SU_MAX - 1)

/* One state transition caused by an event. */
enum synfin_trans_attr {
	SYNFIN_T_UNSPEC,
	SYNFIN_T_WHO,		/* u8: enum synfin_side */
	SYNFIN_T_FROM,		/* u8: enum synfin_state */
	SYNFIN_T_TO,		/* u8: enum synfin_state */
	__SYNFIN_T_MAX,
};

#define SYNFIN_T_MAX (__SYNFIN_T_MAX - 1)

/*
 * A selection (SYNFIN_CMD_SET_SELECTION): the connections whose events a
 * socket wants, kept until it closes. A connection matches when (there is
 * no port range, or one holds either end's port) and (there is no prefix,
 * or one holds either end's address). The module sends a netns's readers
 * the events of connections that match any selection made there, every
 * connection when there is none; each reader still filters its own.
 */
#define SYNFIN_SELECT_MAX	16	/* of each kind, in one selection */

enum synfin_sel_attr {
	SYNFIN_SEL_UNSPEC,
	SYNFIN_SEL_PORTS,	/* nest, repeated: SYNFIN_SEL_PORTS_* */
	SYNFIN_SEL_PREFIX,	/* nest, repeated: SYNFIN_SEL_PREFIX_* */
	__SYNFIN_SEL_MAX,
};

#define SYNFIN_SEL_MAX (__SYNFIN_SEL_MAX - 1)

/* A range of ports: lo to hi, both included. */
enum synfin_sel_ports_attr {
	SYNFIN_SEL_PORTS_UNSPEC,
	SYNFIN_SEL_PORTS_LO,	/* u16, host order */
	SYNFIN_SEL_PORTS_HI,	/* u16, host order; absent: lo */
	__SYNFIN_SEL_PORTS_MAX,
};

#define SYNFIN_SEL_PORTS_MAX (__SYNFIN_SEL_PORTS_MAX - 1)

/* An address prefix. */
enum synfin_sel_prefix_attr {
	SYNFIN_SEL_PREFIX_UNSPEC,
	SYNFIN_SEL_PREFIX_FAMILY, /* u8: AF_INET or AF_INET6 */
	SYNFIN_SEL_PREFIX_ADDR,	/* binary 4 or 16, as the family: network order */
	SYNFIN_SEL_PREFIX_LEN,	/* u8: bits, to 32 or 128; absent: all */
	__SYNFIN_SEL_PREFIX_MAX,
};

#define SYNFIN_SEL_PREFIX_MAX (__SYNFIN_SEL_PREFIX_MAX - 1)

/*
 * One event of the "events-packed" group: the SYNFIN_E_* attributes of
 * SYNFIN_A_EVENT in one fixed struct, 4-byte aligned in its message
 * (as netlink aligns attributes): copy it out before reading it.
 * Numbers are in host order, addresses in network order (IPv4: the first
 * 4 bytes, the rest zero). The fields a final event alone has (segs,
 * bytes, history and the summary: conn_state says which) and the unused
 * trans[] entries are zero otherwise. Notices of lost events
 * (SYNFIN_EV_LOST) come in this group too, as SYNFIN_A_EVENT nests. A
 * longer struct from a newer kernel keeps this one as its start: read
 * the first sizeof bytes.
 */
struct synfin_trans_packed {
	__u8 who;		/* enum synfin_side */
	__u8 from;		/* enum synfin_state */
	__u8 to;
};

struct synfin_event_packed {
	__u64 ts_ns;
	__u64 conn;
	__u64 client_bytes;
	__u64 server_bytes;
	__u64 first_ns;		/* the summary (SYNFIN_SU_*): final event */
	__u64 syn_ns;
	__u64 synack_ns;
	__u64 established_ns;
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 cpu;
	__u32 netns;
	__u32 index;
	__u32 seq;
	__u32 ack;
	__u32 len;
	__u32 client_isn;
	__u32 server_isn;
	__u32 client_segs;
	__u32 server_segs;
	__u32 anomalies;
	__u16 sport;
	__u16 dport;
	__u16 win;
	__u16 states;		/* SYNFIN_SU_STATES */
	__u8 type;
	__u8 family;
	__u8 from;
	__u8 flags;
	__u8 client_state;
	__u8 server_state;
	__u8 isn_known;
	__u8 reason;
	__u8 conn_state;
	__u8 ntrans;
	__u8 end;		/* SYNFIN_SU_END */
	__u8 end_by;		/* SYNFIN_SU_END_BY; 0xff: neither side */
	__u8 handshake;		/* 1: SYNFIN_SU_HANDSHAKE */
	struct synfin_trans_packed trans[SYNFIN_MAX_TRANS];
	char history[SYNFIN_HISTORY_LEN];
	__u8 pad[3];		/* zero */
};

/* Counters, all u64. Per-CPU nests carry SYNFIN_S_CPU and no FLOWS_ACTIVE. */
enum synfin_stat_attr {
	SYNFIN_S_UNSPEC,
	SYNFIN_S_PAD,
	SYNFIN_S_CPU,			/* u32 */
	SYNFIN_S_SEGMENTS,		/* TCP segments seen by the hooks */
	SYNFIN_S_MALFORMED,		/* TCP segments with a bad header */
	SYNFIN_S_EVENTS_WRITTEN,	/* events written to the ring, or
					 * counted unheard without it
					 */
	SYNFIN_S_EVENTS_DROPPED,	/* events not written: ring full */
	SYNFIN_S_EVENTS_SENT,		/* events handed to netlink */
	SYNFIN_S_EVENTS_UNHEARD,	/* events no socket in their netns received */
	SYNFIN_S_NL_SEND_FAILED,	/* events in batches netlink failed to send */
	SYNFIN_S_FLOWS_ACTIVE,		/* flows in the table now */
	SYNFIN_S_FLOWS_CREATED,
	SYNFIN_S_FLOWS_EVICTED,		/* removed to make room */
	SYNFIN_S_FLOWS_TIMED_OUT,	/* removed by their idle timeout */
	SYNFIN_S_FLOWS_UNTRACKED,	/* SYNs (no ACK) untracked: no room */
	SYNFIN_S_BAD_CHECKSUM,		/* segments checked and found bad: none moved a state */
	SYNFIN_S_SEGMENTS_UNTRACKED,	/* segments of flows not in the table */
	SYNFIN_S_EVENTS_UNSELECTED,	/* events not written: their connection
					 * matched no selection of its netns
					 */
	__SYNFIN_S_MAX,
};

#define SYNFIN_S_MAX (__SYNFIN_S_MAX - 1)

#endif /* _UAPI_LINUX_SYNFIN_H */
