/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_TEST_REFCSUM_H
#define TRAWL_TEST_REFCSUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * RFC 1071 one's-complement sum, written out plainly as the tests' own
 * reference: independent of DPDK's checksum helpers that the code uses.
 */
static inline uint16_t
ref_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The TCP/UDP pseudo-header sum of an IPv4 header (protocol and L4 length from it). */
static inline uint32_t
ref_pseudo(const uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 0xf) * 4, total = (size_t)(ip[2] << 8 | ip[3]);

	return (uint32_t)(ip[12] << 8 | ip[13]) + (uint32_t)(ip[14] << 8 | ip[15]) +
		(uint32_t)(ip[16] << 8 | ip[17]) + (uint32_t)(ip[18] << 8 | ip[19]) + ip[9] + (uint32_t)(total - ihl);
}

#endif
