/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auparse_pass.c - the bare libauparse pass-through the bench compares
 * pid2pod with: stdin fed to auparse in AUSOURCE_FEED mode (64 KiB reads),
 * and for each event auparse hands back, each of its records printed as it
 * came in (the record's text, then 0x1D and the interpretations when the
 * record had them) to a buffered stdout.  What any auparse-based plugin pays
 * before it does its own work.  Not a bench_*.c: `make bench` runs it
 * through bench/run.sh, not as a microbenchmark.
 */
#include <auparse.h>
#include <stdio.h>
#include <unistd.h>

static void on_event(auparse_state_t *au, auparse_cb_event_t type, void *data __attribute__((unused)))
{
	if (type != AUPARSE_CB_EVENT_READY)
		return;
	if (auparse_first_record(au) <= 0)
		return;
	do {
		const char *text = auparse_get_record_text(au);
		const char *interp = auparse_get_record_interpretations(au);

		if (!text)
			continue;
		fputs(text, stdout);
		if (interp && *interp) {
			putchar(0x1D);
			fputs(interp, stdout);
		}
		putchar('\n');
	} while (auparse_next_record(au) > 0);
}

int main(void)
{
	static char buf[65536];
	static char obuf[1 << 20];
	auparse_state_t *au = auparse_init(AUSOURCE_FEED, NULL);
	ssize_t n;

	if (!au)
		return 1;
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	auparse_add_callback(au, on_event, NULL, NULL);
	while ((n = read(0, buf, sizeof(buf))) > 0)
		auparse_feed(au, buf, (size_t)n);
	auparse_flush_feed(au);
	auparse_destroy(au);
	return fflush(stdout) ? 1 : 0;
}
