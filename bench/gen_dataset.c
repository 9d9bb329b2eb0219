/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_dataset N [SEED]: N random IPv4 addresses (public-looking, one per
 * line) on stdout, ReScan-style ground truth for load-time benchmarks. The
 * addresses are only ever loaded into a responder's tables, never sent to.
 */
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000;
	unsigned long long s = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	static char buf[1 << 20];

	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	for (unsigned long long i = 0; i < n; i++) {
		unsigned int a;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		a = (unsigned int)(s >> 16);
		printf("%u.%u.%u.%u\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	}
	return 0;
}
