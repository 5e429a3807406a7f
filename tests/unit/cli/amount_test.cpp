#include "cli/amount.h"

#include <gtest/gtest.h>

namespace depin::cli {
namespace {

Uint256 Wei(std::string_view decimal) { return *Uint256::FromDecimal(decimal); }

TEST(Amount, DpnDecimalsAreExact) {
  EXPECT_EQ(*ParseAmount("1.5", AmountUnit::kDpn), Wei("1500000000000000000"));
  EXPECT_EQ(*ParseAmount("0.1", AmountUnit::kDpn), Wei("100000000000000000"));
  EXPECT_EQ(*ParseAmount(".5", AmountUnit::kDpn), Wei("500000000000000000"));
  EXPECT_EQ(*ParseAmount("0.000000000000000001", AmountUnit::kDpn), Wei("1"));
  EXPECT_EQ(*ParseAmount("10000", AmountUnit::kDpn), Dpn(10000));
  EXPECT_EQ(*ParseAmount("0", AmountUnit::kDpn), Uint256(0));
}

TEST(Amount, UnitSuffixesOverrideTheDefault) {
  EXPECT_EQ(*ParseAmount("1500000000000000000wei", AmountUnit::kDpn), Wei("1500000000000000000"));
  EXPECT_EQ(*ParseAmount("2gwei", AmountUnit::kDpn), Uint256(2 * kWeiPerGwei));
  EXPECT_EQ(*ParseAmount("1.5GWEI", AmountUnit::kWei), Uint256(1500000000));
  EXPECT_EQ(*ParseAmount("3dpn", AmountUnit::kGwei), Dpn(3));
  EXPECT_EQ(*ParseAmount("2", AmountUnit::kGwei), Uint256(2 * kWeiPerGwei));
}

TEST(Amount, TrailingZerosDoNotCountAsDecimals) {
  EXPECT_EQ(*ParseAmount("1.50000000000000000000", AmountUnit::kDpn), Wei("1500000000000000000"));
  EXPECT_EQ(*ParseAmount("7.000wei", AmountUnit::kDpn), Uint256(7));
}

TEST(Amount, RejectsTooManyDecimals) {
  EXPECT_EQ(ParseAmount("0.0000000000000000001", AmountUnit::kDpn).status().code(),
            "amount-too-many-decimals");
  EXPECT_EQ(ParseAmount("1.5wei", AmountUnit::kDpn).status().code(), "amount-too-many-decimals");
  EXPECT_EQ(ParseAmount("1.0000000001gwei", AmountUnit::kDpn).status().code(),
            "amount-too-many-decimals");
}

TEST(Amount, RejectsNegativeEmptyAndMalformed) {
  EXPECT_EQ(ParseAmount("-1", AmountUnit::kDpn).status().code(), "amount-negative");
  EXPECT_EQ(ParseAmount("-0.5gwei", AmountUnit::kDpn).status().code(), "amount-negative");
  EXPECT_EQ(ParseAmount("", AmountUnit::kDpn).status().code(), "amount-empty");
  for (const char* bad : {"abc", "1.", ".", "1.2.3", "1e18", "+1", " 1", "1 ", "0x10", "1,5", "wei",
                          "gwei", "1 dpn", "1eth", "1..5", "1.-5"}) {
    EXPECT_EQ(ParseAmount(bad, AmountUnit::kDpn).status().code(), "amount-invalid") << bad;
  }
}

TEST(Amount, RejectsOverflow) {
  std::string max = Uint256::Max().ToDecimal();
  EXPECT_EQ(*ParseAmount(max + "wei", AmountUnit::kDpn), Uint256::Max());
  std::string over = max;
  over.back() = static_cast<char>(over.back() + 1);  // 2^256 - 1 ends in 5
  EXPECT_EQ(ParseAmount(over + "wei", AmountUnit::kDpn).status().code(), "amount-overflow");
  // Fine in wei, too large once scaled to DPN.
  EXPECT_EQ(ParseAmount(max, AmountUnit::kDpn).status().code(), "amount-overflow");
  EXPECT_EQ(ParseAmount(std::string(100, '9') + "gwei", AmountUnit::kDpn).status().code(),
            "amount-overflow");
}

TEST(Amount, FormatDpnRoundTrips) {
  EXPECT_EQ(FormatDpn(Wei("1500000000000000000")), "1.5");
  EXPECT_EQ(FormatDpn(Uint256(1)), "0.000000000000000001");
  EXPECT_EQ(FormatDpn(Uint256(0)), "0");
  EXPECT_EQ(FormatDpn(Dpn(10000)), "10000");
  for (const char* text : {"1.5", "0.000000000000000001", "123456.789", "0"}) {
    EXPECT_EQ(FormatDpn(*ParseAmount(text, AmountUnit::kDpn)), text);
  }
}

}  // namespace
}  // namespace depin::cli
