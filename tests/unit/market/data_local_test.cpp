// Data-local compute orders (docs/markets.md, "Data-local orders"): an
// order naming a storage deal takes bids only from the provider storing it,
// and its lease pays the provider only for blocks the storage market settled
// as served; the escrow's pay for faulty periods goes back to the tenant.
// Both real modules on one chain executed by the real executor, with real
// 2 KiB seals, PoReps and PoSts (storage/market_test_env.h); balances to the
// wei.
#include <gtest/gtest.h>

#include <random>

#include "compute_test_env.h"
#include "market/compute_market.h"
#include "storage/market.h"
#include "storage/queries.h"
#include "unit/storage/market_test_env.h"

namespace depin::market {
namespace {

using storage::testing::MarketChain;
using storage::testing::PoStFor;
using storage::testing::SealedSector;
using testing::Call;
using testing::IdCall;
using testing::OrderArgs;
using testing::PubKeyOf;
using testing::Word;

constexpr uint64_t k2KiB = 2048;
const Uint256 kDealPrice(1'000'000);       // storage, wei per block
const Uint256 kLeasePrice(1'000'000'000);  // compute, wei per block

Uint256 Mul(const Uint256& a, uint64_t b) { return *CheckedMul(a, Uint256(b)); }
Uint256 Plus(const Uint256& a, const Uint256& b) { return *CheckedAdd(a, b); }
Uint256 Minus(const Uint256& a, const Uint256& b) { return *CheckedSub(a, b); }
std::string RuleOf(const std::string& revert) { return revert.substr(0, revert.find(':')); }

Bytes Piece(size_t len, uint8_t salt) {
  Bytes b(len);
  for (size_t i = 0; i < len; ++i) b[i] = static_cast<uint8_t>(i * 13 + salt);
  return b;
}

class DataLocalTest : public ::testing::Test {
 protected:
  DataLocalTest() {
    chain_.AddModule(MakeComputeMarket(chain_.params().compute));
    for (const Address& a : {provider_, provider2_, tenant_}) chain_.Fund(a, Dpn(1000));
    auto s =
        chain_.Send(provider_, storage::testing::RegisterProviderCall(k2KiB, Uint256(1)), Dpn(10));
    EXPECT_EQ(s.status, 1) << s.revert;
    for (const Address& p : {provider_, provider2_}) {
      auto r = Compute(p, testing::RegisterCall(testing::GpuAttributes()), Dpn(1));
      EXPECT_EQ(r.status, 1) << r.revert;
    }
  }

  MarketChain::Sent Compute(const Address& from, const Bytes& data,
                            const Uint256& value = Uint256()) {
    return chain_.SendTo(ComputeMarketAddress(), from, data, value);
  }
  Bytes ComputeView(const Bytes& call) {
    auto v = chain_.ViewAt(ComputeMarketAddress(), call);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Bytes(32 * 16, 0);
  }
  Bytes StorageView(const Bytes& call) {
    auto v = chain_.View(call);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Bytes(32 * 16, 0);
  }
  Bytes SectorView() {
    return StorageView(
        Call("getSector(address,uint256)", abi::Encoder().Address(provider_).Uint(kSector)));
  }
  uint64_t NextCheck() { return Word(SectorView(), 8).Low64(); }

  // A deal of the tenant's stored by provider_ in sector kSector, active.
  uint64_t ActiveDeal() {
    const Bytes data = Piece(1000, 5);
    const uint64_t start = chain_.height() + 30;
    const uint64_t end = start + 1200;
    auto comm = storage::proofs::PieceCommitment(data, 1024);
    EXPECT_TRUE(comm.ok());
    const Uint256 total = Mul(kDealPrice, end - start);
    auto p = chain_.Send(
        tenant_, storage::testing::ProposeDealCall(provider_, *comm, 1024, start, end, kDealPrice),
        Plus(total, Mul(total, 10) / Uint256(100)));
    EXPECT_EQ(p.status, 1) << p.revert;
    const uint64_t deal = Word(p.output, 0).Low64();
    sector_ = storage::testing::CommitSector(chain_, provider_, kSector, {deal}, {data}, {1024});
    return deal;
  }
  // Mines to the sector's next window and proves it.
  void Prove() {
    const Bytes s = SectorView();
    const uint64_t open = Word(s, 7).Low64();
    chain_.MineUntil(open);
    auto r = chain_.Send(provider_, PoStFor(Word(s, 6).Low64(), chain_.HashAt(open), {&*sector_}));
    EXPECT_EQ(r.status, 1) << r.revert;
  }
  // An order naming `deal` (the whole term's escrow unless given); returns its id.
  uint64_t Order(uint64_t deal, uint64_t duration, std::optional<Uint256> escrow = {}) {
    OrderArgs a;
    a.deal = deal;
    a.duration = duration;
    a.max_price = kLeasePrice;
    a.window = chain_.params().compute.max_bidding_window_blocks;
    auto r = Compute(tenant_, testing::CreateOrderCall(a, PubKeyOf(3)),
                     escrow.value_or(Mul(kLeasePrice, duration)));
    EXPECT_EQ(r.status, 1) << r.revert;
    return Word(r.output, 0).Low64();
  }
  // provider_ bids and the tenant accepts; returns the lease id (= the
  // order's) with the lease starting at chain_.height().
  uint64_t Lease(uint64_t order) {
    auto bid = Compute(provider_, testing::BidCall(order, kLeasePrice),
                       chain_.params().compute.bid_deposit);
    EXPECT_EQ(bid.status, 1) << bid.revert;
    auto accept = Compute(tenant_, IdCall("acceptBid", Word(bid.output, 0).Low64()));
    EXPECT_EQ(accept.status, 1) << accept.revert;
    return order;
  }
  Bytes Service(uint64_t lease) { return ComputeView(IdCall("getLeaseService", lease)); }

  static constexpr uint64_t kSector = 1;
  MarketChain chain_;
  const Address provider_ = testing::Party(1);
  const Address provider2_ = testing::Party(2);
  const Address tenant_ = testing::Party(3);  // a real key: createOrder checks it
  std::unique_ptr<SealedSector> sector_;
};

TEST_F(DataLocalTest, OnlyTheDealsProviderMayBidAndOnlyOnAnExistingDeal) {
  OrderArgs missing;
  missing.deal = 999;
  auto r = Compute(tenant_, testing::CreateOrderCall(missing, PubKeyOf(3)),
                   Mul(missing.max_price, missing.duration));
  EXPECT_EQ(RuleOf(r.revert), "compute-unknown-deal") << r.revert;

  // A deal still waiting for its sector: nobody may bid yet.
  const Bytes data = Piece(900, 1);
  auto comm = storage::proofs::PieceCommitment(data, 1024);
  ASSERT_TRUE(comm.ok());
  const uint64_t start = chain_.height() + 50;
  auto p = chain_.Send(
      tenant_,
      storage::testing::ProposeDealCall(provider_, *comm, 1024, start, start + 100, kDealPrice),
      Mul(kDealPrice, 110));
  ASSERT_EQ(p.status, 1) << p.revert;
  const uint64_t proposed = Word(p.output, 0).Low64();
  const uint64_t waiting = Order(proposed, 100);
  auto early = Compute(provider_, testing::BidCall(waiting, kLeasePrice),
                       chain_.params().compute.bid_deposit);
  EXPECT_EQ(RuleOf(early.revert), "compute-bid-not-data-local") << early.revert;
  EXPECT_NE(early.revert.find("not in an active sector"), std::string::npos) << early.revert;

  const uint64_t deal = ActiveDeal();
  const uint64_t order = Order(deal, 100);
  auto other = Compute(provider2_, testing::BidCall(order, kLeasePrice),
                       chain_.params().compute.bid_deposit);
  EXPECT_EQ(RuleOf(other.revert), "compute-bid-not-data-local") << other.revert;
  EXPECT_NE(other.revert.find("is stored by " + provider_.ToChecksumHex()), std::string::npos)
      << other.revert;
  // explainOrder says why, per provider: provider_ passes, provider2_ fails
  // on the data-local clause.
  const Bytes why = ComputeView(Call("explainOrder(uint256,address,uint256)",
                                     abi::Encoder().Uint(order).Address(Address()).Uint(10)));
  const std::map<Address, std::string> failures = testing::ExplainAnswer(why, 10);
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures.at(provider_), "");
  EXPECT_EQ(failures.at(provider2_).rfind("data-local: storage deal", 0), 0u)
      << failures.at(provider2_);
  EXPECT_EQ(Lease(order), order);
}

// Proven, faulty, proven: the provider is paid for the proven blocks only,
// the tenant gets the faulty period's pay back, and blocks not settled yet
// (after the tenant closes) are paid once the next PoSt settles them.
TEST_F(DataLocalTest, FaultyPeriodsAreNotPaidAndGoBackToTheTenant) {
  const uint64_t deal = ActiveDeal();
  const uint64_t lease = Lease(Order(deal, 500));
  const uint64_t start = chain_.height();
  EXPECT_EQ(Word(Service(lease), 0), Uint256(deal));
  // An unknown lease is refused by the view, with its rule.
  auto unknown = chain_.ViewAt(ComputeMarketAddress(), IdCall("getLeaseService", 999));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().ToString().find("compute-unknown-lease"), std::string::npos)
      << unknown.status().ToString();
  EXPECT_EQ(Word(Service(lease), 1), Uint256(start));  // nothing settled yet

  // Nothing is settled before the sector's first check: nothing to withdraw.
  auto nothing = Compute(provider_, IdCall("withdrawLease", lease));
  EXPECT_EQ(RuleOf(nothing.revert), "compute-nothing-to-withdraw") << nothing.revert;

  Prove();
  const uint64_t c1 = NextCheck();
  chain_.MineUntil(c1);  // [.., c1) proven
  const uint64_t c2 = NextCheck();
  chain_.MineUntil(c2);  // [c1, c2) faulty: no PoSt
  Prove();
  const uint64_t c3 = NextCheck();
  chain_.MineUntil(c3);  // [c2, c3) proven
  ASSERT_LT(start, c1);
  ASSERT_EQ(Word(Service(lease), 1), Uint256(c3));

  const Uint256 provider0 = chain_.Balance(provider_);
  const Uint256 tenant0 = chain_.Balance(tenant_);
  auto w = Compute(provider_, IdCall("withdrawLease", lease));
  ASSERT_EQ(w.status, 1) << w.revert;
  const Uint256 served = Mul(kLeasePrice, (c3 - start) - (c2 - c1));
  const Uint256 unserved = Mul(kLeasePrice, c2 - c1);
  EXPECT_EQ(Word(w.output, 0), served);
  EXPECT_EQ(chain_.Balance(provider_), Plus(provider0, served));
  EXPECT_EQ(chain_.Balance(tenant_), Plus(tenant0, unserved));
  EXPECT_EQ(chain_.CountLogs("UnservedRefunded(uint256,address,uint256,uint256)"), 1u);
  const Bytes after = Service(lease);
  EXPECT_EQ(Word(after, 2), served);
  EXPECT_EQ(Word(after, 3), unserved);

  // The tenant closes; blocks [c3, closed) are paid for but not settled.
  auto close = Compute(tenant_, testing::CloseCall(lease, 1));
  ASSERT_EQ(close.status, 1) << close.revert;
  const uint64_t closed = chain_.height();
  const Uint256 term = Mul(kLeasePrice, 500);
  EXPECT_EQ(chain_.Balance(tenant_),
            Plus(Plus(tenant0, unserved), Minus(term, Mul(kLeasePrice, closed - start))));
  EXPECT_EQ(Word(Service(lease), 4), Mul(kLeasePrice, closed - c3));  // pending
  // The tenant may resolve too, but nothing new is settled.
  auto early = Compute(tenant_, IdCall("withdrawLease", lease));
  EXPECT_EQ(RuleOf(early.revert), "compute-nothing-to-withdraw") << early.revert;
  auto stranger = Compute(provider2_, IdCall("withdrawLease", lease));
  EXPECT_EQ(RuleOf(stranger.revert), "compute-not-lease-provider") << stranger.revert;

  Prove();
  const uint64_t c4 = NextCheck();
  chain_.MineUntil(c4);
  ASSERT_GE(c4, closed);
  const Uint256 provider1 = chain_.Balance(provider_);
  auto last = Compute(provider_, IdCall("withdrawLease", lease));
  ASSERT_EQ(last.status, 1) << last.revert;
  EXPECT_EQ(Word(last.output, 0), Mul(kLeasePrice, closed - c3));
  EXPECT_EQ(chain_.Balance(provider_), Plus(provider1, Mul(kLeasePrice, closed - c3)));
  EXPECT_EQ(Word(Service(lease), 4), Uint256());
  // Everything the escrow held has gone out.
  EXPECT_EQ(chain_.Balance(ComputeMarketAddress()), Dpn(2));  // the two stakes
}

// The provider stops proving: the sector terminates after three faulty
// periods and the deal ends. The lease runs out of escrow later and closes
// by deferred work, which resolves every block at once: the provider is paid
// up to the first fault, the tenant gets the rest back.
TEST_F(DataLocalTest, TerminatedDealRefundsEverythingAfterTheFirstFault) {
  const uint64_t deal = ActiveDeal();
  const uint64_t lease = Lease(Order(deal, 600, Mul(kLeasePrice, 300)));
  const uint64_t start = chain_.height();
  const uint64_t funded_until = start + 300;
  Prove();
  const uint64_t c1 = NextCheck();
  chain_.MineUntil(c1);
  for (int i = 0; i < 3; ++i) chain_.MineUntil(NextCheck());
  const Bytes d = StorageView(Call("getDeal(uint256)", abi::Encoder().Uint(deal)));
  ASSERT_EQ(Word(d, 7), Uint256(static_cast<uint8_t>(storage::DealState::kTerminated)));
  ASSERT_LT(chain_.height(), funded_until);

  const Uint256 provider0 = chain_.Balance(provider_);
  const Uint256 tenant0 = chain_.Balance(tenant_);
  chain_.MineUntil(funded_until);
  const Bytes l = ComputeView(IdCall("getLease", lease));
  EXPECT_EQ(Word(l, 8), Uint256(2));       // closed
  EXPECT_EQ(Word(l, 10), Uint256(20001));  // insufficient funds
  const Uint256 served = Mul(kLeasePrice, c1 - start);
  const Uint256 bid_deposit = chain_.params().compute.bid_deposit;
  EXPECT_EQ(chain_.Balance(provider_), Plus(Plus(provider0, served), bid_deposit));
  EXPECT_EQ(chain_.Balance(tenant_), Plus(tenant0, Mul(kLeasePrice, funded_until - c1)));
  EXPECT_EQ(Word(Service(lease), 4), Uint256());
  EXPECT_EQ(chain_.Balance(ComputeMarketAddress()), Dpn(2));
}

// Random sequences over a data-local lease's life (DESIGN.md "Amounts"):
// proven and skipped periods, blocks in which only deferred work runs,
// withdrawals and closes by either party and by strangers, deposits and new
// leases. After every step the coins of everyone involved (both modules
// included) add up to what they did at the start, and no call finds a
// module short or its state corrupt; once every lease is closed and
// resolved, the compute market holds nothing but the providers' stakes.
class DataLocalSupplyTest : public DataLocalTest, public ::testing::WithParamInterface<uint32_t> {
 protected:
  Uint256 Coins() {
    Uint256 sum;
    for (const Address& a : {provider_, provider2_, tenant_, ComputeMarketAddress(),
                             storage::StorageMarketAddress()}) {
      sum = Plus(sum, chain_.Balance(a));
    }
    return sum;
  }
  uint64_t Pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  void Check(const MarketChain::Sent& r, const std::string& what) {
    EXPECT_EQ(r.revert.find("insufficient-module-balance"), std::string::npos) << what << r.revert;
    EXPECT_EQ(r.revert.find("corrupt"), std::string::npos) << what << ": " << r.revert;
  }
  std::mt19937 rng_{GetParam()};
};

TEST_P(DataLocalSupplyTest, CoinsAreConservedAndEverythingIsPaidOut) {
  const uint64_t deal = ActiveDeal();
  const Uint256 coins = Coins();
  std::vector<uint64_t> leases;
  const Address parties[] = {provider_, tenant_, provider2_};
  for (int step = 0; step < 60; ++step) {
    const Address who = parties[Pick(3)];
    const uint64_t lease = leases.empty() ? 1 : leases[Pick(leases.size())];
    switch (Pick(8)) {
      case 0: {
        const Bytes sector = SectorView();
        if (Word(sector, 0) == Uint256(static_cast<uint8_t>(storage::SectorState::kActive))) {
          Prove();
          chain_.MineUntil(NextCheck());  // settled: the next proof is for the next period
        }
        break;
      }
      case 1:
        chain_.MineUntil(chain_.height() + 1 + Pick(40));
        break;
      case 2:
      case 3:
        Check(Compute(who, IdCall("withdrawLease", lease)), "withdrawLease");
        break;
      case 4:
        Check(Compute(who, testing::CloseCall(lease, who == tenant_ ? 1 : 10001)), "closeLease");
        break;
      case 5:
        Check(Compute(tenant_, IdCall("depositEscrow", lease), Mul(kLeasePrice, 1 + Pick(50))),
              "depositEscrow");
        break;
      default:
        if (leases.size() < 3) {
          const uint64_t term = 50 + Pick(300);
          const uint64_t order = Order(deal, term, Mul(kLeasePrice, 20 + Pick(term - 20)));
          auto bid = Compute(provider_, testing::BidCall(order, kLeasePrice),
                             chain_.params().compute.bid_deposit);
          Check(bid, "bid");
          if (bid.status == 1) {
            auto accept = Compute(tenant_, IdCall("acceptBid", Word(bid.output, 0).Low64()));
            Check(accept, "acceptBid");
            if (accept.status == 1) leases.push_back(order);
          }
        }
        break;
    }
    ASSERT_EQ(Coins(), coins) << "after step " << step;
  }
  // Let every lease end and the storage market settle everything: keep
  // proving while the sector lives, then resolve what each lease has left.
  for (int i = 0; i < 20; ++i) {
    const Bytes sector = SectorView();
    if (Word(sector, 0) != Uint256(static_cast<uint8_t>(storage::SectorState::kActive))) break;
    Prove();
    chain_.MineUntil(NextCheck());
  }
  for (uint64_t lease : leases) {
    chain_.MineUntil(
        std::max(chain_.height(), Word(ComputeView(IdCall("getEscrow", lease)), 3).Low64()));
  }
  for (uint64_t lease : leases) {
    Check(Compute(provider_, IdCall("withdrawLease", lease)), "final withdrawLease");
    EXPECT_EQ(Word(Service(lease), 4), Uint256()) << "lease " << lease << " still pending";
  }
  EXPECT_EQ(Coins(), coins);
  EXPECT_EQ(chain_.Balance(ComputeMarketAddress()), Dpn(2));  // the two stakes
  // The sequence did something: leases ran and were paid.
  EXPECT_FALSE(leases.empty());
  EXPECT_GT(chain_.CountLogs("LeaseWithdrawn(uint256,address,uint256)") +
                chain_.CountLogs("LeaseClosed(uint256,uint256,uint256,uint256,uint256)"),
            0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, DataLocalSupplyTest, ::testing::Values(1u, 2u, 3u, 4u));

}  // namespace
}  // namespace depin::market
