/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two-endpoint TCP state machine, observer view.
 *
 * Plain C: this file and fsm.c include nothing from the kernel but the
 * UAPI types, so the same code is built into the module and into the
 * userspace tests.
 */
#ifndef SYNFIN_FSM_H
#define SYNFIN_FSM_H

#include "uapi/linux/synfin.h"

#ifndef __KERNEL__
#include <stdbool.h>
#endif

#define SYNFIN_FSM_MAX_TRANS	4

/* struct synfin_fsm.flags: ISN bits are SYNFIN_ISN_CLIENT/SERVER */
#define SYNFIN_FSM_FIN_CLIENT	0x04	/* client has sent a FIN */
#define SYNFIN_FSM_FIN_SERVER	0x08	/* server has sent a FIN */
#define SYNFIN_FSM_MIDSTREAM	0x10	/* first segment seen was not a SYN */

struct synfin_fsm {
	__u32 isn[2];		/* indexed by enum synfin_side */
	__u32 fin_end[2];	/* sequence number just after each side's FIN */
	__u8 state[2];
	__u8 flags;
};

/* What the state machine needs from one TCP segment. */
struct synfin_seg {
	__u32 seq;
	__u32 ack;
	__u32 len;		/* payload bytes */
	__u8 flags;		/* SYNFIN_TCP_* */
};

struct synfin_trans {
	__u8 who;		/* enum synfin_side */
	__u8 from;		/* enum synfin_state */
	__u8 to;
};

struct synfin_fsm_result {
	__u8 ntrans;
	struct synfin_trans trans[SYNFIN_FSM_MAX_TRANS];
};

/*
 * Start tracking with the first segment seen of a flow. Returns the side
 * that sent it: the client for a SYN (and for traffic picked up
 * mid-stream), the server for a SYN-ACK.
 */
enum synfin_side synfin_fsm_init(struct synfin_fsm *f,
				 const struct synfin_seg *seg);

/* Apply one segment sent by @from: the sender's and the receiver's moves. */
void synfin_fsm_segment(struct synfin_fsm *f, enum synfin_side from,
			const struct synfin_seg *seg,
			struct synfin_fsm_result *res);

/* Move both sides to CLOSED (timeout, eviction). */
void synfin_fsm_close(struct synfin_fsm *f, struct synfin_fsm_result *res);

/* A SYN on this flow starts a new connection. */
bool synfin_fsm_reusable(const struct synfin_fsm *f);

/* Both sides are CLOSED: the connection has ended. */
bool synfin_fsm_ended(const struct synfin_fsm *f);

/* Is this segment, with what it did, worth an event? */
bool synfin_fsm_reportable(const struct synfin_seg *seg,
			   const struct synfin_fsm_result *res);

/* Is this a connection request (SYN without ACK)? */
static inline bool synfin_seg_is_syn(const struct synfin_seg *seg)
{
	return (seg->flags & (SYNFIN_TCP_SYN | SYNFIN_TCP_ACK)) ==
	       SYNFIN_TCP_SYN;
}

const char *synfin_state_name(unsigned int state);

#endif /* SYNFIN_FSM_H */
