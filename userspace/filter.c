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

/* A port number, all of @s; -1 if it is not one. */
static long port_number(const char *s, size_t n)
{
	char buf[8], *end;
	long v;

	if (!n || n >= sizeof(buf) || *s < '0' || *s > '9')
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || *end || v > 65535)
		return -1;
	return v;
}

int sf_filter_add_port(struct sf_filter *f, const char *arg)
{
	size_t n = strcspn(arg, "-");
	long lo = port_number(arg, n), hi = lo;

	if (arg[n])
		hi = port_number(arg + n + 1, strlen(arg + n + 1));
	if (lo < 0 || hi < 0) {
		fprintf(stderr, "synfin: --port wants a port, 0 to 65535, or a range LO-HI, not '%s'\n",
			arg);
		return -1;
	}
	switch (synfin_select_add_ports(&f->sel, (uint16_t)lo, (uint16_t)hi)) {
	case SYNFIN_SELECT_OK:
		return 0;
	case SYNFIN_SELECT_BAD_RANGE:
		fprintf(stderr, "synfin: --port %s: the range ends below its start\n",
			arg);
		return -1;
	default:
		fprintf(stderr, "synfin: at most %d --port options\n",
			SF_MAX_FILTERS);
		return -1;
	}
}

int sf_filter_add_host(struct sf_filter *f, const char *arg)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strrchr(arg, '/');
	size_t len = slash ? (size_t)(slash - arg) : strlen(arg);
	uint8_t addr[16] = { 0 };
	long bits = -1;
	uint8_t family;
	char *end;

	if (len + 1 > sizeof(buf))
		goto bad;
	/* Accept [v6] too, as addresses are printed, and [v6]/LEN. */
	if (len > 2 && arg[0] == '[' && arg[len - 1] == ']') {
		memcpy(buf, arg + 1, len - 2);
		buf[len - 2] = '\0';
	} else {
		memcpy(buf, arg, len);
		buf[len] = '\0';
	}
	if (inet_pton(AF_INET, buf, addr) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		family = AF_INET6;
	else
		goto bad;
	if (slash) {
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || slash[1] < '0' ||
		    slash[1] > '9' || bits > 255)
			goto bad;
	} else {
		bits = family == AF_INET ? 32 : 128;
	}
	switch (synfin_select_add_prefix(&f->sel, family, addr,
					 (uint8_t)bits)) {
	case SYNFIN_SELECT_OK:
		return 0;
	case SYNFIN_SELECT_BAD_LEN:
		fprintf(stderr, "synfin: --host %s: an IPv%c prefix is at most %d bits\n",
			arg, family == AF_INET ? '4' : '6',
			family == AF_INET ? 32 : 128);
		return -1;
	default:
		fprintf(stderr, "synfin: at most %d --host options\n",
			SF_MAX_FILTERS);
		return -1;
	}
bad:
	fprintf(stderr, "synfin: --host wants an IPv4 or IPv6 address, or a prefix ADDR/LEN, not '%s'\n",
		arg);
	return -1;
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

bool sf_filter_tuple(const struct sf_filter *f, uint8_t family,
		     const uint8_t *a, uint16_t pa, const uint8_t *b,
		     uint16_t pb)
{
	return synfin_select_match(&f->sel, family, a, pa, b, pb);
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
