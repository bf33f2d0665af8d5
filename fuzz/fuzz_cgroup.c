/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_cgroup.c - cgroup_parse on any bytes: results well-formed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cgroup_result r;
	enum cgroup_verdict v = cgroup_parse((const char *)data, size, &r);
	size_t cl = strnlen(r.container_id, sizeof r.container_id);

	if (cl == sizeof r.container_id || (cl != 0 && cl != 64))
		abort();
	if (v == CGROUP_CONTAINER && cl != 64)
		abort();
	if ((v == CGROUP_HOST || v == CGROUP_AMBIGUOUS || v == CGROUP_EMPTY) &&
	    (cl || r.pod_uid[0]))
		abort();
	return 0;
}
