# gateway: Belgian social-declaration and Peppol gateway.
#
#   make demo     install what is missing, build, generate the test PKI, run the main job
#   make check    install what is missing, build, run every test
#   make SAN=1    the same with ASan + UBSan (no recovery), in build-san/
#   make bench    benchmarks (figures, not tests)
#   make fuzz     run every fuzzer for FUZZ_SECONDS (600) each, FUZZ_JOBS (2) at a time
#   make install  the binary, man page, schemas, a production configuration and a
#                 systemd unit under PREFIX (default /usr/local), staged under DESTDIR
#   make coverage unit + integration tests on a gcc --coverage build (build-cov/),
#                 then the line and branch coverage of the queue, runner, REST client, batch writer
#
# Sources are discovered: every gateway/**/*.c except main.c goes into one static
# library; tests/unit/test_*.c each become one cmocka binary linked against it.

CC      ?= cc
PKGS    := libxml-2.0 xmlsec1-openssl openssl libcurl libcares sqlite3 libpq jansson libmicrohttpd gnutls
REF     ?= $(abspath ../shared/reference)

ifeq ($(FUZZ),1)
# Fuzz objects are clang + sanitizer coverage: never mix them into another build dir.
override BUILD := build-fuzz
override CC    := clang
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -DGW_FUZZING
else ifeq ($(COV),1)
# Coverage objects (gcc --coverage, no optimisation so lines map one to one): their own dir,
# since the .gcda counters are written beside each object by every test process.
override BUILD := build-cov
override CC    := gcc
# At -O0 gcc loses the value ranges that show the -O2 build's snprintf calls cannot truncate,
# so that one warning is left to the normal build.
CFLAGS  ?= -O0 -g
SANFLAGS := --coverage -Wno-format-truncation
else ifeq ($(SAN),1)
BUILD   := build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD   := build
SANFLAGS :=
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter \
           -Wshadow -Wformat=2 -Wstrict-prototypes -fstack-protector-strong \
           -Igateway $(PKG_CFLAGS) $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
LDLIBS  += $(PKG_LIBS) -lpthread -lm -lz

SRC      := $(shell find gateway -name '*.c' ! -path gateway/main.c | sort)
OBJ      := $(SRC:%.c=$(BUILD)/obj/%.o)
LIB      := $(BUILD)/libgateway.a
BIN      := $(BUILD)/gateway
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
CONF_SRC := $(sort $(wildcard tests/conformance/*.c))
CONF_BIN := $(CONF_SRC:tests/conformance/%.c=$(BUILD)/conformance/%)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: bench-bins fuzz-bins unit-bins all deps demo check unit integration conformance fuzz fuzz-check bench \
        crash-test torture pki clean lint coverage install peppol-exchange

all: $(BIN)

# Installs the Debian packages that are missing; a no-op when all are there.
deps:
	@sh .ci/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/obj/gateway/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS) -lcmocka

# The allocation torture test: the gateway's own calls to the allocator go
# through its counting wrappers (tests/unit/test_alloc_torture.c).
TORTURE_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup \
                -Wl,--wrap=strndup,--wrap=open_memstream,--wrap=getline

$(BUILD)/tests/test_alloc_torture: tests/unit/test_alloc_torture.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB) $(LDFLAGS) $(TORTURE_WRAP) $(LDLIBS) -lcmocka -ldl

$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

fuzz-bins: $(FUZZ_BIN)

$(BUILD)/conformance/%: tests/conformance/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

pki:
	@sh certs/gen-test-pki.sh

demo: deps
	$(MAKE) all
	@sh certs/gen-test-pki.sh
	@BUILD=$(BUILD) REF=$(REF) sh tests/demo/demo.sh $(BIN)

# Two gateway instances exchange N invoices and credit notes over Peppol AS4
# on loopback HTTPS (tests/peppol-exchange.sh); its last line gives the figures.
N ?= 1000
peppol-exchange: $(BIN) $(BENCH_BIN)
	@sh certs/gen-test-pki.sh
	@N=$(N) BUILD=$(abspath $(BUILD)) REF=$(REF) TOP=$(CURDIR) GATEWAY=$(abspath $(BIN)) \
		sh tests/peppol-exchange.sh

check: deps
	$(MAKE) all unit-bins bench-bins
	@sh certs/gen-test-pki.sh
	@BUILD=$(BUILD) REF=$(REF) sh tests/run-all.sh

unit-bins: $(UNIT_BIN) $(CONF_BIN)

# The data generators under bench/ are also test inputs (batch and crash tests).
bench-bins: $(BENCH_BIN)

unit: $(BIN) $(UNIT_BIN)
	@BUILD=$(BUILD) REF=$(REF) ONLY=unit sh tests/run-all.sh

integration: $(BIN)
	@sh certs/gen-test-pki.sh
	@BUILD=$(BUILD) REF=$(REF) ONLY=integration sh tests/run-all.sh

fuzz:
	$(MAKE) FUZZ=1 fuzz-bins
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-600} FUZZ_JOBS=$${FUZZ_JOBS:-2} sh tests/fuzz/run.sh

bench: $(BIN) $(BENCH_BIN)
	@sh certs/gen-test-pki.sh
	@BUILD=$(BUILD) REF=$(REF) sh bench/run.sh

# Allocation-failure injection over the queue and intake, every N (make check
# runs every 4th); SAN=1 runs it under ASan/LSan.
torture: $(BUILD)/tests/test_alloc_torture
	@TORTURE_STEP=1 sh -c '. tests/lib/clock.sh && $(BUILD)/tests/test_alloc_torture'

crash-test: $(BIN)
	@sh certs/gen-test-pki.sh
	@BUILD=$(BUILD) SEED=$${SEED:-1} QUEUE=$${QUEUE:-sqlite} WORKERS=$${WORKERS:-1} sh tests/crash/crash-test.sh

# The four files whose error paths the suite must reach (issue 11); COV_FILES= another list.
COV_FILES ?= gateway/queue/sqlite.c gateway/service/runner.c gateway/onss/rest/client.c \
             gateway/onss/batch/writer.c

# Counters are zeroed first so the figures are those of this run only. A failing test does
# not stop the report (the run's own last line says what failed).
coverage:
	$(MAKE) COV=1 all unit-bins bench-bins
	@sh certs/gen-test-pki.sh
	@find build-cov -name '*.gcda' -delete
	@BUILD=build-cov REF=$(REF) ONLY=unit sh tests/run-all.sh || true
	@BUILD=build-cov REF=$(REF) ONLY=integration sh tests/run-all.sh || true
	@sh tests/coverage.sh build-cov $(COV_FILES)

# Installation (GNU directory variables). The configuration is never
# overwritten: when one is there, the new sample goes beside it as .new.
PREFIX        ?= /usr/local
BINDIR        ?= $(PREFIX)/bin
DATADIR       ?= $(PREFIX)/share
MANDIR        ?= $(DATADIR)/man
DOCDIR        ?= $(DATADIR)/doc/gateway
SYSCONFDIR    ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
LOCALSTATEDIR ?= $(if $(filter /usr,$(PREFIX)),/var,$(PREFIX)/var)
UNITDIR       ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
INSTALL_SUBST  = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
                     -e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
                     -e 's|@LOCALSTATEDIR@|$(LOCALSTATEDIR)|g'

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(DATADIR)/gateway/schemas/dimona $(DESTDIR)$(DATADIR)/gateway/schemas/dmfa \
	    $(DESTDIR)$(DATADIR)/gateway/reference $(DESTDIR)$(SYSCONFDIR)/gateway $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/gateway
	install -m 0644 docs/gateway.1 $(DESTDIR)$(MANDIR)/man1/gateway.1
	install -m 0644 schemas/dimona/*.xsd $(DESTDIR)$(DATADIR)/gateway/schemas/dimona/
	install -m 0644 schemas/dmfa/* $(DESTDIR)$(DATADIR)/gateway/schemas/dmfa/
	install -m 0644 docs/gateway.conf docs/*.md $(DESTDIR)$(DOCDIR)/
	$(INSTALL_SUBST) docs/install/gateway.service.in > $(DESTDIR)$(UNITDIR)/gateway.service
	@conf=$(DESTDIR)$(SYSCONFDIR)/gateway/gateway.conf; \
	 if [ -e "$$conf" ]; then conf="$$conf.new"; echo "keeping $(SYSCONFDIR)/gateway/gateway.conf; the new sample is $$conf"; fi; \
	 $(INSTALL_SUBST) docs/install/gateway.conf.in > "$$conf" && chmod 0640 "$$conf"

lint:
	@sh .ci/lint.sh

clean:
	rm -rf build build-san build-cov

-include $(OBJ:.o=.d) $(BUILD)/obj/gateway/main.d
