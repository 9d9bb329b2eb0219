/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual internet's datasets (respond --dataset): the input as a
 * dataset file, text or binary (told apart by the magic, as a load does),
 * from an exact-size heap copy; then sealed and asked about its hosts.
 */
#include "test/fuzz/fuzz.h"

#include "app/respond/dataset.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trawl_dataset ds;
	static int ready;
	struct trawl_err err;
	uint8_t *copy;

	if (size > 1 << 20)
		return 0;
	/* One 512 MiB bitmap (reserved, not touched) for the run, cleared between inputs by a fresh init. */
	if (ready)
		trawl_dataset_free(&ds);
	if (trawl_dataset_init(&ds) != 0)
		abort();
	ready = 1;
	ds.max_pairs = 1 << 20; /* 8 MiB: a "CIDR:PORT" line's pairs within libFuzzer's memory limit */
	copy = fuzz_copy(data, size);
	if (trawl_dataset_parse(&ds, "fuzz", copy, size, &err) == 0) {
		trawl_dataset_seal(&ds);
		(void)trawl_dataset_open(&ds, 0xc6120001, 80, NULL);
		(void)trawl_dataset_live(&ds, 0xc6120001);
	}
	free(copy);
	return 0;
}
