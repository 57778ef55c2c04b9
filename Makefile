# neo4j_fdw — build of the driver core, its tools and tests.
# (The PostgreSQL extension itself is built with PGXS once src/fdw exists.)

CC       ?= cc
CFLAGS   ?= -O2 -g
BUILD    ?= build
BINDIR   ?= bin
WARN     := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wshadow -fPIC
CPPFLAGS += -Isrc/driver -Isrc/cli
LDLIBS   += -lssl -lcrypto -lm

DRIVER_SRC := $(wildcard src/driver/*.c)
DRIVER_OBJ := $(DRIVER_SRC:src/%.c=$(BUILD)/%.o)
DRIVER_LIB := $(BUILD)/libneo4jdriver.a
CLI_SRC    := $(filter-out src/cli/neo4j-query.c,$(wildcard src/cli/*.c))
CLI_OBJ    := $(CLI_SRC:src/%.c=$(BUILD)/%.o)
UNIT_SRC   := $(wildcard test/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:test/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC   := $(wildcard test/tools/*.c)
TOOL_BIN   := $(TOOL_SRC:test/tools/%.c=$(BUILD)/tools/%)
BENCH_SRC  := $(wildcard bench/*.c)
BENCH_BIN  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all driver tests fuzz fuzz-build bench check clean
all: $(BINDIR)/neo4j-query tests

driver: $(DRIVER_LIB)

$(BUILD)/%.o: src/%.c $(wildcard src/driver/*.h src/cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(DRIVER_LIB): $(DRIVER_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BINDIR)/neo4j-query: $(BUILD)/cli/neo4j-query.o $(CLI_OBJ) $(DRIVER_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests: $(UNIT_BIN) $(TOOL_BIN) $(BENCH_BIN)

$(BUILD)/tests/%: test/unit/%.c test/unit/testlib.h $(CLI_OBJ) $(DRIVER_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) -Itest/unit $(CFLAGS) $(LDFLAGS) -o $@ $< $(CLI_OBJ) $(DRIVER_LIB) $(LDLIBS)

$(BUILD)/tools/%: test/tools/%.c $(CLI_OBJ) $(DRIVER_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CLI_OBJ) $(DRIVER_LIB) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(DRIVER_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(DRIVER_LIB) $(LDLIBS)

# libFuzzer targets (clang, address + undefined sanitizers).
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SECONDS ?= 60
FUZZ_SRC     := $(wildcard test/fuzz/fuzz_*.c)
FUZZ_BIN     := $(FUZZ_SRC:test/fuzz/%.c=build-fuzz/%)

fuzz-build: $(FUZZ_BIN)

build-fuzz/%: test/fuzz/%.c $(DRIVER_SRC) $(CLI_SRC) $(wildcard src/driver/*.h src/cli/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) $(CPPFLAGS) $(FUZZ_FLAGS) -o $@ $< $(DRIVER_SRC) $(CLI_SRC) $(LDLIBS)

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

check: all
	bash test/run-all.sh

clean:
	rm -rf build build-asan build-fuzz bin
