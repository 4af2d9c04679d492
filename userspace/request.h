/* SPDX-License-Identifier: GPL-2.0 */
/*
 * synfin reader: the requests watch, flows and stats make of the module
 * (request.c): a socket with the family resolved, one request and its
 * replies, and a netlink error said on stderr as an exit code.
 */
#ifndef SYNFIN_REQUEST_H
#define SYNFIN_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "nl.h"

/* Say what failed on stderr; returns the exit code for @err (SF_EXIT_*). */
int sf_report_nl_error(const char *what, int err);
/*
 * A socket with the synfin family resolved in *@out: 0, or an exit code
 * (SF_EXIT_*) once the failure has been said on stderr.
 */
int sf_open_resolved(struct sf_nl **out);
/*
 * Open, resolve, send one request and feed the replies to @cb; @what
 * names it in an error. Returns an exit code (SF_EXIT_OK on success).
 */
int sf_one_request(uint8_t cmd, bool dump, sf_msg_cb cb, void *arg,
		   const char *what);

#endif /* SYNFIN_REQUEST_H */
