/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_SIPHASH_H
#define TRAWL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit PRF that is
 * cheap on short inputs. trawl uses it as the validation MAC: neither DPDK
 * nor our other dependencies ship a keyed cryptographic hash (rte_jhash and
 * rte_hash_crc are not keyed PRFs, so an off-path host could forge replies).
 */
struct trawl_siphash_key {
	uint64_t k0;
	uint64_t k1;
};

/** SipHash-2-4 of @p len bytes at @p in under @p key. */
uint64_t trawl_siphash24(const struct trawl_siphash_key *key, const void *in, size_t len);

/**
 * SipHash-2-4 of exactly 16 bytes given as two little-endian words: the
 * probe hot path calls this with no buffer, no loop and no tail handling.
 * Equal to trawl_siphash24() over the 16 bytes of (w0, w1) in little endian.
 */
uint64_t trawl_siphash24_2w(const struct trawl_siphash_key *key, uint64_t w0, uint64_t w1);

#endif
