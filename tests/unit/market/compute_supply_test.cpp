// The compute market under random operation sequences (DESIGN.md "Amounts"):
// registrations, attribute changes, orders, bids, withdrawals, accepts,
// deposits, lease withdrawals and closes by the right and the wrong parties,
// and blocks in which only deferred work runs. After every block the sum of
// every balance plus everything burned, less what miners were paid, is what
// it was at the start; no payment ever finds the module short
// ("insufficient-module-balance") or its state inconsistent
// ("compute-corrupt-state"); and no provider has more GPUs under active
// leases than its gpu.count.
#include <gtest/gtest.h>

#include <random>

#include "compute_test_env.h"
#include "market/gpu_attributes.h"

namespace depin::market {
namespace {

using testing::Call;
using testing::ComputeChain;
using testing::GpuAttributes;
using testing::IdCall;
using testing::OrderArgs;
using testing::Party;
using testing::PubKeyOf;
using testing::Word;

constexpr uint8_t kProviders = 4;  // parties 1..4
constexpr uint8_t kTenants = 3;    // parties 11..13

class ComputeSupplyTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  ComputeSupplyTest() : rng_(GetParam()) {
    for (uint8_t i = 1; i <= kProviders; ++i) chain_.Fund(Party(i), Dpn(1000));
    for (uint8_t i = 11; i < 11 + kTenants; ++i) chain_.Fund(Party(i), Dpn(1000));
  }

  uint64_t Pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  Address AnyProvider() { return Party(static_cast<uint8_t>(1 + Pick(kProviders))); }
  uint8_t AnyTenant() { return static_cast<uint8_t>(11 + Pick(kTenants)); }
  // Mostly the latest id (so bids meet open orders), sometimes any, or one
  // past the last (unknown).
  uint64_t AnyId(uint64_t last) {
    if (last == 0) return 1;
    return Pick(2) == 0 ? last : 1 + Pick(last + 1);
  }

  // One random operation, sent in its own block.
  void Step() {
    const Uint256 deposit = chain_.market().bid_deposit;
    const Uint256 price(1 + Pick(1000));
    ComputeChain::Sent r;
    // Weighted: orders and bids often enough that leases form and end.
    static constexpr int kOps[] = {0, 1, 2, 3, 3, 3, 4, 4, 4, 4, 4, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10};
    switch (kOps[Pick(std::size(kOps))]) {
      case 0: {
        const Address who = AnyProvider();
        r = chain_.Send(who, testing::RegisterCall(GpuAttributes("rtx4090", 1 + Pick(6))),
                        Dpn(1 + Pick(2)));
        break;
      }
      case 1:
        r = chain_.Send(AnyProvider(), testing::UpdateCall(GpuAttributes("rtx4090", 1 + Pick(6))));
        break;
      case 2:
        r = chain_.Send(AnyProvider(), Call("deregisterProvider()", abi::Encoder()));
        break;
      case 3: {
        const uint8_t t = AnyTenant();
        OrderArgs a;
        a.spec = "model=rtx4090;count=" + std::to_string(1 + Pick(3));
        a.max_price = Uint256(1000);
        a.duration = 5 + Pick(30);
        a.window = 3 + Pick(8);
        const uint64_t blocks = std::min<uint64_t>(a.duration, 5 + Pick(30));
        const uint64_t extra = blocks < a.duration ? Pick(999) : 0;
        r = chain_.Send(Party(t), testing::CreateOrderCall(a, PubKeyOf(t)),
                        Uint256(1000 * blocks + extra));
        if (r.status == 1) last_order_ = Word(r.output, 0).Low64();
        break;
      }
      case 4:
        r = chain_.Send(AnyProvider(), testing::BidCall(AnyId(last_order_), price), deposit);
        if (r.status == 1) last_bid_ = Word(r.output, 0).Low64();
        break;
      case 5:
        r = chain_.Send(AnyProvider(), IdCall("withdrawBid", AnyId(last_bid_)));
        break;
      case 6:
        r = chain_.Send(Party(AnyTenant()), IdCall("acceptBid", AnyId(last_bid_)));
        break;
      case 7:
        r = chain_.Send(Party(AnyTenant()), IdCall("depositEscrow", AnyId(last_order_)),
                        Uint256(Pick(20'000)));
        break;
      case 8:
        r = chain_.Send(AnyProvider(), IdCall("withdrawLease", AnyId(last_order_)));
        break;
      case 9: {
        const bool tenant = Pick(2) == 0;
        const Address who = tenant ? Party(AnyTenant()) : AnyProvider();
        const uint64_t reason =
            Pick(3) == 0 ? Pick(30000) : (tenant ? 1 + Pick(9999) : 10000 + Pick(10000));
        r = chain_.Send(who, testing::CloseCall(AnyId(last_order_), reason));
        break;
      }
      default:
        chain_.Mine();  // only deferred work
        return;
    }
    reverted_ += r.status == 0;
    const std::string rule = r.revert.substr(0, r.revert.find(':'));
    EXPECT_NE(rule, "insufficient-module-balance") << r.revert;
    EXPECT_NE(rule, "compute-corrupt-state") << r.revert;
    EXPECT_NE(rule, "out-of-gas") << r.revert;
  }

  void CheckGpus() {
    for (uint8_t i = 1; i <= kProviders; ++i) {
      auto v = chain_.View(Call("getProvider(address)", abi::Encoder().Address(Party(i))));
      ASSERT_TRUE(v.ok());
      if (Word(*v, 0).IsZero()) continue;
      const uint64_t off = Word(*v, 2).Low64();
      const uint64_t len = Word(*v, off / 32).Low64();
      auto attrs =
          ParseAttributes(std::string(v->begin() + static_cast<ptrdiff_t>(off + 32),
                                      v->begin() + static_cast<ptrdiff_t>(off + 32 + len)));
      ASSERT_TRUE(attrs.ok());
      const uint64_t leased = Word(*v, 5).Low64();
      EXPECT_LE(leased, GpuCount(*attrs)) << "provider " << int(i);
      max_leased_ = std::max(max_leased_, leased);
    }
  }

  ComputeChain chain_;
  std::mt19937_64 rng_;
  uint64_t last_order_ = 0;
  uint64_t last_bid_ = 0;
  int reverted_ = 0;
  uint64_t max_leased_ = 0;
};

TEST_P(ComputeSupplyTest, SupplyIsConservedAndLeasesNeverExceedTheGpus) {
  const Uint256 supply = chain_.Supply();
  // Registered providers from the start, so orders find bidders.
  for (uint8_t i = 1; i <= kProviders; ++i) {
    ASSERT_EQ(chain_.Send(Party(i), testing::RegisterCall(GpuAttributes("rtx4090", 2 + i)), Dpn(1))
                  .status,
              1);
  }
  for (int step = 0; step < 300; ++step) {
    Step();
    ASSERT_EQ(chain_.Supply(), supply) << "after step " << step;
    CheckGpus();
  }
  // The sequence exercised leases and refusals.
  EXPECT_GT(reverted_, 0);
  EXPECT_GT(max_leased_, 0u);
  EXPECT_GT(chain_.CountLogs("LeaseClosed(uint256,uint256,uint256,uint256,uint256)"), 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ComputeSupplyTest, ::testing::Values(1u, 2u, 3u, 42u, 1234u));

}  // namespace
}  // namespace depin::market
