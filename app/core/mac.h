/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_MAC_H
#define TRAWL_MAC_H

#include <stdint.h>

/*
 * The validation MAC: AES-128 of one 16-byte block, the two little-endian
 * words (w0, w1), under the run's 128-bit key; the tag is the first 8 bytes
 * of the ciphertext, read little endian. AES is a pseudo-random permutation,
 * so for the at most 2^48 distinct blocks of a scan its output is
 * indistinguishable from random bits without the key: the tag's 64 bits are
 * as good as SipHash-2-4's were (trawl used SipHash-2-4 until issue 23).
 *
 * Why by hand: the CPU's AES instructions make a block in about 5 TSC ticks
 * where SipHash-2-4 took 37, and the well-kept library with them, OpenSSL's
 * libcrypto (EVP aes-128-ecb), takes 33-46 ticks for one block per call, the
 * RX role's case (one reply, one tag): its per-call dispatch costs more than
 * the MAC it replaced. Given 32 blocks per call it makes 5.1 against these
 * 4.5 (bench/macbench, bench/RESULTS.md 2a), so TX would gain nothing from it
 * either. The round keys are expanded once, in portable C; the blocks go
 * through AES-NI where the CPU has it and through a portable implementation
 * (FIPS-197's round functions, tested against its vectors and against the
 * AES-NI path; 400-700 ticks a block, so a scan says so) where it has not.
 */
struct trawl_mac {
	uint8_t rk[11][16] __attribute__((aligned(16))); /**< AES-128 round keys (FIPS-197 byte order) */
	uint64_t (*tag)(const struct trawl_mac *m, uint64_t w0, uint64_t w1);
	/** n tags of independent blocks at once (the AES rounds of 4 blocks interleaved). */
	void (*tags)(const struct trawl_mac *m, const uint64_t w0[], const uint64_t w1[], uint64_t out[],
			unsigned int n);
	const char *impl;  /**< "aes-ni" or "portable" */
};

enum trawl_mac_impl {
	TRAWL_MAC_BEST,      /**< AES-NI where the CPU has it */
	TRAWL_MAC_PORTABLE,  /**< the portable rounds (tests, and CPUs without AES instructions) */
};

/**
 * Expand the 16-byte key @p key (k0 then k1, each little endian: the bytes
 * `--validation-key` prints) and choose the implementation (m->impl says which).
 */
void trawl_mac_init(struct trawl_mac *m, uint64_t k0, uint64_t k1, enum trawl_mac_impl impl);

/** Does this CPU have the AES instructions? */
int trawl_mac_have_aesni(void);

#endif
