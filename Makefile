# Thin wrapper over CMake (as Neovim's): `make run` and `make test` do all set-up.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
DATADIR ?= $(HOME)/.depin
# Seconds between dev blocks (fractions allowed); 0 mines as soon as a tx arrives.
DEVBLOCKTIME ?= 2

.PHONY: all deps configure build run run-test test interop-deps interop unit functional bench format clean fuzz

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
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_CXX ?= clang++-14
FUZZ_CC ?= clang-14
fuzz: deps
	CC=$(FUZZ_CC) CXX=$(FUZZ_CXX) cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DDEPIN_FUZZ=ON -DDEPIN_BUILD_BENCH=OFF \
	  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
	  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_targets
	tests/fuzz/run_fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: build
	$(BUILD_DIR)/bin/depin_bench

format:
	find src tests bench -name '*.cpp' -o -name '*.h' -o -name '*.cu' -o -name '*.cl' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
