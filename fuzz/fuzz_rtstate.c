/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_rtstate.c - the runtime state parser, each layout, on any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "podmeta/rtstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int kind = RTSTATE_CONTAINERD; kind <= RTSTATE_DOCKER; kind++) {
		struct rtstate_meta m;
		int r = rtstate_parse(kind, (const char *)data, size, &m);

		if (r < -200 || r > 1)
			abort();
		check_str(m.namespace_, sizeof m.namespace_);
		check_str(m.pod, sizeof m.pod);
		check_str(m.container, sizeof m.container);
		check_str(m.image, sizeof m.image);
		check_str(m.pod_uid, sizeof m.pod_uid);
		if (r == 1 && (!m.namespace_[0] || !m.pod[0]))
			abort();
	}
	return 0;
}
