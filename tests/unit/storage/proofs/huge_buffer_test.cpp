#include "storage/proofs/huge_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

namespace depin::storage::proofs {
namespace {

TEST(HugeBuffer, IsZeroedAlignedAndMovable) {
  HugeBuffer a(3 << 20);
  ASSERT_NE(a.data(), nullptr);
  EXPECT_EQ(a.size(), size_t{3} << 20);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % (2 << 20), 0u);
  EXPECT_TRUE(std::all_of(a.data(), a.data() + a.size(), [](uint8_t b) { return b == 0; }));
  a.data()[5] = 7;
  HugeBuffer b = std::move(a);
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(b.data()[5], 7);
  HugeBuffer c(100);
  std::swap(b, c);
  EXPECT_EQ(c.data()[5], 7);
  EXPECT_EQ(b.size(), 100u);
  EXPECT_EQ(HugeBuffer().size(), 0u);
}

}  // namespace
}  // namespace depin::storage::proofs
