// SPDX-License-Identifier: GPL-2.0
/*
 * synfin stats: the module's counters, in total and per CPU, from one
 * GET_STATS request: a table for people, or one JSON object.
 */
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "synfin.h"
#include "commands.h"
#include "request.h"

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
	{ SYNFIN_S_EVENTS_UNSELECTED, "events_unselected" },
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
		if (sf_opts.json) {
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

int sf_cmd_stats(const struct sf_cmdline *cl)
{
	int ncpu = 0, rc;

	(void)cl;
	rc = sf_one_request(SYNFIN_CMD_GET_STATS, false, stats_cb, &ncpu,
			    "reading statistics");
	if (!rc && sf_opts.json)
		printf("]}\n");
	return rc;
}

