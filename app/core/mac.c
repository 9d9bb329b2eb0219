/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "app/core/mac.h"

/* FIPS-197 section 5.1.1. */
static const uint8_t sbox[256] = {
	0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
	0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
	0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
	0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
	0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
	0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
	0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
	0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
	0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
	0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
	0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
	0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
	0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
	0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
	0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
	0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
};

static uint8_t
xtime(uint8_t x)
{
	return (uint8_t)(x << 1 ^ ((x >> 7) * 0x1b));
}

/* FIPS-197 section 5.2: the round keys, 4 words per round, RotWord/SubWord/Rcon every fourth. */
static void
expand(uint8_t rk[11][16], const uint8_t key[16])
{
	uint8_t *w = rk[0], rcon = 1;

	memcpy(w, key, 16);
	for (unsigned int i = 16; i < 176; i += 4) {
		uint8_t t[4] = { w[i - 4], w[i - 3], w[i - 2], w[i - 1] };

		if (i % 16 == 0) {
			uint8_t t0 = t[0];

			t[0] = (uint8_t)(sbox[t[1]] ^ rcon);
			t[1] = sbox[t[2]];
			t[2] = sbox[t[3]];
			t[3] = sbox[t0];
			rcon = xtime(rcon);
		}
		for (unsigned int j = 0; j < 4; j++)
			w[i + j] = w[i - 16 + j] ^ t[j];
	}
}

static void
load_block(uint8_t b[16], uint64_t w0, uint64_t w1)
{
	for (unsigned int i = 0; i < 8; i++) {
		b[i] = (uint8_t)(w0 >> (8 * i));
		b[8 + i] = (uint8_t)(w1 >> (8 * i));
	}
}

/* FIPS-197 section 5.1: SubBytes, ShiftRows, MixColumns, AddRoundKey; the state column-major. */
static uint64_t
portable_tag(const struct trawl_mac *m, uint64_t w0, uint64_t w1)
{
	uint8_t s[16], t[16];
	uint64_t tag = 0;

	load_block(s, w0, w1);
	for (unsigned int i = 0; i < 16; i++)
		s[i] ^= m->rk[0][i];
	for (unsigned int r = 1; r <= 10; r++) {
		/* SubBytes and ShiftRows together: row i of column c comes from column c + i. */
		for (unsigned int c = 0; c < 4; c++)
			for (unsigned int i = 0; i < 4; i++)
				t[4 * c + i] = sbox[s[4 * ((c + i) % 4) + i]];
		for (unsigned int c = 0; c < 4 && r < 10; c++) {
			uint8_t *a = &t[4 * c], x = (uint8_t)(a[0] ^ a[1] ^ a[2] ^ a[3]), a0 = a[0];

			a[0] ^= x ^ xtime(a[0] ^ a[1]);
			a[1] ^= x ^ xtime(a[1] ^ a[2]);
			a[2] ^= x ^ xtime(a[2] ^ a[3]);
			a[3] ^= x ^ xtime(a[3] ^ a0);
		}
		for (unsigned int i = 0; i < 16; i++)
			s[i] = t[i] ^ m->rk[r][i];
	}
	for (unsigned int i = 0; i < 8; i++)
		tag |= (uint64_t)s[i] << (8 * i);
	return tag;
}

static void
portable_tags(const struct trawl_mac *m, const uint64_t w0[], const uint64_t w1[], uint64_t out[],
		unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		out[i] = portable_tag(m, w0[i], w1[i]);
}

#if defined(__x86_64__)
#include <wmmintrin.h>

/*
 * The project builds for -march=corei7 (DPDK's baseline), which has no AES:
 * these functions carry the target themselves and are chosen at run time.
 * An aesenc takes 3-4 cycles of latency and the CPU issues one or two per
 * cycle, so one block alone waits ~40 cycles on its chain: the batch form
 * runs four blocks' rounds side by side, and the single form relies on the
 * work between two calls (a reply's parse) to overlap the next chain.
 */
__attribute__((target("aes,sse2"))) static uint64_t
aesni_tag(const struct trawl_mac *m, uint64_t w0, uint64_t w1)
{
	const __m128i *rk = (const __m128i *)m->rk;
	__m128i s = _mm_xor_si128(_mm_set_epi64x((long long)w1, (long long)w0), _mm_load_si128(&rk[0]));

	for (unsigned int r = 1; r < 10; r++)
		s = _mm_aesenc_si128(s, _mm_load_si128(&rk[r]));
	s = _mm_aesenclast_si128(s, _mm_load_si128(&rk[10]));
	return (uint64_t)_mm_cvtsi128_si64(s);
}

__attribute__((target("aes,sse2"))) static void
aesni_tags(const struct trawl_mac *m, const uint64_t w0[], const uint64_t w1[], uint64_t out[], unsigned int n)
{
	const __m128i *rk = (const __m128i *)m->rk;
	unsigned int i = 0;

	for (; i + 4 <= n; i += 4) {
		__m128i k = _mm_load_si128(&rk[0]);
		__m128i a = _mm_xor_si128(_mm_set_epi64x((long long)w1[i], (long long)w0[i]), k);
		__m128i b = _mm_xor_si128(_mm_set_epi64x((long long)w1[i + 1], (long long)w0[i + 1]), k);
		__m128i c = _mm_xor_si128(_mm_set_epi64x((long long)w1[i + 2], (long long)w0[i + 2]), k);
		__m128i d = _mm_xor_si128(_mm_set_epi64x((long long)w1[i + 3], (long long)w0[i + 3]), k);

		for (unsigned int r = 1; r < 10; r++) {
			k = _mm_load_si128(&rk[r]);
			a = _mm_aesenc_si128(a, k);
			b = _mm_aesenc_si128(b, k);
			c = _mm_aesenc_si128(c, k);
			d = _mm_aesenc_si128(d, k);
		}
		k = _mm_load_si128(&rk[10]);
		out[i] = (uint64_t)_mm_cvtsi128_si64(_mm_aesenclast_si128(a, k));
		out[i + 1] = (uint64_t)_mm_cvtsi128_si64(_mm_aesenclast_si128(b, k));
		out[i + 2] = (uint64_t)_mm_cvtsi128_si64(_mm_aesenclast_si128(c, k));
		out[i + 3] = (uint64_t)_mm_cvtsi128_si64(_mm_aesenclast_si128(d, k));
	}
	for (; i < n; i++)
		out[i] = aesni_tag(m, w0[i], w1[i]);
}

int
trawl_mac_have_aesni(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("aes");
}
#else
int
trawl_mac_have_aesni(void)
{
	return 0;
}
#endif

void
trawl_mac_init(struct trawl_mac *m, uint64_t k0, uint64_t k1, enum trawl_mac_impl impl)
{
	uint8_t key[16];

	load_block(key, k0, k1);
	expand(m->rk, key);
	m->tag = portable_tag;
	m->tags = portable_tags;
	m->impl = "portable";
#if defined(__x86_64__)
	if (impl == TRAWL_MAC_BEST && trawl_mac_have_aesni()) {
		m->tag = aesni_tag;
		m->tags = aesni_tags;
		m->impl = "aes-ni";
	}
#endif
	(void)impl;
}
