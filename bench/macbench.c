/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The validation MAC alone, side by side in one run: TSC ticks per tag over
 * independent inputs (one target after another, as a scan draws them), for
 *   - SipHash-2-4, trawl's MAC until issue 23 (app/core/siphash.c);
 *   - trawl_mac, AES-128 with AES-NI: one block per call (what the RX role
 *     does per reply) and bursts of 32 (what a TX burst does), and the
 *     portable rounds (CPUs without AES instructions);
 *   - OpenSSL's libcrypto (EVP, aes-128-ecb): one block per
 *     EVP_EncryptUpdate, and 32 blocks per call, the well-kept library's
 *     way to the same instructions.
 * Every implementation's tags are first checked against the others' on the
 * same blocks: a figure of a wrong MAC would mean nothing.
 *   macbench [TAGS]   (default 2^24) prints markdown rows.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include <openssl/evp.h>

#include "app/core/mac.h"
#include "app/core/siphash.h"

#define BURST 32
static const uint64_t K0 = UINT64_C(0x0011223344556677), K1 = UINT64_C(0x8899aabbccddeeff);

/* The block of target i, as trawl_validate_tag builds it: (saddr << 32 | daddr, port). */
static inline uint64_t w0_of(uint32_t i) { return UINT64_C(0xc6130002) << 32 | (0xc6120000u + i); }
static inline uint64_t w1_of(uint32_t i) { return 80 + (i & 7); }

/* x86 is little endian: the block's bytes are the words' own (as app/core/mac.c reads them). */
static inline void
le_block(uint8_t b[16], uint64_t w0, uint64_t w1)
{
	memcpy(b, &w0, 8);
	memcpy(b + 8, &w1, 8);
}

static inline uint64_t
le64(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, 8);
	return v;
}

static EVP_CIPHER_CTX *
evp_new(void)
{
	uint8_t key[16];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	le_block(key, K0, K1);
	if (ctx == NULL || EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL) != 1) {
		fprintf(stderr, "macbench: libcrypto's aes-128-ecb cannot be set up\n");
		exit(1);
	}
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	return ctx;
}

/* n blocks through EVP in one call; their tags into out. */
static void
evp_tags(EVP_CIPHER_CTX *ctx, uint32_t first, unsigned int n, uint64_t out[])
{
	uint8_t in[BURST * 16], ct[BURST * 16];
	int len;

	for (unsigned int j = 0; j < n; j++)
		le_block(in + 16 * j, w0_of(first + j), w1_of(first + j));
	EVP_EncryptUpdate(ctx, ct, &len, in, (int)(16 * n));
	for (unsigned int j = 0; j < n; j++)
		out[j] = le64(ct + 16 * j);
}

static int
agree(const struct trawl_mac *ni, const struct trawl_mac *pt, EVP_CIPHER_CTX *ctx)
{
	uint64_t a[BURST], b[BURST], e[BURST], w0[BURST], w1[BURST];

	for (uint32_t i = 0; i < 4096; i += BURST) {
		for (unsigned int j = 0; j < BURST; j++) {
			w0[j] = w0_of(i + j);
			w1[j] = w1_of(i + j);
		}
		ni->tags(ni, w0, w1, a, BURST);
		evp_tags(ctx, i, BURST, e);
		for (unsigned int j = 0; j < BURST; j++) {
			b[j] = pt->tag(pt, w0[j], w1[j]);
			if (a[j] != e[j] || b[j] != e[j] || ni->tag(ni, w0[j], w1[j]) != e[j])
				return 0;
		}
	}
	return 1;
}

int
main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1u << 24;
	struct trawl_mac ni, pt;
	struct trawl_siphash_key sk = { K0, K1 };
	EVP_CIPHER_CTX *ctx = evp_new();
	uint64_t acc = 0, t, w0[BURST], w1[BURST], out[BURST];
	double sip, one, burst, port, evp1, evpb;

	n -= n % BURST;
	trawl_mac_init(&ni, K0, K1, TRAWL_MAC_BEST);
	trawl_mac_init(&pt, K0, K1, TRAWL_MAC_PORTABLE);
	if (!agree(&ni, &pt, ctx)) {
		fprintf(stderr, "macbench: the implementations disagree\n");
		return 1;
	}
#define TIMED(var, body) do { t = __rdtsc(); body; var = (double)(__rdtsc() - t) / n; } while (0)
	TIMED(sip, for (uint32_t i = 0; i < n; i++) acc ^= trawl_siphash24_2w(&sk, w0_of(i), w1_of(i)));
	TIMED(one, for (uint32_t i = 0; i < n; i++) acc ^= ni.tag(&ni, w0_of(i), w1_of(i)));
	TIMED(burst, for (uint32_t i = 0; i < n; i += BURST) {
		for (unsigned int j = 0; j < BURST; j++) {
			w0[j] = w0_of(i + j);
			w1[j] = w1_of(i + j);
		}
		ni.tags(&ni, w0, w1, out, BURST);
		acc ^= out[0] ^ out[BURST - 1];
	});
	TIMED(port, for (uint32_t i = 0; i < n; i++) acc ^= pt.tag(&pt, w0_of(i), w1_of(i)));
	TIMED(evp1, for (uint32_t i = 0; i < n; i++) { evp_tags(ctx, i, 1, out); acc ^= out[0]; });
	TIMED(evpb, for (uint32_t i = 0; i < n; i += BURST) { evp_tags(ctx, i, BURST, out); acc ^= out[0]; });
#undef TIMED
	if (acc == 42)
		printf("(unlikely)\n");
	EVP_CIPHER_CTX_free(ctx);
	printf("| the MAC alone, %" PRIu32 " independent tags, TSC ticks/tag | SipHash-2-4 (before issue 23) %.1f | "
		"trawl_mac %s: one block %.1f, bursts of %d %.1f; portable rounds %.1f |\n", n, sip, ni.impl, one, BURST,
		burst, port);
	printf("| the same through libcrypto (EVP aes-128-ecb) | one block per call %.1f | %d blocks per call %.1f "
		"(their tags packed and unpacked included) |\n", evp1, BURST, evpb);
	return 0;
}
