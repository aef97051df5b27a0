# fundkit - see README.md.  Plain make, as git does.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
LIBDIR = $(PREFIX)/lib
INCDIR = $(PREFIX)/include
MANDIR = $(PREFIX)/share/man
DATADIR = $(PREFIX)/share/fundkit

CC ?= cc
PKG_CONFIG ?= pkg-config
LIBCSV_LIBS ?= -lcsv
PKGS = gsl libcjson zlib libzip expat freexl xlsxwriter
DEPS_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libzip and libxlsxwriter are not linked but loaded when a workbook is
# read or written (lib/lazy.c): they bring libcrypto, which made every
# command's start twice as long; their sonames come from the packages
LAZY_PKGS = libzip xlsxwriter
LINK_PKGS = $(filter-out $(LAZY_PKGS),$(PKGS))
DEPS_LIBS = $(shell $(PKG_CONFIG) --libs $(LINK_PKGS) 2>/dev/null) $(LIBCSV_LIBS) -lm -lpthread -ldl
soname = $(shell objdump -p "$$($(PKG_CONFIG) --variable=libdir $(1) 2>/dev/null)/$(2)" 2>/dev/null | \
	awk '$$1 == "SONAME" { print $$2 }')
LIBZIP_SONAME := $(call soname,libzip,libzip.so)
LIBXLSXWRITER_SONAME := $(call soname,xlsxwriter,libxlsxwriter.so)
LAZY_DEFS = $(if $(LIBZIP_SONAME),-DFUND_LIBZIP_SONAME='"$(LIBZIP_SONAME)"') \
	$(if $(LIBXLSXWRITER_SONAME),-DFUND_LIBXLSXWRITER_SONAME='"$(LIBXLSXWRITER_SONAME)"')

WARNINGS = -Wall -Wextra -pedantic -Wstrict-prototypes -Wmissing-prototypes \
	-Wshadow -Wvla -Wwrite-strings
ifeq ($(CI),true)
WARNINGS += -Werror
endif
ifdef WERROR
WARNINGS += -Werror
endif
OPTFLAGS ?= -O2 -g
CFLAGS ?= $(OPTFLAGS)
ALL_CFLAGS = -std=gnu11 $(WARNINGS) $(CFLAGS) -Iinclude $(DEPS_CFLAGS) \
	-DFUND_DATADIR='"$(DATADIR)"' $(LAZY_DEFS)

# make SANITIZE=1 (or SANITIZE=address,undefined): a separate build tree
ifdef SANITIZE
ifeq ($(SANITIZE),1)
override SANITIZE = address,undefined
endif
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
# make SANITIZE=thread: ThreadSanitizer, for the threads that read parts
B = $(if $(filter thread,$(SANITIZE)),build-tsan,build-san)
else
B = build
endif

TOOLS = fund-total fund-percapita fund-stats fund-plot fund-check fund-cat fund-diff
LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(LIB_SRC:lib/%.c=$(B)/lib/%.o)
CMD_COMMON = $(B)/cmd/main.o $(B)/cmd/common.o
UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
HEADERS = $(wildcard include/fund/*.h) $(wildcard lib/*.h) cmd/common.h

BIN_DIR = $(if $(SANITIZE),$(B)/bin,bin)

.SECONDARY:

.PHONY: all deps demo check test unit e2e manlint install uninstall clean fuzz fuzz-build fuzz-smoke bench valgrind check-one

all: $(TOOLS:%=$(BIN_DIR)/%)

$(B)/lib/%.o: lib/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/cmd/%.o: cmd/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libfund.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN_DIR)/%: $(B)/cmd/%.o $(CMD_COMMON) $(B)/libfund.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CMD_COMMON) $(B)/libfund.a $(DEPS_LIBS)

$(B)/tests/%: tests/unit/%.c tests/unit/unit.h $(B)/libfund.a $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ilib $(LDFLAGS) -o $@ $< $(B)/libfund.a $(DEPS_LIBS)

# Debian packages; installed when missing if we are root, else the command.
DEB_PKGS = build-essential pkg-config libcsv-dev libcjson-dev libgsl-dev zlib1g-dev \
	libzip-dev libexpat1-dev libfreexl-dev libxlsxwriter-dev \
	gnuplot-nox mandoc valgrind python3 clang libclang-rt-14-dev
deps:
	@./tests/deps.sh $(DEB_PKGS)

demo: deps
	@$(MAKE) --no-print-directory all
	@./tests/demo.sh

# the builds of make check on every core (a clean clone builds four times)
JOBS ?= $(shell nproc 2>/dev/null || echo 1)

check: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all unit-bins
	@$(MAKE) --no-print-directory -j$(JOBS) SANITIZE=1 all unit-bins
	@$(MAKE) --no-print-directory -j$(JOBS) SANITIZE=thread all
	@$(MAKE) --no-print-directory -j$(JOBS) fuzz-smoke > build/fuzz-smoke.log 2>&1; \
		st=$$?; cat build/fuzz-smoke.log | grep -v '^clang\|^make\|^built\|^run:'; \
		FUZZ_SMOKE_STATUS=$$st CHECK_VALGRIND=1 JOBS=$(JOBS) ./tests/run.sh

unit-bins: $(UNIT_BIN) build/faultinject.so build/mallocfail.so

# the LD_PRELOAD fault injector of the I/O tests (never sanitized)
build/faultinject.so: tests/tools/faultinject.c
	@mkdir -p $(@D)
	$(CC) -shared -fPIC -O1 -Wall -o $@ $< -ldl

# the allocation-failure injector of tests/oom.sh
build/mallocfail.so: tests/tools/mallocfail.c
	@mkdir -p $(@D)
	$(CC) -shared -fPIC -O1 -Wall -o $@ $< -ldl

valgrind: all unit-bins
	@VALGRIND=1 ./tests/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/fund \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)/schemas
	install -m 755 $(TOOLS:%=bin/%) $(DESTDIR)$(BINDIR)
	install -m 644 build/libfund.a $(DESTDIR)$(LIBDIR)
	install -m 644 include/fund/*.h $(DESTDIR)$(INCDIR)/fund
	install -m 644 man/man1/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/man7/*.7 $(DESTDIR)$(MANDIR)/man7
	install -m 644 data/*.csv data/SOURCES.md $(DESTDIR)$(DATADIR)
	install -m 644 data/schemas/*.json $(DESTDIR)$(DATADIR)/schemas
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(shell sed -n 's/.*FUND_VERSION "\(.*\)"/\1/p' include/fund/fund.h)|' \
		fundkit.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/fundkit.pc

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(DESTDIR)$(LIBDIR)/libfund.a \
		$(DESTDIR)$(LIBDIR)/pkgconfig/fundkit.pc
	rm -rf $(DESTDIR)$(INCDIR)/fund $(DESTDIR)$(DATADIR)

# libFuzzer harnesses (clang)
FUZZ_SRC = $(filter-out tests/fuzz/fuzz_cmd.c,$(wildcard tests/fuzz/fuzz_*.c))
# and one a command (tests/fuzz/fuzz_cmd.c with cmd/fund-NAME.c)
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%) $(TOOLS:fund-%=build-fuzz/fuzz_cmd_%)
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-Iinclude -Ilib $(DEPS_CFLAGS) $(LAZY_DEFS)
# (fuzz_sheet makes its workbooks with libzip itself)
FUZZ_LIBS = $(DEPS_LIBS) $(shell $(PKG_CONFIG) --libs libzip 2>/dev/null)
FUZZ_OBJ = $(LIB_SRC:lib/%.c=build-fuzz/lib/%.o)
build-fuzz/lib/%.o: lib/%.c $(HEADERS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
build-fuzz/%: tests/fuzz/%.c tests/fuzz/common.h $(FUZZ_OBJ) $(HEADERS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(FUZZ_LIBS)
build-fuzz/fuzz_cmd_%: tests/fuzz/fuzz_cmd.c cmd/fund-%.c cmd/common.c cmd/common.h tests/fuzz/common.h $(FUZZ_OBJ) $(HEADERS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -Icmd -fsanitize=fuzzer -Wl,--wrap=exit -o $@ tests/fuzz/fuzz_cmd.c cmd/fund-$*.c \
		cmd/common.c $(FUZZ_OBJ) $(DEPS_LIBS)
fuzz-build: $(FUZZ_BIN)

# a campaign: every harness for FUZZ_SECONDS (default an hour each), or
# only FUZZ_HARNESSES (names without fuzz_); crashes go to tests/fuzz/crashes
FUZZ_SECONDS ?= 3600
fuzz: $(FUZZ_BIN)
	@FUZZ_CORPUS=1 ./tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

# every harness for a second: part of make check (a quarter of a minute)
FUZZ_SMOKE_SECONDS ?= 1
fuzz-smoke: $(FUZZ_BIN)
	@./tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS)

bench: all
	@./bench/run.sh

clean:
	rm -rf build build-san build-tsan build-fuzz bin
