/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The validation MAC (core/mac.c): AES-128 against FIPS-197's own vectors,
 * in both implementations, and the two against each other, single and batch.
 * The data-plane tests check the same tags against python3-cryptography.
 */
#include <string.h>

#include "app/core/mac.h"
#include "app/core/validate.h"
#include "test/unit/check.h"

static uint64_t
le64(const uint8_t *b)
{
	uint64_t x = 0;

	for (int i = 7; i >= 0; i--)
		x = x << 8 | b[i];
	return x;
}

/* FIPS-197 appendix C.1: key 00..0f, plaintext 00112233..ff, ciphertext 69c4e0d8 6a7b0430 d8cdb780 70b4c55a. */
static void
check_fips197_c1(enum trawl_mac_impl impl)
{
	static const uint8_t key[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	static const uint8_t pt[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	static const uint8_t ct[8] = { 0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30 };
	struct trawl_mac m;
	uint64_t w0 = le64(pt), w1 = le64(pt + 8), out[1];

	trawl_mac_init(&m, le64(key), le64(key + 8), impl);
	CHECK_EQ_U64(m.tag(&m, w0, w1), le64(ct));
	m.tags(&m, &w0, &w1, out, 1);
	CHECK_EQ_U64(out[0], le64(ct));
}

static void
test_fips197_portable(void)
{
	check_fips197_c1(TRAWL_MAC_PORTABLE);
}

static void
test_fips197_best(void)
{
	struct trawl_mac m;

	check_fips197_c1(TRAWL_MAC_BEST);
	trawl_mac_init(&m, 1, 2, TRAWL_MAC_BEST);
	/* On this project's machines (x86 with AES-NI) the fast path is the one under test. */
	CHECK(strcmp(m.impl, trawl_mac_have_aesni() ? "aes-ni" : "portable") == 0);
	printf("# the MAC here: %s\n", m.impl);
}

/* FIPS-197 appendix A.1: the key expansion of 2b7e1516..., its last round key d014f9a8 c9ee2589 e13f0cc8 b6630ca6. */
static void
test_key_expansion(void)
{
	static const uint8_t key[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
		0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c };
	static const uint8_t last[16] = { 0xd0, 0x14, 0xf9, 0xa8, 0xc9, 0xee, 0x25, 0x89,
		0xe1, 0x3f, 0x0c, 0xc8, 0xb6, 0x63, 0x0c, 0xa6 };
	struct trawl_mac m;

	trawl_mac_init(&m, le64(key), le64(key + 8), TRAWL_MAC_PORTABLE);
	CHECK(memcmp(m.rk[0], key, 16) == 0);
	CHECK(memcmp(m.rk[10], last, 16) == 0);
}

/* Both implementations, one block at a time and in batches of every length up to 37 (not a multiple of 4). */
static void
test_implementations_agree(void)
{
	struct trawl_mac p, b;
	uint64_t w0[37], w1[37], tp[37], tb[37], x = 0x9e3779b97f4a7c15ULL;
	unsigned int diff = 0;

	trawl_mac_init(&p, 0x0011223344556677ULL, 0x8899aabbccddeeffULL, TRAWL_MAC_PORTABLE);
	trawl_mac_init(&b, 0x0011223344556677ULL, 0x8899aabbccddeeffULL, TRAWL_MAC_BEST);
	for (unsigned int round = 0; round < 200; round++) {
		unsigned int n = round % 38;

		for (unsigned int i = 0; i < n; i++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			w0[i] = x;
			w1[i] = x >> 48;
		}
		p.tags(&p, w0, w1, tp, n);
		b.tags(&b, w0, w1, tb, n);
		for (unsigned int i = 0; i < n; i++)
			diff += tp[i] != tb[i] || tb[i] != b.tag(&b, w0[i], w1[i]) || tp[i] != p.tag(&p, w0[i], w1[i]);
	}
	CHECK_EQ_U64(diff, 0);
}

/* The probes' tags: a burst's batch equals the per-target tag, and echo probes take port 0. */
static void
test_target_tags(void)
{
	struct trawl_validate v;
	struct trawl_target t[40];
	uint64_t out[40], echo[40];
	unsigned int diff = 0;

	memset(&v, 0, sizeof(v));
	trawl_validate_key(&v, 0x0123456789abcdefULL, 0xfedcba9876543210ULL);
	for (unsigned int i = 0; i < 40; i++)
		t[i] = (struct trawl_target){ .addr = 0xc6120000u + i * 7919, .port = (uint16_t)(80 + i) };
	trawl_validate_target_tags(&v, 0xc6130002u, t, 40, 1, out);
	trawl_validate_target_tags(&v, 0xc6130002u, t, 40, 0, echo);
	for (unsigned int i = 0; i < 40; i++)
		diff += out[i] != trawl_validate_tag(&v, 0xc6130002u, t[i].addr, t[i].port) ||
			echo[i] != trawl_validate_tag(&v, 0xc6130002u, t[i].addr, 0);
	CHECK_EQ_U64(diff, 0);
	/* The same block under the key with one bit flipped: another tag. */
	trawl_validate_key(&v, 0x0123456789abcdefULL ^ 1, 0xfedcba9876543210ULL);
	CHECK(trawl_validate_tag(&v, 0xc6130002u, t[0].addr, t[0].port) != out[0]);
}

/* A hint is taken for its own block only; any other block's tag is computed (the RX role's guesses miss on ICMP quotes). */
static void
test_hinted(void)
{
	struct trawl_validate v;
	struct trawl_tag_hint h;
	uint64_t real;

	memset(&v, 0, sizeof(v));
	trawl_validate_key(&v, 0x0123456789abcdefULL, 0xfedcba9876543210ULL);
	real = trawl_validate_tag(&v, 0xc6130002u, 0xc6120001u, 80);
	CHECK_EQ_U64(trawl_validate_tag_hinted(&v, NULL, 0xc6130002u, 0xc6120001u, 80), real);
	/* A marked tag shows whether the hint was taken. */
	h = (struct trawl_tag_hint){ (uint64_t)0xc6130002u << 32 | 0xc6120001u, 80, 42 };
	CHECK_EQ_U64(trawl_validate_tag_hinted(&v, &h, 0xc6130002u, 0xc6120001u, 80), 42);
	CHECK_EQ_U64(trawl_validate_tag_hinted(&v, &h, 0xc6130002u, 0xc6120001u, 81),
			trawl_validate_tag(&v, 0xc6130002u, 0xc6120001u, 81));
	CHECK_EQ_U64(trawl_validate_tag_hinted(&v, &h, 0xc6130002u, 0xc6120002u, 80),
			trawl_validate_tag(&v, 0xc6130002u, 0xc6120002u, 80));
	CHECK_EQ_U64(trawl_validate_tag_hinted(&v, &h, 0xc6130003u, 0xc6120001u, 80),
			trawl_validate_tag(&v, 0xc6130003u, 0xc6120001u, 80));
}

int
main(void)
{
	RUN(test_fips197_portable);
	RUN(test_fips197_best);
	RUN(test_key_expansion);
	RUN(test_implementations_agree);
	RUN(test_target_tags);
	RUN(test_hinted);
	return check_done();
}
