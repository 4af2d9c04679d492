// SPDX-License-Identifier: GPL-2.0
/*
 * synfin: read TCP handshake/teardown events from the synfin module, or
 * from a capture file.
 *
 *   synfin [watch]            live timeline (default)
 *   synfin read FILE          the same over a pcap/pcapng file
 *   synfin stats              counters, whole module and per CPU
 *   synfin flows              connections tracked now, both states
 *
 * This file parses the command line, every command's options at once
 * (any may come before or after the command's name), and runs the
 * command from the table below; each command is a file of its own.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synfin.h"
#include "commands.h"

struct sf_opts sf_opts;

static const struct command {
	const char *name;
	int (*run)(const struct sf_cmdline *cl);
	const char *synopsis;	/* after "synfin " in the usage */
	const char *help;	/* one line */
	const char *operand;	/* what it wants after its name, or NULL */
} commands[] = {
	/* The first is the default. */
	{
		.name = "watch", .run = sf_cmd_watch,
		.synopsis = "[watch] [OPTIONS]",
		.help = "TCP handshakes and teardowns as they happen (the default)",
	}, {
		.name = "read", .run = sf_cmd_read,
		.synopsis = "read FILE [OPTIONS]",
		.help = "the same from a pcap or pcapng file (\"-\" for stdin)",
		.operand = "a capture file (\"-\" for stdin)",
	}, {
		.name = "flows", .run = sf_cmd_flows,
		.synopsis = "flows [--json] [--port N|LO-HI] [--host ADDR[/LEN]] [--state S]",
		.help = "connections tracked now, with both endpoints' states",
	}, {
		.name = "stats", .run = sf_cmd_stats,
		.synopsis = "stats [--json]",
		.help = "module counters, in total and per CPU",
	},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *out)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "%s synfin %s\n", i ? "      " : "usage:",
			commands[i].synopsis);
	fprintf(out, "       synfin --help | --version\n\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-7s %s\n", commands[i].name, commands[i].help);
	fprintf(out,
		"\n"
		"  --json             one JSON object per line\n"
		"  --ladder           draw each connection as a ladder when it ends\n"
		"  --summaries        only each connection's summary when it ends (watch:\n"
		"                     from the module's summaries group alone)\n"
		"  --absolute         raw sequence numbers, not relative to the ISNs\n"
		"  --color WHEN       auto (the default), always or never\n"
		"  --port N|LO-HI     only connections with port N (LO to HI) at either end\n"
		"  --host ADDR[/LEN]  only connections with address ADDR (in the prefix)\n"
		"                     at either end (watch sends both to the module)\n"
		"  --state S[,S...]   only connections that ended as S, have Zeek\n"
		"                     conn_state S, are incomplete or complete, or had\n"
		"                     a side in TCP state S (flows: have one now)\n"
		"  --rcvbuf BYTES     watch: socket receive buffer (default 16 MiB)\n"
		"  --group NAME       watch: join group NAME, events-packed (the\n"
		"                     default) or events (the same, nested attributes)\n"
		"  --time-wait-ms MS  read: how long TIME_WAIT lasts (default 60000)\n"
		"  --max-flows N      read: connections tracked at once (default 65536)\n"
		"  --help             print this and exit\n"
		"  --version          print the version and the JSON format, and exit\n"
		"\n"
		"exit status:\n"
		"  0 ok\n"
		"  1 error (read: a file unreadable, cut off, or not a capture it reads)\n"
		"  2 usage error\n"
		"  3 module not loaded, or unloaded while watching\n"
		"  4 permission denied (CAP_NET_ADMIN needed)\n"
		"\n"
		"See synfin(8).\n");
}

static int parse_uint(const char *opt, const char *arg, long lo, long hi,
		      long *v)
{
	char *end;

	errno = 0;
	*v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || *v < lo || *v > hi) {
		fprintf(stderr, "synfin: %s wants a number, %ld to %ld\n", opt,
			lo, hi);
		return -1;
	}
	return 0;
}

/* --color auto: a terminal, and NO_COLOR (https://no-color.org) unset. */
static bool color_auto(void)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (nc && *nc)
		return false;
	if (term && !strcmp(term, "dumb"))
		return false;
	return isatty(STDOUT_FILENO);
}

enum {
	OPT_LADDER = 256, OPT_ABSOLUTE, OPT_COLOR, OPT_PORT, OPT_HOST,
	OPT_STATE, OPT_TIME_WAIT, OPT_MAX_FLOWS, OPT_GROUP, OPT_SUMMARIES,
};

int main(int argc, char **argv)
{
	/* (glibc takes a size without a buffer for a hint it ignores) */
	static char outbuf[1 << 16];
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "ladder", no_argument, NULL, OPT_LADDER },
		{ "summaries", no_argument, NULL, OPT_SUMMARIES },
		{ "absolute", no_argument, NULL, OPT_ABSOLUTE },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "colour", required_argument, NULL, OPT_COLOR },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "rcvbuf", required_argument, NULL, 'r' },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ "time-wait-ms", required_argument, NULL, OPT_TIME_WAIT },
		{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sf_cmdline cl = {
		.rcvbuf = 16 << 20,
		.read = { .max_flows = 65536, .time_wait_ms = 60000 },
	};
	const char *name = commands[0].name, *color = "auto";
	const struct command *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "jhV", opts, NULL)) != -1) {
		long v;

		switch (c) {
		case 'j':
			sf_opts.json = true;
			break;
		case OPT_LADDER:
			sf_opts.ladder = true;
			break;
		case OPT_SUMMARIES:
			sf_opts.summaries = true;
			break;
		case OPT_ABSOLUTE:
			sf_opts.absolute = true;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") &&
			    strcmp(optarg, "never")) {
				fprintf(stderr, "synfin: --color wants auto, always or never\n");
				return SF_EXIT_USAGE;
			}
			color = optarg;
			break;
		case OPT_PORT:
			if (sf_filter_add_port(&sf_opts.filter, optarg))
				return SF_EXIT_USAGE;
			break;
		case OPT_HOST:
			if (sf_filter_add_host(&sf_opts.filter, optarg))
				return SF_EXIT_USAGE;
			break;
		case OPT_STATE:
			if (sf_filter_add_state(&sf_opts.filter, optarg))
				return SF_EXIT_USAGE;
			break;
		case 'r':
			if (parse_uint("--rcvbuf", optarg, 1024, 1L << 30, &v))
				return SF_EXIT_USAGE;
			cl.rcvbuf = (int)v;
			break;
		case OPT_GROUP:
			if (strcmp(optarg, SYNFIN_MCGRP_PACKED) &&
			    strcmp(optarg, SYNFIN_MCGRP_EVENTS)) {
				fprintf(stderr, "synfin: --group wants %s or %s\n",
					SYNFIN_MCGRP_PACKED, SYNFIN_MCGRP_EVENTS);
				return SF_EXIT_USAGE;
			}
			cl.group = optarg;
			break;
		case OPT_TIME_WAIT:
			if (parse_uint("--time-wait-ms", optarg, 0, 3600000, &v))
				return SF_EXIT_USAGE;
			cl.read.time_wait_ms = (uint32_t)v;
			break;
		case OPT_MAX_FLOWS:
			if (parse_uint("--max-flows", optarg, 1, 1L << 24, &v))
				return SF_EXIT_USAGE;
			cl.read.max_flows = (uint32_t)v;
			break;
		case 'h':
			usage(stdout);
			return SF_EXIT_OK;
		case 'V':
			printf("synfin %s, JSON format %d\n", SF_VERSION, SF_JSON_FORMAT);
			return SF_EXIT_OK;
		default:
			usage(stderr);
			return SF_EXIT_USAGE;
		}
	}
	if (optind < argc)
		name = argv[optind++];
	cmd = find_command(name);
	if (cmd && cmd->operand) {
		if (optind >= argc) {
			fprintf(stderr, "synfin: %s wants %s\n", cmd->name,
				cmd->operand);
			return SF_EXIT_USAGE;
		}
		cl.file = argv[optind++];
	}
	if (optind < argc) {
		fprintf(stderr, "synfin: unexpected argument '%s'\n",
			argv[optind]);
		return SF_EXIT_USAGE;
	}
	if (sf_opts.ladder && sf_opts.summaries) {
		fprintf(stderr, "synfin: --ladder draws every event; --summaries shows none: choose one\n");
		return SF_EXIT_USAGE;
	}
	if (cl.group && sf_opts.summaries) {
		fprintf(stderr, "synfin: --summaries joins the summaries group: no --group with it\n");
		return SF_EXIT_USAGE;
	}
	if (sf_opts.ladder && sf_opts.json) {
		fprintf(stderr, "synfin: --ladder draws for people; --json is for programs: choose one\n");
		return SF_EXIT_USAGE;
	}
	sf_opts.color = !strcmp(color, "always") ||
			(!strcmp(color, "auto") && !sf_opts.json && color_auto());
	/*
	 * Fully buffered, flushed after each batch read from the socket (and
	 * at the end): one write per batch, not per line, keeps the reader
	 * cheap under load while every batch still shows up at once.
	 */
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	if (!cmd) {
		fprintf(stderr, "synfin: unknown command '%s'\n", name);
		usage(stderr);
		return SF_EXIT_USAGE;
	}
	return cmd->run(&cl);
}
