// The compute market's rules, on a chain executed by the real executor
// (compute_test_env.h). Balances are checked to the wei against
// docs/markets.md's formulas.
#include "market/compute_market.h"

#include <gtest/gtest.h>

#include "compute_test_env.h"
#include "crypto/access_box.h"

namespace depin::market {
namespace {

using testing::BidCall;
using testing::Call;
using testing::CloseCall;
using testing::ComputeChain;
using testing::CreateOrderCall;
using testing::GpuAttributes;
using testing::IdCall;
using testing::OrderArgs;
using testing::Party;
using testing::PubKeyOf;
using testing::RegisterCall;
using testing::SignCall;
using testing::UpdateCall;
using testing::Word;

const Uint256 kPrice(1'000'000'000);  // the default max price per block

Uint256 Mul(const Uint256& a, uint64_t b) { return *CheckedMul(a, Uint256(b)); }
Uint256 Plus(const Uint256& a, const Uint256& b) { return *CheckedAdd(a, b); }
Uint256 Minus(const Uint256& a, const Uint256& b) { return *CheckedSub(a, b); }

// The rule name of a revert ("rule: message").
std::string RuleOf(const std::string& revert) { return revert.substr(0, revert.find(':')); }

class ComputeMarketTest : public ::testing::Test {
 protected:
  ComputeMarketTest() {
    for (uint8_t i = 1; i <= 6; ++i) chain_.Fund(Party(i), Dpn(1000));
  }

  Uint256 Deposit() const { return chain_.market().bid_deposit; }
  // An order that takes bids long enough for a test's many one-tx blocks.
  OrderArgs LongWindow() const {
    OrderArgs a;
    a.window = chain_.market().max_bidding_window_blocks;
    return a;
  }
  void Register(const Address& who, const std::string& attrs = GpuAttributes()) {
    auto r = chain_.Send(who, RegisterCall(attrs), Dpn(1));
    ASSERT_EQ(r.status, 1) << r.revert;
  }
  // Opens an order of the tenant (party 3) with `value` (default: the whole
  // term at the max price) and returns its id.
  uint64_t Order(const OrderArgs& args = {}, std::optional<Uint256> value = std::nullopt) {
    auto r = chain_.Send(tenant_, CreateOrderCall(args, PubKeyOf(3)),
                         value.value_or(Mul(args.max_price, args.duration)));
    EXPECT_EQ(r.status, 1) << r.revert;
    return Word(r.output, 0).Low64();
  }
  uint64_t Bid(const Address& who, uint64_t order, const Uint256& price) {
    auto r = chain_.Send(who, BidCall(order, price), Deposit());
    EXPECT_EQ(r.status, 1) << r.revert;
    return Word(r.output, 0).Low64();
  }
  std::string Revert(const Address& who, const Bytes& data, const Uint256& value = Uint256()) {
    auto r = chain_.Send(who, data, value);
    EXPECT_EQ(r.status, 0) << "expected a revert";
    return RuleOf(r.revert);
  }
  Bytes ViewOf(const Bytes& call) {
    auto v = chain_.View(call);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Bytes(32 * 16, 0);
  }
  Bytes Lease(uint64_t id) { return ViewOf(IdCall("getLease", id)); }
  Bytes Escrow(uint64_t id) { return ViewOf(IdCall("getEscrow", id)); }
  uint64_t ProviderWord(const Address& who, size_t i) {
    return Word(ViewOf(Call("getProvider(address)", abi::Encoder().Address(who))), i).Low64();
  }
  // A running lease: order, one bid at `price` by provider_, accepted.
  // Returns the lease id; its start block is chain_.height().
  uint64_t Leased(const Uint256& price, const OrderArgs& args = {},
                  std::optional<Uint256> escrow = std::nullopt) {
    const uint64_t order = Order(args, escrow);
    const uint64_t bid = Bid(provider_, order, price);
    auto r = chain_.Send(tenant_, IdCall("acceptBid", bid));
    EXPECT_EQ(r.status, 1) << r.revert;
    return order;
  }

  ComputeChain chain_;
  const Address provider_ = Party(1);
  const Address provider2_ = Party(2);
  const Address tenant_ = Party(3);
  const Address auditor_ = Party(4);
  const Address stranger_ = Party(5);
};

// --- Providers -----------------------------------------------------------------

TEST_F(ComputeMarketTest, RegisterNormalizesAndDeregisterPaysTheStakeBack) {
  const Uint256 before = chain_.Balance(provider_);
  Register(provider_);
  EXPECT_EQ(chain_.Balance(provider_), Minus(before, Dpn(1)));
  auto v = ViewOf(Call("getProvider(address)", abi::Encoder().Address(provider_)));
  EXPECT_EQ(Word(v, 0), Uint256(1));
  EXPECT_EQ(Word(v, 3), Dpn(1));
  // The attributes read back normalized, in key order.
  const Uint256 off = Word(v, 2);
  const uint64_t len = Word(v, off.Low64() / 32).Low64();
  const std::string attrs(v.begin() + static_cast<ptrdiff_t>(off.Low64() + 32),
                          v.begin() + static_cast<ptrdiff_t>(off.Low64() + 32 + len));
  EXPECT_EQ(attrs,
            "gpu.count=8;gpu.interface=pcie;gpu.model=rtx-4090;gpu.vendor=nvidia;gpu.vramGiB=24;"
            "region=eu-west");
  EXPECT_EQ(Revert(provider_, RegisterCall(GpuAttributes()), Dpn(1)), "compute-provider-exists");
  auto r = chain_.Send(provider_, Call("deregisterProvider()", abi::Encoder()));
  ASSERT_EQ(r.status, 1) << r.revert;
  EXPECT_EQ(chain_.Balance(provider_), before);
  EXPECT_EQ(ProviderWord(provider_, 0), 0u);
  EXPECT_EQ(Revert(provider_, Call("deregisterProvider()", abi::Encoder())),
            "compute-unknown-provider");
}

TEST_F(ComputeMarketTest, RegisterRefusesBadAttributesAndLowStake) {
  EXPECT_EQ(Revert(provider_, RegisterCall(GpuAttributes()), Dpn(1) / Uint256(2)),
            "compute-stake-too-low");
  EXPECT_EQ(Revert(provider_, RegisterCall("gpu.model=rtx4090"), Dpn(1)), "compute-bad-attributes");
  EXPECT_EQ(Revert(provider_, RegisterCall(GpuAttributes("rtx4090", 0)), Dpn(1)),
            "compute-bad-attributes");
  EXPECT_EQ(Revert(provider_, RegisterCall(GpuAttributes() + ";region=us"), Dpn(1)),
            "compute-bad-attributes");
  EXPECT_EQ(Revert(provider_, RegisterCall(GpuAttributes(), ""), Dpn(1)), "compute-bad-host-uri");
  std::string many = GpuAttributes();
  for (int i = 0; i < 30; ++i) many += ";k" + std::to_string(i) + "=v";
  EXPECT_EQ(Revert(provider_, RegisterCall(many), Dpn(1)), "compute-bad-attributes");
}

TEST_F(ComputeMarketTest, AttestationLapsesOnlyWhenAnAttestedValueChanges) {
  Register(provider_);
  auto r = chain_.Send(auditor_, SignCall(provider_, "gpu.model,gpu.count"));
  ASSERT_EQ(r.status, 1) << r.revert;
  auto valid = [&] {
    return !Word(ViewOf(Call("getAttestation(address,address)",
                             abi::Encoder().Address(provider_).Address(auditor_))),
                 2)
                .IsZero();
  };
  EXPECT_TRUE(valid());
  // An attribute the auditor did not attest changes: still valid.
  r = chain_.Send(provider_, UpdateCall(GpuAttributes("rtx4090", 8, 24, "us-east")));
  ASSERT_EQ(r.status, 1) << r.revert;
  EXPECT_TRUE(valid());
  // The same model written another way normalizes to the same value.
  r = chain_.Send(provider_, UpdateCall(GpuAttributes("GeForce RTX 4090", 8, 24, "us-east")));
  ASSERT_EQ(r.status, 1) << r.revert;
  EXPECT_TRUE(valid());
  // An attested one changes: lapsed; changed back: valid again.
  r = chain_.Send(provider_, UpdateCall(GpuAttributes("rtx4090", 4, 24, "us-east")));
  ASSERT_EQ(r.status, 1) << r.revert;
  EXPECT_FALSE(valid());
  r = chain_.Send(provider_, UpdateCall(GpuAttributes("rtx4090", 8, 24, "us-east")));
  ASSERT_EQ(r.status, 1) << r.revert;
  EXPECT_TRUE(valid());
  EXPECT_EQ(Revert(auditor_, SignCall(provider_, "gpu.model,cpu.cores")),
            "compute-bad-attestation");
  EXPECT_EQ(Revert(auditor_, SignCall(provider_, "gpu.model,gpu.model")),
            "compute-bad-attestation");
  EXPECT_EQ(Revert(auditor_, SignCall(stranger_, "gpu.model")), "compute-unknown-provider");
}

// --- Orders --------------------------------------------------------------------

TEST_F(ComputeMarketTest, CreateOrderRefusesBadInput) {
  const Bytes pub = PubKeyOf(3);
  auto refused = [&](OrderArgs a, const Uint256& value) {
    return Revert(tenant_, CreateOrderCall(a, pub), value);
  };
  const Uint256 full = Mul(kPrice, 100);
  OrderArgs a;
  a.spec = "count=2";
  EXPECT_EQ(refused(a, full), "compute-bad-spec");  // no model, no vendor
  a.spec = "model=rtx4090;gpu.count=2";
  EXPECT_EQ(refused(a, full), "compute-bad-spec");
  a = OrderArgs();
  a.max_price = Uint256();
  EXPECT_EQ(refused(a, full), "compute-bad-price");
  a = OrderArgs();
  a.duration = 0;
  EXPECT_EQ(refused(a, full), "compute-bad-duration");
  a.duration = chain_.market().max_lease_blocks + 1;
  EXPECT_EQ(refused(a, Mul(kPrice, a.duration)), "compute-bad-duration");
  a = OrderArgs();
  a.window = chain_.market().max_bidding_window_blocks + 1;
  EXPECT_EQ(refused(a, full), "compute-bad-window");
  a = OrderArgs();
  a.auditors = {auditor_, auditor_};
  EXPECT_EQ(refused(a, full), "compute-bad-auditors");
  a.auditors = std::vector<Address>(kMaxRequiredAuditors + 1, auditor_);
  EXPECT_EQ(refused(a, full), "compute-bad-auditors");
  a = OrderArgs();
  a.pubkey = PubKeyOf(4);  // someone else's key
  EXPECT_EQ(refused(a, full), "compute-bad-pubkey");
  a.pubkey = Bytes(64, 0);
  EXPECT_EQ(refused(a, full), "compute-bad-pubkey");
  a = OrderArgs();
  // Escrow below min_escrow_blocks at the max price, and above the term.
  const Uint256 least = Mul(kPrice, chain_.market().min_escrow_blocks);
  EXPECT_EQ(refused(a, Minus(least, Uint256(1))), "compute-escrow-too-low");
  EXPECT_EQ(refused(a, Plus(full, Uint256(1))), "compute-escrow-over-term");
  a.max_price =
      Uint256::FromDecimal(
          "115792089237316195423570985008687907853269984665640564039457584007913129639935")
          .value();
  EXPECT_EQ(refused(a, full), "compute-overflow");
  // Exactly the least is accepted.
  EXPECT_EQ(chain_.Send(tenant_, CreateOrderCall(OrderArgs(), pub), least).status, 1);
}

TEST_F(ComputeMarketTest, CancelOrderRefundsEscrowAndBidsToTheWei) {
  Register(provider_);
  const Uint256 tenant_before = chain_.Balance(tenant_);
  const Uint256 provider_before = chain_.Balance(provider_);
  const uint64_t order = Order();
  Bid(provider_, order, kPrice);
  EXPECT_EQ(Revert(stranger_, IdCall("cancelOrder", order)), "compute-not-order-tenant");
  auto r = chain_.Send(tenant_, IdCall("cancelOrder", order));
  ASSERT_EQ(r.status, 1) << r.revert;
  EXPECT_EQ(chain_.Balance(tenant_), tenant_before);
  EXPECT_EQ(chain_.Balance(provider_), provider_before);
  EXPECT_EQ(Revert(tenant_, IdCall("cancelOrder", order)), "compute-order-not-open");
  EXPECT_EQ(ProviderWord(provider_, 6), 0u);  // no open bid left
  // The award's deferred work was cancelled: nothing happens at the window's end.
  chain_.MineUntil(chain_.height() + chain_.market().bidding_window_blocks + 1);
  EXPECT_EQ(chain_.Balance(tenant_), tenant_before);
}

// --- Bids ----------------------------------------------------------------------

TEST_F(ComputeMarketTest, BidsOutsideTheRulesAreRefused) {
  Register(provider_);
  Register(provider2_, GpuAttributes("rtx4090", 8, 24, "us-east"));
  const uint64_t order = Order(LongWindow());
  const Uint256 dep = Deposit();
  EXPECT_EQ(Revert(stranger_, BidCall(order, kPrice), dep), "compute-unknown-provider");
  EXPECT_EQ(Revert(provider_, BidCall(order, Uint256()), dep), "compute-bid-zero");
  EXPECT_EQ(Revert(provider_, BidCall(order, Plus(kPrice, Uint256(1))), dep),
            "compute-bid-above-max-price");
  EXPECT_EQ(Revert(provider_, BidCall(order, kPrice), Minus(dep, Uint256(1))),
            "compute-bad-bid-deposit");
  EXPECT_EQ(Revert(provider_, BidCall(order, kPrice, "a100"), dep),
            "compute-bid-model-not-accepted");
  EXPECT_EQ(Revert(provider2_, BidCall(order, kPrice), dep), "compute-provider-mismatch");
  EXPECT_EQ(Revert(provider_, BidCall(order + 7, kPrice), dep), "compute-unknown-order");
  // The exact model, written as CUDA reports it.
  auto r = chain_.Send(provider_, BidCall(order, kPrice, "NVIDIA GeForce RTX 4090"), dep);
  ASSERT_EQ(r.status, 1) << r.revert;
  EXPECT_EQ(Revert(provider_, BidCall(order, kPrice), dep), "compute-already-bid");
  // After the window: closed.
  const uint64_t late = Order();
  chain_.MineUntil(chain_.height() + chain_.market().bidding_window_blocks);
  EXPECT_EQ(Revert(provider_, BidCall(late, kPrice), dep), "compute-bidding-closed");
}

TEST_F(ComputeMarketTest, BidNamesAModelTheProviderHas) {
  Register(provider_);
  OrderArgs a;
  a.spec = "vendor=nvidia;count=1";
  const uint64_t order = Order(a);
  EXPECT_EQ(Revert(provider_, BidCall(order, kPrice, "h100"), Deposit()),
            "compute-bid-model-not-offered");
  EXPECT_EQ(chain_.Send(provider_, BidCall(order, kPrice, "rtx4090"), Deposit()).status, 1);
}

TEST_F(ComputeMarketTest, RequiredAuditorsMustAttestTheKeysTheSpecReads) {
  Register(provider_);
  OrderArgs a = LongWindow();
  a.auditors = {auditor_};
  const uint64_t order = Order(a);
  EXPECT_EQ(Revert(provider_, BidCall(order, kPrice), Deposit()), "compute-provider-unattested");
  // Attests the model only: the spec also reads count, vram and region.
  ASSERT_EQ(chain_.Send(auditor_, SignCall(provider_, "gpu.model")).status, 1);
  EXPECT_EQ(Revert(provider_, BidCall(order, kPrice), Deposit()), "compute-provider-unattested");
  ASSERT_EQ(
      chain_.Send(auditor_, SignCall(provider_, "gpu.model,gpu.count,gpu.vramGiB,region")).status,
      1);
  // Lapsed by a change of an attested value.
  ASSERT_EQ(chain_.Send(provider_, UpdateCall(GpuAttributes("rtx4090", 7))).status, 1);
  EXPECT_EQ(Revert(provider_, BidCall(order, kPrice), Deposit()), "compute-provider-unattested");
  ASSERT_EQ(chain_.Send(provider_, UpdateCall(GpuAttributes("rtx4090", 8))).status, 1);
  EXPECT_EQ(chain_.Send(provider_, BidCall(order, kPrice), Deposit()).status, 1);
}

TEST_F(ComputeMarketTest, WithdrawBidPaysTheDepositBack) {
  Register(provider_);
  const uint64_t order = Order(LongWindow());
  const Uint256 before = chain_.Balance(provider_);
  const uint64_t bid = Bid(provider_, order, kPrice);
  EXPECT_EQ(chain_.Balance(provider_), Minus(before, Deposit()));
  EXPECT_EQ(Revert(stranger_, IdCall("withdrawBid", bid)), "compute-not-bid-owner");
  ASSERT_EQ(chain_.Send(provider_, IdCall("withdrawBid", bid)).status, 1);
  EXPECT_EQ(chain_.Balance(provider_), before);
  EXPECT_EQ(Revert(provider_, IdCall("withdrawBid", bid)), "compute-bid-not-open");
  EXPECT_EQ(Revert(tenant_, IdCall("acceptBid", bid)), "compute-bid-not-open");
  // It may bid again.
  Bid(provider_, order, kPrice);
}

// --- Award ---------------------------------------------------------------------

TEST_F(ComputeMarketTest, AcceptByTheTenantOnlyAndOnce) {
  Register(provider_);
  Register(provider2_);
  const uint64_t order = Order();
  const uint64_t b1 = Bid(provider_, order, kPrice);
  const Uint256 p2_before = chain_.Balance(provider2_);
  const uint64_t b2 = Bid(provider2_, order, Uint256(5));
  EXPECT_EQ(Revert(stranger_, IdCall("acceptBid", b1)), "compute-not-order-tenant");
  ASSERT_EQ(chain_.Send(tenant_, IdCall("acceptBid", b1)).status, 1);
  // The tenant chose the dearer bid; the other's deposit went back.
  EXPECT_EQ(chain_.Balance(provider2_), p2_before);
  EXPECT_EQ(Revert(tenant_, IdCall("acceptBid", b1)), "compute-order-not-open");
  EXPECT_EQ(Revert(tenant_, IdCall("acceptBid", b2)), "compute-order-not-open");
  EXPECT_EQ(Word(Lease(order), 5), kPrice);
  EXPECT_EQ(Word(Lease(order), 8), Uint256(1));  // active
  EXPECT_EQ(ProviderWord(provider_, 5), 2u);     // leased GPUs
  EXPECT_EQ(ProviderWord(provider_, 4), 1u);     // active leases
}

TEST_F(ComputeMarketTest, LowestBidWinsAtTheWindowsEndTiesToTheEarliest) {
  Register(provider_);
  Register(provider2_);
  Register(Party(6));
  const uint64_t order = Order();
  const uint64_t end = chain_.height() + chain_.market().bidding_window_blocks;
  Bid(provider_, order, Uint256(700));
  const uint64_t early = Bid(provider2_, order, Uint256(500));
  Bid(Party(6), order, Uint256(500));
  const Uint256 p1 = chain_.Balance(provider_);
  const Uint256 p6 = chain_.Balance(Party(6));
  chain_.MineUntil(end - 1);
  EXPECT_EQ(Word(ViewOf(IdCall("getOrder", order)), 10), Uint256(1));  // still open
  chain_.Mine();                                                       // block `end`
  auto o = ViewOf(IdCall("getOrder", order));
  EXPECT_EQ(Word(o, 10), Uint256(2));  // leased
  auto l = Lease(order);
  EXPECT_EQ(Word(l, 2), Uint256(early));
  EXPECT_EQ(Word(l, 5), Uint256(500));
  EXPECT_EQ(Word(l, 6), Uint256(end));  // starts at the window's end
  EXPECT_EQ(chain_.Balance(provider_), Plus(p1, Deposit()));
  EXPECT_EQ(chain_.Balance(Party(6)), Plus(p6, Deposit()));
  EXPECT_EQ(chain_.CountLogs("LeaseCreated(uint256,address,address,uint256,uint256,uint256,"
                             "uint256,uint256)"),
            1u);
}

TEST_F(ComputeMarketTest, NoBidsClosesTheOrderWithTheEscrowBack) {
  const Uint256 before = chain_.Balance(tenant_);
  const uint64_t order = Order();
  EXPECT_EQ(chain_.Balance(tenant_), Minus(before, Mul(kPrice, 100)));
  chain_.MineUntil(chain_.height() + chain_.market().bidding_window_blocks);
  EXPECT_EQ(chain_.Balance(tenant_), before);
  EXPECT_EQ(Word(ViewOf(IdCall("getOrder", order)), 10), Uint256(4));
}

TEST_F(ComputeMarketTest, TheAwardWithEveryBidSlotTakenFitsItsPrepaidGas) {
  // Worst case of the deferred award: max_bids_per_order open bids.
  const uint64_t n = chain_.market().max_bids_per_order;
  std::vector<Uint256> before;
  for (uint64_t i = 0; i < n; ++i) {
    const Address who = Party(static_cast<uint8_t>(20 + i));
    chain_.Fund(who, Dpn(10));
    Register(who);
    before.push_back(chain_.Balance(who));
  }
  const uint64_t order = Order();
  std::vector<TxRef> bids;
  for (uint64_t i = 0; i < n; ++i) {
    bids.push_back(chain_.Tx(Party(static_cast<uint8_t>(20 + i)), BidCall(order, Uint256(1000 - i)),
                             Deposit()));
  }
  chain_.Mine(bids);
  const Address extra = Party(60);
  chain_.Fund(extra, Dpn(10));
  Register(extra);
  EXPECT_EQ(Revert(extra, BidCall(order, Uint256(1)), Deposit()), "compute-too-many-bids");
  chain_.MineUntil(Word(ViewOf(IdCall("getOrder", order)), 4).Low64());
  // The cheapest (the last) won; every other deposit went back.
  EXPECT_EQ(Word(Lease(order), 5), Uint256(1000 - (n - 1)));
  for (uint64_t i = 0; i + 1 < n; ++i) {
    EXPECT_EQ(chain_.Balance(Party(static_cast<uint8_t>(20 + i))), before[i]) << i;
  }
}

// --- Leases --------------------------------------------------------------------

TEST_F(ComputeMarketTest, PayFlowsAtThePricePerBlockAndWithdrawsToTheWei) {
  Register(provider_);
  const Uint256 price(777'000);
  const uint64_t lease = Leased(price);
  const uint64_t start = chain_.height();
  const Uint256 before = chain_.Balance(provider_);
  chain_.MineUntil(start + 9);
  EXPECT_EQ(Revert(stranger_, IdCall("withdrawLease", lease)), "compute-not-lease-provider");
  auto r = chain_.Send(provider_, IdCall("withdrawLease", lease));  // block start + 10 (+1 above)
  ASSERT_EQ(r.status, 1) << r.revert;
  const uint64_t at = chain_.height();
  EXPECT_EQ(Word(r.output, 0), Mul(price, at - start));
  EXPECT_EQ(chain_.Balance(provider_), Plus(before, Mul(price, at - start)));
  // The view at the next block: one more block earned, not yet withdrawn.
  auto e = Escrow(lease);
  EXPECT_EQ(Word(e, 1), Mul(price, at + 1 - start));
  EXPECT_EQ(Word(e, 2), price);
  EXPECT_EQ(Word(e, 0), Minus(Mul(kPrice, 100), Mul(price, at + 1 - start)));
}

TEST_F(ComputeMarketTest, EscrowRunsOutAtExactlyTheFundedHeight) {
  Register(provider_);
  const Uint256 price(1'000'000);
  // Escrow for 7 blocks at the winning price and 123 wei over; the order's
  // least is min_escrow_blocks (5) at the max price (also 1'000'000 here).
  OrderArgs a;
  a.max_price = price;
  const Uint256 escrow = Plus(Mul(price, 7), Uint256(123));
  const Uint256 tenant_before = chain_.Balance(tenant_);
  const Uint256 provider_before = chain_.Balance(provider_);
  const uint64_t lease = Leased(price, a, escrow);
  const uint64_t start = chain_.height();
  const uint64_t end = start + 7;
  chain_.MineUntil(end - 2);
  // The view at end - 1 (the next block): still running.
  EXPECT_EQ(Word(Lease(lease), 8), Uint256(1));
  EXPECT_EQ(Word(Escrow(lease), 3), Uint256(end));
  chain_.Mine();  // end - 1
  // The view at `end`: closed at `end` as insufficient-funds, though nothing
  // has touched the lease.
  auto l = Lease(lease);
  EXPECT_EQ(Word(l, 8), Uint256(2));
  EXPECT_EQ(Word(l, 9), Uint256(end));
  EXPECT_EQ(Word(l, 10), Uint256(kReasonInsufficientFunds));
  EXPECT_EQ(Word(l, 11), Mul(price, 7));
  chain_.Mine();  // block `end`: the deferred close settles it
  EXPECT_EQ(chain_.Balance(provider_), Plus(provider_before, Mul(price, 7)));
  EXPECT_EQ(chain_.Balance(tenant_), Minus(tenant_before, Mul(price, 7)));
  EXPECT_EQ(ProviderWord(provider_, 5), 0u);  // GPUs freed
  EXPECT_EQ(ProviderWord(provider_, 4), 0u);
  chain_.MineUntil(end + 5);
  // Never paid past the end.
  EXPECT_EQ(Word(Lease(lease), 11), Mul(price, 7));
  EXPECT_EQ(Revert(provider_, IdCall("withdrawLease", lease)), "compute-nothing-to-withdraw");
  EXPECT_EQ(Revert(tenant_, IdCall("depositEscrow", lease), Uint256(1)), "compute-lease-closed");
  EXPECT_EQ(Revert(tenant_, CloseCall(lease, 1)), "compute-lease-closed");
  EXPECT_EQ(chain_.CountLogs("LeaseClosed(uint256,uint256,uint256,uint256,uint256)"), 1u);
}

TEST_F(ComputeMarketTest, AWithdrawalAfterTheEndSettlesTheClose) {
  Register(provider_);
  const Uint256 price(1'000'000);
  OrderArgs a;
  a.max_price = price;
  const uint64_t lease = Leased(price, a, Mul(price, 6));
  const uint64_t start = chain_.height();
  const Uint256 before = chain_.Balance(provider_);
  chain_.MineUntil(start + 5);
  // In block start + 6 the tx runs before the deferred close: it settles.
  auto r = chain_.Send(provider_, IdCall("withdrawLease", lease));
  ASSERT_EQ(r.status, 1) << r.revert;
  EXPECT_EQ(Word(r.output, 0), Mul(price, 6));
  EXPECT_EQ(chain_.Balance(provider_), Plus(Plus(before, Mul(price, 6)), Deposit()));
  EXPECT_EQ(chain_.CountLogs("LeaseClosed(uint256,uint256,uint256,uint256,uint256)"), 1u);
}

TEST_F(ComputeMarketTest, TheTermEndsTheLease) {
  Register(provider_);
  OrderArgs a;
  a.duration = 10;
  const uint64_t lease = Leased(Uint256(400), a);
  const uint64_t start = chain_.height();
  const Uint256 tenant_before = chain_.Balance(tenant_);
  const Uint256 provider_before = chain_.Balance(provider_);
  chain_.MineUntil(start + 10);
  auto l = Lease(lease);
  EXPECT_EQ(Word(l, 8), Uint256(2));
  EXPECT_EQ(Word(l, 10), Uint256(kReasonTermEnded));
  EXPECT_EQ(chain_.Balance(provider_), Plus(Plus(provider_before, Uint256(4000)), Deposit()));
  // Escrow was the whole term at the max price; the rest came back.
  EXPECT_EQ(chain_.Balance(tenant_), Plus(tenant_before, Minus(Mul(kPrice, 10), Uint256(4000))));
}

TEST_F(ComputeMarketTest, DepositEscrowMovesTheCloseAndIsBounded) {
  Register(provider_);
  const Uint256 price(1'000'000);
  OrderArgs a;
  a.max_price = price;
  a.duration = 50;
  const uint64_t lease = Leased(price, a, Mul(price, 6));
  const uint64_t start = chain_.height();
  EXPECT_EQ(Revert(stranger_, IdCall("depositEscrow", lease), price), "compute-not-lease-tenant");
  EXPECT_EQ(Revert(tenant_, IdCall("depositEscrow", lease)), "compute-bad-deposit");
  EXPECT_EQ(Revert(tenant_, IdCall("depositEscrow", lease), Plus(Mul(price, 44), Uint256(1))),
            "compute-escrow-over-term");
  ASSERT_EQ(chain_.Send(tenant_, IdCall("depositEscrow", lease), Mul(price, 4)).status, 1);
  EXPECT_EQ(Word(Escrow(lease), 3), Uint256(start + 10));
  chain_.MineUntil(start + 8);
  EXPECT_EQ(Word(Lease(lease), 8), Uint256(1));  // at start + 9: past the old end, running
  chain_.Mine();
  EXPECT_EQ(Word(Lease(lease), 8), Uint256(2));
  EXPECT_EQ(Word(Lease(lease), 11), Mul(price, 10));
  EXPECT_EQ(Revert(tenant_, IdCall("depositEscrow", 999), price), "compute-unknown-lease");
}

TEST_F(ComputeMarketTest, LowEscrowFiresWhenATouchFindsItLow) {
  Register(provider_);
  const Uint256 price(1'000'000);
  OrderArgs a;
  a.max_price = price;
  const uint64_t lease = Leased(price, a, Mul(price, 8));
  const uint64_t start = chain_.height();
  const std::string sig = "LowEscrow(uint256,uint256,uint256)";
  EXPECT_EQ(chain_.CountLogs(sig), 0u);  // 8 blocks left >= low_escrow_blocks (5)
  chain_.MineUntil(start + 3);
  ASSERT_EQ(chain_.Send(provider_, IdCall("withdrawLease", lease)).status, 1);  // 4 left
  EXPECT_EQ(chain_.CountLogs(sig), 1u);
}

TEST_F(ComputeMarketTest, CloseReasonsAreBandedAndAProviderForfeitsItsDeposit) {
  Register(provider_);
  const Uint256 price(1'000);
  const uint64_t lease = Leased(price);
  const uint64_t start = chain_.height();
  EXPECT_EQ(Revert(stranger_, CloseCall(lease, 1)), "compute-not-lease-party");
  EXPECT_EQ(Revert(tenant_, CloseCall(lease, 10000)), "compute-bad-reason");
  EXPECT_EQ(Revert(tenant_, CloseCall(lease, 0)), "compute-bad-reason");
  EXPECT_EQ(Revert(provider_, CloseCall(lease, 9999)), "compute-bad-reason");
  EXPECT_EQ(Revert(provider_, CloseCall(lease, kReasonInsufficientFunds)), "compute-bad-reason");
  chain_.MineUntil(start + 19);
  const Uint256 tenant_before = chain_.Balance(tenant_);
  const Uint256 provider_before = chain_.Balance(provider_);
  ASSERT_EQ(chain_.Send(provider_, CloseCall(lease, 10042)).status, 1);  // at start + 20
  const Uint256 earned = Mul(price, 20);
  EXPECT_EQ(chain_.Balance(provider_), Plus(provider_before, earned));
  EXPECT_EQ(chain_.Balance(tenant_),
            Plus(tenant_before, Plus(Minus(Mul(kPrice, 100), earned), Deposit())));
  EXPECT_EQ(Word(Lease(lease), 10), Uint256(10042));
  EXPECT_EQ(chain_.CountLogs("BidDepositForfeited(uint256,address,uint256)"), 1u);
  EXPECT_EQ(ProviderWord(provider_, 5), 0u);
}

TEST_F(ComputeMarketTest, ATenantCloseReturnsTheBidDeposit) {
  Register(provider_);
  const uint64_t lease = Leased(Uint256(1'000));
  const uint64_t start = chain_.height();
  const Uint256 provider_before = chain_.Balance(provider_);
  ASSERT_EQ(chain_.Send(tenant_, CloseCall(lease, 7)).status, 1);
  EXPECT_EQ(chain_.Balance(provider_),
            Plus(provider_before, Plus(Uint256(1'000 * (chain_.height() - start)), Deposit())));
  EXPECT_EQ(chain_.CountLogs("BidDepositForfeited(uint256,address,uint256)"), 0u);
}

TEST_F(ComputeMarketTest, LeasedGpusNeverExceedTheRegisteredCount) {
  Register(provider_, GpuAttributes("rtx4090", 3));
  Leased(Uint256(1'000));  // count=2
  EXPECT_EQ(ProviderWord(provider_, 5), 2u);
  EXPECT_EQ(Revert(provider_, UpdateCall(GpuAttributes("rtx4090", 1))), "compute-gpus-leased");
  ASSERT_EQ(chain_.Send(provider_, UpdateCall(GpuAttributes("rtx4090", 2))).status, 1);
  // Another order for 2 GPUs: the provider has none free.
  const uint64_t order = Order();
  EXPECT_EQ(Revert(provider_, BidCall(order, kPrice), Deposit()), "compute-provider-mismatch");
  EXPECT_EQ(Revert(provider_, Call("deregisterProvider()", abi::Encoder())),
            "compute-provider-busy");
  // listProviders counts free GPUs only when the filter asks for a count.
  auto list = [&](std::string_view filter) {
    auto v = ViewOf(Call("listProviders(string,address,uint256)",
                         abi::Encoder().String(filter).Address(Address()).Uint(10)));
    return abi::Decoder(v).AddressArray(10).value();
  };
  EXPECT_EQ(list("model=rtx4090"), std::vector<Address>{provider_});
  EXPECT_EQ(list("model=rtx4090;count=1"), std::vector<Address>{});
}

TEST_F(ComputeMarketTest, AcceptRefusesAProviderThatLostItsCapacity) {
  Register(provider_, GpuAttributes("rtx4090", 2));
  const uint64_t o1 = Order();
  const uint64_t o2 = Order();
  const uint64_t b1 = Bid(provider_, o1, kPrice);
  const uint64_t b2 = Bid(provider_, o2, kPrice);
  ASSERT_EQ(chain_.Send(tenant_, IdCall("acceptBid", b1)).status, 1);
  EXPECT_EQ(Revert(tenant_, IdCall("acceptBid", b2)), "compute-provider-no-capacity");
  // At the window's end the bid cannot win either: the order closes.
  const Uint256 before = chain_.Balance(tenant_);
  chain_.MineUntil(Word(ViewOf(IdCall("getOrder", o2)), 4).Low64());
  EXPECT_EQ(Word(ViewOf(IdCall("getOrder", o2)), 10), Uint256(4));
  EXPECT_EQ(chain_.Balance(tenant_), Plus(before, Mul(kPrice, 100)));
}

// --- Access details ------------------------------------------------------------

TEST_F(ComputeMarketTest, AccessDetailsOpenWithTheTenantsKeyOnly) {
  Register(provider_);
  const uint64_t lease = Leased(Uint256(1'000));
  // The tenant's key as the order published it.
  auto o = ViewOf(IdCall("getOrder", lease));
  const uint64_t off = Word(o, 8).Low64();
  ASSERT_EQ(Word(o, off / 32).Low64(), 64u);
  const crypto::PublicKey tenant_key(o.data() + off + 32);
  const Hash256 lease_word = Uint256(lease).ToHash();
  const Bytes aad(lease_word.begin(), lease_word.end());
  const std::string details = "ssh -p 2201 lease@gpu.example";
  auto box = crypto::SealAccessBox(tenant_key, AsSpan(details), aad);
  ASSERT_TRUE(box.ok());
  const Bytes post =
      Call("postAccessDetails(uint256,bytes)", abi::Encoder().Uint(lease).Bytes(*box));
  EXPECT_EQ(Revert(tenant_, post), "compute-not-lease-provider");
  ASSERT_EQ(chain_.Send(provider_, post).status, 1);
  auto l = Lease(lease);
  const uint64_t boff = Word(l, 13).Low64();
  const uint64_t blen = Word(l, boff / 32).Low64();
  const Bytes stored(l.begin() + static_cast<ptrdiff_t>(boff + 32),
                     l.begin() + static_cast<ptrdiff_t>(boff + 32 + blen));
  auto opened = crypto::OpenAccessBox(testing::PartyKey(3), stored, aad);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(std::string(opened->begin(), opened->end()), details);
  EXPECT_FALSE(crypto::OpenAccessBox(testing::PartyKey(1), stored, aad).ok());
  // Bounded and shaped.
  const Bytes too_long(kMaxAccessDetailsBytes + crypto::kAccessBoxOverhead + 1, 1);
  EXPECT_EQ(Revert(provider_, Call("postAccessDetails(uint256,bytes)",
                                   abi::Encoder().Uint(lease).Bytes(too_long))),
            "compute-access-too-long");
  EXPECT_EQ(Revert(provider_, Call("postAccessDetails(uint256,bytes)",
                                   abi::Encoder().Uint(lease).Bytes(Bytes(80, 2)))),
            "compute-bad-access-box");
}

// --- Views ---------------------------------------------------------------------

TEST_F(ComputeMarketTest, ExplainOrderSaysWhyEachProviderCannotBid) {
  Register(provider_);
  Register(provider2_, GpuAttributes("a100", 8, 80));
  Register(Party(6), GpuAttributes("rtx4090", 1));
  const uint64_t order = Order();
  auto v = ViewOf(Call("explainOrder(uint256,address,uint256)",
                       abi::Encoder().Uint(order).Address(Address()).Uint(10)));
  auto providers = abi::Decoder(v).AddressArray(10);
  ASSERT_TRUE(providers.ok());
  ASSERT_EQ(providers->size(), 3u);
  std::map<Address, std::string> why = testing::ExplainAnswer(v, 10);
  EXPECT_EQ(why[provider_], "");
  EXPECT_EQ(why[provider2_].rfind("model:", 0), 0u) << why[provider2_];
  EXPECT_EQ(why[Party(6)].rfind("count:", 0), 0u) << why[Party(6)];
  // Paginated: one at a time after the first.
  auto page = ViewOf(Call("explainOrder(uint256,address,uint256)",
                          abi::Encoder().Uint(order).Address((*providers)[0]).Uint(1)));
  auto rest = abi::Decoder(page).AddressArray(10);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0], (*providers)[1]);
}

TEST_F(ComputeMarketTest, ListsFilterByAttributesPartyAndState) {
  Register(provider_);
  Register(provider2_, GpuAttributes("a100", 8, 80, "us-east"));
  auto list = [&](std::string_view filter) {
    auto v = ViewOf(Call("listProviders(string,address,uint256)",
                         abi::Encoder().String(filter).Address(Address()).Uint(10)));
    return abi::Decoder(v).AddressArray(10).value();
  };
  EXPECT_EQ(list("").size(), 2u);
  EXPECT_EQ(list("region=us-east"), std::vector<Address>{provider2_});
  EXPECT_EQ(list("model=NVIDIA A100;vram=40"), std::vector<Address>{provider2_});
  EXPECT_EQ(list("model=rtx4090"), std::vector<Address>{provider_});
  EXPECT_EQ(chain_
                .View(Call("listProviders(string,address,uint256)",
                           abi::Encoder().String("region").Address(Address()).Uint(10)))
                .status()
                .code(),
            "compute-bad-spec");
  const uint64_t lease = Leased(Uint256(10));
  Order();
  auto ids = [&](const Bytes& call) { return abi::Decoder(ViewOf(call)).Uint64Array(100).value(); };
  EXPECT_EQ(ids(Call("listOrders(address,uint8,uint256,uint256)",
                     abi::Encoder().Address(tenant_).Uint(0).Uint(0).Uint(10))),
            (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(ids(Call("listOrders(address,uint8,uint256,uint256)",
                     abi::Encoder().Address(Address()).Uint(1).Uint(0).Uint(10))),
            (std::vector<uint64_t>{2}));
  EXPECT_EQ(
      ids(Call("listLeases(address,address,uint8,uint256,uint256)",
               abi::Encoder().Address(Address()).Address(provider_).Uint(1).Uint(0).Uint(10))),
      (std::vector<uint64_t>{lease}));
  EXPECT_EQ(ids(Call("listLeases(address,address,uint8,uint256,uint256)",
                     abi::Encoder().Address(tenant_).Address(Address()).Uint(2).Uint(0).Uint(10))),
            (std::vector<uint64_t>{}));
  EXPECT_EQ(
      ids(Call("listBids(uint256,uint256,uint256)", abi::Encoder().Uint(lease).Uint(0).Uint(10)))
          .size(),
      1u);
  auto bad = chain_.View(Call("listOrders(address,uint8,uint256,uint256)",
                              abi::Encoder().Address(Address()).Uint(9).Uint(0).Uint(10)));
  EXPECT_EQ(bad.status().code(), "compute-bad-state");
}

}  // namespace
}  // namespace depin::market
