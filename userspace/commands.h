/* SPDX-License-Identifier: GPL-2.0 */
/*
 * synfin reader: the commands main.c dispatches to, one file each
 * (watch.c, read.c, flows.c, stats.c), and the command line it parsed
 * for them. Each returns the process's exit code (SF_EXIT_*).
 */
#ifndef SYNFIN_COMMANDS_H
#define SYNFIN_COMMANDS_H

#include <stdint.h>

/* read: how many connections at once, and how long TIME_WAIT lasts. */
struct sf_read_limits {
	uint32_t max_flows;
	uint32_t time_wait_ms;
};

/*
 * The options a single command takes, as main.c parsed them; those of
 * every command (what to print, which connections) are in sf_opts.
 */
struct sf_cmdline {
	const char *file;		/* read: the capture, "-" for stdin */
	int rcvbuf;			/* watch: --rcvbuf */
	const char *group;		/* watch: --group, NULL: the default */
	struct sf_read_limits read;	/* read: --max-flows, --time-wait-ms */
};

int sf_cmd_watch(const struct sf_cmdline *cl);
int sf_cmd_read(const struct sf_cmdline *cl);
int sf_cmd_flows(const struct sf_cmdline *cl);
int sf_cmd_stats(const struct sf_cmdline *cl);

#endif /* SYNFIN_COMMANDS_H */
