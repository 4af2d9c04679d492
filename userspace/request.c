// SPDX-License-Identifier: GPL-2.0
/*
 * synfin reader: the requests watch, flows and stats make of the module.
 * Each opens a generic netlink socket, resolves the synfin family and
 * sends its command; a failure is said on stderr once, here, and becomes
 * the exit code the command returns (module not loaded, permission
 * denied, any other error).
 */
#include <errno.h>
#include <string.h>

#include "synfin.h"
#include "request.h"

int sf_report_nl_error(const char *what, int err)
{
	if (err == -ENOENT) {
		fprintf(stderr, "synfin: the synfin module is not loaded (no generic netlink family \"%s\")\n",
			SYNFIN_GENL_NAME);
		return SF_EXIT_NOMODULE;
	}
	if (err == -EPERM || err == -EACCES) {
		fprintf(stderr, "synfin: %s: permission denied: needs CAP_NET_ADMIN in this network namespace's user namespace\n",
			what);
		return SF_EXIT_PERM;
	}
	fprintf(stderr, "synfin: %s: %s\n", what, strerror(-err));
	return SF_EXIT_ERROR;
}

int sf_open_resolved(struct sf_nl **out)
{
	struct sf_nl *nl = sf_nl_open();
	int err;

	if (!nl) {
		fprintf(stderr, "synfin: cannot open a generic netlink socket: %s\n",
			strerror(errno));
		return SF_EXIT_ERROR;
	}
	err = sf_nl_resolve(nl);
	if (err) {
		sf_nl_close(nl);
		return sf_report_nl_error("resolving the synfin family", err);
	}
	*out = nl;
	return 0;
}

int sf_one_request(uint8_t cmd, bool dump, sf_msg_cb cb, void *arg,
		   const char *what)
{
	struct sf_nl *nl;
	int err;

	err = sf_open_resolved(&nl);
	if (err)
		return err;
	err = sf_nl_request(nl, cmd, dump, cb, arg);
	sf_nl_close(nl);
	return err ? sf_report_nl_error(what, err) : SF_EXIT_OK;
}
