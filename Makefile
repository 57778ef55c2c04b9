# neo4j_fdw — the PostgreSQL extension (PGXS) and the driver core with its
# tools and tests.
#
#   make                  the extension, bin/neo4j-query, unit tests and tools
#   make install          installs the extension into the PostgreSQL of pg_config
#   make driver-all       the driver, CLI, tests and tools only (no Postgres needed)
#   make test             the whole test command (test/run-all.sh)
#   make fuzz FUZZ_SECONDS=600   every libFuzzer target
#   make bench            benchmarks (bench/RESULTS.md)
#   make check-valgrind   the regress suite with the backends under valgrind
#   make soak SOAK_MINUTES=30   mixed load from 8 sessions, then a report

# The default goal: everything (PGXS adds the extension to it below).
all: driver-all

# ------------------------------------------------------------------ driver core
# Built with its own flags: plain C11, hidden symbols so that the extension
# exports nothing but its Postgres entry points.
BUILD         ?= build
BINDIR        ?= bin
DRIVER_CC     ?= $(CC)
DRIVER_CFLAGS ?= -O2 -g
DRIVER_WARN   := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wshadow -fPIC -fvisibility=hidden
DRIVER_INC    := -Isrc/driver -Isrc/cli
DRIVER_LDLIBS := -lssl -lcrypto -lm

DRIVER_SRC := $(wildcard src/driver/*.c)
DRIVER_OBJ := $(DRIVER_SRC:src/%.c=$(BUILD)/%.o)
DRIVER_LIB := $(BUILD)/libneo4jdriver.a
CLI_SRC    := $(filter-out src/cli/neo4j-query.c,$(wildcard src/cli/*.c))
CLI_OBJ    := $(CLI_SRC:src/%.c=$(BUILD)/%.o)
UNIT_BIN   := $(patsubst test/unit/%.c,$(BUILD)/tests/%,$(wildcard test/unit/test_*.c))
TOOL_BIN   := $(patsubst test/tools/%.c,$(BUILD)/tools/%,$(wildcard test/tools/*.c))
BENCH_BIN  := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
DRIVER_HDR := $(wildcard src/driver/*.h src/cli/*.h)

.PHONY: driver-all driver-tests fuzz fuzz-build bench test demo check-valgrind soak
driver-all: $(BINDIR)/neo4j-query driver-tests
driver-tests: $(UNIT_BIN) $(TOOL_BIN) $(BENCH_BIN)

$(BUILD)/%.o: src/%.c $(DRIVER_HDR)
	@mkdir -p $(dir $@)
	$(DRIVER_CC) $(DRIVER_WARN) $(DRIVER_INC) $(DRIVER_CFLAGS) -c -o $@ $<

$(DRIVER_LIB): $(DRIVER_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BINDIR)/neo4j-query: $(BUILD)/cli/neo4j-query.o $(CLI_OBJ) $(DRIVER_LIB)
	@mkdir -p $(dir $@)
	$(DRIVER_CC) $(DRIVER_CFLAGS) $(DRIVER_LDFLAGS) -o $@ $^ $(DRIVER_LDLIBS)

$(BUILD)/tests/%: test/unit/%.c test/unit/testlib.h $(CLI_OBJ) $(DRIVER_LIB)
	@mkdir -p $(dir $@)
	$(DRIVER_CC) $(DRIVER_WARN) $(DRIVER_INC) -Itest/unit $(DRIVER_CFLAGS) $(DRIVER_LDFLAGS) -o $@ $< $(CLI_OBJ) $(DRIVER_LIB) $(DRIVER_LDLIBS)

$(BUILD)/tools/%: test/tools/%.c $(CLI_OBJ) $(DRIVER_LIB)
	@mkdir -p $(dir $@)
	$(DRIVER_CC) $(DRIVER_WARN) $(DRIVER_INC) $(DRIVER_CFLAGS) $(DRIVER_LDFLAGS) -o $@ $< $(CLI_OBJ) $(DRIVER_LIB) $(DRIVER_LDLIBS)

$(BUILD)/bench/%: bench/%.c $(DRIVER_LIB)
	@mkdir -p $(dir $@)
	$(DRIVER_CC) $(DRIVER_WARN) $(DRIVER_INC) $(DRIVER_CFLAGS) $(DRIVER_LDFLAGS) -o $@ $< $(DRIVER_LIB) $(DRIVER_LDLIBS)

# libFuzzer targets (clang, address + undefined sanitizers).
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SECONDS ?= 60
FUZZ_BIN     := $(patsubst test/fuzz/%.c,build-fuzz/%,$(wildcard test/fuzz/fuzz_*.c))

fuzz-build: $(FUZZ_BIN)

build-fuzz/%: test/fuzz/%.c $(DRIVER_SRC) $(CLI_SRC) $(DRIVER_HDR)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(DRIVER_WARN) $(DRIVER_INC) $(FUZZ_FLAGS) -o $@ $< $(DRIVER_SRC) $(CLI_SRC) $(DRIVER_LDLIBS)

# Runs every fuzz target for FUZZ_SECONDS each, starting from its seed corpus.
fuzz: fuzz-build
	@for f in $(FUZZ_BIN); do \
	  name=$$(basename $$f); mkdir -p build-fuzz/corpus/$$name; \
	  echo "== $$name for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	      build-fuzz/corpus/$$name test/fuzz/corpus/$$name || exit 1; \
	done

bench: $(BENCH_BIN)
	bash bench/run.sh

test:
	bash test/run-all.sh

check-valgrind:
	bash test/pg/check-valgrind.sh

soak:
	bash test/soak/soak.sh

demo:
	bash scripts/demo.sh

# ------------------------------------------------------------------ the extension
MODULE_big  = neo4j_fdw
OBJS        = $(patsubst %.c,%.o,$(wildcard src/fdw/*.c))
EXTENSION   = neo4j_fdw
DATA        = neo4j_fdw--0.1.sql
PG_CPPFLAGS = -Isrc/driver
SHLIB_LINK  = $(DRIVER_LIB) $(DRIVER_LDLIBS)
EXTRA_CLEAN = build build-asan build-fuzz bin src/fdw/*.o

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
override with_llvm = no     # no JIT bitcode: nothing to inline from a foreign scan
include $(PGXS)

all: driver-all
$(shlib): $(DRIVER_LIB)
$(OBJS): src/fdw/neo4j_fdw.h $(wildcard src/fdw/*.h) src/driver/neo4j.h
