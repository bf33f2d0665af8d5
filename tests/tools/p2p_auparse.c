/* SPDX-License-Identifier: Apache-2.0 */
/*
 * p2p_auparse.c - how libauparse reads a log: one line per record with its
 * serial, type, and the FIRST value auparse gives for each asked field
 * (what auparse_find_field returns on that record), "-" when absent.
 *
 *   p2p_auparse FILE FIELD...
 *   -> SERIAL TYPE FIELD=VALUE ...
 *
 * The adversarial tests read the plugin's output with it: a forged field
 * inside a user message must come after ours, never before.  Fields are
 * walked within the record (auparse_find_field may move to a later record
 * when the current one lacks the field).
 */
#include <stdio.h>
#include <string.h>

#include <auparse.h>

#define ASKED_MAX 16

int main(int argc, char **argv)
{
	const char *first[ASKED_MAX];
	auparse_state_t *au;
	int nasked = argc - 2;

	if (argc < 3 || nasked > ASKED_MAX) {
		fprintf(stderr, "usage: p2p_auparse FILE FIELD...\n");
		return 2;
	}
	au = auparse_init(AUSOURCE_FILE, argv[1]);
	if (!au) {
		perror(argv[1]);
		return 1;
	}
	while (auparse_next_event(au) > 0) {
		const au_event_t *e = auparse_get_timestamp(au);

		if (auparse_first_record(au) <= 0)
			continue;
		do {
			const char *type = auparse_get_type_name(au);

			memset(first, 0, sizeof first);
			if (auparse_first_field(au) > 0) {
				do {
					const char *n = auparse_get_field_name(au);

					for (int i = 0; n && i < nasked; i++)
						if (!first[i] && strcmp(n, argv[i + 2]) == 0)
							first[i] = auparse_get_field_str(au);
				} while (auparse_next_field(au) > 0);
			}
			printf("%lu %s", e ? e->serial : 0UL, type ? type : "?");
			for (int i = 0; i < nasked; i++)
				printf(" %s=%s", argv[i + 2], first[i] ? first[i] : "-");
			putchar('\n');
		} while (auparse_next_record(au) > 0);
	}
	auparse_destroy(au);
	return 0;
}
