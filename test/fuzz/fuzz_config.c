/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration files that arrive from outside the binary: the input as a
 * -C settings file, as a campaign file, and as a checkpoint, each parsed
 * from an exact-size heap copy (libyaml's and jansson's string readers),
 * each freed again (a leak is a finding).
 */
#include "test/fuzz/fuzz.h"

#include "app/campaign/conf.h"
#include "app/core/checkpoint.h"
#include "app/core/yamlconf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trawl_yaml_settings set;
	struct trawl_campaign camp;
	struct trawl_ckpt ck;
	struct trawl_err err;
	uint8_t *copy;

	if (size > 1 << 20)
		return 0;
	copy = fuzz_copy(data, size);
	if (trawl_yaml_settings_parse("fuzz.yaml", copy, size, &set, &err) == 0)
		trawl_yaml_settings_free(&set);
	trawl_campaign_parse("/fuzz/campaign.yaml", (const char *)copy, size, &camp, &err);
	trawl_campaign_free(&camp);
	(void)trawl_ckpt_parse("fuzz.ckpt", (const char *)copy, size, &ck, &err);
	free(copy);
	return 0;
}
