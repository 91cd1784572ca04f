# Guard: plain Makefile. `make` builds into build/; `make check` installs what
# the tests need (Debian packages), builds, and runs every test.

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec
PAMDIR     ?= $(shell pkg-config --variable=libdir pam)/security
SYSCONFDIR ?= /etc
DESTDIR    ?=
VERSION    := 0.1.0

CC       ?= cc
PKGS     := libconfuse json-c sqlite3 audit
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wformat=2 -Wformat-security -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wnull-dereference -Wvla
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS   ?= -O2 -g
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(CFLAGS) $(WARN) $(HARDEN) -MMD -MP -Ilibguard $(PKG_CFLAGS) \
              -DGUARD_VERSION='"$(VERSION)"' -DGUARDCTL_FRONT='"$(SBINDIR)/guardctl"' \
              -DGUARDCTL_PROGRAM='"$(LIBEXECDIR)/guard/guardctl"'
LDFLAGS_HARD := -pie -Wl,-z,relro,-z,now

B := build

# `make V=1` shows every command.
Q := $(if $(V),,@)

LIB_SRCS := $(sort $(wildcard libguard/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/obj/%.o)
CTL_SRCS := $(sort $(wildcard guardctl/*.c))
CTL_OBJS := $(CTL_SRCS:%.c=$(B)/obj/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(B)/bench/%)

# The unit tests again, under AddressSanitizer and UndefinedBehaviorSanitizer.
A := $(B)/asan
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_LIB_OBJS := $(LIB_SRCS:%.c=$(A)/obj/%.o)
ASAN_UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(A)/tests/%)


.PHONY: stress-store
.PHONY: all deps check unit unit-asan integration demo install format-check bench fuzz fuzz-coverage clean
.PHONY: man-check selinux deb rpm
.PHONY: lint scan-build valgrind attack-mutants

all: $(B)/libguard.a $(B)/guardctl $(B)/libexec/guardctl $(B)/pam_guard.so $(B)/guard-pam-helper $(B)/guard-decided \
     $(B)/sudo_guard.so

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libguard.a: $(LIB_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

# guardctl: the setuid front (guardctl/front/), the C library alone; it
# asks guard-decided, else starts guardctl's own program, root's and not
# setuid, from a path compiled in.
GUARDCTL_PROGRAM := $(LIBEXECDIR)/guard/guardctl
FRONT_OBJS := $(B)/obj/guardctl/front/front.o $(B)/obj/guardctl/front/front_events.o \
              $(B)/obj/guardctl/exec.o $(B)/obj/libguard/audit_netlink.o \
              $(B)/obj/libguard/events_relay.o $(B)/obj/libguard/events_journal.o \
              $(B)/obj/guardctl/process_start.o \
              $(B)/obj/guardctl/exec_child.o $(B)/obj/pam_guard/ask.o $(B)/obj/pam_guard/child.o \
              $(B)/obj/pam_guard/channel.o $(B)/obj/pam_guard/wire.o

$(B)/guardctl: $(FRONT_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_HARD) -Wl,--as-needed -o $@ $(FRONT_OBJS)

$(B)/libexec/guardctl: $(CTL_OBJS) $(B)/libguard.a
	@$(if $(Q),echo "  LD      $@")
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_HARD) -o $@ $(CTL_OBJS) $(B)/libguard.a $(PKG_LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libguard.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS_HARD) -o $@ $< $(B)/libguard.a $(PKG_LIBS) -lcriterion

$(A)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (asan+ubsan)")
	$(Q)$(CC) $(ALL_CFLAGS) -O1 -U_FORTIFY_SOURCE $(SAN) -c -o $@ $<

$(A)/libguard.a: $(ASAN_LIB_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(A)/tests/%: tests/unit/%.c $(A)/libguard.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (asan+ubsan)")
	$(Q)$(CC) $(ALL_CFLAGS) -O1 -U_FORTIFY_SOURCE $(SAN) -Itests/unit -o $@ $< $(A)/libguard.a \
		$(PKG_LIBS) -lcriterion

$(B)/bench/%: bench/%.c $(B)/libguard.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS_HARD) -o $@ $< $(B)/libguard.a $(PKG_LIBS)

# pam_guard.so: PIC, only pam_sm_* exported, linked with libpam alone. The
# decision runs in guard-pam-helper (libguard and its libraries), which the
# module starts from a path compiled in.
PAM_HELPER := $(LIBEXECDIR)/guard/guard-pam-helper
PAM_SRCS   := pam_guard/pam_guard.c pam_guard/ask.c pam_guard/channel.c pam_guard/child.c \
              pam_guard/wire.c
PAM_OBJS   := $(PAM_SRCS:%.c=$(B)/pic/%.o)
PAM_CFLAGS := $(filter-out -fPIE,$(ALL_CFLAGS)) -fPIC \
              -DGUARD_PAM_HELPER='"$(PAM_HELPER)"'
HELPER_SRCS := $(sort $(wildcard pam_guard/helper*.c)) pam_guard/wire.c
HELPER_OBJS := $(HELPER_SRCS:%.c=$(B)/obj/%.o)

$(B)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (pic)")
	$(Q)$(CC) $(PAM_CFLAGS) -c -o $@ $<

$(B)/pam_guard.so: $(PAM_OBJS) pam_guard/pam_guard.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,--version-script=pam_guard/pam_guard.map -Wl,-z,relro,-z,now \
		-Wl,-z,defs -Wl,--as-needed -o $@ $(PAM_OBJS) -lpam

# guard-decided: the same decisions in one long-lived process (ask.h).
# guardctl's own code decides its front's requests there (decided_guardctl.c).
DECIDED_OBJS := $(filter-out $(B)/obj/pam_guard/helper.o,$(HELPER_OBJS)) \
                $(B)/obj/pam_guard/decided.o $(B)/obj/pam_guard/decided_guardctl.o \
                $(B)/obj/pam_guard/channel.o $(filter-out $(B)/obj/guardctl/main.o,$(CTL_OBJS))

$(B)/guard-decided: $(DECIDED_OBJS) $(B)/libguard.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_HARD) -Wl,--as-needed -o $@ $(DECIDED_OBJS) $(B)/libguard.a $(PKG_LIBS)

$(B)/guard-pam-helper: $(HELPER_OBJS) $(B)/libguard.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_HARD) -Wl,--as-needed -o $@ $(HELPER_OBJS) $(B)/libguard.a $(PKG_LIBS)

# sudo_guard.so: the sudo approval plugin, PIC, only guard_approval exported,
# linked with libc alone; it asks the same helper as pam_guard.so, through
# the same child and wire code.
SUDO_SRCS := sudo_guard/sudo_guard.c sudo_guard/info.c pam_guard/ask.c pam_guard/channel.c \
             pam_guard/child.c pam_guard/wire.c
SUDO_OBJS := $(SUDO_SRCS:%.c=$(B)/pic/%.o)

$(B)/pic/sudo_guard/%.o: sudo_guard/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (pic)")
	$(Q)$(CC) $(PAM_CFLAGS) -Ipam_guard -c -o $@ $<

$(B)/sudo_guard.so: $(SUDO_OBJS) sudo_guard/sudo_guard.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,--version-script=sudo_guard/sudo_guard.map -Wl,-z,relro,-z,now \
		-Wl,-z,defs -Wl,--as-needed -o $@ $(SUDO_OBJS)

$(B)/tests/test_sudo_info: tests/unit/test_sudo_info.c $(B)/obj/sudo_guard/info.o tests/unit/helpers.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -Isudo_guard $(LDFLAGS_HARD) -o $@ $< \
		$(B)/obj/sudo_guard/info.o -lcriterion

$(A)/tests/test_sudo_info: tests/unit/test_sudo_info.c sudo_guard/info.c tests/unit/helpers.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (asan+ubsan)")
	$(Q)$(CC) $(ALL_CFLAGS) -O1 -U_FORTIFY_SOURCE $(SAN) -Itests/unit -Isudo_guard -o $@ $< \
		sudo_guard/info.c -lcriterion

$(B)/tests/test_pam_wire: tests/unit/test_pam_wire.c $(B)/obj/pam_guard/wire.o tests/unit/helpers.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -Ipam_guard $(LDFLAGS_HARD) -o $@ $< \
		$(B)/obj/pam_guard/wire.o -lcriterion

$(A)/tests/test_pam_wire: tests/unit/test_pam_wire.c pam_guard/wire.c tests/unit/helpers.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (asan+ubsan)")
	$(Q)$(CC) $(ALL_CFLAGS) -O1 -U_FORTIFY_SOURCE $(SAN) -Itests/unit -Ipam_guard -o $@ $< \
		pam_guard/wire.c -lcriterion

# The return-code and hygiene harness of pam_guard.so (run in the sandbox
# under valgrind by tests/integration/test_pam_leaks.sh; tests/attack/c_pam.sh
# compiles its own).
$(B)/tests/pam_harness: tests/integration/pam_harness.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS_HARD) -DGUARD_PAM_HELPER='"$(PAM_HELPER)"' -o $@ $< -lpam

# The events driver (run in the sandbox by tests/integration/test_events.sh).
$(B)/tests/events_driver: tests/integration/events_driver.c $(B)/libguard.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS_HARD) -o $@ $< $(B)/libguard.a $(PKG_LIBS)

deps:
	@tools/install-deps

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t --jobs 2; done

unit-asan: $(ASAN_UNIT_BINS)
	@set -e; for t in $(ASAN_UNIT_BINS); do echo "== $$t (asan+ubsan)"; \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		$$t --jobs 2; done

integration: all $(B)/tests/pam_harness $(B)/tests/events_driver
	@tests/integration/run

format-check:
	@tools/format-check

# Static analysis: clang-tidy (.clang-tidy) and cppcheck over libguard/,
# guardctl/, pam_guard/ and sudo_guard/, with the build's own compile commands.
lint:
	@tools/lint $(B)/lint

# clang's static analyzer over `make all` in a scratch directory; a report
# fails it (HTML reports stay in $(B)/scan-build/report).
scan-build:
	@rm -rf $(B)/scan-build
	scan-build --status-bugs -o $(B)/scan-build/report \
		$(MAKE) --no-print-directory -j$$(nproc) B=$(B)/scan-build/build all

# The unit tests (plain build) under valgrind's memcheck.
valgrind: $(UNIT_BINS)
	@tools/valgrind-unit $(B)/valgrind $(UNIT_BINS)

check: deps
	$(MAKE) all
	@tools/call-loops $(B)
	$(MAKE) format-check
	$(MAKE) lint
	@tools/attack-mutants -c
	$(MAKE) unit
	$(MAKE) unit-asan
	$(MAKE) fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)
	$(MAKE) integration
	$(MAKE) selinux
	$(MAKE) deb
	$(MAKE) rpm
	@echo "make check: all tests passed"

demo: deps
	$(MAKE) all
	@tests/sandbox/guard-sandbox demo/demo.sh

bench: all $(BENCH_BINS)
	@bench/run

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR)/guard/guard.d
	install -m 4755 -o root -g root $(B)/guardctl $(DESTDIR)$(SBINDIR)/guardctl
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(LIBEXECDIR)/guard
	install -m 0755 -o root -g root $(B)/libexec/guardctl $(DESTDIR)$(GUARDCTL_PROGRAM)
	install -m 0644 -o root -g root $(B)/pam_guard.so $(DESTDIR)$(PAMDIR)/pam_guard.so
	install -m 0755 -o root -g root $(B)/guard-pam-helper $(DESTDIR)$(PAM_HELPER)
	install -m 0755 -o root -g root $(B)/guard-decided $(DESTDIR)$(LIBEXECDIR)/guard/guard-decided
	install -m 0644 -o root -g root $(B)/sudo_guard.so $(DESTDIR)$(LIBEXECDIR)/guard/sudo_guard.so
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/guard/guard.conf ]; then \
		echo "keeping the existing $(DESTDIR)$(SYSCONFDIR)/guard/guard.conf"; \
	else install -m 0644 -o root -g root conf/guard.conf $(DESTDIR)$(SYSCONFDIR)/guard/guard.conf; fi

# Fuzzers (clang's libFuzzer with ASan+UBSan). `make fuzz FUZZ_SECONDS=N` runs
# each target N seconds; `make check` runs each briefly, replaying the seed and
# regression corpora in tests/fuzz/corpus first.
FZ := $(B)/fuzz
FUZZ_CC := clang
FUZZ_SECONDS ?= 600
CHECK_FUZZ_SECONDS ?= 10
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(FZ)/%)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FZ)/obj/%.o)
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -g -O1 $(WARN) -Ilibguard $(PKG_CFLAGS) \
               -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
               -DGUARD_VERSION='"$(VERSION)"' $(FUZZ_EXTRA)

$(FZ)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (fuzz)")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/libguard.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(FZ)/fuzz_%: tests/fuzz/fuzz_%.c $(FZ)/libguard.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< $(FZ)/libguard.a $(PKG_LIBS)

fuzz: $(FUZZ_BINS)
	@tools/run-fuzzers $(FUZZ_SECONDS) $(FUZZ_BINS)

# The source coverage the corpora reach (after `make fuzz`: the seeds and
# what the run added), per target and libguard file; binaries built with
# clang's source-based coverage in $(B)/fuzz-cov.
fuzz-coverage:
	@$(MAKE) --no-print-directory B=$(B)/fuzz-cov \
		FUZZ_EXTRA="-fprofile-instr-generate -fcoverage-mapping" \
		$(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz-cov/fuzz/%)
	@tools/fuzz-coverage $(B)/fuzz-cov $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)

# The store's kill -9 test with 1000 runs (make check runs 200).
stress-store: $(B)/tests/test_store_txn
	GUARD_KILL_RUNS=1000 $(B)/tests/test_store_txn --filter 'txn/must_9_kill*'

# Each tests/attack/mutants/*.patch (or those named in MUTANTS) breaks one
# defence; the attack case it names must fail against that build. As root,
# about a minute per mutant: not part of check.
attack-mutants:
	@tools/attack-mutants $(MUTANTS)

# Documentation and packages. `make man-check`: the man pages document every
# policy key, subcommand, option and PAM argument, and lint clean. `make
# selinux`: selinux/ compiled to build/selinux/guard.pp. `make deb`: the
# guard and libpam-guard packages in build/deb/, lintian-clean. `make rpm`:
# the guard and pam_guard RPMs in build/rpm/. (tests/packaging/test_deb.sh
# installs the .deb into a throwaway Debian root: by hand, not in check.)
man-check: $(B)/libexec/guardctl
	@tests/integration/test_man.sh

selinux:
	@rm -rf $(B)/selinux && mkdir -p $(B)/selinux
	@cp selinux/guard.te selinux/guard.fc selinux/guard.if $(B)/selinux/
	@echo "  SELINUX $(B)/selinux/guard.pp"
	$(Q)$(MAKE) -s -C $(B)/selinux -f /usr/share/selinux/devel/Makefile guard.pp >/dev/null

deb:
	@packaging/build-deb $(B)/deb

rpm:
	@packaging/build-rpm $(B)/rpm

clean:
	rm -rf $(B)

-include $(LIB_OBJS:.o=.d) $(CTL_OBJS:.o=.d) $(PAM_OBJS:.o=.d) $(SUDO_OBJS:.o=.d) $(HELPER_OBJS:.o=.d) $(DECIDED_OBJS:.o=.d) $(ASAN_LIB_OBJS:.o=.d) $(FUZZ_LIB_OBJS:.o=.d)
