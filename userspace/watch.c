// SPDX-License-Identifier: GPL-2.0
/*
 * synfin watch: the module's events as they happen. Joins a group of
 * events ("events-packed", or as --group or --summaries say) and the
 * control group (which says when the module goes away), after sending
 * its --port and --host as the socket's selection (the module then
 * sends only what some reader of the netns selects), tells the module a
 * reader is here, and hands every event decoded to
 * conn.c, which prints it; a receive buffer overflow is reported as a
 * loss. Stops on SIGINT or SIGTERM, or when the module is unloaded.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "synfin.h"
#include "commands.h"
#include "request.h"

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
		int err;

		switch (mnl_attr_get_type(a)) {
		case SYNFIN_A_EVENT_PACKED:
			err = sf_event_unpack(a, &ev);
			break;
		case SYNFIN_A_EVENT:
			err = sf_event_parse(a, &ev);
			break;
		default:
			continue;
		}
		if (err) {
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

/*
 * Hand every event to conn.c until SIGINT or SIGTERM comes on @sfd, the
 * module goes away or receiving fails; returns the exit code.
 */
static int follow(struct sf_nl *nl, int sfd)
{
	struct watch_ctx ctx = { 0 };
	struct pollfd pfd[2];
	int err, rc = SF_EXIT_OK;

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
	return rc;
}

int sf_cmd_watch(const struct sf_cmdline *cl)
{
	const char *group = cl->group;
	struct sf_nl *nl;
	sigset_t mask;
	int sfd, err, rc;

	rc = sf_open_resolved(&nl);
	if (rc)
		return rc;
	/*
	 * --port and --host, on the socket that will receive: the module
	 * keeps the selection exactly as long as this reader. Sent before
	 * joining the group: no connection starting once we listen is
	 * decided without it, and no event can come before the request's
	 * answer. None: no selection (this reader gets what the netns's
	 * selections together want, every connection if there is none).
	 */
	if (!synfin_select_empty(&sf_opts.filter.sel)) {
		err = sf_nl_set_selection(nl, &sf_opts.filter.sel);
		if (err) {
			rc = sf_report_nl_error("sending the module the --port/--host selection",
						err);
			goto out_close_nl;
		}
	}

	/*
	 * The packed group carries the same events, cheaper to decode; a
	 * module older than it has only "events".
	 */
	if (sf_opts.summaries)
		group = SYNFIN_MCGRP_SUMMARIES;
	err = sf_nl_subscribe(nl, cl->rcvbuf, group ?: SYNFIN_MCGRP_PACKED);
	if (err == -ENOENT && !group)
		err = sf_nl_subscribe(nl, cl->rcvbuf, NULL);
	if (err == -ENOENT && group) {
		fprintf(stderr, "synfin: the synfin module has no group '%s'\n",
			group);
		rc = SF_EXIT_USAGE;
		goto out_close_nl;
	}
	if (err) {
		rc = sf_report_nl_error("joining the synfin events group", err);
		goto out_close_nl;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "synfin: signalfd: %s\n", strerror(errno));
		rc = SF_EXIT_ERROR;
		goto out_close_nl;
	}
	/*
	 * The module takes a netns whose last events reached nobody to have
	 * no listener until a request comes from it: a stats request says
	 * we are here (its answer is not needed, nor is its failure fatal).
	 */
	announce();
	/* Subscribed: from here on no event is missed. Says so on stderr. */
	fprintf(stderr, "synfin: watching TCP handshakes and teardowns; Ctrl-C to stop\n");

	rc = follow(nl, sfd);
	close(sfd);
out_close_nl:
	sf_nl_close(nl);
	/*
	 * Connections kept for --ladder or --state: show them as open (none
	 * when it failed before any event came).
	 */
	sf_conn_flush(stdout);
	return rc;
}
