#include "consensus/block_validation.h"

#include <gtest/gtest.h>

#include "consensus/pow.h"
#include "consensus/test_module.h"
#include "primitives/merkle.h"

namespace depin::consensus {
namespace {

bool MeetsTarget(const BlockHeader& h) {
  return Uint256::FromBigEndian32(h.Hash().data()) <= *CompactToTarget(h.bits);
}

// Sets the nonce to the first value whose hash does (or does not) meet the target.
void Grind(BlockHeader& h, bool want_pass) {
  for (h.nonce = 0; MeetsTarget(h) != want_pass; ++h.nonce) {
  }
}

class HeaderTest : public ::testing::Test {
 protected:
  HeaderTest() : params_(RegtestParams()) {
    parent_.header = params_.GenesisHeader();
    parent_.median_time_past = params_.genesis_time;
    now_ = params_.genesis_time + 1000;
  }

  // A valid child of parent_.
  BlockHeader Child() const {
    BlockHeader h;
    h.version = 1;
    h.height = parent_.header.height + 1;
    h.parent_hash = parent_.header.Hash();
    h.timestamp = parent_.median_time_past + 1;
    h.bits = NextWorkRequired(parent_.header, parent_.asert_anchor_time, params_);
    h.gas_limit = params_.block_gas_limit;
    h.gas_used = 0;
    h.base_fee = NextBaseFee(parent_.header, params_);
    return h;
  }

  Status Contextual(const BlockHeader& h) const {
    return ContextualCheckHeader(h, parent_, now_, params_);
  }

  ChainParams params_;
  ParentInfo parent_;
  uint64_t now_ = 0;
};

TEST_F(HeaderTest, MinedRegtestHeaderPasses) {
  BlockHeader h = Child();
  Grind(h, /*want_pass=*/true);
  EXPECT_TRUE(CheckHeader(h, params_).ok());
  EXPECT_TRUE(Contextual(h).ok());
}

TEST_F(HeaderTest, HighHashFails) {
  BlockHeader h = Child();
  Grind(h, /*want_pass=*/false);
  EXPECT_EQ(CheckHeader(h, params_).code(), "block-high-hash");
}

TEST_F(HeaderTest, BadVersionFails) {
  BlockHeader h = Child();
  Grind(h, true);
  for (uint32_t version : {0u, 2u, 0xffffffffu}) {
    h.version = version;
    EXPECT_EQ(CheckHeader(h, params_).code(), "block-bad-version") << version;
  }
}

TEST_F(HeaderTest, BadBitsFail) {
  BlockHeader h = Child();
  for (uint32_t bits : {0u, 0x2100ffffu, 0x20800000u, 0x00000000u, 0x01003456u}) {
    h.bits = bits;
    EXPECT_EQ(CheckHeader(h, params_).code(), "block-bad-bits") << std::hex << bits;
  }
  // Main: the limit passes the bits check, one step above does not.
  const ChainParams main = MainParams();
  h.bits = 0x1f010000;
  EXPECT_EQ(CheckHeader(h, main).code(), "block-bad-bits");
  h.bits = main.pow_limit_bits;
  EXPECT_NE(CheckHeader(h, main).code(), "block-bad-bits");
}

TEST_F(HeaderTest, HarderTargetThanRequiredStillNeedsItsOwnWork) {
  // CheckHeader verifies the hash against the header's own bits.
  BlockHeader h = Child();
  h.bits = 0x1f7fffff;  // 2^-8 of the regtest limit
  Grind(h, true);
  EXPECT_TRUE(CheckHeader(h, params_).ok());
  Grind(h, false);
  EXPECT_EQ(CheckHeader(h, params_).code(), "block-high-hash");
}

TEST_F(HeaderTest, BadParentLinkFails) {
  BlockHeader h = Child();
  h.parent_hash[0] ^= 1;
  EXPECT_EQ(Contextual(h).code(), "block-bad-prevblk");
}

TEST_F(HeaderTest, BadHeightFails) {
  BlockHeader h = Child();
  h.height = 2;
  EXPECT_EQ(Contextual(h).code(), "block-bad-height");
  h.height = 0;
  EXPECT_EQ(Contextual(h).code(), "block-bad-height");
}

TEST_F(HeaderTest, BadDifficultyFails) {
  BlockHeader h = Child();
  h.bits = 0x1f7fffff;  // harder than required is still wrong
  EXPECT_EQ(Contextual(h).code(), "block-bad-difficulty");
}

TEST_F(HeaderTest, BitsMustFollowAsertOnMain) {
  params_ = MainParams();
  parent_.header = params_.GenesisHeader();
  parent_.header.height = 100;
  parent_.header.timestamp = params_.genesis_time + 100 * 15 - 1000;  // ahead of schedule
  parent_.median_time_past = parent_.header.timestamp - 60;
  parent_.asert_anchor_time = params_.genesis_time + 15;  // block 1 on schedule
  now_ = parent_.header.timestamp + 100;
  BlockHeader h = Child();
  const uint32_t required = NextWorkRequired(parent_.header, parent_.asert_anchor_time, params_);
  ASSERT_NE(required, params_.pow_limit_bits);
  h.bits = required;
  h.base_fee = NextBaseFee(parent_.header, params_);
  EXPECT_TRUE(Contextual(h).ok()) << Contextual(h).ToString();
  h.bits = params_.pow_limit_bits;
  EXPECT_EQ(Contextual(h).code(), "block-bad-difficulty");
  // The bits follow the branch's anchor: a branch whose block 1 came later
  // requires other bits.
  h.bits = required;
  parent_.asert_anchor_time -= 600;
  EXPECT_EQ(Contextual(h).code(), "block-bad-difficulty");
}

TEST_F(HeaderTest, TimestampMustExceedMedianTimePast) {
  parent_.median_time_past = params_.genesis_time + 100;
  BlockHeader h = Child();
  h.timestamp = parent_.median_time_past;
  EXPECT_EQ(Contextual(h).code(), "block-time-too-old");
  h.timestamp = parent_.median_time_past - 1;
  EXPECT_EQ(Contextual(h).code(), "block-time-too-old");
  h.timestamp = parent_.median_time_past + 1;
  EXPECT_TRUE(Contextual(h).ok());
}

TEST_F(HeaderTest, TimestampAtMostTwoHoursAhead) {
  BlockHeader h = Child();
  h.timestamp = now_ + 2 * 60 * 60;
  EXPECT_TRUE(Contextual(h).ok());
  h.timestamp = now_ + 2 * 60 * 60 + 1;
  EXPECT_EQ(Contextual(h).code(), "block-time-too-new");
}

TEST_F(HeaderTest, GasLimitMustBeTheChains) {
  BlockHeader h = Child();
  h.gas_limit = params_.block_gas_limit + 1;
  EXPECT_EQ(Contextual(h).code(), "block-bad-gas-limit");
  h.gas_limit = params_.block_gas_limit - 1;
  EXPECT_EQ(Contextual(h).code(), "block-bad-gas-limit");
}

TEST_F(HeaderTest, GasUsedAtMostGasLimit) {
  BlockHeader h = Child();
  h.gas_used = h.gas_limit;
  EXPECT_TRUE(Contextual(h).ok());
  h.gas_used = h.gas_limit + 1;
  EXPECT_EQ(Contextual(h).code(), "block-gas-used-exceeds-limit");
}

TEST_F(HeaderTest, BaseFeeMustFollowParent) {
  BlockHeader h = Child();
  EXPECT_EQ(h.base_fee, params_.initial_base_fee);
  h.base_fee = *CheckedAdd(h.base_fee, Uint256(1));
  EXPECT_EQ(Contextual(h).code(), "block-bad-base-fee");

  // A full parent above genesis raises the next base fee by 1/8.
  BlockHeader parent = Child();
  parent.gas_used = parent.gas_limit;
  parent_.header = parent;
  parent_.median_time_past = parent.timestamp;
  BlockHeader next = Child();
  EXPECT_EQ(next.base_fee, Uint256(1'125'000'000));
  EXPECT_TRUE(Contextual(next).ok());
  next.base_fee = parent.base_fee;
  EXPECT_EQ(Contextual(next).code(), "block-bad-base-fee");
}

// --- Body -------------------------------------------------------------------

class BodyTest : public ::testing::Test {
 protected:
  BodyTest() : params_(RegtestParams()) {
    modules_.Register(MakeTestModule());
    Bytes secret(32, 0x11);
    secret[31] = 7;
    key_ = crypto::PrivateKey::FromBytes(secret).value();
  }

  TxRef SignedTx(uint64_t nonce, uint64_t chain_id) const {
    Transaction tx;
    tx.chain_id = chain_id;
    tx.nonce = nonce;
    tx.max_fee_per_gas = Uint256(2 * kWeiPerGwei);
    tx.max_priority_fee_per_gas = Uint256(kWeiPerGwei);
    tx.gas_limit = 21000;
    Address to;
    to[19] = 0x55;
    tx.to = to;
    tx.value = Uint256(1);
    tx.Sign(*key_);
    return MakeVerifiedTx(std::move(tx)).value();
  }

  Block MakeBlock(std::vector<TxRef> txs) const {
    Block b;
    b.header = params_.GenesisHeader();
    b.txs = std::move(txs);
    b.header.tx_root = TxRoot(b.txs);
    return b;
  }

  ChainParams params_;
  ModuleRegistry modules_;
  std::optional<crypto::PrivateKey> key_;
};

TEST_F(BodyTest, ValidBodyPasses) {
  EXPECT_TRUE(CheckBlockBody(MakeBlock({}), params_, modules_).ok());
  const Block b = MakeBlock({SignedTx(0, 1337), SignedTx(1, 1337)});
  EXPECT_TRUE(CheckBlockBody(b, params_, modules_).ok());
}

TEST_F(BodyTest, TooLargeFails) {
  const Block b = MakeBlock({SignedTx(0, 1337), SignedTx(1, 1337)});
  params_.max_block_size = b.SerializedSize();
  EXPECT_TRUE(CheckBlockBody(b, params_, modules_).ok());
  EXPECT_EQ(b.SerializedSize(), b.Serialize().size());
  params_.max_block_size = b.SerializedSize() - 1;
  EXPECT_EQ(CheckBlockBody(b, params_, modules_).code(), "block-too-large");
}

TEST_F(BodyTest, BadTxRootFails) {
  Block b = MakeBlock({SignedTx(0, 1337), SignedTx(1, 1337)});
  b.header.tx_root[31] ^= 1;
  EXPECT_EQ(CheckBlockBody(b, params_, modules_).code(), "block-bad-tx-root");
  // Reordered txs do not match the committed root either.
  Block swapped = MakeBlock({SignedTx(0, 1337), SignedTx(1, 1337)});
  std::swap(swapped.txs[0], swapped.txs[1]);
  EXPECT_EQ(CheckBlockBody(swapped, params_, modules_).code(), "block-bad-tx-root");
}

TEST_F(BodyTest, DuplicateTxFails) {
  const TxRef tx = SignedTx(0, 1337);
  const Block b = MakeBlock({tx, SignedTx(1, 1337), tx});
  const Status s = CheckBlockBody(b, params_, modules_);
  EXPECT_EQ(s.code(), "block-duplicate-tx");
  EXPECT_NE(s.message().find("tx 2"), std::string::npos) << s.message();
}

TEST_F(BodyTest, StatelessTxRuleNamesIndex) {
  const TxRef bad = SignedTx(1, 1);
  const Block b = MakeBlock({SignedTx(0, 1337), bad});
  const Status s = CheckBlockBody(b, params_, modules_);
  EXPECT_EQ(s.code(), "tx-wrong-chain-id");
  EXPECT_EQ(s.message().rfind("tx 1 (" + bad->hash.Hex() + "): invalid chain id", 0), 0u)
      << s.message();
}

}  // namespace
}  // namespace depin::consensus
