// SPDX-License-Identifier: GPL-2.0
/*
 * synfin reader: --port, --host and --state, parsed once into a struct
 * sf_filter, and the matchers that test a connection against it: by its
 * endpoints, by how it ended, or by the TCP states its sides are in.
 * This file knows the words --state takes (fsm.c names the TCP states
 * and Zeek's conn_state codes) but nothing of how connections are
 * followed: what it matches is handed to it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "filter.h"
#include "fsm.h"

static const char *const end_kind_names[SF_END_COUNT] = {
	"four_way", "three_way", "simultaneous", "reset", "refused",
	"timed_out", "evicted", "no_fin", "open",
};

const char *sf_end_kind_name(enum sf_end_kind k)
{
	return end_kind_names[k];
}

int sf_filter_add_port(struct sf_filter *f, const char *arg)
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
	if (f->nports >= SF_MAX_FILTERS) {
		fprintf(stderr, "synfin: at most %d --port options\n",
			SF_MAX_FILTERS);
		return -1;
	}
	f->ports[f->nports++] = (uint16_t)v;
	return 0;
}

int sf_filter_add_host(struct sf_filter *f, const char *arg)
{
	unsigned int i = f->nhosts;
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
	memset(f->hosts[i].addr, 0, 16);
	if (inet_pton(AF_INET, arg, f->hosts[i].addr) == 1) {
		f->hosts[i].family = AF_INET;
	} else if (inet_pton(AF_INET6, arg, f->hosts[i].addr) == 1) {
		f->hosts[i].family = AF_INET6;
	} else {
		fprintf(stderr, "synfin: --host wants an IPv4 or IPv6 address, not '%s'\n",
			arg);
		return -1;
	}
	f->nhosts++;
	return 0;
}

/*
 * What the --state word @name names, added to @f: how a connection
 * ended, a Zeek conn_state, whether the handshake finished, a TCP state.
 * False if it names nothing.
 */
static bool add_state_word(struct sf_filter *f, const char *name)
{
	bool known = false;
	unsigned int i;

	if (!strcasecmp(name, "incomplete")) {
		f->incomplete = true;
		known = true;
	}
	if (!strcasecmp(name, "complete")) {
		f->complete = true;
		known = true;
	}
	for (i = 0; i < SF_END_COUNT; i++) {
		if (!strcasecmp(name, end_kind_names[i])) {
			f->ends |= 1u << i;
			known = true;
		}
	}
	for (i = 1; i < SYNFIN_CS_COUNT; i++) {
		if (!strcasecmp(name, synfin_conn_state_name(i))) {
			f->conn_states |= 1u << i;
			known = true;
		}
	}
	for (i = 0; i < SYNFIN_ST_COUNT; i++) {
		if (!strcasecmp(name, synfin_state_name(i))) {
			f->tcp_states |= 1u << i;
			f->tcp_values |= 1u << f->nstates;
			known = true;
		}
	}
	return known;
}

int sf_filter_add_state(struct sf_filter *f, const char *arg)
{
	const char *p = arg;

	/* A comma-separated list counts as that many options. */
	while (*p) {
		size_t n = strcspn(p, ",");
		char *name;

		if (f->nstates >= SF_MAX_FILTERS) {
			fprintf(stderr, "synfin: at most %d --state values\n",
				SF_MAX_FILTERS);
			return -1;
		}
		name = f->states[f->nstates];
		if (!n || n >= sizeof(f->states[0])) {
			fprintf(stderr, "synfin: --state: bad value in '%s'\n",
				arg);
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if (!add_state_word(f, name)) {
			fprintf(stderr, "synfin: --state: unknown '%s' (see synfin --help)\n",
				name);
			return -1;
		}
		f->nstates++;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static bool host_is(const struct sf_filter *f, uint8_t family,
		    const uint8_t *addr)
{
	unsigned int i;

	for (i = 0; i < f->nhosts; i++)
		if (f->hosts[i].family == family &&
		    !memcmp(f->hosts[i].addr, addr,
			    family == AF_INET ? 4 : 16))
			return true;
	return false;
}

static bool port_is(const struct sf_filter *f, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < f->nports; i++)
		if (f->ports[i] == port)
			return true;
	return false;
}

bool sf_filter_tuple(const struct sf_filter *f, uint8_t family,
		     const uint8_t *a, uint16_t pa, const uint8_t *b,
		     uint16_t pb)
{
	if (f->nports && !port_is(f, pa) && !port_is(f, pb))
		return false;
	if (f->nhosts && !host_is(f, family, a) && !host_is(f, family, b))
		return false;
	return true;
}

/* Is bit @n of @mask set? False past its width. */
static bool has(uint32_t mask, unsigned int n)
{
	return n < 32 && (mask >> n & 1);
}

bool sf_filter_ended(const struct sf_filter *f, bool established,
		     enum sf_end_kind end, unsigned int conn_state,
		     uint32_t visited)
{
	if (!f->nstates)
		return true;
	if (f->incomplete && !established)
		return true;
	if (f->complete && established)
		return true;
	if (has(f->ends, end))
		return true;
	if (conn_state != SYNFIN_CS_NONE && has(f->conn_states, conn_state))
		return true;
	return f->tcp_states & visited;
}

bool sf_filter_sides(const struct sf_filter *f, unsigned int client,
		     unsigned int server)
{
	if (!f->nstates)
		return true;
	return has(f->tcp_states, client) || has(f->tcp_states, server);
}

const char *sf_filter_not_tcp(const struct sf_filter *f)
{
	unsigned int i;

	for (i = 0; i < f->nstates; i++)
		if (!has(f->tcp_values, i))
			return f->states[i];
	return NULL;
}
