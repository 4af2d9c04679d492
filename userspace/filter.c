// SPDX-License-Identifier: GPL-2.0
/*
 * synfin reader: --port and --host, which pick connections by their
 * endpoints, and the parsing of --state (matched in conn.c, which knows
 * how each connection went). Repeating an option widens it: a connection
 * passes if it matches any of the values given.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "synfin.h"

struct sf_opts sf_opts;

int sf_filter_add_port(const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 0 || v > 65535) {
		fprintf(stderr, "synfin: --port wants a port number, 0 to 65535, not '%s'\n",
			arg);
		return -1;
	}
	if (sf_opts.nports >= SF_MAX_FILTERS) {
		fprintf(stderr, "synfin: at most %d --port options\n",
			SF_MAX_FILTERS);
		return -1;
	}
	sf_opts.ports[sf_opts.nports++] = (uint16_t)v;
	return 0;
}

int sf_filter_add_host(const char *arg)
{
	unsigned int i = sf_opts.nhosts;
	char buf[INET6_ADDRSTRLEN];
	size_t len = strlen(arg);

	if (i >= SF_MAX_FILTERS) {
		fprintf(stderr, "synfin: at most %d --host options\n",
			SF_MAX_FILTERS);
		return -1;
	}
	/* Accept [v6] too, as addresses are printed. */
	if (len > 2 && len < sizeof(buf) + 2 && arg[0] == '[' &&
	    arg[len - 1] == ']') {
		memcpy(buf, arg + 1, len - 2);
		buf[len - 2] = '\0';
		arg = buf;
	}
	memset(sf_opts.hosts[i].addr, 0, 16);
	if (inet_pton(AF_INET, arg, sf_opts.hosts[i].addr) == 1) {
		sf_opts.hosts[i].family = AF_INET;
	} else if (inet_pton(AF_INET6, arg, sf_opts.hosts[i].addr) == 1) {
		sf_opts.hosts[i].family = AF_INET6;
	} else {
		fprintf(stderr, "synfin: --host wants an IPv4 or IPv6 address, not '%s'\n",
			arg);
		return -1;
	}
	sf_opts.nhosts++;
	return 0;
}

int sf_filter_add_state(const char *arg)
{
	const char *p = arg;

	/* A comma-separated list counts as that many options. */
	while (*p) {
		size_t n = strcspn(p, ",");
		char *name;

		if (sf_opts.nstates >= SF_MAX_FILTERS) {
			fprintf(stderr, "synfin: at most %d --state values\n",
				SF_MAX_FILTERS);
			return -1;
		}
		name = sf_opts.states[sf_opts.nstates];
		if (!n || n >= sizeof(sf_opts.states[0])) {
			fprintf(stderr, "synfin: --state: bad value in '%s'\n",
				arg);
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if (!sf_state_filter_valid(name)) {
			fprintf(stderr, "synfin: --state: unknown '%s' (see synfin --help)\n",
				name);
			return -1;
		}
		sf_opts.nstates++;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static bool host_is(uint8_t family, const uint8_t *addr)
{
	unsigned int i;

	for (i = 0; i < sf_opts.nhosts; i++)
		if (sf_opts.hosts[i].family == family &&
		    !memcmp(sf_opts.hosts[i].addr, addr,
			    family == AF_INET ? 4 : 16))
			return true;
	return false;
}

static bool port_is(uint16_t port)
{
	unsigned int i;

	for (i = 0; i < sf_opts.nports; i++)
		if (sf_opts.ports[i] == port)
			return true;
	return false;
}

bool sf_filter_tuple(uint8_t family, const uint8_t *a, uint16_t pa,
		     const uint8_t *b, uint16_t pb)
{
	if (sf_opts.nports && !port_is(pa) && !port_is(pb))
		return false;
	if (sf_opts.nhosts && !host_is(family, a) && !host_is(family, b))
		return false;
	return true;
}
