// SPDX-License-Identifier: GPL-2.0
/*
 * synfin flows: the connections the module tracks now, from a GET_FLOWS
 * dump, with both endpoints' TCP states, picked by --port, --host and
 * --state (a side in that TCP state now). A dump the table changed
 * under is made again; what is printed is one dump, whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <arpa/inet.h>

#include "synfin.h"
#include "commands.h"
#include "request.h"

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
		if (!sf_filter_tuple(&sf_opts.filter, fl.family, fl.caddr,
				     fl.cport, fl.saddr, fl.sport) ||
		    !sf_filter_sides(&sf_opts.filter, fl.state[0], fl.state[1]))
			continue;
		sf_addr_str(fl.family, fl.caddr, ca, sizeof(ca));
		sf_addr_str(fl.family, fl.saddr, sa, sizeof(sa));
		idle = now_ns > fl.last_ns ? now_ns - fl.last_ns : 0;
		if (sf_opts.json) {
			fprintf(ctx->out, "{\"conn\":%llu,\"family\":\"%s\",\"client\":\"%s\",\"client_port\":%u,\"server\":\"%s\",\"server_port\":%u,\"client_state\":\"%s\",\"server_state\":\"%s\",\"history\":\"%s\",\"events\":%u,\"client_segments\":%u,\"server_segments\":%u,\"client_bytes\":%llu,\"server_bytes\":%llu,\"age_ns\":%llu,\"idle_ns\":%llu}\n",
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

int sf_cmd_flows(const struct sf_cmdline *cl)
{
	const char *bad = sf_filter_not_tcp(&sf_opts.filter);
	int count = 0, rc;

	(void)cl;
	/* A flow is picked by the TCP state a side is in now, nothing else. */
	if (bad) {
		fprintf(stderr, "synfin: flows --state wants a TCP state (ESTABLISHED, CLOSE_WAIT, ...), not '%s'\n",
			bad);
		return SF_EXIT_USAGE;
	}

	rc = dump_flows(&count);
	if (!rc && !sf_opts.json && !count)
		printf("no flows tracked in this network namespace\n");
	return rc;
}

