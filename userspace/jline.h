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

#include <stddef.h>
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
	 * takes the constant-size copies of j_jname() and jp_jname().
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

/*
 * A line can also be built through a write position, @p, that the
 * builder keeps in a local variable: the compiler then holds it in a
 * register. Through struct jline it must reload the length after every
 * byte stored, as a char store may alias it: a third of the instructions
 * sf_event_json() took.
 */
static inline char *jp_mem(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* A string literal, at @p. */
#define jp_lit(p, s) jp_mem((p), "" s, sizeof(s) - 1)

static inline char *jp_jname(char *p, const struct jname *n)
{
	memcpy(p, n->s, sizeof(n->s));
	return p + n->len;
}

/*
 * Decimal without a division a digit pair: @y is the number as a 32.32
 * fixed-point fraction of the power of 100 its leading pair stands for
 * (y ~ v * 2^32 / 100^k), rounded up; each next pair is the integer part
 * of the fraction times 100. The constants are ceil(2^(32+s) / 100^k),
 * with one more unit after a shift by s so that the error stays above
 * zero and below what would carry into a pair: checked for every 32-bit
 * value when this was written (and test_decimal checks the edges).
 */
static inline char *j_pair(char *p, uint64_t *y)
{
	*y = (uint32_t)*y * 100ULL;
	memcpy(p, &j_digits[2 * (*y >> 32)], 2);
	return p + 2;
}

/* The leading pair, one digit if it is below 10. */
static inline char *j_lead(char *p, uint64_t y)
{
	uint32_t d = (uint32_t)(y >> 32);

	if (d < 10) {
		*p = (char)('0' + d);
		return p + 1;
	}
	memcpy(p, &j_digits[2 * d], 2);
	return p + 2;
}

static inline char *jp_u32(char *p, uint32_t v)
{
	uint64_t y;

	if (v < 100) {
		if (v < 10) {
			*p = (char)('0' + v);
			return p + 1;
		}
		memcpy(p, &j_digits[2 * v], 2);
		return p + 2;
	}
	if (v < 10000) {
		y = v * 42949673ULL;				/* / 10^2 */
		p = j_lead(p, y);
		return j_pair(p, &y);
	}
	if (v < 1000000) {
		y = v * 429497ULL;				/* / 10^4 */
		p = j_lead(p, y);
		p = j_pair(p, &y);
		return j_pair(p, &y);
	}
	if (v < 100000000) {
		y = (v * 4503599628ULL >> 20) + 1;		/* / 10^6 */
		p = j_lead(p, y);
	} else {
		y = (v * 2882303762ULL >> 26) + 1;		/* / 10^8 */
		p = j_lead(p, y);
		p = j_pair(p, &y);
	}
	p = j_pair(p, &y);
	p = j_pair(p, &y);
	return j_pair(p, &y);
}

/* Exactly 8 digits, leading zeros kept: @v < 100000000. */
static inline char *jp_8digits(char *p, uint32_t v)
{
	uint64_t y = (v * 4503599628ULL >> 20) + 1;		/* / 10^6 */

	memcpy(p, &j_digits[2 * (y >> 32)], 2);
	p = j_pair(p + 2, &y);
	p = j_pair(p, &y);
	return j_pair(p, &y);
}

/* A 64-bit number: in 8-digit blocks above 32 bits (a nanosecond clock). */
static inline char *jp_u64(char *p, uint64_t v)
{
	uint64_t hi;

	if (v <= UINT32_MAX)
		return jp_u32(p, (uint32_t)v);
	hi = v / 100000000;
	if (hi > UINT32_MAX) {
		p = jp_u32(p, (uint32_t)(hi / 100000000));
		p = jp_8digits(p, (uint32_t)(hi % 100000000));
	} else {
		p = jp_u32(p, (uint32_t)hi);
	}
	return jp_8digits(p, (uint32_t)(v % 100000000));
}

static inline void j_u64(struct jline *j, uint64_t v)
{
	j->len = (size_t)(jp_u64(j->buf + j->len, v) - j->buf);
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

/*
 * Where to build a line through a write position: in @out's own buffer
 * when it has room for the longest line there can be (and the slack of
 * the constant-size copies), so that the line is not copied again by
 * fwrite(), a sixth of what a JSON line cost; else in @j. The room is
 * glibc's put area, which its own putc_unlocked() writes the same way;
 * a line-buffered or unbuffered stream never has any (glibc keeps its
 * put area empty), nor a stream not written yet.
 */
static inline char *jp_begin(struct jline *j, FILE *out)
{
#ifdef __GLIBC__
	if (out->_IO_write_end - out->_IO_write_ptr >=
	    (ptrdiff_t)sizeof(j->buf))
		return out->_IO_write_ptr;
#else
	(void)out;
#endif
	return j->buf;
}

/*
 * The line from jp_begin()'s @start to @p written: in place, or copied
 * into the put area if it fits (glibc's default buffer is 4 KiB, so most
 * lines are), or by fwrite(), which flushes.
 */
static inline void jp_end(struct jline *j, FILE *out, char *start, char *p)
{
	size_t n = (size_t)(p - start);

#ifdef __GLIBC__
	if (start != j->buf) {
		out->_IO_write_ptr = p;
		return;
	}
	if ((size_t)(out->_IO_write_end - out->_IO_write_ptr) >= n) {
		memcpy(out->_IO_write_ptr, start, n);
		out->_IO_write_ptr += n;
		return;
	}
#endif
	fwrite_unlocked(start, 1, n, out);
}

#endif /* SYNFIN_JLINE_H */
