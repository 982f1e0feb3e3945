# tfs: `make run` sets up a demo home and runs the daemon; `make test` runs every test.
PREFIX ?= /usr/local
SWIFT ?= swift
CONFIG ?= debug
BIN = .build/$(CONFIG)/tfs
DEMO_HOME ?= $(CURDIR)/.build/demo-home

.PHONY: all deps build release test run lint format fuzz bench bench-ab man completions install uninstall clean

all: build

# Installs what a fresh Debian/Ubuntu machine lacks (root, or sudo when available).
deps:
	@./scripts/ensure-deps.sh

build: deps
	$(SWIFT) build -c $(CONFIG)

# Release builds link the Swift runtime and Foundation statically: start-up drops from ~13 ms to
# ~10 ms and `tfs list` of 10,000 tasks by a third (no dynamic symbol resolution).
STATIC = --static-swift-stdlib

release: deps
	$(SWIFT) build -c release $(STATIC)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2
	$(MAKE) --no-print-directory lint

run: build
	@./scripts/demo.sh $(BIN) "$(DEMO_HOME)"

# Size budgets (scripts/check-budgets.sh): no Swift file in Sources over 300 lines, no function
# over 60.
lint:
	$(SWIFT) format lint --strict --recursive --configuration .swift-format Sources Tests Fuzz Package.swift
	./scripts/check-budgets.sh Sources

format:
	$(SWIFT) format --in-place --recursive --configuration .swift-format Sources Tests Fuzz Package.swift

# libFuzzer on the parsers (cron, duration, time, command-words, settings): FUZZ_RUNS inputs each
# (default 10,000,000), then the corpus in Fuzz/corpus is minimized (docs/FUZZING.md). FUZZERS
# picks some, FUZZ_TIME caps each run's seconds (default 3600). Not part of `make test`, which
# replays the committed corpus without libFuzzer.
fuzz:
	FUZZ_RUNS=$(or $(FUZZ_RUNS),10000000) ./scripts/fuzz.sh $(FUZZERS)

# BENCH_QUICK=1: short smoke durations. BENCH_BASE=REV: also the A/B of the daemon benchmarks
# against REV's release build (bench-ab below; report in bench-out/ab.md).
bench: deps
	$(SWIFT) build -c release $(STATIC) --product tfs-bench
	$(SWIFT) build -c release $(STATIC) --product tfs
	./scripts/bench.sh

# The daemon benchmarks of BASE's release build and this tree's, alternated in one run (old, new,
# old, new ...). BASE (or BENCH_BASE) defaults to what this tree changes (see scripts/bench-ab.sh);
# BENCH_AB_ARGS passes options such as `--rounds 3 --only P1b,P2`.
bench-ab: deps
	./scripts/bench-ab.sh $(or $(BASE),$(BENCH_BASE)) $(if $(BENCH_QUICK),--quick) $(BENCH_AB_ARGS)

# man/tfs.help.json is what the pages were generated from; a test fails when it is stale.
man: build
	rm -f man/*.1
	$(SWIFT) package --allow-writing-to-package-directory generate-manual --multi-page --output-directory man
	$(BIN) --experimental-dump-help > man/tfs.help.json

completions: build
	$(BIN) --generate-completion-script bash > completions/tfs.bash
	$(BIN) --generate-completion-script zsh > completions/_tfs
	$(BIN) --generate-completion-script fish > completions/tfs.fish

install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 .build/release/tfs $(DESTDIR)$(PREFIX)/bin/tfs
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/ 2>/dev/null || true

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tfs $(DESTDIR)$(PREFIX)/share/man/man1/tfs*.1

clean:
	rm -rf .build
