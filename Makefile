# pid2pod - plain GNU make.
# Project flags live in P2P_*; the user's CFLAGS/LDFLAGS are appended, never
# replace them (so a CFLAGS=-O0 does not silently drop warnings or hardening).

PREFIX    ?= /usr
SBINDIR   ?= /sbin
BINDIR    ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
MANDIR    ?= $(PREFIX)/share/man
DESTDIR   ?=

CC        ?= cc
CFLAGS    ?= -O2 -g
WERROR    ?= -Werror
B         := build

P2P_WARN  := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
             -Wmissing-prototypes -Wvla -Wno-unused-parameter $(WERROR)
P2P_HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
P2P_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Iinclude $(P2P_WARN) $(P2P_HARDEN) \
              -MMD -MP
P2P_LDFLAGS := -pie -Wl,-z,relro -Wl,-z,now
LIBS      := -lauparse -laudit -lcurl -ljson-c -lcap-ng -lpthread

SRCS      := $(wildcard src/*.c)
LIB_SRCS  := $(filter-out src/main.c,$(SRCS))
LIB_OBJS  := $(LIB_SRCS:src/%.c=$(B)/obj/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
TOOL_SRCS := $(wildcard tests/tools/*.c)
BENCH_SRCS := $(wildcard bench/bench_*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(B)/bench/%)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(B)/tools/%)

PLUGIN    := $(B)/audisp-pid2pod

.PHONY: all unit check demo deps bench clean install uninstall
all: $(PLUGIN)

$(B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(P2P_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/libpid2pod.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(PLUGIN): $(B)/obj/main.o $(B)/libpid2pod.a
	$(CC) $(P2P_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libpid2pod.a tests/unit/check.h
	@mkdir -p $(@D)
	$(CC) $(P2P_CFLAGS) $(CFLAGS) $(P2P_LDFLAGS) $(LDFLAGS) -o $@ $< \
		$(B)/libpid2pod.a $(LIBS)

$(B)/tools/%: tests/tools/%.c $(B)/libpid2pod.a
	@mkdir -p $(@D)
	$(CC) $(P2P_CFLAGS) $(CFLAGS) $(P2P_LDFLAGS) $(LDFLAGS) -o $@ $< \
		$(B)/libpid2pod.a $(LIBS)

$(B)/bench/%: bench/%.c $(B)/libpid2pod.a
	@mkdir -p $(@D)
	$(CC) $(P2P_CFLAGS) $(CFLAGS) $(P2P_LDFLAGS) $(LDFLAGS) -o $@ $< \
		$(B)/libpid2pod.a $(LIBS)

# Benchmarks print figures (ratios against peers where there are peers);
# they are never timed assertions and are not part of `make check`.
bench: $(PLUGIN) $(BENCH_BINS)
	@for b in $(BENCH_BINS); do echo "== $$b"; $$b || exit 1; done

# Everything needed to build and to test, from Debian's archive only.
DEPS_PKGS := build-essential pkg-config clang libclang-rt-14-dev \
	libaudit-dev libauparse-dev libcurl4-openssl-dev libjson-c-dev \
	libcap-ng-dev auditd rsyslog python3 python3-yaml openssl \
	nginx-light containerd runc busybox-static procps util-linux
deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEPS_PKGS)

unit: $(UNIT_BINS) $(TOOL_BINS) $(BENCH_BINS)

check: $(PLUGIN) $(UNIT_BINS) $(TOOL_BINS)
	@B=$(B) bash tests/run.sh

demo: $(PLUGIN)
	@bash tests/demo.sh $(PLUGIN)

clean:
	rm -rf $(B)

-include $(LIB_OBJS:.o=.d) $(B)/obj/main.d
