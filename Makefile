# tfs: `make run` sets up a demo home and runs the daemon; `make test` runs every test.
PREFIX ?= /usr/local
SWIFT ?= swift
CONFIG ?= debug
BIN = .build/$(CONFIG)/tfs
DEMO_HOME ?= $(CURDIR)/.build/demo-home

.PHONY: all deps build release test stress run lint format fuzz bench bench-ab bench-cluster man completions install uninstall clean

all: build

# Installs what a fresh Debian/Ubuntu machine lacks (root, or sudo when available).
deps:
	@./scripts/ensure-deps.sh

build: deps
	$(SWIFT) build -c $(CONFIG)

# Release builds link the Swift runtime and Foundation statically: start-up drops from ~13 ms to
# ~10 ms and `tfs list` of 10,000 tasks by a third (no dynamic symbol resolution).
STATIC = --static-swift-stdlib

# A binary to carry: the Swift runtime linked in (--static-swift-stdlib), symbols stripped.
release: deps
	$(SWIFT) build -c release $(STATIC)
	strip .build/release/tfs
	@echo "built .build/release/tfs: $$(du -h .build/release/tfs | cut -f1) (stripped, Swift runtime linked in; libc, libsqlite3 from the system)"

# The tests make their homes in a TMPDIR of their own; scripts/check-leftovers.sh then fails
# (and kills them) when a process started for one of those homes outlived the tests.
test: deps
	$(SWIFT) build --build-tests
	@tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/tfs-test.XXXXXX") || exit 1; \
	  echo "TMPDIR=$$tmp $(SWIFT) test --skip-build --parallel --num-workers 2"; \
	  TMPDIR=$$tmp $(SWIFT) test --skip-build --parallel --num-workers 2; status=$$?; \
	  TMPDIR=$$tmp ./scripts/check-leftovers.sh --kill || status=1; \
	  rm -rf "$$tmp"; exit $$status
	./scripts/stress.py $(BIN) --quick --out .build/stress-quick.md
	$(MAKE) --no-print-directory lint

# The stress scenarios (scripts/stress.py: crashes, writers, full disk, hostile tasks, a stopped
# daemon, clock steps and clock noise) on a release build; the report goes to STRESS.md. `make
# test` runs the short version (--quick).
stress: deps
	$(SWIFT) build -c release $(STATIC) --product tfs
	./scripts/stress.py .build/release/tfs --out STRESS.md

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
# against REV's release build (bench-ab below; report in bench-out/ab.md). P1 and P1b run
# APScheduler 3.11 beside tfs (from PyPI, in .build/bench-venv); BENCH_NO_PEERS=1 skips it.
bench: deps
	$(SWIFT) build -c release $(STATIC) --product tfs-bench
	$(SWIFT) build -c release $(STATIC) --product tfs
	./scripts/bench.sh

# The daemon benchmarks of BASE's release build and this tree's, alternated in one run (old, new,
# old, new ...). BASE (or BENCH_BASE) defaults to what this tree changes (see scripts/bench-ab.sh);
# BENCH_AB_ARGS passes options such as `--rounds 3 --only P1b,P2`.
bench-ab: deps
	./scripts/bench-ab.sh $(or $(BASE),$(BENCH_BASE)) $(if $(BENCH_QUICK),--quick) $(BENCH_AB_ARGS)

# SPEC §10: C1, C2, C3 of the cluster on PostgreSQL, each beside a single node (report in
# bench-out/cluster.md; C2 needs root and ip(8)). BENCH_QUICK=1: 15 s blocks, a 1 min C1.
bench-cluster: deps
	$(SWIFT) build -c release $(STATIC) --product tfs
	python3 scripts/bench-cluster.py .build/release/tfs $(if $(BENCH_QUICK),--quick)

# man/tfs.help.json is what the pages were generated from; a test fails when it is stale.
man: build
	rm -f man/*.1
	$(BIN) --experimental-dump-help > man/tfs.help.json
	python3 scripts/gen-man.py man/tfs.help.json man "$$($(BIN) --version)"

completions: build
	$(BIN) --generate-completion-script bash > completions/tfs.bash
	$(BIN) --generate-completion-script zsh > completions/_tfs
	$(BIN) --generate-completion-script fish > completions/tfs.fish

# The binary, the man pages (tfs.add.1 also as tfs-add.1, so `man tfs-add` works as for git) and
# the completions where bash-completion, zsh and fish look for them.
MANDIR = $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
RELEASE_BIN = .build/release/tfs
install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(MANDIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR)
	install -m 0755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/tfs
	install -m 0644 man/*.1 $(MANDIR)/
	for page in man/tfs.*.1; do name=$${page#man/}; ln -sf "$$name" "$(MANDIR)/$$(echo "$${name%.1}" | tr . -).1"; done
	install -m 0644 completions/tfs.bash $(BASHDIR)/tfs
	install -m 0644 completions/_tfs $(ZSHDIR)/_tfs
	install -m 0644 completions/tfs.fish $(FISHDIR)/tfs.fish
	@echo "installed tfs, its man pages (man tfs, man tfs-add…) and bash, zsh and fish completions under $(DESTDIR)$(PREFIX)"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tfs $(MANDIR)/tfs.1 $(MANDIR)/tfs.*.1 $(MANDIR)/tfs-*.1
	rm -f $(BASHDIR)/tfs $(ZSHDIR)/_tfs $(FISHDIR)/tfs.fish

clean:
	rm -rf .build
