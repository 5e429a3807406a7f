# Thin wrapper over CMake (as Neovim's): `make run` and `make test` do all set-up.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
DATADIR ?= $(HOME)/.depin
# Seconds between dev blocks (fractions allowed); 0 mines as soon as a tx arrives.
DEVBLOCKTIME ?= 2

.PHONY: all deps configure build run run-test test interop-deps interop unit functional bench format clean fuzz asan tsan

all: build

deps:
	@./contrib/install-deps.sh

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# A local dev node: regtest, mines a block every 2 s, 10 funded dev accounts.
run: build
	$(BUILD_DIR)/bin/depind -dev -printtoconsole -datadir=$(DATADIR) -devblocktime=$(DEVBLOCKTIME)

# Test mode: the same dev node, mining a block as soon as a tx arrives (as
# Hardhat's automine), so test suites wait milliseconds, not block times.
run-test:
	$(MAKE) run DEVBLOCKTIME=0

# npm ci installs the interop tests' pinned packages (ethers) when Node.js is
# present; without them those tests skip with a printed reason.
test: build interop-deps
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) asan

# Sanitizer builds of the unit tests, each in its own build dir. -O1 and
# line tables only (-g1) keep the compile affordable; reports name the line.
# Warnings are not errors there: GCC's flow warnings give false positives
# under the sanitizers (-Wmaybe-uninitialized in std::regex), and the normal
# build holds the code to -Werror.
# `make test` runs `asan` (ASan + UBSan, every UBSan finding fatal) over
# ASAN_LAYERS: by default the consensus rules and what they stand on (util,
# crypto, primitives, consensus) and the layers that take hostile input
# (chain, net, rpc), which keeps `make test` within CI's budget on 2 cores
# (docs/BENCHMARKS.md, "Crash consistency, fuzzing, sanitizers");
# ASAN_LAYERS= (empty) runs every layer, the markets and storage included.
# `make tsan` runs ThreadSanitizer over the threaded components: the
# mempool and validation signals (chain), RPC and net.
SAN_FLAGS_COMMON = -O1 -g1 -fno-omit-frame-pointer -DNDEBUG
ASAN_DIR ?= build-asan
ASAN_LAYERS ?= util;crypto;primitives;consensus;chain;net;rpc
TSAN_DIR ?= build-tsan
TSAN_LAYERS ?= chain;rpc;net
TSAN_TESTS ?= Mempool|ValidationSignals|ProofCheckQueue|Rpc|Http|Eth|Auth|RateLimiter|Net|Connection|Peer|AddrMan|BanMan|HeadersPresync
asan: deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEPIN_BUILD_BENCH=OFF \
	  -DDEPIN_WERROR=OFF \
	  "-DDEPIN_UNIT_LAYERS=$(ASAN_LAYERS)" \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$(SAN_FLAGS_COMMON)" \
	  "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined $(UBSAN_RECOVER)" \
	  "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined"
	cmake --build $(ASAN_DIR) -j $(JOBS) --target unit_tests
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 $(UBSAN_ENV) \
	  ctest --output-on-failure -j $(JOBS) -L unit

tsan: deps
	cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEPIN_BUILD_BENCH=OFF \
	  -DDEPIN_WERROR=OFF \
	  "-DDEPIN_UNIT_LAYERS=$(TSAN_LAYERS)" \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$(SAN_FLAGS_COMMON)" \
	  "-DCMAKE_CXX_FLAGS=-fsanitize=thread" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread"
	cmake --build $(TSAN_DIR) -j $(JOBS) --target unit_tests
	cd $(TSAN_DIR) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --output-on-failure -j $(JOBS) -L unit -R '$(TSAN_TESTS)'

interop-deps:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error >/dev/null \
	    || echo "warning: npm ci in tests/interop failed; interop tests will skip"; \
	fi

interop: build interop-deps
	cd $(BUILD_DIR) && ctest --output-on-failure -L interop

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

functional: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L functional

# libFuzzer: every target of tests/fuzz/ built with clang, ASan and UBSan
# in its own build dir, each run FUZZ_SECONDS from its committed corpus
# (FUZZ_TARGETS="rlp rpc" picks some). `make test` only replays the corpora.
# CUDA is off there: nvcc's host objects and CUDA's static runtime would bring
# GCC's ASan runtime beside clang's ("incompatible ASan runtimes").
# Every UBSan finding is fatal except those that tests/sanitizers/ubsan.supp
# names (third-party headers), which must be built recoverable to be
# suppressible; halt_on_error=1 keeps the rest fatal.
UBSAN_RECOVER = -fno-sanitize-recover=undefined -fsanitize-recover=pointer-overflow
UBSAN_ENV = UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$(CURDIR)/tests/sanitizers/ubsan.supp
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_CXX ?= clang++-14
FUZZ_CC ?= clang-14
fuzz: deps
	CC=$(FUZZ_CC) CXX=$(FUZZ_CXX) cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DDEPIN_FUZZ=ON -DDEPIN_BUILD_BENCH=OFF -DDEPIN_CUDA=OFF \
	  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined $(UBSAN_RECOVER)" \
	  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_targets
	$(UBSAN_ENV) tests/fuzz/run_fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: build
	$(BUILD_DIR)/bin/depin_bench

format:
	find src tests bench -name '*.cpp' -o -name '*.h' -o -name '*.cu' -o -name '*.cl' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
