// The storage market's rules, on a chain executed by the real executor
// (market_test_env.h) with real 2 KiB seals, PoReps and PoSts. Balances are
// checked to the wei against docs/markets.md's formulas.
#include "storage/market.h"

#include <gtest/gtest.h>

#include "market_test_env.h"

namespace depin::storage {
namespace {

using testing::Call;
using testing::MarketChain;
using testing::Party;
using testing::PoStFor;
using testing::SealedSector;

constexpr uint64_t k2KiB = 2048;
const Uint256 kPrice(1'000'000'000'000ull);  // wei per block

Uint256 Mul(const Uint256& a, uint64_t b) { return *CheckedMul(a, Uint256(b)); }
Uint256 Plus(const Uint256& a, const Uint256& b) { return *CheckedAdd(a, b); }
Uint256 Minus(const Uint256& a, const Uint256& b) { return *CheckedSub(a, b); }

Bytes Piece(size_t len, uint8_t salt) {
  Bytes b(len);
  for (size_t i = 0; i < len; ++i) b[i] = static_cast<uint8_t>(i * 31 + salt * 7 + i / 97);
  return b;
}

Uint256 Word(const Bytes& out, size_t i) {
  EXPECT_GE(out.size(), 32 * (i + 1));
  return Uint256::FromBigEndian32(out.data() + 32 * i);
}

class MarketTest : public ::testing::Test {
 protected:
  MarketTest() {
    chain_.Fund(provider_, Dpn(1000));
    chain_.Fund(client_, Dpn(1000));
    chain_.Fund(other_, Dpn(1000));
  }

  void Register(const Address& who = Party(1), const Uint256& stake = Dpn(10)) {
    auto r = chain_.Send(who, testing::RegisterProviderCall(k2KiB, Uint256(kWeiPerGwei)), stake);
    ASSERT_EQ(r.status, 1) << r.revert;
  }
  Uint256 DealValue(uint64_t start, uint64_t end) const {
    const Uint256 total = Mul(kPrice, end - start);
    return Plus(total, Mul(total, 10) / Uint256(100));
  }
  // Proposes a deal of `data` (a 1 KiB piece) and returns its id.
  uint64_t Propose(const Bytes& data, uint64_t start, uint64_t end, uint64_t piece = 1024) {
    auto comm = proofs::PieceCommitment(data, piece);
    EXPECT_TRUE(comm.ok());
    auto r =
        chain_.Send(client_, testing::ProposeDealCall(provider_, *comm, piece, start, end, kPrice),
                    DealValue(start, end));
    EXPECT_EQ(r.status, 1) << r.revert;
    return Word(r.output, 0).Low64();
  }
  Bytes DealView(uint64_t id) {
    auto v = chain_.View(Call("getDeal(uint256)", abi::Encoder().Uint(id)));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Bytes(32 * 15, 0);
  }
  DealState StateOf(uint64_t id) { return static_cast<DealState>(Word(DealView(id), 7).Low64()); }
  Bytes SectorView(uint64_t n) {
    auto v =
        chain_.View(Call("getSector(address,uint256)", abi::Encoder().Address(provider_).Uint(n)));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Bytes(32 * 15, 0);
  }

  // Seals sector `number` holding `deals`' pieces, pre-commits and
  // prove-commits it; returns the sealed sector (active on chain).
  std::unique_ptr<SealedSector> Commit(uint64_t number, const std::vector<uint64_t>& deals,
                                       const std::vector<Bytes>& data,
                                       const std::vector<uint64_t>& sizes) {
    return testing::CommitSector(chain_, provider_, number, deals, data, sizes);
  }
  // Mines to the window of the sector's pending period and proves it.
  void ProvePeriod(const SealedSector& sector, uint64_t number) {
    const Bytes s = SectorView(number);
    const uint64_t open = Word(s, 7).Low64();
    const uint64_t deadline = Word(s, 6).Low64();
    chain_.MineUntil(open);
    auto r = chain_.Send(provider_, PoStFor(deadline, chain_.HashAt(open), {&sector}));
    EXPECT_EQ(r.status, 1) << r.revert;
  }
  uint64_t NextCheck(uint64_t number) { return Word(SectorView(number), 8).Low64(); }

  MarketChain chain_;
  const Address provider_ = Party(1);
  const Address client_ = Party(2);
  const Address other_ = Party(3);
};

// Every sector size's prove-commit partition, with its public inputs, fits
// one tx: a 32 GiB sector can be proven on main (44 partitions of 4
// challenges; 8 partitions of 22 did not fit 128 KiB). The market's mask of
// proven partitions holds at most 64.
TEST(MarketParams, EveryProveCommitPartitionFitsATx) {
  for (proofs::SectorSize size :
       {proofs::SectorSize::Size2KiB(), proofs::SectorSize::Size8MiB(),
        proofs::SectorSize::Size512MiB(), proofs::SectorSize::Size32GiB()}) {
    const proofs::ProofParams params = proofs::ParamsFor(size);
    EXPECT_LE(params.porep_partitions, 64u) << size.ToString();
    EXPECT_EQ(params.porep_challenges % params.porep_partitions, 0u) << size.ToString();
    proofs::PoRepPublicInputs in;
    in.size = size;
    const Bytes call = testing::ProveCommitCall(7, proofs::EncodePoRepPublicInputs(in),
                                                Bytes(proofs::PoRepProofBytes(size), 0xab));
    MarketChain chain;
    auto tx = chain.Tx(Party(1), call, Uint256(), 30'000'000);
    EXPECT_LE(tx->size, kMaxTxSize) << size.ToString() << ": " << tx->size << " bytes";
  }
}

TEST_F(MarketTest, ScheduleArithmetic) {
  const ProvingSchedule& s = chain_.schedule();  // L 60, D 6, W 10, R 5
  EXPECT_EQ(s.Open(0, 0), 0u);
  EXPECT_EQ(s.Open(2, 3), 150u);
  EXPECT_EQ(s.Check(2, 3), 155u);
  EXPECT_EQ(s.DeadlineOf(13), 1u);
  EXPECT_EQ(s.FirstPeriodFrom(150, 3), 2u);
  EXPECT_EQ(s.FirstPeriodFrom(151, 3), 3u);
  EXPECT_EQ(s.FirstPeriodFrom(5, 3), 0u);
  EXPECT_EQ(s.OpenWindowAt(150, 3), std::nullopt);
  EXPECT_EQ(s.OpenWindowAt(151, 3), 2u);
  EXPECT_EQ(s.OpenWindowAt(155, 3), 2u);
  EXPECT_EQ(s.OpenWindowAt(156, 3), std::nullopt);
  EXPECT_EQ(s.Open(~uint64_t{0}, 5), ~uint64_t{0});
}

TEST_F(MarketTest, RegisterRules) {
  using testing::RegisterProviderCall;
  auto bad_size = chain_.Send(provider_, RegisterProviderCall(4096, Uint256(1)), Dpn(10));
  EXPECT_EQ(bad_size.status, 0);
  EXPECT_EQ(bad_size.revert.rfind("storage-bad-sector-size", 0), 0u) << bad_size.revert;
  auto low = chain_.Send(provider_, RegisterProviderCall(k2KiB, Uint256(1)), Uint256(5));
  EXPECT_EQ(low.revert.rfind("storage-stake-too-low", 0), 0u) << low.revert;
  EXPECT_EQ(chain_.Balance(provider_), Dpn(1000));  // reverted value comes back
  Register();
  EXPECT_EQ(chain_.Balance(provider_), Dpn(990));
  EXPECT_EQ(chain_.Balance(StorageMarketAddress()), Dpn(10));
  auto again = chain_.Send(provider_, RegisterProviderCall(k2KiB, Uint256(1)), Dpn(10));
  EXPECT_EQ(again.revert.rfind("storage-provider-exists", 0), 0u) << again.revert;
  auto update = chain_.Send(provider_,
                            Call("updateProvider(string,uint256,uint256)",
                                 abi::Encoder().String("http://new").Uint(5).Uint(7)),
                            Dpn(1));
  EXPECT_EQ(update.status, 1) << update.revert;
  auto v = chain_.View(Call("getProvider(address)", abi::Encoder().Address(provider_)));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(Word(*v, 0), Uint256(1));
  EXPECT_EQ(Word(*v, 2), Uint256(5));
  EXPECT_EQ(Word(*v, 5), Dpn(11));
  auto list = chain_.View(
      Call("listProviders(address,uint256)", abi::Encoder().Address(Address()).Uint(10)));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Word(*list, 1), Uint256(1));  // one address after the offset word
  EXPECT_EQ(Address(list->data() + 64 + 12), provider_);
  auto unknown = chain_.View(Call("getProvider(address)", abi::Encoder().Address(other_)));
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(Word(*unknown, 0), Uint256());
}

TEST_F(MarketTest, ProposalRules) {
  Register();
  const uint64_t h = chain_.height();
  const Hash256 comm = *proofs::PieceCommitment(Bytes(100, 1), 1024);
  auto expect_revert = [&](const Bytes& data, const Uint256& value, std::string_view rule) {
    const Uint256 before = chain_.Balance(client_);
    auto r = chain_.Send(client_, data, value);
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.revert.rfind(rule, 0), 0u) << r.revert;
    EXPECT_EQ(chain_.Balance(client_), before) << rule;
  };
  using testing::ProposeDealCall;
  expect_revert(ProposeDealCall(other_, comm, 1024, h + 20, h + 100, kPrice),
                DealValue(h + 20, h + 100), "storage-unknown-provider");
  expect_revert(ProposeDealCall(provider_, comm, 1000, h + 20, h + 100, kPrice),
                DealValue(h + 20, h + 100), "storage-deal-bad-piece-size");
  expect_revert(ProposeDealCall(provider_, comm, 4096, h + 20, h + 100, kPrice),
                DealValue(h + 20, h + 100), "storage-deal-bad-piece-size");
  expect_revert(ProposeDealCall(provider_, comm, 1024, h, h + 100, kPrice), DealValue(h, h + 100),
                "storage-deal-start-passed");
  expect_revert(ProposeDealCall(provider_, comm, 1024, h + 50, h + 50, kPrice), Uint256(),
                "storage-deal-bad-term");
  expect_revert(ProposeDealCall(provider_, comm, 1024, h + 20'000, h + 20'100, kPrice),
                DealValue(h + 20'000, h + 20'100), "storage-deal-start-too-far");
  expect_revert(ProposeDealCall(provider_, comm, 1024, h + 20, h + 100, Uint256(0)), Uint256(),
                "storage-deal-bad-price");
  // 1 gwei per GiB per block asks ceil(1e9 * 1024 / 2^30) = 1 wei for 1 KiB.
  expect_revert(ProposeDealCall(provider_, comm, 1024, h + 20, h + 100, Uint256(0)), Uint256(),
                "storage-deal-bad-price");
  expect_revert(ProposeDealCall(provider_, comm, 1024, h + 20, h + 100, kPrice),
                Plus(DealValue(h + 20, h + 100), Uint256(1)), "storage-deal-wrong-value");
  expect_revert(ProposeDealCall(provider_, comm, 1024, h + 20, h + 100, kPrice), Mul(kPrice, 80),
                "storage-deal-wrong-value");
  auto overflow = ProposeDealCall(provider_, comm, 1024, h + 20, h + 100, Uint256::Max());
  expect_revert(overflow, Uint256(), "storage-overflow");
  // The ask: a provider at 2^40 wei per GiB asks 2^40 / 2^20 = 2^20 wei a
  // block for a 1 KiB piece.
  chain_.Send(provider_, Call("updateProvider(string,uint256,uint256)",
                              abi::Encoder().String("u").Uint(Uint256(1) << 40).Uint(100)));
  auto below = ProposeDealCall(provider_, comm, 1024, h + 30, h + 200, Uint256((1 << 20) - 1));
  const Uint256 total = Mul(Uint256((1 << 20) - 1), 170);
  expect_revert(below, Plus(total, Mul(total, 10) / Uint256(100)), "storage-deal-price-below-ask");
  expect_revert(ProposeDealCall(provider_, comm, 1024, h + 30, h + 90, kPrice),
                DealValue(h + 30, h + 90), "storage-deal-too-short");
  EXPECT_EQ(chain_.Balance(StorageMarketAddress()), Dpn(10));
}

TEST_F(MarketTest, UnactivatedDealExpiresAtStartAndIsRefundedInFull) {
  Register();
  const Uint256 before = chain_.Balance(client_);
  const uint64_t start = chain_.height() + 10;
  const uint64_t id = Propose(Bytes(100, 7), start, start + 100);
  EXPECT_EQ(chain_.Balance(client_), Minus(before, DealValue(start, start + 100)));
  EXPECT_EQ(StateOf(id), DealState::kProposed);
  chain_.MineUntil(start - 1);
  EXPECT_EQ(StateOf(id), DealState::kProposed);
  chain_.Mine();  // the expiry runs at the end of block `start`
  EXPECT_EQ(StateOf(id), DealState::kExpired);
  EXPECT_EQ(chain_.Balance(client_), before);
  EXPECT_EQ(chain_.Balance(StorageMarketAddress()), Dpn(10));
  EXPECT_EQ(chain_.CountLogs("DealEnded(uint256,uint8,uint256,uint256)"), 1u);
}

TEST_F(MarketTest, ClientCancelsBeforeActivation) {
  Register();
  const Uint256 before = chain_.Balance(client_);
  const uint64_t start = chain_.height() + 10;
  const uint64_t id = Propose(Bytes(100, 7), start, start + 100);
  auto stranger = chain_.Send(other_, Call("cancelDeal(uint256)", abi::Encoder().Uint(id)));
  EXPECT_EQ(stranger.revert.rfind("storage-not-deal-client", 0), 0u) << stranger.revert;
  auto r = chain_.Send(client_, Call("cancelDeal(uint256)", abi::Encoder().Uint(id)));
  EXPECT_EQ(r.status, 1) << r.revert;
  EXPECT_EQ(StateOf(id), DealState::kCancelled);
  EXPECT_EQ(chain_.Balance(client_), before);
  auto twice = chain_.Send(client_, Call("cancelDeal(uint256)", abi::Encoder().Uint(id)));
  EXPECT_EQ(twice.revert.rfind("storage-deal-not-cancellable", 0), 0u) << twice.revert;
  auto unknown = chain_.Send(client_, Call("cancelDeal(uint256)", abi::Encoder().Uint(99)));
  EXPECT_EQ(unknown.revert.rfind("storage-unknown-deal", 0), 0u) << unknown.revert;
  chain_.MineUntil(start + 1);  // the expiry entry finds the deal ended and does nothing
  EXPECT_EQ(chain_.Balance(client_), before);
}

// Deal, seal, prove every period, completion: the provider earns exactly the
// price of the term, the client gets its collateral back, and both can take
// their coins out.
TEST_F(MarketTest, ProvenDealPaysThePriceOfItsTermToTheWei) {
  Register();
  const Uint256 provider0 = chain_.Balance(provider_);  // after the 10 DPN stake
  const Uint256 client0 = chain_.Balance(client_);
  const uint64_t start = chain_.height() + 30;
  const uint64_t end = start + 150;
  const Bytes data = Piece(1000, 1);
  const uint64_t id = Propose(data, start, end);
  auto sector = Commit(1, {id}, {data}, {1024});
  EXPECT_EQ(StateOf(id), DealState::kActive);
  const Uint256 total = Mul(kPrice, end - start);
  EXPECT_EQ(Word(DealView(id), 12), total);         // 100% provider collateral
  EXPECT_EQ(chain_.Balance(provider_), provider0);  // deposit came back
  auto early_withdraw =
      chain_.Send(provider_, Call("withdrawStake(uint256)", abi::Encoder().Uint(Uint256(1))));
  EXPECT_EQ(early_withdraw.revert.rfind("storage-stake-in-use", 0), 0u) << early_withdraw.revert;
  const uint64_t first_check = NextCheck(1);
  // Settled at first_check, first_check + 60, ... until one reaches `end`.
  const uint64_t expected_periods = 1 + (end - first_check + 59) / 60;
  uint64_t periods = 0;
  while (StateOf(id) == DealState::kActive) {
    ProvePeriod(*sector, 1);
    chain_.MineUntil(NextCheck(1));
    ++periods;
    ASSERT_LT(periods, 10);
  }
  EXPECT_EQ(periods, expected_periods);
  EXPECT_EQ(chain_.CountLogs("SectorPeriodPaid(address,uint256,uint256,uint256)"), periods);
  EXPECT_EQ(StateOf(id), DealState::kCompleted);
  EXPECT_EQ(Word(DealView(id), 10), total);  // paid
  EXPECT_EQ(Word(DealView(id), 12), Uint256());
  EXPECT_EQ(chain_.Balance(client_), Minus(client0, total));
  auto w = chain_.Send(provider_, Call("withdrawEarnings()", abi::Encoder()));
  EXPECT_EQ(w.status, 1) << w.revert;
  EXPECT_EQ(Word(w.output, 0), total);
  EXPECT_EQ(Word(SectorView(1), 0), Uint256(static_cast<uint8_t>(SectorState::kExpired)));
  auto stake = chain_.Send(provider_, Call("withdrawStake(uint256)", abi::Encoder().Uint(Dpn(10))));
  EXPECT_EQ(stake.status, 1) << stake.revert;
  EXPECT_EQ(chain_.Balance(provider_), Plus(Plus(provider0, Dpn(10)), total));
  EXPECT_EQ(chain_.Balance(StorageMarketAddress()), Uint256());
  auto nothing = chain_.Send(provider_, Call("withdrawEarnings()", abi::Encoder()));
  EXPECT_EQ(nothing.revert.rfind("storage-no-earnings", 0), 0u);
}

// The provider proves the first period, then stops: three faulty periods,
// each costing 3.5x the period's payment from the deal's collateral to the
// client, then termination: the client gets the rest of the collateral, its
// unspent payment and its own collateral. Every balance to the wei.
TEST_F(MarketTest, ProviderThatStopsProvingIsPenalisedExactly) {
  Register();
  const Uint256 provider0 = chain_.Balance(provider_);
  const Uint256 client0 = chain_.Balance(client_);
  const uint64_t start = chain_.height() + 30;
  // Twenty periods: the collateral (the whole price) covers three fees of
  // 3.5 periods' payment each; a shorter deal caps the fees at it.
  const uint64_t end = start + 1200;
  const Bytes data = Piece(1000, 2);
  const uint64_t id = Propose(data, start, end);
  auto sector = Commit(1, {id}, {data}, {1024});
  const Uint256 total = Mul(kPrice, end - start);
  // Prove until the first period that pays something (one whose segment
  // reaches past `start`), then stop.
  uint64_t last_proven_check = 0;
  while (Word(DealView(id), 10).IsZero()) {
    ProvePeriod(*sector, 1);
    last_proven_check = NextCheck(1);
    chain_.MineUntil(last_proven_check);
  }
  const Uint256 paid = Mul(kPrice, last_proven_check - start);
  EXPECT_EQ(Word(DealView(id), 10), paid);
  const Uint256 fee = MulDivSaturating(Mul(kPrice, 60), 3500, 1000);
  for (int missed = 1; missed <= 3; ++missed) {
    chain_.MineUntil(NextCheck(1));
    if (missed < 3) {
      EXPECT_EQ(StateOf(id), DealState::kActive);
      EXPECT_EQ(Word(SectorView(1), 10), Uint256(missed));  // consecutive faults
      EXPECT_EQ(Word(DealView(id), 11), Mul(fee, missed));  // fees received
      EXPECT_EQ(Word(DealView(id), 12), Minus(total, Mul(fee, missed)));
    }
  }
  EXPECT_EQ(StateOf(id), DealState::kTerminated);
  EXPECT_EQ(Word(SectorView(1), 0), Uint256(static_cast<uint8_t>(SectorState::kTerminated)));
  EXPECT_EQ(Word(DealView(id), 11), Mul(fee, 3));
  EXPECT_EQ(Word(DealView(id), 10), paid);  // nothing paid for a faulty period
  EXPECT_EQ(chain_.CountLogs("SectorFaulty(address,uint256,uint256,uint256,bool)"), 3u);
  EXPECT_EQ(chain_.CountLogs("SectorTerminated(address,uint256,uint256)"), 1u);
  // Client: paid total + 10%, got back 3 fees + (collateral - 3 fees) +
  // (total - paid) + 10%: net total - paid.
  EXPECT_EQ(chain_.Balance(client_), Minus(Plus(client0, total), paid));
  // Provider: lost the whole collateral (= total), earned `paid`.
  auto w = chain_.Send(provider_, Call("withdrawEarnings()", abi::Encoder()));
  EXPECT_EQ(Word(w.output, 0), paid);
  const Uint256 left_stake = Minus(Dpn(10), total);
  auto stake =
      chain_.Send(provider_, Call("withdrawStake(uint256)", abi::Encoder().Uint(left_stake)));
  EXPECT_EQ(stake.status, 1) << stake.revert;
  EXPECT_EQ(chain_.Balance(provider_), Minus(Plus(Plus(provider0, left_stake), paid), Uint256()));
  EXPECT_EQ(chain_.Balance(StorageMarketAddress()), Uint256());
  // Nothing more is settled for an ended sector.
  chain_.MineUntil(chain_.height() + 130);
  EXPECT_EQ(chain_.CountLogs("SectorFaulty(address,uint256,uint256,uint256,bool)"), 3u);
}

TEST_F(MarketTest, DeclaredFaultCostsTheLowerFeeAndRecoveryWorks) {
  Register();
  const uint64_t start = chain_.height() + 30;
  const Bytes data = Piece(900, 3);
  const uint64_t id = Propose(data, start, start + 600);
  auto sector = Commit(1, {id}, {data}, {1024});
  while (Word(DealView(id), 10).IsZero()) {
    ProvePeriod(*sector, 1);
    chain_.MineUntil(NextCheck(1));
  }
  auto declare = chain_.Send(provider_, testing::SectorsCall("declareFaults", {1}));
  EXPECT_EQ(declare.status, 1) << declare.revert;
  EXPECT_EQ(Word(SectorView(1), 11), Uint256(1));
  chain_.MineUntil(NextCheck(1));
  const Uint256 declared_fee = MulDivSaturating(Mul(kPrice, 60), 1000, 1000);
  EXPECT_EQ(Word(DealView(id), 11), declared_fee);
  // Recovered and proven: the next period pays and the fault count resets.
  auto recover = chain_.Send(provider_, testing::SectorsCall("declareRecovered", {1}));
  EXPECT_EQ(recover.status, 1) << recover.revert;
  const Uint256 paid_before = Word(DealView(id), 10);
  ProvePeriod(*sector, 1);
  chain_.MineUntil(NextCheck(1));
  EXPECT_EQ(Word(DealView(id), 10), Plus(paid_before, Mul(kPrice, 60)));
  EXPECT_EQ(Word(SectorView(1), 10), Uint256());
  // Too late: the window is open.
  chain_.MineUntil(Word(SectorView(1), 7).Low64());
  auto late = chain_.Send(provider_, testing::SectorsCall("declareFaults", {1}));
  EXPECT_EQ(late.revert.rfind("storage-declare-too-late", 0), 0u) << late.revert;
  auto unknown = chain_.Send(provider_, testing::SectorsCall("declareFaults", {7}));
  EXPECT_EQ(unknown.revert.rfind("storage-unknown-sector", 0), 0u) << unknown.revert;
}

TEST_F(MarketTest, BadPoStsAreRejectedWithTheirRule) {
  Register();
  const uint64_t start = chain_.height() + 30;
  const Bytes a = Piece(800, 4);
  const Bytes b = Piece(800, 5);
  const uint64_t id1 = Propose(a, start, start + 600);
  const uint64_t id2 = Propose(b, start, start + 600);
  auto s1 = Commit(1, {id1}, {a}, {1024});
  auto s2 = Commit(2, {id2}, {b}, {1024});  // deadline 2
  // Sector 1's first window may already be open: prove it, then test in the
  // next one.
  ProvePeriod(*s1, 1);
  chain_.MineUntil(NextCheck(1));
  const uint64_t open = Word(SectorView(1), 7).Low64();
  auto expect = [&](const Address& from, const Bytes& call, std::string_view rule) {
    auto r = chain_.Try(from, call);
    EXPECT_EQ(r.status, 0) << rule;
    EXPECT_EQ(r.revert.rfind(rule, 0), 0u) << r.revert;
  };
  chain_.MineUntil(open - 1);
  // Early: the window opens after block `open` (its hash is the challenge).
  expect(provider_, PoStFor(1, chain_.HashAt(open - 1), {s1.get()}), "storage-post-early");
  chain_.MineUntil(open);
  expect(provider_, PoStFor(1, chain_.HashAt(open - 1), {s1.get()}),
         "storage-post-wrong-randomness");
  expect(provider_, PoStFor(2, chain_.HashAt(open), {s1.get()}), "storage-post-wrong-deadline");
  expect(provider_, PoStFor(9, chain_.HashAt(open), {s1.get()}), "storage-post-bad-deadline");
  expect(other_, PoStFor(1, chain_.HashAt(open), {s1.get()}), "storage-unknown-sector");
  // Sector 2's proof presented as sector 1's: its CommR is not sector 1's.
  {
    proofs::PoStPublicInputs in;
    in.randomness = chain_.HashAt(open);
    proofs::PoStSectorInfo info = s2->Info();
    info.sector_number = 1;
    in.sectors.push_back(info);
    expect(provider_,
           testing::SubmitPoStCall(1, proofs::EncodePoStPublicInputs(in), Bytes{1, 0, 0, 0, 0}),
           "storage-post-wrong-sector");
  }
  auto ok = chain_.Send(provider_, PoStFor(1, chain_.HashAt(open), {s1.get()}));
  EXPECT_EQ(ok.status, 1) << ok.revert;
  expect(provider_, PoStFor(1, chain_.HashAt(open), {s1.get()}), "storage-post-duplicate");
  // Late: sector 2's window (deadline 2) closes without a proof.
  const uint64_t open2 = Word(SectorView(2), 7).Low64();
  chain_.MineUntil(open2 + chain_.params().storage.post_response_blocks);
  expect(provider_, PoStFor(2, chain_.HashAt(open2), {s2.get()}), "storage-post-late");
  EXPECT_GE(Word(SectorView(2), 10), Uint256(1));  // that period was faulty
}

TEST_F(MarketTest, ProveCommitRules) {
  Register();
  const uint64_t start = chain_.height() + 40;
  const Bytes data = Piece(700, 6);
  const uint64_t id = Propose(data, start, start + 300);
  const uint64_t ticket_height = chain_.height() - 1;
  SealedSector sector(provider_, 1, chain_.HashAt(ticket_height), {data}, {1024});
  const Uint256 deposit = chain_.params().storage.precommit_deposit;
  auto wrong_deposit =
      chain_.Send(provider_, testing::PreCommitCall(1, sector.output().comm_r, {id}, ticket_height),
                  Uint256(1));
  EXPECT_EQ(wrong_deposit.revert.rfind("storage-precommit-wrong-deposit", 0), 0u);
  auto not_mine = chain_.Send(
      other_, testing::PreCommitCall(1, sector.output().comm_r, {id}, ticket_height), deposit);
  EXPECT_EQ(not_mine.revert.rfind("storage-unknown-provider", 0), 0u) << not_mine.revert;
  auto twice = chain_.Send(
      provider_, testing::PreCommitCall(1, sector.output().comm_r, {id, id}, ticket_height),
      deposit);
  EXPECT_EQ(twice.revert.rfind("storage-precommit-duplicate-deal", 0), 0u) << twice.revert;
  auto future = chain_.Send(
      provider_, testing::PreCommitCall(1, sector.output().comm_r, {id}, 1'000), deposit);
  EXPECT_EQ(future.revert.rfind("storage-precommit-bad-ticket", 0), 0u) << future.revert;
  auto pre = chain_.Send(
      provider_, testing::PreCommitCall(1, sector.output().comm_r, {id}, ticket_height), deposit);
  ASSERT_EQ(pre.status, 1) << pre.revert;
  auto reuse = chain_.Send(
      provider_, testing::PreCommitCall(1, sector.output().comm_r, {id}, ticket_height), deposit);
  EXPECT_EQ(reuse.revert.rfind("storage-sector-number-used", 0), 0u) << reuse.revert;
  const uint64_t seed_height = chain_.height() - 3 + chain_.params().storage.seal_seed_delay_blocks;
  (void)seed_height;
  const uint64_t pre_height = Word(SectorView(1), 4).Low64();
  const uint64_t seed_at = pre_height + chain_.params().storage.seal_seed_delay_blocks;
  // Too early: the seed block is not there yet.
  if (chain_.height() + 1 <= seed_at) {
    auto early = chain_.Send(provider_, sector.ProveCommit(chain_.HashAt(chain_.height()), 0));
    EXPECT_EQ(early.revert.rfind("storage-provecommit-too-early", 0), 0u) << early.revert;
  }
  chain_.MineUntil(seed_at);
  // Inputs that do not match the chain: another seed.
  auto wrong_seed = chain_.Send(provider_, sector.ProveCommit(chain_.HashAt(seed_at - 1), 0));
  EXPECT_EQ(wrong_seed.revert.rfind("storage-provecommit-wrong-inputs", 0), 0u)
      << wrong_seed.revert;
  auto p0 = chain_.Send(provider_, sector.ProveCommit(chain_.HashAt(seed_at), 0));
  EXPECT_EQ(p0.status, 1) << p0.revert;
  auto p0_again = chain_.Send(provider_, sector.ProveCommit(chain_.HashAt(seed_at), 0));
  EXPECT_EQ(p0_again.revert.rfind("storage-provecommit-duplicate", 0), 0u) << p0_again.revert;
  EXPECT_EQ(StateOf(id), DealState::kProposed);
  auto p1 = chain_.Send(provider_, sector.ProveCommit(chain_.HashAt(seed_at), 1));
  EXPECT_EQ(p1.status, 1) << p1.revert;
  EXPECT_EQ(StateOf(id), DealState::kActive);
  auto after = chain_.Send(provider_, sector.ProveCommit(chain_.HashAt(seed_at), 1));
  EXPECT_EQ(after.revert.rfind("storage-provecommit-duplicate", 0), 0u) << after.revert;
  EXPECT_EQ(chain_.CountLogs("SectorActivated(address,uint256,uint256,uint256)"), 1u);
}

TEST_F(MarketTest, UnprovenPreCommitLosesItsDepositToTheClients) {
  Register();
  const uint64_t start = chain_.height() + 200;
  const Bytes a = Piece(300, 7);
  const Bytes b = Piece(600, 8);
  const uint64_t id1 = Propose(a, start, start + 100, 256 * 2);
  const uint64_t id2 = Propose(b, start, start + 100, 1024);
  const Uint256 client_after_proposals = chain_.Balance(client_);
  const uint64_t ticket_height = chain_.height() - 1;
  SealedSector sector(provider_, 4, chain_.HashAt(ticket_height), {a, b}, {512, 1024});
  auto pre = chain_.Send(
      provider_, testing::PreCommitCall(4, sector.output().comm_r, {id1, id2}, ticket_height),
      chain_.params().storage.precommit_deposit);
  ASSERT_EQ(pre.status, 1) << pre.revert;
  EXPECT_EQ(Word(SectorView(4), 3), Uint256::FromBigEndian32(sector.output().comm_d.data()));
  const uint64_t expiry = chain_.height() + chain_.params().storage.seal_seed_delay_blocks +
                          chain_.params().storage.prove_commit_window_blocks;
  chain_.MineUntil(expiry);
  EXPECT_EQ(Word(SectorView(4), 0), Uint256(static_cast<uint8_t>(SectorState::kPreCommitExpired)));
  EXPECT_EQ(chain_.Balance(client_),
            Plus(client_after_proposals, chain_.params().storage.precommit_deposit));
  // The deals are free again and expire at their start, refunded.
  EXPECT_EQ(Word(DealView(id1), 8), Uint256());
  chain_.MineUntil(start);
  EXPECT_EQ(StateOf(id1), DealState::kExpired);
  EXPECT_EQ(StateOf(id2), DealState::kExpired);
  EXPECT_EQ(chain_.Balance(StorageMarketAddress()), Dpn(10));
}

// A sector holding several deals, terminated: the prepaid settlement chain
// pays for every run (a run out of gas would be reverted and leave the deals
// active), each client gets its own collateral share.
TEST_F(MarketTest, SettlementGasCoversAFullSectorThroughTermination) {
  Register(provider_, Dpn(100));
  const uint64_t start = chain_.height() + 40;
  std::vector<uint64_t> ids;
  std::vector<Bytes> pieces;
  for (uint8_t i = 0; i < 8; ++i) {
    pieces.push_back(Piece(200 + i, i));
    ids.push_back(Propose(pieces.back(), start, start + 400, 256));
  }
  auto sector = Commit(3, ids, pieces, std::vector<uint64_t>(8, 256));
  for (uint64_t id : ids) EXPECT_EQ(StateOf(id), DealState::kActive);
  for (int i = 0; i < 4 && Word(SectorView(3), 0) == Uint256(2); ++i) {
    chain_.MineUntil(NextCheck(3));
  }
  EXPECT_EQ(Word(SectorView(3), 0), Uint256(static_cast<uint8_t>(SectorState::kTerminated)));
  for (uint64_t id : ids) EXPECT_EQ(StateOf(id), DealState::kTerminated);
  EXPECT_EQ(chain_.Balance(StorageMarketAddress()), Minus(Dpn(100), Mul(Mul(kPrice, 400), 8)));
  auto deals =
      chain_.View(Call("listDeals(address,address,uint8,uint256,uint256)",
                       abi::Encoder().Address(client_).Address(Address()).Uint(6).Uint(3).Uint(2)));
  ASSERT_TRUE(deals.ok());
  EXPECT_EQ(Word(*deals, 1), Uint256(2));
  EXPECT_EQ(Word(*deals, 2), Uint256(4));
  EXPECT_EQ(Word(*deals, 3), Uint256(5));
}

TEST_F(MarketTest, ProofChecksAndVerdicts) {
  Register();
  const uint64_t start = chain_.height() + 30;
  const Bytes data = Piece(500, 9);
  const uint64_t id = Propose(data, start, start + 300);
  auto sector = Commit(1, {id}, {data}, {1024});
  const uint64_t open = Word(SectorView(1), 7).Low64();
  chain_.MineUntil(open);
  const Bytes post = PoStFor(1, chain_.HashAt(open), {sector.get()});
  auto checks = chain_.Checks(post);
  ASSERT_TRUE(checks.ok());
  ASSERT_EQ(checks->size(), 1u);
  EXPECT_EQ((*checks)[0].kind, kPoStProofKind);
  const uint64_t seed_at = Word(SectorView(1), 4).Low64() + 2;
  auto porep = chain_.Checks(sector->ProveCommit(chain_.HashAt(seed_at), 0));
  ASSERT_TRUE(porep.ok());
  ASSERT_EQ(porep->size(), 1u);
  EXPECT_EQ((*porep)[0].kind, kPoRepProofKind);
  std::vector<consensus::ProofCheck> all = {(*checks)[0], (*porep)[0]};
  auto bad_post = (*checks)[0];
  bad_post.proof[bad_post.proof.size() - 1] ^= 1;
  auto bad_porep = (*porep)[0];
  bad_porep.proof[bad_porep.proof.size() / 2] ^= 1;
  auto garbage = (*checks)[0];
  garbage.proof = Bytes{9, 9, 9};
  auto unknown_kind = (*checks)[0];
  unknown_kind.kind = 77;
  all.push_back(bad_post);
  all.push_back(bad_porep);
  all.push_back(garbage);
  all.push_back(unknown_kind);
  auto verdicts = chain_.Verify(all);
  ASSERT_EQ(verdicts.size(), 6u);
  EXPECT_TRUE(verdicts[0].ok()) << verdicts[0].ToString();
  EXPECT_TRUE(verdicts[1].ok()) << verdicts[1].ToString();
  EXPECT_FALSE(verdicts[2].ok());
  EXPECT_FALSE(verdicts[3].ok());
  EXPECT_EQ(verdicts[4].code(), "post-decode-truncated");
  EXPECT_EQ(verdicts[5].code(), "storage-unknown-proof-kind");
  // Calls without proofs declare none; a proof call that does not decode is
  // refused before the pool.
  auto none = chain_.Checks(Call("withdrawEarnings()", abi::Encoder()));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  Bytes truncated = post;
  truncated.resize(40);
  EXPECT_EQ(chain_.Checks(truncated).status().code(), "storage-bad-proof-call");
}

TEST_F(MarketTest, ViewsRefuseWritesAndUnknownObjects) {
  Register();
  auto deal = chain_.View(Call("getDeal(uint256)", abi::Encoder().Uint(5)));
  EXPECT_EQ(deal.status().code(), "storage-unknown-deal");
  auto sector =
      chain_.View(Call("getSector(address,uint256)", abi::Encoder().Address(provider_).Uint(1)));
  EXPECT_EQ(sector.status().code(), "storage-unknown-sector");
  auto deadline =
      chain_.View(Call("getDeadline(address,uint256)", abi::Encoder().Address(provider_).Uint(3)));
  ASSERT_TRUE(deadline.ok());
  // At height h+1 (the call's block), deadline 3 opens at 60k + 30.
  const uint64_t h = chain_.height() + 1;
  const uint64_t period = Word(*deadline, 0).Low64();
  EXPECT_EQ(Word(*deadline, 1), Uint256(period * 60 + 30));
  EXPECT_GE(Word(*deadline, 2).Low64() + 0, h);
  auto bad =
      chain_.View(Call("getDeadline(address,uint256)", abi::Encoder().Address(provider_).Uint(6)));
  EXPECT_EQ(bad.status().code(), "storage-post-bad-deadline");
  auto bad_state = chain_.View(
      Call("listDeals(address,address,uint8,uint256,uint256)",
           abi::Encoder().Address(Address()).Address(Address()).Uint(9).Uint(0).Uint(5)));
  EXPECT_EQ(bad_state.status().code(), "storage-bad-state");
  auto short_args = chain_.View(Call("getDeal(uint256)", abi::Encoder()));
  EXPECT_EQ(short_args.status().code(), "abi-short-data");
}

}  // namespace
}  // namespace depin::storage
