// Shared pieces of the fuzz targets in tests/fuzz/. Each target is one .cpp
// that defines LLVMFuzzerTestOneInput (and, where it needs set-up,
// LLVMFuzzerInitialize). The same sources build two ways:
//   - with clang and -fsanitize=fuzzer (`make fuzz`): libFuzzer drives them;
//   - with the normal compiler and replay_main.cpp (`make test`, ctest label
//     `fuzz`): every file of tests/fuzz/corpus/<target>/ is fed once, so the
//     seeds and every regression input found so far run on each build.
// A target checks properties (round trips, determinism, agreement between
// two decoders) with FUZZ_CHECK, which aborts with a message in every build
// type (assert() is compiled out of RelWithDebInfo).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "util/bytes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)

namespace depin::fuzz {

// Takes typed values off the front of a fuzz input; past the end it yields
// zeros and empty spans, so a target never needs to check sizes itself.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(data, size) {}

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    uint8_t b = rest_[0];
    rest_ = rest_.subspan(1);
    return b;
  }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{Byte()} << (8 * i);
    return v;
  }
  // Up to `n` bytes.
  ByteSpan Take(size_t n) {
    n = std::min(n, rest_.size());
    ByteSpan out = rest_.first(n);
    rest_ = rest_.subspan(n);
    return out;
  }
  // A length-prefixed (u16 LE) piece.
  ByteSpan Piece() {
    size_t n = Byte();
    n |= size_t{Byte()} << 8;
    return Take(n);
  }
  ByteSpan Rest() {
    ByteSpan out = rest_;
    rest_ = {};
    return out;
  }
  bool empty() const { return rest_.empty(); }

 private:
  ByteSpan rest_;
};

inline bool SameBytes(ByteSpan a, ByteSpan b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

}  // namespace depin::fuzz
