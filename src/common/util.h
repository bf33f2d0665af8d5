/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.h - small helpers shared by every module: cleanup attributes,
 * full reads and writes, a millisecond clock.
 */
#ifndef P2P_UTIL_H
#define P2P_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

/* hex_digit - the value of one hex digit (either case), or -1. */
static inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* read until size bytes or EOF; returns bytes read or -errno. */
ssize_t read_full(int fd, void *buf, size_t size);
/* write all of buf (retrying EINTR); returns 0 or -errno. */
int write_full(int fd, const void *buf, size_t size);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t now_ms(void);

#endif
