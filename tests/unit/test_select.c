// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of selections (module/select.c), which the module and the
 * reader share, and of the reader's --port and --host (userspace/
 * filter.c), which fill one: port ranges, prefixes of each length and
 * family, either end of a connection, and what is refused.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "filter.h"
#include "select.h"

/* The 4 or 16 bytes of address @s, in *@a (family from its text). */
static uint8_t fam(const char *s, uint8_t a[16])
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1)
		return AF_INET;
	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
	return AF_INET6;
}

/* Does a connection from @a port @pa to @b port @pb match @s? */
static bool conn(const struct synfin_select *s, const char *a, uint16_t pa,
		 const char *b, uint16_t pb)
{
	uint8_t x[16], y[16];
	uint8_t f = fam(a, x);

	assert_int_equal(fam(b, y), f);
	return synfin_select_match(s, f, x, pa, y, pb);
}

/* A filter of the options @args (NULL-terminated pairs): all accepted. */
static void opts(struct sf_filter *f, const char *const *args)
{
	memset(f, 0, sizeof(*f));
	for (; *args; args += 2) {
		if (!strcmp(args[0], "--port"))
			assert_int_equal(sf_filter_add_port(f, args[1]), 0);
		else
			assert_int_equal(sf_filter_add_host(f, args[1]), 0);
	}
}

static void test_empty_matches_all(void **state)
{
	struct synfin_select s = { 0 };

	(void)state;
	assert_true(synfin_select_empty(&s));
	assert_true(conn(&s, "10.0.0.1", 1, "10.0.0.2", 2));
	assert_true(conn(&s, "::1", 0, "::2", 65535));
}

static void test_port_ranges(void **state)
{
	struct synfin_select s = { 0 };

	(void)state;
	assert_int_equal(synfin_select_add_ports(&s, 9490, 9491), SYNFIN_SELECT_OK);
	assert_false(synfin_select_empty(&s));
	/* Both ends of the range, either end of the connection. */
	assert_true(conn(&s, "10.0.0.1", 9490, "10.0.0.2", 40000));
	assert_true(conn(&s, "10.0.0.1", 40000, "10.0.0.2", 9491));
	assert_false(conn(&s, "10.0.0.1", 9489, "10.0.0.2", 9492));
	/* A second range widens. */
	assert_int_equal(synfin_select_add_ports(&s, 80, 80), SYNFIN_SELECT_OK);
	assert_true(conn(&s, "10.0.0.1", 80, "10.0.0.2", 1));
	assert_false(conn(&s, "10.0.0.1", 81, "10.0.0.2", 79));
	/* The whole range, and its edges. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(synfin_select_add_ports(&s, 0, 65535), SYNFIN_SELECT_OK);
	assert_true(conn(&s, "10.0.0.1", 0, "10.0.0.2", 0));
	assert_true(conn(&s, "10.0.0.1", 65535, "10.0.0.2", 65535));
	memset(&s, 0, sizeof(s));
	assert_int_equal(synfin_select_add_ports(&s, 65535, 65535), SYNFIN_SELECT_OK);
	assert_false(conn(&s, "10.0.0.1", 65534, "10.0.0.2", 0));
	assert_true(conn(&s, "10.0.0.1", 65534, "10.0.0.2", 65535));
}

static void test_port_refusals(void **state)
{
	struct synfin_select s = { 0 };
	unsigned int i;

	(void)state;
	assert_int_equal(synfin_select_add_ports(&s, 2, 1), SYNFIN_SELECT_BAD_RANGE);
	assert_int_equal(s.nports, 0);
	for (i = 0; i < SYNFIN_SELECT_MAX; i++)
		assert_int_equal(synfin_select_add_ports(&s, i, i), SYNFIN_SELECT_OK);
	assert_int_equal(synfin_select_add_ports(&s, 100, 100), SYNFIN_SELECT_FULL);
	assert_int_equal(s.nports, SYNFIN_SELECT_MAX);
	assert_false(conn(&s, "10.0.0.1", 100, "10.0.0.2", 100));
	assert_true(conn(&s, "10.0.0.1", 100, "10.0.0.2", 15));
}

static void test_prefixes_v4(void **state)
{
	struct synfin_select s = { 0 };
	uint8_t a[16];

	(void)state;
	fam("10.1.2.3", a);	/* bits past /8 are not compared */
	assert_int_equal(synfin_select_add_prefix(&s, AF_INET, a, 8), SYNFIN_SELECT_OK);
	assert_true(conn(&s, "10.255.0.1", 1, "192.0.2.1", 2));
	assert_true(conn(&s, "192.0.2.1", 1, "10.0.0.0", 2));
	assert_false(conn(&s, "11.0.0.1", 1, "9.255.255.255", 2));
	/* An IPv4 prefix holds no IPv6 address, even one of those bytes. */
	assert_false(conn(&s, "a00::1", 1, "a00::2", 2));
	assert_false(conn(&s, "::ffff:10.0.0.1", 1, "::1", 2));
	/* /32: one address; /0: every IPv4 address. */
	memset(&s, 0, sizeof(s));
	fam("192.0.2.7", a);
	assert_int_equal(synfin_select_add_prefix(&s, AF_INET, a, 32), SYNFIN_SELECT_OK);
	assert_true(conn(&s, "192.0.2.6", 1, "192.0.2.7", 2));
	assert_false(conn(&s, "192.0.2.6", 1, "192.0.2.8", 2));
	memset(&s, 0, sizeof(s));
	assert_int_equal(synfin_select_add_prefix(&s, AF_INET, a, 0), SYNFIN_SELECT_OK);
	assert_true(conn(&s, "1.2.3.4", 1, "5.6.7.8", 2));
	assert_false(conn(&s, "::1", 1, "::2", 2));
	/* A length not a multiple of 8: /23 of 192.0.2.0. */
	memset(&s, 0, sizeof(s));
	fam("192.0.2.0", a);
	assert_int_equal(synfin_select_add_prefix(&s, AF_INET, a, 23), SYNFIN_SELECT_OK);
	assert_true(conn(&s, "192.0.3.255", 1, "8.8.8.8", 2));
	assert_false(conn(&s, "192.0.4.0", 1, "192.0.1.255", 2));
}

static void test_prefixes_v6(void **state)
{
	struct synfin_select s = { 0 };
	uint8_t a[16];

	(void)state;
	fam("2001:db8::", a);
	assert_int_equal(synfin_select_add_prefix(&s, AF_INET6, a, 32), SYNFIN_SELECT_OK);
	assert_true(conn(&s, "2001:db8:ffff::1", 1, "::1", 2));
	assert_true(conn(&s, "::1", 1, "2001:db8::", 2));
	assert_false(conn(&s, "2001:db9::1", 1, "2001:db7::1", 2));
	assert_false(conn(&s, "32.1.13.184", 1, "32.1.13.185", 2));
	/* /128: one address; /0: every IPv6 address. */
	memset(&s, 0, sizeof(s));
	fam("2001:db8::1", a);
	assert_int_equal(synfin_select_add_prefix(&s, AF_INET6, a, 128), SYNFIN_SELECT_OK);
	assert_true(conn(&s, "2001:db8::1", 1, "::2", 2));
	assert_false(conn(&s, "2001:db8::2", 1, "2001:db8::3", 2));
	memset(&s, 0, sizeof(s));
	assert_int_equal(synfin_select_add_prefix(&s, AF_INET6, a, 0), SYNFIN_SELECT_OK);
	assert_true(conn(&s, "fe80::1", 1, "::2", 2));
	assert_false(conn(&s, "10.0.0.1", 1, "10.0.0.2", 2));
	/* /127 of 2001:db8::2: ::2 and ::3. */
	memset(&s, 0, sizeof(s));
	fam("2001:db8::2", a);
	assert_int_equal(synfin_select_add_prefix(&s, AF_INET6, a, 127), SYNFIN_SELECT_OK);
	assert_true(conn(&s, "2001:db8::3", 1, "::9", 2));
	assert_false(conn(&s, "2001:db8::4", 1, "2001:db8::1", 2));
}

static void test_prefix_refusals(void **state)
{
	struct synfin_select s = { 0 };
	uint8_t a[16] = { 10 };
	unsigned int i;

	(void)state;
	assert_int_equal(synfin_select_add_prefix(&s, AF_INET, a, 33), SYNFIN_SELECT_BAD_LEN);
	assert_int_equal(synfin_select_add_prefix(&s, AF_INET6, a, 129), SYNFIN_SELECT_BAD_LEN);
	assert_int_equal(synfin_select_add_prefix(&s, AF_UNIX, a, 8), SYNFIN_SELECT_BAD_FAMILY);
	assert_int_equal(s.nprefixes, 0);
	for (i = 0; i < SYNFIN_SELECT_MAX; i++)
		assert_int_equal(synfin_select_add_prefix(&s, AF_INET, a, 8), SYNFIN_SELECT_OK);
	assert_int_equal(synfin_select_add_prefix(&s, AF_INET, a, 8), SYNFIN_SELECT_FULL);
}

/* Ports and prefixes narrow each other; each end may match either. */
static void test_ports_and_prefixes(void **state)
{
	struct synfin_select s = { 0 };
	uint8_t a[16];

	(void)state;
	fam("10.0.0.0", a);
	assert_int_equal(synfin_select_add_ports(&s, 443, 443), SYNFIN_SELECT_OK);
	assert_int_equal(synfin_select_add_prefix(&s, AF_INET, a, 8), SYNFIN_SELECT_OK);
	assert_true(conn(&s, "10.0.0.1", 50000, "192.0.2.1", 443));
	assert_true(conn(&s, "192.0.2.1", 443, "10.0.0.1", 50000));
	assert_false(conn(&s, "10.0.0.1", 50000, "192.0.2.1", 80));
	assert_false(conn(&s, "172.16.0.1", 50000, "192.0.2.1", 443));
}

/* The reader's options fill the same struct, with the same meaning. */
static void test_options(void **state)
{
	static const char *const args[] = {
		"--port", "8000-8080", "--port", "22", "--host", "10.0.0.0/8",
		"--host", "[2001:db8::]/32", "--host", "192.0.2.1", NULL,
	};
	struct sf_filter f;
	uint8_t x[16], y[16];

	(void)state;
	opts(&f, args);
	assert_int_equal(f.sel.nports, 2);
	assert_int_equal(f.sel.ports[0].lo, 8000);
	assert_int_equal(f.sel.ports[0].hi, 8080);
	assert_int_equal(f.sel.ports[1].lo, 22);
	assert_int_equal(f.sel.ports[1].hi, 22);
	assert_int_equal(f.sel.nprefixes, 3);
	assert_int_equal(f.sel.prefixes[0].len, 8);
	assert_int_equal(f.sel.prefixes[1].family, AF_INET6);
	assert_int_equal(f.sel.prefixes[1].len, 32);
	assert_int_equal(f.sel.prefixes[2].len, 32);
	fam("10.9.9.9", x);
	fam("192.0.2.2", y);
	assert_true(sf_filter_tuple(&f, AF_INET, x, 8080, y, 1));
	assert_false(sf_filter_tuple(&f, AF_INET, x, 8081, y, 7999));
	fam("11.0.0.1", x);
	assert_false(sf_filter_tuple(&f, AF_INET, x, 22, y, 1));
	fam("192.0.2.1", y);
	assert_true(sf_filter_tuple(&f, AF_INET, x, 22, y, 1));
	fam("2001:db8:1::1", x);
	fam("::1", y);
	assert_true(sf_filter_tuple(&f, AF_INET6, x, 1, y, 8000));
	/* A bare address is the whole address. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(sf_filter_add_host(&f, "::1"), 0);
	assert_int_equal(f.sel.prefixes[0].len, 128);
	assert_int_equal(sf_filter_add_host(&f, "0.0.0.0/0"), 0);
	assert_int_equal(f.sel.prefixes[1].len, 0);
	assert_int_equal(sf_filter_add_port(&f, "0-65535"), 0);
}

static void test_options_refused(void **state)
{
	static const char *const ports[] = {
		"1-0", "65536", "-1", "80-", "-80", "1-2-3", "", "x", "8o",
		"80 ", "+80", "0x50", "70000-80000", NULL,
	};
	static const char *const hosts[] = {
		"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1",
		"10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0", "[10.0.0.1", "host",
		"", "/8", "2001:db8::/1000", NULL,
	};
	struct sf_filter f;
	const char *const *p;
	int i;

	(void)state;
	memset(&f, 0, sizeof(f));
	for (p = ports; *p; p++) {
		assert_int_equal(sf_filter_add_port(&f, *p), -1);
		assert_int_equal(f.sel.nports, 0);
	}
	for (p = hosts; *p; p++) {
		assert_int_equal(sf_filter_add_host(&f, *p), -1);
		assert_int_equal(f.sel.nprefixes, 0);
	}
	for (i = 0; i < SF_MAX_FILTERS; i++)
		assert_int_equal(sf_filter_add_port(&f, "1-2"), 0);
	assert_int_equal(sf_filter_add_port(&f, "3"), -1);
	for (i = 0; i < SF_MAX_FILTERS; i++)
		assert_int_equal(sf_filter_add_host(&f, "10.0.0.0/8"), 0);
	assert_int_equal(sf_filter_add_host(&f, "::1"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_matches_all),
		cmocka_unit_test(test_port_ranges),
		cmocka_unit_test(test_port_refusals),
		cmocka_unit_test(test_prefixes_v4),
		cmocka_unit_test(test_prefixes_v6),
		cmocka_unit_test(test_prefix_refusals),
		cmocka_unit_test(test_ports_and_prefixes),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_options_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
