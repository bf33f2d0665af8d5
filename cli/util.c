/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.c - what every file of the command uses: its one-line messages on
 * stderr and the reading of a pid operand.  It calls no other file of
 * cli/, so any of them may call it (tests/lint/cli_calls.sh).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("pid2pod: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_parse_pid(const char *s, int32_t *ret)
{
	char *end;
	long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > INT32_MAX)
		return -EINVAL;
	*ret = (int32_t)v;
	return 0;
}
