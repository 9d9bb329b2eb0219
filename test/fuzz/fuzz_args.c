/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a user or a campaign file hands a scan as text: --output-filter
 * expressions (compiled for each module's fields, then run on a result),
 * --probe-args hex payloads, and IPv4 addresses and CIDR blocks (TARGETs).
 */
#include "test/fuzz/fuzz.h"

#include "app/core/ipv4.h"
#include "app/core/payload.h"
#include "app/outputs/filter.h"
#include "app/probes/probe.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mods[] = { TRAWL_FIELDS_TCP, TRAWL_FIELDS_ICMP, TRAWL_FIELDS_UDP };
	uint8_t payload[TRAWL_PROBE_PAYLOAD_MAX];
	struct trawl_result r;
	struct trawl_filter f;
	struct trawl_range rg;
	struct trawl_err err;
	uint32_t a;
	size_t len;
	char *s;

	if (size > 4096)
		return 0;
	s = fuzz_string(data, size);
	memset(&r, 0, sizeof(r));
	r.saddr = 0xc6120001;
	r.sport = 80;
	for (unsigned int i = 0; i < sizeof(mods); i++)
		if (trawl_filter_compile(&f, s, mods[i], &err) == 0)
			(void)trawl_filter_match(&f, &r, NULL);
	if (trawl_payload_hex(s, payload, sizeof(payload), &len) == 0 && len > sizeof(payload))
		abort();
	(void)trawl_parse_ipv4(s, &a);
	if (trawl_parse_cidr(s, &rg) == 0 && rg.lo > rg.hi)
		abort();
	free(s);
	return 0;
}
