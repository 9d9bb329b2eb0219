/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "app/core/siphash.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

static inline uint64_t
load_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static inline void
sip_init(struct sip_state *s, const struct trawl_siphash_key *key)
{
	s->v0 = 0x736f6d6570736575ULL ^ key->k0;
	s->v1 = 0x646f72616e646f6dULL ^ key->k1;
	s->v2 = 0x6c7967656e657261ULL ^ key->k0;
	s->v3 = 0x7465646279746573ULL ^ key->k1;
}

/* Absorb one 64-bit message word: two compression rounds. */
static inline void
sip_word(struct sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	SIPROUND(s->v0, s->v1, s->v2, s->v3);
	SIPROUND(s->v0, s->v1, s->v2, s->v3);
	s->v0 ^= m;
}

/* The last word (length and tail bytes), then four finalisation rounds. */
static inline uint64_t
sip_finish(struct sip_state *s, uint64_t last)
{
	sip_word(s, last);
	s->v2 ^= 0xff;
	SIPROUND(s->v0, s->v1, s->v2, s->v3);
	SIPROUND(s->v0, s->v1, s->v2, s->v3);
	SIPROUND(s->v0, s->v1, s->v2, s->v3);
	SIPROUND(s->v0, s->v1, s->v2, s->v3);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

uint64_t
trawl_siphash24(const struct trawl_siphash_key *key, const void *in, size_t len)
{
	const uint8_t *p = in;
	uint64_t b = (uint64_t)len << 56;
	struct sip_state s;
	size_t i;

	sip_init(&s, key);
	for (i = 0; i + 8 <= len; i += 8)
		sip_word(&s, load_le64(p + i));
	for (size_t j = 0; i + j < len; j++)
		b |= (uint64_t)p[i + j] << (8 * j);
	return sip_finish(&s, b);
}

uint64_t
trawl_siphash24_2w(const struct trawl_siphash_key *key, uint64_t w0, uint64_t w1)
{
	struct sip_state s;

	sip_init(&s, key);
	sip_word(&s, w0);
	sip_word(&s, w1);
	return sip_finish(&s, (uint64_t)16 << 56);
}
