# The two commands of README.md, and a few more. CMake does the building.
BUILD ?= build
BUILD_SAN ?= build-san
BUILD_FUZZ ?= build-fuzz
BUILD_MUTATE ?= build-mutate
BUILD_COVERAGE ?= build-coverage
FUZZ_SECONDS ?= 600
FUZZ_CI_SECONDS ?= 10
JOBS ?= 2

ROUNDS ?= 10000
SEED ?= 1

# The programs below run delegit from their own temporary directories: they
# are handed its absolute path, whatever BUILD is.
DELEGIT = $(abspath $(BUILD))/delegit

.PHONY: all deps build build-san build-fuzz test test-fast test-san test-valgrind fuzz fuzz-ci demo converge kills bench targets-check mutate mutate-ci coverage clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# Debian's layout under PREFIX (SPEC 10): bin/delegit, share/man/man1,
# share/bash-completion/completions, share/zsh/site-functions; DESTDIR
# stages it (as packagers do).
.PHONY: install deb
PREFIX ?= /usr/local
DESTDIR ?=
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

# A .deb of that layout under /usr, made by CPack in $(BUILD)
deb: build
	cd $(BUILD) && cpack -G DEB
	@ls $(BUILD)/delegit_*.deb

build-san: deps
	cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DDELEGIT_SANITIZE=ON >/dev/null
	cmake --build $(BUILD_SAN) -j$(JOBS)

# Every test, then again under ASan + UBSan, then the CLI tests under
# valgrind, then a handful of mutants (the harness still tells killed from
# equivalent), then every target README.md names, briefly (each fuzzer 20 s).
test: test-fast test-san test-valgrind mutate-ci targets-check

test-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# Not the sync fault sweep (e2e_FaultsSync): two and a half minutes under
# the sanitizers, for paths e2e_Faults and e2e_FaultTargets also take
# there; nor the rejection's sweep (e2e_FaultsReject: some 80 syncs;
# e2e_Enforce takes its rejection there unfaulted); nor sync/remote.c's
# sweep and edge cases (e2e_FaultsRemote, e2e_RemoteEdges: 78 s there on
# CI's kind of machine; the merges, clones and recoveries of remote.c run
# under ASan in e2e_SyncEdges, e2e_OfflineAndSafety, e2e_Merge,
# e2e_Transports and e2e_Timeouts); nor e2e_FastMerge (delegit's merge
# against git's, for their results: both run under ASan in e2e_Merge) —
# sweeps take five to eight times as long under the sanitizers; nor the
# kill loop (a killed process reports nothing to a sanitizer; the
# commands after it are the other classes' own): all of them run in
# test-fast, and CI's time is bounded.
test-san: build-san
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir $(BUILD_SAN) --output-on-failure -j$(JOBS) -E '^(e2e_FaultsSync|e2e_FaultsReject|e2e_FaultsRemote|e2e_RemoteEdges|e2e_FastMerge|kills)$$'

# The CLI under valgrind, through the classes that take its main paths:
# every command that writes (Add, Workflow), the parsers' refusals
# (BadInput), and the history index and its caches (HistoryIndex). Every
# class runs under ASan and UBSan in test-san; these four keep valgrind's
# own view (uninitialised reads, which ASan does not report) within CI's
# time (TerminalInjection, 91 s there, runs under ASan).
test-valgrind: build
	DELEGIT_VALGRIND=1 ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS) \
		-R "e2e_(Add|Workflow|BadInput|HistoryIndex)$$"

build-fuzz: deps
	CC=clang cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=Debug -DDELEGIT_FUZZ=ON -DDELEGIT_TESTS=OFF >/dev/null
	cmake --build $(BUILD_FUZZ) -j$(JOBS) --target fuzz_yaml fuzz_merge fuzz_args fuzz_sshsig fuzz_trees fuzz_evcache fuzz_walkcache fuzz_treediff

# The fuzzers, long (FUZZ_SECONDS each, 600 by default); make test runs
# them FUZZ_CI_SECONDS each, through targets-check.
fuzz: build-fuzz
	JOBS=$(JOBS) LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp scripts/fuzz.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

fuzz-ci:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_CI_SECONDS)

# The convergence simulation, long: make converge ROUNDS=10000 SEED=1
converge: build
	DELEGIT=$(DELEGIT) DELEGIT_ROUNDS=$(ROUNDS) DELEGIT_SEED=$(SEED) \
	/usr/bin/python3 tests/e2e/test_converge.py -v

# The randomised kill loop, long: make kills KILLS=300 SEED=1 (make test
# runs 30 kills)
KILLS ?= 300
kills: build
	DELEGIT=$(DELEGIT) DELEGIT_KILLS=$(KILLS) DELEGIT_SEED=$(SEED) \
	/usr/bin/python3 tests/e2e/test_kills.py -v

# The scale benchmark of docs/benchmarks.md (long: about half an hour with
# 100k): make bench, or make bench SIZES="1000 10000" RUNS=3
SIZES ?= 1000 10000 100000
RUNS ?= 5
bench: build
	/usr/bin/python3 bench/bench.py $(DELEGIT) $(SIZES) --runs $(RUNS) | tee $(BUILD)/bench.md

demo: build
	demo/demo.sh $(DELEGIT)

# Every target README.md and docs/ name, briefly, as a new user runs it: in
# a fresh clone, with the default (relative) build directories; and every
# target and variable they name is the Makefile's. A few minutes, most of
# them building; each fuzzer runs FUZZ_CI_SECONDS.
targets-check:
	JOBS=$(JOBS) scripts/targets-check.sh $(FUZZ_CI_SECONDS)

# Mutation testing (docs/testing.md): each mutant of the files that decide
# trust and data, built in a copy of the tree, its tests run until one
# fails. All of them takes days (docs/testing.md): MUTATE_MAX=25 takes 25 per
# file, the same ones for the same MUTATE_SEED. Results in $(BUILD_MUTATE).
MUTATE_FILES ?= core/merge.c core/policy.c core/task.c core/validate.c \
	core/time.c schema/schema.c core/rows.c core/store.c sync/policy.c \
	sync/remote.c sync/sshsig.c sync/repo.c:dlg_repo_lock,dlg_repo_unlock
MUTATE_MAX ?= 0
MUTATE_SEED ?= 1
MUTATE_JOBS ?= $(JOBS)
# MUTATE_OPTS=--file-tests: only the files' own tests (scripts/mutate.py's
# TESTS) in the coverage run, not the whole suite: for one file, quicker
MUTATE_OPTS ?=
mutate: deps
	/usr/bin/python3 scripts/mutate.py --build $(BUILD_MUTATE) \
		--max $(MUTATE_MAX) --seed $(MUTATE_SEED) --jobs $(MUTATE_JOBS) \
		$(MUTATE_OPTS) $(MUTATE_FILES)

# The mutants scripts/mutate-ci.txt names, each as it expects (about a
# minute): run by make test.
mutate-ci: deps
	/usr/bin/python3 scripts/mutate.py --build $(BUILD_MUTATE) \
		--ci scripts/mutate-ci.txt --jobs $(MUTATE_JOBS)

# Branch coverage (docs/testing.md): the unit and e2e tests on a --coverage
# build, the convergence simulation COVERAGE_ROUNDS rounds, then a table of
# the files make mutate takes (gcovr). About 10 minutes.
COVERAGE_ROUNDS ?= 20
coverage: deps
	cmake -S . -B $(BUILD_COVERAGE) -DCMAKE_BUILD_TYPE=Debug -DDELEGIT_COVERAGE=ON >/dev/null
	cmake --build $(BUILD_COVERAGE) -j$(JOBS)
	find $(BUILD_COVERAGE) -name '*.gcda' -delete
	ctest --test-dir $(BUILD_COVERAGE) --output-on-failure -j$(JOBS) -E '^converge$$'
	DELEGIT=$(abspath $(BUILD_COVERAGE))/delegit DELEGIT_ROUNDS=$(COVERAGE_ROUNDS) \
	DELEGIT_SEED=7 /usr/bin/python3 tests/e2e/test_converge.py
	/usr/bin/python3 scripts/coverage.py $(BUILD_COVERAGE) $(MUTATE_FILES)

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ) $(BUILD_MUTATE) $(BUILD_COVERAGE)
