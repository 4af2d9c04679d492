/* SPDX-License-Identifier: GPL-2.0 */
/*
 * synfin reader: a JSON line built in memory and written with one
 * fwrite(). Under a high event rate the reader formats tens of thousands
 * of lines a second: printf's format parsing, and a libc call for every
 * key and name, were most of its time. Keys are string literals whose
 * length the compiler knows; names and numbers are short and copied
 * inline.
 *
 * A line's length is bounded by construction: every append is a literal,
 * a number (20 digits at most), a name from a table or a string of at
 * most J_STR_MAX bytes, and a line makes a bounded number of them (its
 * loops run over 8 flags, 32 anomaly bits and SYNFIN_MAX_TRANS transitions).
 * The longest line there can be (every anomaly, every transition, IPv6
 * addresses, the longest history) is under 2 KiB, as the unit tests
 * check; the buffer is twice that. So appends are not bounds-checked one
 * by one: at some sixty appends a line, those checks were a fifth of the
 * time it took to build one.
 */
#ifndef SYNFIN_JLINE_H
#define SYNFIN_JLINE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JLINE_MAX	4096
/* The longest string j_name() copies: an IPv6 address is 45. */
#define J_STR_MAX	64

struct jline {
	size_t len;
	/*
	 * Last, so that an overrun would leave the object (and trip
	 * AddressSanitizer in the tests) rather than clobber @len; the slack
	 * takes the constant-size copies of j_u64() and j_jname().
	 */
	char buf[JLINE_MAX + 32];
};

/*
 * An empty line. Only the length is set: an initialiser would clear all
 * 4 KiB for each line, a fifth of the time it takes to format one.
 */
static inline void j_init(struct jline *j)
{
	j->len = 0;
}

static inline void j_mem(struct jline *j, const char *s, size_t n)
{
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

/* A string literal. */
#define j_lit(j, s) j_mem((j), "" s, sizeof(s) - 1)

/* A short string: a name, a history or an address (J_STR_MAX at most). */
static inline void j_name(struct jline *j, const char *s)
{
	j_mem(j, s, strnlen(s, J_STR_MAX));
}

/*
 * A name from a table: its text is padded to the array's size, so that
 * a whole entry is copied at once (a constant-size copy, a few moves)
 * and only its length counted.
 */
struct jname {
	char s[23];
	uint8_t len;
};

static inline void jname_set(struct jname *n, const char *s)
{
	size_t len = strlen(s);

	if (len > sizeof(n->s))
		len = sizeof(n->s);
	memset(n->s, 0, sizeof(n->s));
	memcpy(n->s, s, len);
	n->len = (uint8_t)len;
}

static inline void j_jname(struct jline *j, const struct jname *n)
{
	memcpy(j->buf + j->len, n->s, sizeof(n->s));
	j->len += n->len;
}

static const char j_digits[200] =
	"00010203040506070809" "10111213141516171819"
	"20212223242526272829" "30313233343536373839"
	"40414243444546474849" "50515253545556575859"
	"60616263646566676869" "70717273747576777879"
	"80818283848586878889" "90919293949596979899";

/* Decimal, two digits at a time, copied as one constant-size block. */
static inline void j_u64(struct jline *j, uint64_t v)
{
	char tmp[40];
	char *end = tmp + 20, *p = end;

	while (v >= 100) {
		unsigned int r = (unsigned int)(v % 100);

		v /= 100;
		p -= 2;
		memcpy(p, &j_digits[2 * r], 2);
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, &j_digits[2 * v], 2);
	} else {
		*--p = (char)('0' + v);
	}
	memcpy(j->buf + j->len, p, 20);
	j->len += (size_t)(end - p);
}

/* "key":number, -- @key is a literal: "\"key\":" */
#define j_num(j, key, v)				\
	do {						\
		j_lit(j, key);				\
		j_u64(j, v);				\
		j_lit(j, ",");				\
	} while (0)

/* "key":"value", -- values are names and addresses, nothing to escape */
#define j_str(j, key, v)				\
	do {						\
		j_lit(j, key "\"");			\
		j_name(j, v);				\
		j_lit(j, "\",");			\
	} while (0)

/* "key":"name", -- @name a struct jname, quotes included */
#define j_key_name(j, key, name)			\
	do {						\
		j_lit(j, key);				\
		j_jname(j, name);			\
		j_lit(j, ",");				\
	} while (0)

/* The reader is one thread: stdio's stream lock is not needed. */
static inline void j_write(const struct jline *j, FILE *out)
{
	fwrite_unlocked(j->buf, 1, j->len, out);
}

#endif /* SYNFIN_JLINE_H */
