# SPDX-License-Identifier: Apache-2.0
# Entry points: `make run` (install, build, serve on SQLite) and `make test` (the whole suite).
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 300
JOBS ?= $(shell nproc)

.PHONY: all deps build quiet-build run test test-asan fuzz-build fuzz fuzz-long fuzz-seeds bench bench-scale soak \
  e2e-deps format format-check clean install deb deb-test

all: build

deps:
	@scripts/install-deps.sh build

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# The same build with its output kept in $(BUILD)/build.log (shown only when it fails).
quiet-build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS) >$(BUILD)/build.log 2>&1 || { tail -40 $(BUILD)/build.log; exit 1; }

run: quiet-build
	@$(BUILD)/portcullis serve

# Installs under CMAKE_INSTALL_PREFIX (default /usr/local); DESTDIR=... stages it.
install: build
	cmake --install $(BUILD)

# Debian packages in $(BUILD)/deb (dpkg-buildpackage in a copy of the tree, then lintian).
deb:
	@scripts/install-deps.sh package
	@scripts/build-deb.sh $(BUILD)/deb

# The package unpacked and run through a browser sign-in (about a minute beside `make deb`);
# PC_DEB_INSTALL=1 also installs it with dpkg -i and purges it (for a throwaway CI machine).
deb-test: deb e2e-deps
	@test/install/deb_test.sh $(BUILD)/deb

e2e-deps:
	@scripts/install-deps.sh test
	@cd test/e2e && npm ci --no-audit --no-fund --loglevel=error

# Test files are independent (own servers, ports from the OS): two run side by side.
TEST_JOBS ?= 2

test: e2e-deps build
	ctest --test-dir $(BUILD) --output-on-failure -j$(TEST_JOBS)

test-asan: e2e-deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPC_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(TEST_JOBS)

# libFuzzer harnesses of test/fuzz (docs/fuzzing.md), built with clang, ASan and UBSan.
fuzz-build:
	@scripts/install-deps.sh test
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPC_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target pc_fuzzers fuzz_seeds

# The short runs CI makes: every corpus plus a fixed number of executions each.
fuzz: fuzz-build
	ctest --test-dir $(FUZZ_BUILD) -L fuzz --output-on-failure -j2 --timeout 600

# FUZZ_SECONDS (default 300) of fuzzing per harness, one after another.
fuzz-long: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --test-dir $(FUZZ_BUILD) -L fuzz --output-on-failure -j1 \
	  --timeout $$(($(FUZZ_SECONDS) + 300))

# Rewrite the generated seeds (real tokens, sealed forms) of test/fuzz/corpus.
fuzz-seeds: fuzz-build
	$(FUZZ_BUILD)/test/fuzz/fuzz_seeds test/fuzz

# Side-by-side load benchmark with Glewlwyd; writes docs/benchmarks.md (about 10 minutes).
bench: build
	@test/bench/run.sh

# Cost against the size of the data: 10^6 users, 10^4 tenants, both stores; writes the
# table in docs/scaling.md (about 20 minutes; SCALE_* variables in test/bench/scale.sh).
bench-scale: build
	@test/bench/scale.sh

# Soak: SOAK_SECONDS (default 600) of mixed load on SQLite; reports RSS, fds, errors. Not in CI.
soak: build
	@test/soak/soak.sh

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

# Fails on any file that clang-format would change (.clang-format is the house style).
format-check:
	@git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
