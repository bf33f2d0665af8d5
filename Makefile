# SPDX-License-Identifier: Apache-2.0
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
STAGES    := common input resolve podmeta output plugin
STAGE_INC := -Isrc
P2P_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(STAGE_INC) $(P2P_WARN) $(P2P_HARDEN) \
              -MMD -MP
P2P_LDFLAGS := -pie -Wl,-z,relro -Wl,-z,now
LIBS      := -lauparse -laudit -lcurl -ljson-c -lcap-ng -lseccomp -lpthread

SRCS      := $(wildcard src/*/*.c)
LIB_SRCS  := $(filter-out src/plugin/main.c,$(SRCS))
LIB_OBJS  := $(LIB_SRCS:src/%.c=$(B)/obj/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
TOOL_SRCS := $(wildcard tests/tools/*.c)
FUZZ_TARGETS := record enrich cgroup rtstate conf podlist goaudit jsonmap
FUZZ_REPLAY := $(FUZZ_TARGETS:%=$(B)/fuzz-replay/fuzz_%)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)
FUZZ_SECONDS ?= 60
BENCH_SRCS := $(wildcard bench/bench_*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(B)/bench/%)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(B)/tools/%)

PLUGIN    := $(B)/audisp-pid2pod
CLI       := $(B)/pid2pod
CLI_SRCS  := $(wildcard cli/*.c)
CLI_OBJS  := $(CLI_SRCS:cli/%.c=$(B)/cli/%.o)
COMPLETIONSDIR ?= $(PREFIX)/share/bash-completion/completions

.PHONY: all unit check demo deps bench fuzz clean install uninstall deb rpm pkg-deps image mutants
all: $(PLUGIN) $(CLI)

$(B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(P2P_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/libpid2pod.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(PLUGIN): $(B)/obj/plugin/main.o $(B)/libpid2pod.a
	$(CC) $(P2P_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# The plugin with its test-only hooks (main.c under -DP2P_TEST_HOOKS): for
# tests (test_sandbox), never installed; $(PLUGIN) is never built with it.
HOOKS_PLUGIN := $(B)/hooks/audisp-pid2pod
$(B)/obj-hooks/plugin/main.o: src/plugin/main.c
	@mkdir -p $(@D)
	$(CC) $(P2P_CFLAGS) -DP2P_TEST_HOOKS $(CFLAGS) -c -o $@ $<

$(HOOKS_PLUGIN): $(B)/obj-hooks/plugin/main.o $(B)/libpid2pod.a
	@mkdir -p $(@D)
	$(CC) $(P2P_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# The pid2pod command: its own files in cli/, the plugin's library.
$(B)/cli/%.o: cli/%.c
	@mkdir -p $(@D)
	$(CC) $(P2P_CFLAGS) $(CFLAGS) -c -o $@ $<

$(CLI): $(CLI_OBJS) $(B)/libpid2pod.a
	$(CC) $(P2P_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libpid2pod.a $(wildcard tests/unit/*.h) $(wildcard src/*/*.h)
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

# Fuzz targets: replayed over their seeds by `make check` (gcc), and run by
# `make fuzz` under libFuzzer with ASan and UBSan (clang), FUZZ_SECONDS each.
# A crash stops `make fuzz`; its input goes to fuzz/corpus/<target>/ as a
# regression (replayed by `make check` from then on).
$(B)/fuzz-replay/fuzz_%: fuzz/fuzz_%.c fuzz/replay_main.c $(B)/libpid2pod.a
	@mkdir -p $(@D)
	$(CC) $(P2P_CFLAGS) $(CFLAGS) $(P2P_LDFLAGS) $(LDFLAGS) -o $@ $< \
		fuzz/replay_main.c $(B)/libpid2pod.a $(LIBS)

FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(STAGE_INC) -g -O1 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(B)/fuzz/fuzz_%: fuzz/fuzz_%.c $(LIB_SRCS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(LIBS)

fuzz: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		c=$(B)/fuzz-corpus/$$t; mkdir -p $$c fuzz/corpus/$$t $(B)/fuzz-crash; \
		echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
		if ! $(B)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=20000 \
			-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=$(B)/fuzz-crash/$$t- \
			$$c fuzz/seeds/$$t fuzz/corpus/$$t 2>$(B)/fuzz-$$t.log; then \
			tail -40 $(B)/fuzz-$$t.log; \
			cp $(B)/fuzz-crash/$$t-* fuzz/corpus/$$t/ 2>/dev/null || true; \
			echo "fuzz_$$t found a crash: input copied to fuzz/corpus/$$t/"; exit 1; \
		fi; \
		grep -E '^stat::number_of_executed_units|^Done' $(B)/fuzz-$$t.log || true; \
	done

# Benchmarks print figures (ratios against peers where there are peers);
# they are never timed assertions and are not part of `make check`.
# bench/run.sh: pid2pod against LAUREL, a bare libauparse pass-through and
# cat on the same streams, at scale, and CPU under real auditd (as root; it
# apt-gets what it lacks).  BENCH_PARTS, BENCH_ROUNDS, ...: see bench/run.sh.
BENCH_TOOLS := $(B)/benchtools/auparse_pass $(B)/benchtools/loadgen
bench: $(PLUGIN) $(BENCH_BINS) $(BENCH_TOOLS)
	@for b in $(BENCH_BINS); do echo "== $$b"; $$b || exit 1; done
	@B=$(B) bash bench/run.sh
	@# hook: the soak test runs last when it exists
	@if [ -f bench/soak.sh ]; then B=$(B) bash bench/soak.sh; fi

$(B)/benchtools/auparse_pass: bench/auparse_pass.c
	@mkdir -p $(@D)
	$(CC) $(P2P_CFLAGS) $(CFLAGS) $(P2P_LDFLAGS) $(LDFLAGS) -o $@ $< -lauparse -laudit

$(B)/benchtools/loadgen: bench/loadgen.c
	@mkdir -p $(@D)
	$(CC) $(P2P_CFLAGS) $(CFLAGS) $(P2P_LDFLAGS) $(LDFLAGS) -o $@ $<

# Everything needed to build and to test, from Debian's archive only.
DEPS_PKGS := build-essential pkg-config clang libclang-rt-14-dev \
	libaudit-dev libauparse-dev libcurl4-openssl-dev libjson-c-dev \
	libcap-ng-dev libseccomp-dev auditd rsyslog python3 python3-yaml python3-jsonschema openssl \
	nginx-light containerd runc busybox-static procps util-linux nftables \
	nodejs
# npm (test_json_names: the pinned specs) comes with some nodejs builds
# (NodeSource's provides it), Debian's as a package of its own
deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEPS_PKGS)
	command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm

unit: $(UNIT_BINS) $(TOOL_BINS) $(BENCH_BINS) $(HOOKS_PLUGIN)

check: $(PLUGIN) $(CLI) $(UNIT_BINS) $(TOOL_BINS) $(FUZZ_REPLAY) $(HOOKS_PLUGIN)
	@B=$(B) bash tests/run.sh

demo: $(PLUGIN)
	@bash tests/demo.sh $(PLUGIN)

# Do the tests catch the bugs that matter?  tests/mutants/*.mut, each
# applied alone to a scratch copy, built, and run against its tests.
mutants:
	@python3 tests/mutants/run.py

# Installed as audit's own plugins are: binary root-owned 0750 (auditd wants
# at least that), configs 0640, the plugins.d stanza shipped inactive.
INSTALL ?= install
install: $(PLUGIN) $(CLI)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR)/audit/plugins.d \
		$(DESTDIR)$(SYSCONFDIR)/audit/rules.d $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(COMPLETIONSDIR)
	$(INSTALL) -m 0750 $(PLUGIN) $(DESTDIR)$(SBINDIR)/audisp-pid2pod
	$(INSTALL) -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/pid2pod
	$(INSTALL) -m 0644 man/pid2pod.1 $(DESTDIR)$(MANDIR)/man1/pid2pod.1
	$(INSTALL) -m 0644 completion/pid2pod $(DESTDIR)$(COMPLETIONSDIR)/pid2pod
	$(INSTALL) -m 0640 plugin/pid2pod.conf $(DESTDIR)$(SYSCONFDIR)/audit/pid2pod.conf
	sed 's|^path = .*|path = $(SBINDIR)/audisp-pid2pod|; s|^args = -c .*|args = -c $(SYSCONFDIR)/audit/pid2pod.conf|' \
		plugin/plugins.d/pid2pod.conf > $(DESTDIR)$(SYSCONFDIR)/audit/plugins.d/pid2pod.conf
	chmod 0640 $(DESTDIR)$(SYSCONFDIR)/audit/plugins.d/pid2pod.conf
	$(INSTALL) -m 0640 rules/70-pid2pod.rules $(DESTDIR)$(SYSCONFDIR)/audit/rules.d/70-pid2pod.rules
	$(INSTALL) -m 0644 man/pid2pod.conf.5 $(DESTDIR)$(MANDIR)/man5/pid2pod.conf.5
	$(INSTALL) -m 0644 man/audisp-pid2pod.8 $(DESTDIR)$(MANDIR)/man8/audisp-pid2pod.8

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/audisp-pid2pod \
		$(DESTDIR)$(BINDIR)/pid2pod \
		$(DESTDIR)$(MANDIR)/man1/pid2pod.1 \
		$(DESTDIR)$(COMPLETIONSDIR)/pid2pod \
		$(DESTDIR)$(SYSCONFDIR)/audit/pid2pod.conf \
		$(DESTDIR)$(SYSCONFDIR)/audit/plugins.d/pid2pod.conf \
		$(DESTDIR)$(SYSCONFDIR)/audit/rules.d/70-pid2pod.rules \
		$(DESTDIR)$(MANDIR)/man5/pid2pod.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/audisp-pid2pod.8

# Packages, built from a staging copy of the tree under $(B) (the source
# tree never gets a debian/ dir); packages land in PKG_OUT.  `make deb`:
# dpkg-buildpackage -us -uc -b with packaging/debian; `make rpm`: rpmbuild
# -bb --nodeps with packaging/rpm/pid2pod.spec (on Debian: checks the spec).
# PKG_DEPS: what building and checking them needs (.ci/packages.sh).
PKG_DEPS  := dpkg-dev debhelper lintian rpm fakeroot logrotate
PKG_OUT   ?= build/pkg-out
VERSION   := $(shell sed -n 's/^\#define P2P_VERSION "\(.*\)"/\1/p' src/common/version.h)
PKG_STAGE := $(B)/pkg-stage
pkg-deps:
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(PKG_DEPS)

# the tree without build output or VCS data, as pid2pod-$(VERSION)/ in $(1)
define p2p_stage_tree
	rm -rf $(1) && mkdir -p $(1)/pid2pod-$(VERSION)
	tar --exclude=./build --exclude=./.git -cf - . | tar -C $(1)/pid2pod-$(VERSION) -xf -
endef

deb:
	@head -1 packaging/debian/changelog | grep -q '^pid2pod ($(VERSION)' || \
		{ echo "packaging/debian/changelog is not at version $(VERSION)"; exit 1; }
	$(call p2p_stage_tree,$(PKG_STAGE)/deb)
	cp -r packaging/debian $(PKG_STAGE)/deb/pid2pod-$(VERSION)/debian
	cd $(PKG_STAGE)/deb/pid2pod-$(VERSION) && dpkg-buildpackage -us -uc -b
	mkdir -p $(PKG_OUT)
	mv $(PKG_STAGE)/deb/*.deb $(PKG_STAGE)/deb/*.changes $(PKG_STAGE)/deb/*.buildinfo $(PKG_OUT)/
	@ls -1 $(PKG_OUT)/*.deb

rpm:
	@grep -q '^Version: *$(VERSION)$$' packaging/rpm/pid2pod.spec || \
		{ echo "packaging/rpm/pid2pod.spec is not at version $(VERSION)"; exit 1; }
	$(call p2p_stage_tree,$(PKG_STAGE)/rpm-src)
	rm -rf $(PKG_STAGE)/rpm && mkdir -p $(PKG_STAGE)/rpm/SOURCES $(PKG_OUT)
	tar -C $(PKG_STAGE)/rpm-src -czf $(PKG_STAGE)/rpm/SOURCES/pid2pod-$(VERSION).tar.gz pid2pod-$(VERSION)
	rpmbuild --define "_topdir $(abspath $(PKG_STAGE)/rpm)" \
		--define "debug_package %{nil}" -bb --nodeps packaging/rpm/pid2pod.spec
	cp $(PKG_STAGE)/rpm/RPMS/*/pid2pod-$(VERSION)-*.rpm $(PKG_OUT)/
	@ls -1 $(PKG_OUT)/*.rpm

# The DaemonSet's image from Debian's archive, no registry: mmdebstrap and
# an OCI archive tagged as deploy/kustomization.yaml names it, from the .deb
# of `make deb` (deploy/build-image.sh).  Load it on a node with
# `ctr -n k8s.io image import $(IMG_OUT)/pid2pod-image.tar` (README).
IMG_OUT   ?= build/image
image:
	@deb=$$(ls $(PKG_OUT)/pid2pod_$(VERSION)_*.deb 2>/dev/null | head -1); \
	[ -n "$$deb" ] || { echo "no $(PKG_OUT)/pid2pod_$(VERSION)_*.deb: make deb first"; exit 1; }; \
	bash deploy/build-image.sh "$$deb" $(IMG_OUT)

clean:
	rm -rf $(B)

-include $(LIB_OBJS:.o=.d) $(B)/obj/plugin/main.d $(B)/obj-hooks/plugin/main.d \
	$(CLI_OBJS:.o=.d)
