/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonnames_list.c - print the name table of json_schema = ecs | otel
 * (src/output/jsonnames.c) as "schema name type spec|custom" lines, for
 * tests/spec/check_names.js (test_json_names).
 */
#include <stdio.h>

#include "output/jsonnames.h"

int main(void)
{
	jsonnames_print(stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
