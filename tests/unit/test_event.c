/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_event.c - event grouping for JSON output, driven by an injected
 * clock: no sleeps.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "output/event.h"

struct sink {
	int n;
	uint64_t serial[64];
	unsigned nrec[64];
	int how[64];
	int refuse; /* pretend the output is full */
	char first_rec[64][80];
	int has_id[64];
	int id_state[64];
};

static int emit(void *ctx, const struct event *ev)
{
	struct sink *s = ctx;

	if (s->refuse)
		return -ENOSPC;
	if (s->n < 64) {
		s->serial[s->n] = ev->serial;
		s->nrec[s->n] = ev->nrec;
		s->how[s->n] = ev->complete_by;
		snprintf(s->first_rec[s->n], sizeof s->first_rec[0], "%.*s",
			 (int)(strchr(ev->buf, '\n') - ev->buf), ev->buf);
		s->has_id[s->n] = ev->has_id;
		s->id_state[s->n] = ev->id.state;
	}
	s->n++;
	return 0;
}

static void add_id(struct eventtab *t, const char *line,
		   const struct ident *id, int64_t now)
{
	struct record r;

	record_scan(line, strlen(line), &r);
	eventtab_add(t, &r, id, NULL, now);
	eventtab_drain(t);
}

static void add(struct eventtab *t, const char *line, int64_t now)
{
	add_id(t, line, NULL, now);
}

int main(void)
{
	struct sink s;
	struct eventtab *t;

	CASE("interleaved events close at their EOE, in completion order") {
		memset(&s, 0, sizeof s);
		t = eventtab_new(emit, &s);
		add(t, "type=SYSCALL msg=audit(1.0:1): pid=1", 0);
		add(t, "type=SYSCALL msg=audit(1.0:2): pid=2", 0);
		add(t, "type=CWD msg=audit(1.0:1): cwd=\"/\"", 0);
		add(t, "type=EOE msg=audit(1.0:2): ", 0);
		CHECK_INT(s.n, 1);
		CHECK_INT(s.serial[0], 2);
		add(t, "type=EOE msg=audit(1.0:1):", 0);
		CHECK_INT(s.n, 2);
		CHECK_INT(s.serial[1], 1);
		CHECK_INT(s.nrec[1], 2);
		CHECK_STR(s.first_rec[1], "type=SYSCALL msg=audit(1.0:1): pid=1");
		CHECK_INT(eventtab_bytes(t), 0);
		eventtab_free(t);
	}
	CASE("user-space records complete at once") {
		memset(&s, 0, sizeof s);
		t = eventtab_new(emit, &s);
		add(t, "type=USER_LOGIN msg=audit(1.0:5): pid=1 msg='x'", 0);
		add(t, "type=DAEMON_START msg=audit(1.0:6): op=start pid=3", 0);
		add(t, "type=USER msg=audit(1.0:7): pid=1 msg='x'", 0);
		CHECK_INT(s.n, 3);
		CHECK_INT(s.how[0], EVCLOSE_SINGLE);
		eventtab_free(t);
	}
	CASE("timeout: not before EVENT_TIMEOUT_MS, exactly at it") {
		memset(&s, 0, sizeof s);
		t = eventtab_new(emit, &s);
		add(t, "type=SYSCALL msg=audit(1.0:9): pid=1", 1000);
		add(t, "type=SYSCALL msg=audit(1.0:10): pid=1", 1500);
		CHECK_INT(eventtab_next_deadline(t), 1000 + EVENT_TIMEOUT_MS);
		eventtab_expire(t, 1000 + EVENT_TIMEOUT_MS - 1);
		eventtab_drain(t);
		CHECK_INT(s.n, 0);
		eventtab_expire(t, 1000 + EVENT_TIMEOUT_MS);
		eventtab_drain(t);
		CHECK_INT(s.n, 1);
		CHECK_INT(s.how[0], EVCLOSE_TIMEOUT);
		CHECK_INT(eventtab_next_deadline(t), 1500 + EVENT_TIMEOUT_MS);
		eventtab_flush(t);
		eventtab_drain(t);
		CHECK_INT(s.n, 2);
		CHECK_INT(s.how[1], EVCLOSE_EOF);
		CHECK_INT(eventtab_next_deadline(t), -1);
		eventtab_free(t);
	}
	CASE("orphan EOE is counted, not emitted") {
		memset(&s, 0, sizeof s);
		t = eventtab_new(emit, &s);
		add(t, "type=EOE msg=audit(1.0:77): ", 0);
		CHECK_INT(s.n, 0);
		CHECK_INT(eventtab_stats(t)->orphan_eoe, 1);
		eventtab_free(t);
	}
	CASE("same serial on two nodes: two events") {
		memset(&s, 0, sizeof s);
		t = eventtab_new(emit, &s);
		add(t, "node=a type=SYSCALL msg=audit(1.0:3): pid=1", 0);
		add(t, "node=b type=SYSCALL msg=audit(1.0:3): pid=1", 0);
		add(t, "node=a type=EOE msg=audit(1.0:3): ", 0);
		CHECK_INT(s.n, 1);
		CHECK_INT(s.nrec[0], 1);
		eventtab_free(t);
	}
	CASE("same serial at two times (a reboot): two events, each its own") {
		memset(&s, 0, sizeof s);
		t = eventtab_new(emit, &s);
		add(t, "type=SYSCALL msg=audit(1.0:3): pid=1", 0);
		add(t, "type=SYSCALL msg=audit(9.5:3): pid=2", 0);
		add(t, "type=CWD msg=audit(9.5:3): cwd=\"/\"", 0);
		add(t, "type=EOE msg=audit(9.5:3): ", 0);
		CHECK_INT(s.n, 1);
		CHECK_INT(s.nrec[0], 2);
		CHECK_STR(s.first_rec[0], "type=SYSCALL msg=audit(9.5:3): pid=2");
		add(t, "type=EOE msg=audit(1.0:3): ", 0);
		CHECK_INT(s.n, 2);
		CHECK_INT(s.nrec[1], 1);
		CHECK_STR(s.first_rec[1], "type=SYSCALL msg=audit(1.0:3): pid=1");
		eventtab_free(t);
	}
	CASE("a full output keeps completed events, in order") {
		memset(&s, 0, sizeof s);
		t = eventtab_new(emit, &s);
		s.refuse = 1;
		add(t, "type=SYSCALL msg=audit(1.0:1): pid=1", 0);
		add(t, "type=EOE msg=audit(1.0:1): ", 0);
		add(t, "type=USER msg=audit(1.0:2): pid=1 msg='x'", 0);
		CHECK_INT(s.n, 0);
		CHECK_INT(eventtab_pending(t), 2);
		CHECK(eventtab_bytes(t) > 0);
		s.refuse = 0;
		eventtab_drain(t);
		CHECK_INT(s.n, 2);
		CHECK_INT(s.serial[0], 1);
		CHECK_INT(s.serial[1], 2);
		CHECK_INT(eventtab_bytes(t), 0);
		eventtab_free(t);
	}
	CASE("incomplete events: open count is capped, oldest closed first") {
		char line[128];

		memset(&s, 0, sizeof s);
		t = eventtab_new(emit, &s);
		for (int i = 0; i < EVENT_OPEN_MAX + 10; i++) {
			snprintf(line, sizeof line,
				 "type=SYSCALL msg=audit(1.0:%d): pid=1", 1000 + i);
			add(t, line, 0);
		}
		CHECK_INT(s.n, 10);
		CHECK_INT(s.serial[0], 1000);
		CHECK_INT(s.how[0], EVCLOSE_LIMIT);
		CHECK_INT(eventtab_stats(t)->open_max, EVENT_OPEN_MAX);
		eventtab_free(t);
	}
	/* NETFILTER_CFG whose pid= is not the kernel's (record.c: forged,
	 * looked up as unresolved), then the event's SYSCALL */
	CASE("a forged pid= names the event only until the kernel's comes") {
		static const struct ident unres = { .state = IDENT_UNRESOLVED };
		static const struct ident pod = { .state = IDENT_CONTAINER };

		memset(&s, 0, sizeof s);
		t = eventtab_new(emit, &s);
		add_id(t, "type=NETFILTER_CFG msg=audit(1.0:5): table=x pid=7 y family=2 entries=1 op=nft_register_table", &unres, 0);
		add_id(t, "type=SYSCALL msg=audit(1.0:5): arch=c000003e syscall=46 pid=42 comm=\"nft\"", &pod, 0);
		add(t, "type=EOE msg=audit(1.0:5): ", 0);
		/* alone, the forged one gives "?", never nothing (the host's) */
		add_id(t, "type=NETFILTER_CFG msg=audit(1.0:6): table=x pid=7 y family=2 entries=1 op=nft_register_table", &unres, 0);
		add(t, "type=EOE msg=audit(1.0:6): ", 0);
		CHECK_INT(s.n, 2);
		CHECK_INT(s.has_id[0], 1);
		CHECK_INT(s.id_state[0], IDENT_CONTAINER);
		CHECK_INT(s.has_id[1], 1);
		CHECK_INT(s.id_state[1], IDENT_UNRESOLVED);
		eventtab_free(t);
	}
	CASE("an event past EVENT_BYTES_MAX is split, nothing lost") {
		static char line[8000];
		int n = 0;

		memset(&s, 0, sizeof s);
		t = eventtab_new(emit, &s);
		memset(line, 'a', sizeof line - 1);
		memcpy(line, "type=EXECVE msg=audit(1.0:4): a=", 32);
		line[sizeof line - 1] = '\0';
		for (int i = 0; i < 40; i++, n++)
			add(t, line, 0);
		eventtab_flush(t);
		eventtab_drain(t);
		CHECK_INT(s.n, 2);
		CHECK_INT(s.nrec[0] + s.nrec[1], n);
		eventtab_free(t);
	}
	return check_done();
}
