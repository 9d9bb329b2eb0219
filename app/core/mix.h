/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_MIX_H
#define TRAWL_MIX_H

#include <stdint.h>

/*
 * MurmurHash3's 64-bit finalizer (fmix64): every input bit moves every
 * output bit. Not keyed: for spreading keys over a table (the dedup hash,
 * the IPv6 list's directory), not against an adversary.
 */
static inline uint64_t
trawl_fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64_C(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return k;
}

#endif
