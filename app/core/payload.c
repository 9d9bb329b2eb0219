/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "app/core/payload.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
trawl_payload_hex(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(hex);

	if (n % 2 != 0)
		return -EINVAL;
	if (n / 2 > cap)
		return -E2BIG;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);

		if (hi < 0 || lo < 0) {
			*len = i;
			return -EILSEQ;
		}
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

int
trawl_payload_file(const char *path, uint8_t *out, size_t cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	uint8_t extra;
	ssize_t n = 0;
	int rc = 0;

	if (fd < 0)
		return -errno;
	while (got < cap && (n = read(fd, out + got, cap - got)) > 0)
		got += (size_t)n;
	if (n >= 0 && got == cap)
		n = read(fd, &extra, 1); /* one byte more says it is too long */
	if (n < 0)
		rc = -errno;
	else if (got == cap && n > 0)
		rc = -E2BIG;
	close(fd);
	*len = got;
	return rc;
}
