#include "consensus/gas.h"

#include <gtest/gtest.h>

namespace depin::consensus {
namespace {

Transaction TxWithData(Bytes data) {
  Transaction tx;
  tx.data = std::move(data);
  return tx;
}

TEST(Gas, ScheduleConstantsArePinned) {
  // Ethereum's intrinsic schedule: wallets estimate with these numbers.
  EXPECT_EQ(kTxGas, 21000u);
  EXPECT_EQ(kTxDataZeroGas, 4u);
  EXPECT_EQ(kTxDataNonZeroGas, 16u);
  EXPECT_EQ(kAccessListAddressGas, 2400u);
  EXPECT_EQ(kAccessListStorageKeyGas, 1900u);
  EXPECT_EQ(kModuleReadGas, 800u);
  EXPECT_EQ(kModuleWriteGas, 5000u);
  EXPECT_EQ(kModuleWriteByteGas, 16u);
  EXPECT_EQ(kModuleLogGas, 375u);
  EXPECT_EQ(kModuleLogTopicGas, 375u);
  EXPECT_EQ(kModuleLogByteGas, 8u);
}

TEST(Gas, PlainTransferCostsTwentyOneThousand) { EXPECT_EQ(IntrinsicGas(Transaction{}), 21000u); }

TEST(Gas, ZeroCalldataBytesCostFour) {
  EXPECT_EQ(IntrinsicGas(TxWithData(Bytes(10, 0))), 21000u + 10 * 4);
}

TEST(Gas, NonZeroCalldataBytesCostSixteen) {
  EXPECT_EQ(IntrinsicGas(TxWithData(Bytes(10, 0xff))), 21000u + 10 * 16);
  EXPECT_EQ(IntrinsicGas(TxWithData({0x01})), 21016u);
}

TEST(Gas, MixedCalldataCountsEachByte) {
  EXPECT_EQ(IntrinsicGas(TxWithData({0x00, 0x01, 0x00, 0x80, 0xff})),
            21000u + 4 + 16 + 4 + 16 + 16);
}

TEST(Gas, AccessListChargesAddressesAndKeys) {
  Transaction tx;
  tx.access_list.push_back({Address(), {}});
  EXPECT_EQ(IntrinsicGas(tx), 21000u + 2400);
  tx.access_list.push_back({ModuleAddress(0x1000), {Hash256(), Hash256(), Hash256()}});
  EXPECT_EQ(IntrinsicGas(tx), 21000u + 2400 + 2400 + 3 * 1900);
}

TEST(Gas, CalldataAndAccessListAdd) {
  Transaction tx = TxWithData({0x00, 0x07});
  tx.access_list.push_back({Address(), {Hash256()}});
  EXPECT_EQ(IntrinsicGas(tx), 21000u + 4 + 16 + 2400 + 1900);
}

}  // namespace
}  // namespace depin::consensus
