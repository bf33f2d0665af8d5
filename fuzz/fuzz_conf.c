/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_conf.c - the config parser on any bytes: errors, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	char err[2048];
	int r = conf_parse_buf("fuzz", (const char *)data, size, &c, err, sizeof err);

	if (!memchr(err, '\0', sizeof err))
		abort();
	if (r == 0 && (!c.proc_root[0] || c.queue_max_bytes < 64 * 1024))
		abort();
	if (r != 0 && err[0] == '\0')
		abort();
	return 0;
}
