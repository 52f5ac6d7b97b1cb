# sluice — build, run, test, bench.
#
#   make          build build/sluice
#   make run      install missing packages, build, start the embedded PostgreSQL
#                 under ./var and sluice on 127.0.0.1:5439 (foreground)
#   make stop     stop the embedded PostgreSQL that `make run` left running
#   make test     install what tests need, build, run every suite
#   make bench    benchmarks against peers (see bench/RESULTS.md)
#   make csv-bench  build build/bench/csv_parse (CSV parse throughput, in memory)
#   make fuzz     build and run the libFuzzer harnesses, FUZZ_SECONDS each (default 600)
#   make format   clang-format every source file

CC      ?= cc
PREFIX  ?= /usr/local
BUILD   := build
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CSTD    := -std=c11 -D_GNU_SOURCE
INCS    := -Iproxy -Iparser -Iplanner -Iengine -Iconnectors -I/usr/include/postgresql
OPT     ?= -O2 -g
CFLAGS  += $(CSTD) $(WARN) $(OPT) $(INCS) -pthread
LIBS    := -levent_openssl -levent_pthreads -levent -lssl -lcrypto -lpq -lpg_query -lcurl -lexpat \
           -ljansson -lzstd -lz -lpthread -lm

MIG_C   := $(BUILD)/gen/migrations.c
SRCS    := $(wildcard proxy/*.c parser/*.c planner/*.c engine/*.c connectors/*.c) $(MIG_C)
LIBSRCS := $(filter-out proxy/main.c,$(SRCS))
OBJS    := $(SRCS:%.c=$(BUILD)/obj/%.o)
LIBOBJS := $(LIBSRCS:%.c=$(BUILD)/obj/%.o)
HDRS    := $(wildcard proxy/*.h parser/*.h planner/*.h engine/*.h connectors/*.h)

UNIT_SRCS := $(wildcard regress/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:regress/unit/%.c=$(BUILD)/unit/%)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_OBJS  := $(LIBSRCS:%.c=$(BUILD)/san/%.o)
SAN_BINS  := $(UNIT_SRCS:regress/unit/%.c=$(BUILD)/unit-san/%)
SCEN_SRCS := $(wildcard regress/scenarios/*.c)
SCEN_BINS := $(SCEN_SRCS:regress/scenarios/%.c=$(BUILD)/scenarios/%)

.SECONDARY: $(SAN_OBJS)

.PHONY: stop all run test fuzz-short unit unit-san regress scenarios bench csv-bench fuzz format install clean deps-run deps-test deps-bench

all: $(BUILD)/sluice

$(BUILD)/sluice: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS) $(LIBS)

# the catalog migrations (sql/NNN_*.sql), compiled in
# sql/ itself too: removing or renaming a migration changes the directory, not a file
$(MIG_C): $(sort $(wildcard sql/*.sql)) sql scripts/embed-sql.sh
	@mkdir -p $(dir $@)
	scripts/embed-sql.sh $@ $(sort $(wildcard sql/*.sql))

$(BUILD)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/san/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(BUILD)/unit/%: regress/unit/%.c $(LIBOBJS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOBJS) $(LIBS) -lcmocka

$(BUILD)/unit-san/%: regress/unit/%.c $(SAN_OBJS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(SAN_OBJS) $(LIBS) -lcmocka

# scenario helpers may call sluice's own modules (all of them but main.c)
$(BUILD)/scenarios/%: regress/scenarios/%.c $(LIBOBJS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(BUILD)/gen -o $@ $< $(LIBOBJS) $(LIBS)

deps-run:
	@scripts/install-deps.sh run

deps-test:
	@scripts/install-deps.sh test

deps-bench:
	@scripts/install-deps.sh bench

run: deps-run
	@$(MAKE) --no-print-directory all
	@scripts/run.sh

stop:
	@scripts/pgcluster.sh stop var/pg

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

unit-san: $(SAN_BINS)
	@set -e; for t in $(SAN_BINS); do echo "== $$t (asan+ubsan)"; \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t; done

scenarios: $(SCEN_BINS)

regress: all scenarios
	@regress/run.sh

test: deps-test
	@$(MAKE) --no-print-directory all unit unit-san scenarios fuzz-short
	@regress/run.sh

bench: deps-bench
	@$(MAKE) --no-print-directory all
	@bench/proxy.sh

csv-bench: $(BUILD)/bench/csv_parse

$(BUILD)/bench/csv_parse: bench/csv_parse.c $(LIBOBJS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

# libFuzzer harnesses (fuzz/fuzz_NAME.c, seeds in fuzz/corpus/NAME/ when present), built
# with clang, ASan and UBSan over all of sluice's code but main.c. `make fuzz` runs each
# for FUZZ_SECONDS; `make test` runs each briefly (fuzz-short).
FUZZ_SRCS    := $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS    := $(FUZZ_SRCS:fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 600
FUZZ_CFLAGS  := $(CSTD) $(INCS) -I$(BUILD)/gen -g -O1 -pthread -fno-sanitize-recover=all
# sluice's code is compiled once for all harnesses (instrumented, not linked with the
# fuzzer's main), then each harness links it
FUZZ_OBJS    := $(LIBSRCS:%.c=$(BUILD)/fuzzobj/%.o)
.SECONDARY: $(FUZZ_OBJS)

$(BUILD)/fuzzobj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

$(BUILD)/fuzz/%: fuzz/%.c $(FUZZ_OBJS) $(HDRS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_OBJS) $(LIBS)

define run_fuzzers
	@set -e; for f in $(FUZZ_BINS); do n=$${f##*/}; n=$${n#fuzz_}; \
		work=$(BUILD)/fuzz/corpus-$$n; rm -rf $$work; mkdir -p $$work; \
		if [ -d fuzz/corpus/$$n ]; then cp -r fuzz/corpus/$$n/. $$work/; fi; \
		dict=; if [ -f fuzz/$$n.dict ]; then dict=-dict=fuzz/$$n.dict; fi; \
		echo "== fuzz $$n for $(1) s"; \
		$$f $$work $$dict -max_total_time=$(1) -max_len=4096 -print_final_stats=1 \
			2>$(BUILD)/fuzz/$$n.log || { tail -40 $(BUILD)/fuzz/$$n.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units' $(BUILD)/fuzz/$$n.log; done
endef

fuzz: $(FUZZ_BINS)
	$(call run_fuzzers,$(FUZZ_SECONDS))

fuzz-short: $(FUZZ_BINS)
	$(call run_fuzzers,20)

format:
	clang-format -i $(SRCS) $(HDRS) $(UNIT_SRCS) $(SCEN_SRCS) $(wildcard fuzz/*.c bench/*.c)

install: all
	install -D -m 0755 $(BUILD)/sluice $(DESTDIR)$(PREFIX)/bin/sluice

clean:
	rm -rf $(BUILD)
