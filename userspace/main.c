// SPDX-License-Identifier: GPL-2.0
/*
 * synfin: read TCP handshake/teardown events from the synfin module, or
 * from a capture file.
 *
 *   synfin [watch]            live timeline (default)
 *   synfin read FILE          the same over a pcap/pcapng file
 *   synfin stats              counters, whole module and per CPU
 *   synfin flows              connections tracked now, both states
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <arpa/inet.h>

#include "synfin.h"
#include "request.h"

#define opt_json sf_opts.json
static int opt_rcvbuf = 16 << 20;
static struct sf_read_limits read_limits = {
	.max_flows = 65536,
	.time_wait_ms = 60000,
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: synfin [watch] [OPTIONS]\n"
		"       synfin read FILE [OPTIONS]\n"
		"       synfin flows [--json] [--port N] [--host ADDR] [--state S]\n"
		"       synfin stats [--json]\n"
		"       synfin --help | --version\n"
		"\n"
		"  watch   print TCP handshakes and teardowns as they happen, one\n"
		"          line per event and a summary per connection when it ends\n"
		"  read    the same from a pcap or pcapng file (\"-\" for stdin):\n"
		"          Ethernet, Linux cooked v1/v2, BSD loopback, raw IP\n"
		"  flows   connections tracked now, with both endpoints' states\n"
		"  stats   module counters, in total and per CPU\n"
		"\n"
		"  --json            one JSON object per line: events, then a\n"
		"                    \"summary\" object per connection\n"
		"  --ladder          draw each connection when it ends: client and\n"
		"                    server columns, a row per segment\n"
		"  --absolute        raw sequence numbers (default: relative to\n"
		"                    each side's ISN)\n"
		"  --color WHEN      auto (default: on a terminal, unless NO_COLOR\n"
		"                    is set), always or never\n"
		"  --port N          only connections with port N at either end\n"
		"  --host ADDR       only connections with ADDR at either end\n"
		"  --state S[,S...]  only connections that: ended as S (four_way,\n"
		"                    three_way, simultaneous, reset, refused,\n"
		"                    timed_out, evicted, no_fin, open); have Zeek\n"
		"                    conn_state S (S0, SF, REJ, RSTO, ...); never\n"
		"                    finished the handshake (incomplete) or did\n"
		"                    (complete); or had a side in TCP state S\n"
		"                    (SYN_RCVD, CLOSING, ...). watch then prints a\n"
		"                    connection when it ends. flows: a side in S\n"
		"  --rcvbuf BYTES    watch: socket receive buffer (default 16 MiB)\n"
		"  --time-wait-ms MS read: TIME_WAIT length (default 60000)\n"
		"  --max-flows N     read: connections tracked at once (default\n"
		"                    65536; when full, evicted as the module does)\n"
		"\n"
		"Repeated --port, --host and --state widen the choice (any may\n"
		"match); different ones narrow it (all must).\n"
		"watch, flows and stats need the synfin module loaded and\n"
		"CAP_NET_ADMIN in the network namespace's user namespace, and show\n"
		"that namespace only.\n"
		"\n"
		"exit status: 0 ok, 1 error (read: unreadable or cut-off file),\n"
		"2 usage, 3 module not loaded or unloaded, 4 permission denied\n");
}

/* ---- watch ---- */

static int ignore_cb(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(void)arg;
	return MNL_CB_OK;
}

/*
 * A stats request, its answer unused. If it fails (said on stderr), the
 * module may count this netns's events unheard until its next probe
 * (listener_probe_ms).
 */
static void announce(void)
{
	if (sf_one_request(SYNFIN_CMD_GET_STATS, false, ignore_cb, NULL,
			"telling the module a reader is here") != SF_EXIT_OK)
		fprintf(stderr, "synfin: warning: events may be missed until the module's next listener probe\n");
}

struct watch_ctx {
	uint64_t events;
	uint64_t bad;
};

static void emit(const struct sf_event *ev)
{
	sf_conn_event(stdout, ev);
}

static int events_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct watch_ctx *ctx = arg;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct sf_event ev;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*g)) ||
	    g->cmd != SYNFIN_CMD_EVENTS)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		if (mnl_attr_get_type(a) != SYNFIN_A_EVENT)
			continue;
		if (sf_event_parse(a, &ev)) {
			ctx->bad++;
			continue;
		}
		ctx->events++;
		emit(&ev);
	}
	return MNL_CB_OK;
}

static void report_overflow(void)
{
	struct sf_event ev = { .type = SYNFIN_EV_LOST, .cpu_unknown = true };
	struct timespec now;
	struct stat st;

	/* Our own network namespace: the one whose events were lost. */
	if (!stat("/proc/self/ns/net", &st))
		ev.netns = (uint32_t)st.st_ino;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ev.ts_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	fprintf(stderr, "synfin: receive buffer overflow (ENOBUFS): events were lost; the module counts them as nl_send_failed\n");
	emit(&ev);
}

/* Read everything queued; returns 1 if the module went away. */
static int drain_socket(struct sf_nl *nl, struct watch_ctx *ctx)
{
	bool gone = false;
	int err;

	for (;;) {
		err = sf_nl_recv(nl, events_cb, ctx, &gone);
		if (gone)
			return 1;
		if (err == -EAGAIN)
			return 0;
		if (err == -ENOBUFS) {
			report_overflow();
			continue;
		}
		if (err && err != -EINTR) {
			fprintf(stderr, "synfin: receiving events: %s\n",
				strerror(-err));
			return -1;
		}
	}
}

static int cmd_watch(void)
{
	struct watch_ctx ctx = { 0 };
	struct pollfd pfd[2];
	struct sf_nl *nl;
	sigset_t mask;
	int sfd, err, rc = SF_EXIT_OK;

	err = sf_open_resolved(&nl);
	if (err)
		return err;
	err = sf_nl_subscribe(nl, opt_rcvbuf);
	if (err) {
		sf_nl_close(nl);
		return sf_report_nl_error("joining the synfin events group", err);
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "synfin: signalfd: %s\n", strerror(errno));
		sf_nl_close(nl);
		return SF_EXIT_ERROR;
	}
	/*
	 * The module takes a netns whose last events reached nobody to have
	 * no listener until a request comes from it: a stats request says
	 * we are here (its answer is not needed, nor is its failure fatal).
	 */
	announce();
	/* Subscribed: from here on no event is missed. Says so on stderr. */
	fprintf(stderr, "synfin: watching TCP handshakes and teardowns; Ctrl-C to stop\n");

	pfd[0] = (struct pollfd){ .fd = sf_nl_fd(nl), .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "synfin: poll: %s\n", strerror(errno));
			rc = SF_EXIT_ERROR;
			break;
		}
		if (pfd[0].revents) {
			err = drain_socket(nl, &ctx);
			fflush(stdout);
			if (err > 0) {
				fprintf(stderr, "synfin: the synfin module was unloaded\n");
				rc = SF_EXIT_NOMODULE;
				break;
			}
			if (err < 0) {
				rc = SF_EXIT_ERROR;
				break;
			}
		}
		if (pfd[1].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) < 0)
				si.ssi_signo = 0;
			/* Print what is pending, then stop. */
			drain_socket(nl, &ctx);
			break;
		}
	}
	fflush(stdout);
	if (ctx.bad)
		fprintf(stderr, "synfin: %llu malformed events skipped\n",
			(unsigned long long)ctx.bad);
	close(sfd);
	sf_nl_close(nl);
	/* Connections kept for --ladder or --state: show them as open. */
	sf_conn_flush(stdout);
	return rc;
}

/* ---- stats ---- */

static const struct {
	int attr;
	const char *name;
} stat_names[] = {
	{ SYNFIN_S_SEGMENTS, "segments" },
	{ SYNFIN_S_MALFORMED, "malformed" },
	{ SYNFIN_S_EVENTS_WRITTEN, "events_written" },
	{ SYNFIN_S_EVENTS_DROPPED, "events_dropped" },
	{ SYNFIN_S_EVENTS_SENT, "events_sent" },
	{ SYNFIN_S_EVENTS_UNHEARD, "events_unheard" },
	{ SYNFIN_S_NL_SEND_FAILED, "nl_send_failed" },
	{ SYNFIN_S_FLOWS_ACTIVE, "flows_active" },
	{ SYNFIN_S_FLOWS_CREATED, "flows_created" },
	{ SYNFIN_S_FLOWS_EVICTED, "flows_evicted" },
	{ SYNFIN_S_FLOWS_TIMED_OUT, "flows_timed_out" },
	{ SYNFIN_S_FLOWS_UNTRACKED, "flows_untracked" },
	{ SYNFIN_S_BAD_CHECKSUM, "bad_checksum" },
	{ SYNFIN_S_SEGMENTS_UNTRACKED, "segments_untracked" },
};
#define N_STATS (sizeof(stat_names) / sizeof(stat_names[0]))

struct stat_row {
	bool have[N_STATS];
	uint64_t v[N_STATS];
	int cpu;
};

static void parse_stats(const struct nlattr *nest, struct stat_row *row)
{
	const struct nlattr *a;
	size_t i;

	memset(row, 0, sizeof(*row));
	row->cpu = -1;
	mnl_attr_for_each_nested(a, nest) {
		int type = mnl_attr_get_type(a);

		if (type == SYNFIN_S_CPU &&
		    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			row->cpu = (int)mnl_attr_get_u32(a);
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			continue;
		for (i = 0; i < N_STATS; i++) {
			if (stat_names[i].attr == type) {
				row->have[i] = true;
				row->v[i] = mnl_attr_get_u64(a);
			}
		}
	}
}

static void print_row_json(const struct stat_row *row)
{
	bool first = true;
	size_t i;

	fputc('{', stdout);
	if (row->cpu >= 0) {
		printf("\"cpu\":%d", row->cpu);
		first = false;
	}
	for (i = 0; i < N_STATS; i++) {
		if (!row->have[i])
			continue;
		printf("%s\"%s\":%llu", first ? "" : ",", stat_names[i].name,
		       (unsigned long long)row->v[i]);
		first = false;
	}
	fputc('}', stdout);
}

static int stats_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *a;
	struct stat_row row;
	int *ncpu = arg;
	size_t i;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		int type = mnl_attr_get_type(a);

		if (type != SYNFIN_A_STATS && type != SYNFIN_A_STATS_CPU)
			continue;
		parse_stats(a, &row);
		if (opt_json) {
			if (type == SYNFIN_A_STATS) {
				printf("{\"total\":");
				print_row_json(&row);
				printf(",\"cpus\":[");
			} else {
				printf("%s", (*ncpu)++ ? "," : "");
				print_row_json(&row);
			}
			continue;
		}
		if (type == SYNFIN_A_STATS) {
			printf("synfin statistics (all CPUs)\n");
			for (i = 0; i < N_STATS; i++)
				if (row.have[i])
					printf("  %-16s %llu\n",
					       stat_names[i].name,
					       (unsigned long long)row.v[i]);
			printf("\nper CPU:\n  %-4s", "cpu");
			for (i = 0; i < N_STATS; i++)
				if (stat_names[i].attr != SYNFIN_S_FLOWS_ACTIVE)
					printf(" %15s", stat_names[i].name);
			printf("\n");
		} else {
			printf("  %-4d", row.cpu);
			for (i = 0; i < N_STATS; i++)
				if (stat_names[i].attr != SYNFIN_S_FLOWS_ACTIVE)
					printf(" %15llu",
					       (unsigned long long)row.v[i]);
			printf("\n");
		}
	}
	return MNL_CB_OK;
}

static int cmd_stats(void)
{
	int ncpu = 0, rc;

	rc = sf_one_request(SYNFIN_CMD_GET_STATS, false, stats_cb, &ncpu,
			 "reading statistics");
	if (!rc && opt_json)
		printf("]}\n");
	return rc;
}

/* ---- flows ---- */

/* flows --state: a side is in one of the TCP states named. */
static bool flow_state_match(const struct sf_flow_record *fl)
{
	unsigned int i;

	if (!sf_opts.nstates)
		return true;
	for (i = 0; i < sf_opts.nstates; i++)
		if (!strcasecmp(sf_opts.states[i], sf_state_name(fl->state[0])) ||
		    !strcasecmp(sf_opts.states[i], sf_state_name(fl->state[1])))
			return true;
	return false;
}

struct flows_listing {
	FILE *out;
	int count;
};

static int flows_cb(const struct nlmsghdr *nlh, void *arg)
{
	char ca[INET6_ADDRSTRLEN], sa[INET6_ADDRSTRLEN];
	struct flows_listing *ctx = arg;
	int *count = &ctx->count;
	struct timespec now;
	const struct nlattr *a;
	struct sf_flow_record fl;
	uint64_t now_ns, idle;

	clock_gettime(CLOCK_MONOTONIC, &now);
	now_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != SYNFIN_A_FLOW ||
		    sf_flow_record_parse(a, &fl))
			continue;
		if (!sf_filter_tuple(fl.family, fl.caddr, fl.cport, fl.saddr,
				     fl.sport) || !flow_state_match(&fl))
			continue;
		sf_addr_str(fl.family, fl.caddr, ca, sizeof(ca));
		sf_addr_str(fl.family, fl.saddr, sa, sizeof(sa));
		idle = now_ns > fl.last_ns ? now_ns - fl.last_ns : 0;
		if (opt_json) {
			fprintf(ctx->out, "{\"conn\":%llu,\"family\":\"%s\",\"client\":\"%s\",\"cport\":%u,\"server\":\"%s\",\"sport\":%u,\"client_state\":\"%s\",\"server_state\":\"%s\",\"history\":\"%s\",\"events\":%u,\"client_segments\":%u,\"server_segments\":%u,\"client_bytes\":%llu,\"server_bytes\":%llu,\"age_ns\":%llu,\"idle_ns\":%llu}\n",
			       (unsigned long long)fl.conn,
			       fl.family == AF_INET ? "ipv4" : "ipv6", ca,
			       fl.cport, sa, fl.sport,
			       sf_state_name(fl.state[0]),
			       sf_state_name(fl.state[1]), fl.history, fl.events,
			       fl.segs[0], fl.segs[1],
			       (unsigned long long)fl.bytes[0],
			       (unsigned long long)fl.bytes[1],
			       (unsigned long long)(now_ns - fl.first_ns),
			       (unsigned long long)idle);
		} else {
			char c[64], s[64];

			snprintf(c, sizeof(c), fl.family == AF_INET6 ?
				 "[%s]:%u" : "%s:%u", ca, fl.cport);
			snprintf(s, sizeof(s), fl.family == AF_INET6 ?
				 "[%s]:%u" : "%s:%u", sa, fl.sport);
			if (!*count)
				fprintf(ctx->out, "%-8s %-30s %-30s %-12s %-12s %7s %7s %9s %9s %-12s\n",
				       "conn", "client", "server", "client",
				       "server", "c>s", "s>c", "age_s",
				       "idle_s", "history");
			fprintf(ctx->out, "%-8llu %-30s %-30s %-12s %-12s %7u %7u %9.1f %9.1f %-12s\n",
			       (unsigned long long)fl.conn, c, s,
			       sf_state_name(fl.state[0]),
			       sf_state_name(fl.state[1]), fl.segs[0],
			       fl.segs[1],
			       (double)(now_ns - fl.first_ns) / 1e9,
			       (double)idle / 1e9, fl.history);
		}
		(*count)++;
	}
	return MNL_CB_OK;
}

#define FLOWS_DUMP_TRIES	5

/*
 * One dump of the table, printed once whole. A dump whose table changed
 * between its parts (NLM_F_DUMP_INTR) may list a flow twice or miss one:
 * it is done again, and the last try is printed with a warning.
 */
static int dump_flows(int *count)
{
	struct flows_listing ctx;
	struct sf_nl *nl;
	int tries, err = 0;
	bool intr = false;
	char *buf = NULL;
	size_t len = 0;

	err = sf_open_resolved(&nl);
	if (err)
		return err;
	for (tries = 0; tries < FLOWS_DUMP_TRIES; tries++) {
		free(buf);
		buf = NULL;
		ctx.count = 0;
		ctx.out = open_memstream(&buf, &len);
		if (!ctx.out) {
			err = -errno;
			break;
		}
		err = sf_nl_request(nl, SYNFIN_CMD_GET_FLOWS, true, flows_cb,
				    &ctx);
		intr = sf_nl_dump_intr(nl);
		fclose(ctx.out);
		if (err || !intr)
			break;
	}
	sf_nl_close(nl);
	if (!err) {
		if (intr)
			fprintf(stderr, "synfin: flows came and went during each of %d dumps: this one may list a flow twice or miss one\n",
				FLOWS_DUMP_TRIES);
		fwrite(buf, 1, len, stdout);
		*count = ctx.count;
	}
	free(buf);
	return err ? sf_report_nl_error("dumping flows", err) : SF_EXIT_OK;
}

static int cmd_flows(void)
{
	int count = 0, rc;
	unsigned int i, j;

	/* A flow is picked by the TCP state a side is in now, nothing else. */
	for (i = 0; i < sf_opts.nstates; i++) {
		for (j = 0; j < SYNFIN_ST_COUNT; j++)
			if (!strcasecmp(sf_opts.states[i], sf_state_name(j)))
				break;
		if (j == SYNFIN_ST_COUNT) {
			fprintf(stderr, "synfin: flows --state wants a TCP state (ESTABLISHED, CLOSE_WAIT, ...), not '%s'\n",
				sf_opts.states[i]);
			return SF_EXIT_USAGE;
		}
	}

	rc = dump_flows(&count);
	if (!rc && !opt_json && !count)
		printf("no flows tracked in this network namespace\n");
	return rc;
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
	OPT_STATE, OPT_TIME_WAIT, OPT_MAX_FLOWS,
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "ladder", no_argument, NULL, OPT_LADDER },
		{ "absolute", no_argument, NULL, OPT_ABSOLUTE },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "colour", required_argument, NULL, OPT_COLOR },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "rcvbuf", required_argument, NULL, 'r' },
		{ "time-wait-ms", required_argument, NULL, OPT_TIME_WAIT },
		{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "watch", *file = NULL, *color = "auto";
	int c;

	while ((c = getopt_long(argc, argv, "jhV", opts, NULL)) != -1) {
		long v;

		switch (c) {
		case 'j':
			opt_json = true;
			break;
		case OPT_LADDER:
			sf_opts.ladder = true;
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
			if (sf_filter_add_port(optarg))
				return SF_EXIT_USAGE;
			break;
		case OPT_HOST:
			if (sf_filter_add_host(optarg))
				return SF_EXIT_USAGE;
			break;
		case OPT_STATE:
			if (sf_filter_add_state(optarg))
				return SF_EXIT_USAGE;
			break;
		case 'r':
			if (parse_uint("--rcvbuf", optarg, 1024, 1L << 30, &v))
				return SF_EXIT_USAGE;
			opt_rcvbuf = (int)v;
			break;
		case OPT_TIME_WAIT:
			if (parse_uint("--time-wait-ms", optarg, 0, 3600000, &v))
				return SF_EXIT_USAGE;
			read_limits.time_wait_ms = (uint32_t)v;
			break;
		case OPT_MAX_FLOWS:
			if (parse_uint("--max-flows", optarg, 1, 1L << 24, &v))
				return SF_EXIT_USAGE;
			read_limits.max_flows = (uint32_t)v;
			break;
		case 'h':
			usage(stdout);
			return SF_EXIT_OK;
		case 'V':
			printf("synfin %s\n", SF_VERSION);
			return SF_EXIT_OK;
		default:
			usage(stderr);
			return SF_EXIT_USAGE;
		}
	}
	if (optind < argc)
		cmd = argv[optind++];
	if (!strcmp(cmd, "read")) {
		if (optind >= argc) {
			fprintf(stderr, "synfin: read wants a capture file (\"-\" for stdin)\n");
			return SF_EXIT_USAGE;
		}
		file = argv[optind++];
	}
	if (optind < argc) {
		fprintf(stderr, "synfin: unexpected argument '%s'\n",
			argv[optind]);
		return SF_EXIT_USAGE;
	}
	if (sf_opts.ladder && opt_json) {
		fprintf(stderr, "synfin: --ladder draws for people; --json is for programs: choose one\n");
		return SF_EXIT_USAGE;
	}
	sf_opts.color = !strcmp(color, "always") ||
			(!strcmp(color, "auto") && !opt_json && color_auto());
	/*
	 * Fully buffered, flushed after each batch read from the socket (and
	 * at the end): one write per batch, not per line, keeps the reader
	 * cheap under load while every batch still shows up at once.
	 */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	if (!strcmp(cmd, "watch"))
		return cmd_watch();
	if (!strcmp(cmd, "read")) {
		int rc;

		sf_opts.offline = true;
		rc = sf_read_file(file, &read_limits);
		sf_conn_free_all();
		return rc;
	}
	if (!strcmp(cmd, "stats"))
		return cmd_stats();
	if (!strcmp(cmd, "flows"))
		return cmd_flows();
	fprintf(stderr, "synfin: unknown command '%s'\n", cmd);
	usage(stderr);
	return SF_EXIT_USAGE;
}
