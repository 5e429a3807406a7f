// Supply conservation for the storage market (DESIGN.md, "Amounts"): random
// sequences of registrations, proposals (some with wrong values or prices,
// which revert), cancellations, real 2 KiB sectors pre-committed and
// prove-committed, PoSts sent or skipped at random (so periods are paid,
// faulted, and sectors terminated), stake and earnings withdrawals, over
// several hundred blocks. After every block the balances, the market's
// escrow included, add up to the genesis funds plus the subsidies paid (fees
// are zero in this chain), and the market's balance covers every stake,
// earning and deal it still holds.
#include <gtest/gtest.h>

#include <random>

#include "market_test_env.h"

namespace depin::storage {
namespace {

using testing::Call;
using testing::MarketChain;
using testing::Party;
using testing::SealedSector;

constexpr int kClients = 3;

Uint256 SumOfBalances(const test_util::MapReader& state) {
  Uint256 sum;
  for (const auto& [key, value] : state.map_) {
    if (key.empty() || key[0] != consensus::kAccountPrefix) continue;
    auto account = consensus::DecodeAccount(value);
    EXPECT_TRUE(account.ok());
    if (account.ok()) sum = *CheckedAdd(sum, account->balance);
  }
  return sum;
}

Uint256 Word(const Bytes& out, size_t i) {
  if (out.size() < 32 * (i + 1)) return Uint256();
  return Uint256::FromBigEndian32(out.data() + 32 * i);
}

class MarketSupplyTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  MarketSupplyTest() : rng_(GetParam()) {
    chain_.Fund(provider_, Dpn(100));
    for (int i = 0; i < kClients; ++i) chain_.Fund(Client(i), Dpn(100));
  }
  static Address Client(int i) { return Party(static_cast<uint8_t>(0x20 + i)); }
  uint64_t Random(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }

  // One block with a random operation (or none), then the invariant.
  void Step() {
    const uint64_t h = chain_.height();
    switch (Random(8)) {
      case 0: {  // a proposal, sometimes wrong (reverts, value comes back)
        const int c = static_cast<int>(Random(kClients));
        Bytes data(100 + Random(900));
        for (auto& b : data) b = static_cast<uint8_t>(rng_());
        const uint64_t start = h + 20 + Random(30);
        const uint64_t end = start + 60 + Random(400);
        const Uint256 price(1'000'000'000 + Random(1'000'000));
        const Uint256 total = *CheckedMul(price, Uint256(end - start));
        Uint256 value = *CheckedAdd(total, MulDivSaturating(total, 10, 100));
        if (Random(5) == 0) value = *CheckedAdd(value, Uint256(1));
        auto r =
            chain_.Send(Client(c),
                        testing::ProposeDealCall(provider_, *proofs::PieceCommitment(data, 1024),
                                                 1024, start, end, price),
                        value);
        if (r.status == 1) open_.push_back({Word(r.output, 0).Low64(), data, c});
        break;
      }
      case 1: {  // a cancellation, by the client or a stranger
        if (open_.empty()) break;
        const auto& d = open_[Random(open_.size())];
        const Address who = Random(3) == 0 ? Client((d.client + 1) % kClients) : Client(d.client);
        chain_.Send(who, Call("cancelDeal(uint256)", abi::Encoder().Uint(d.id)));
        break;
      }
      case 2: {  // seal and commit the open deals that still can be
        std::vector<uint64_t> ids;
        std::vector<Bytes> datas;
        for (const auto& d : open_) {
          auto v = chain_.View(Call("getDeal(uint256)", abi::Encoder().Uint(d.id)));
          if (!v.ok() || Word(*v, 7) != Uint256(1) || !Word(*v, 8).IsZero()) continue;
          if (Word(*v, 4).Low64() <= h + 6 || ids.size() == 2) continue;
          ids.push_back(d.id);
          datas.push_back(d.data);
        }
        if (ids.empty()) break;
        const uint64_t number = next_sector_++;
        const uint64_t ticket = h - 1;
        auto sector =
            std::make_unique<SealedSector>(provider_, number, chain_.HashAt(ticket), datas,
                                           std::vector<uint64_t>(ids.size(), 1024));
        auto pre = chain_.Send(provider_,
                               testing::PreCommitCall(number, sector->output().comm_r, ids, ticket),
                               chain_.params().storage.precommit_deposit);
        if (pre.status != 1) break;
        const uint64_t seed_at = chain_.height() + chain_.params().storage.seal_seed_delay_blocks;
        const SealedSector& sealed = *sector;
        sectors_.emplace_back(number, std::move(sector));
        chain_.MineUntil(seed_at);
        CheckSupply();
        if (Random(6) != 0) {  // sometimes never proven: the deposit goes to the clients
          for (uint32_t p = 0; p < 2; ++p) {
            chain_.Send(provider_, sealed.ProveCommit(chain_.HashAt(seed_at), p));
          }
        }
        break;
      }
      case 3:
      case 4: {  // PoSts for the open windows, each skipped now and then
        for (const auto& [number, sector] : sectors_) {
          auto s = chain_.View(
              Call("getSector(address,uint256)", abi::Encoder().Address(provider_).Uint(number)));
          if (!s.ok() || Word(*s, 0) != Uint256(2) || !Word(*s, 9).IsZero()) continue;
          const uint64_t open = Word(*s, 7).Low64();
          if (h < open || h + 1 > Word(*s, 8).Low64() || Random(4) == 0) continue;
          chain_.Send(provider_,
                      testing::PoStFor(Word(*s, 6).Low64(), chain_.HashAt(open), {sector.get()}));
        }
        break;
      }
      case 5:  // withdrawals, often refused
        chain_.Send(provider_, Call("withdrawEarnings()", abi::Encoder()));
        chain_.Send(provider_,
                    Call("withdrawStake(uint256)", abi::Encoder().Uint(Dpn(1) / Uint256(3))));
        break;
      default:
        chain_.Mine();
    }
    CheckSupply();
  }

  void CheckSupply() {
    Uint256 subsidies;
    for (uint64_t h = 1; h <= chain_.height(); ++h) {
      subsidies = *CheckedAdd(subsidies, consensus::BlockSubsidy(h, chain_.params()));
    }
    ASSERT_EQ(SumOfBalances(chain_.state()), *CheckedAdd(genesis_, subsidies))
        << "at height " << chain_.height();
    // The market holds exactly what it owes: the stake (collateral
    // included) and earnings, every open deal's unspent payment and client
    // collateral, and the deposits of pre-committed sectors.
    Uint256 owed;
    auto p = chain_.View(Call("getProvider(address)", abi::Encoder().Address(provider_)));
    ASSERT_TRUE(p.ok());
    owed = *CheckedAdd(*CheckedAdd(owed, Word(*p, 5)), Word(*p, 7));
    for (uint64_t id = 1;; ++id) {
      auto d = chain_.View(Call("getDeal(uint256)", abi::Encoder().Uint(id)));
      if (!d.ok()) break;
      const uint64_t state = Word(*d, 7).Low64();
      if (state != 1 && state != 2) continue;
      const Uint256 total =
          *CheckedMul(Word(*d, 6), Uint256(Word(*d, 5).Low64() - Word(*d, 4).Low64()));
      owed = *CheckedAdd(owed, *CheckedSub(total, Word(*d, 10)));
      owed = *CheckedAdd(owed, Word(*d, 13));
    }
    for (const auto& [number, sector] : sectors_) {
      auto s = chain_.View(
          Call("getSector(address,uint256)", abi::Encoder().Address(provider_).Uint(number)));
      if (s.ok() && Word(*s, 0) == Uint256(1)) {
        owed = *CheckedAdd(owed, chain_.params().storage.precommit_deposit);
      }
    }
    ASSERT_EQ(chain_.Balance(StorageMarketAddress()), owed) << "at height " << chain_.height();
  }

  struct Open {
    uint64_t id;
    Bytes data;
    int client;
  };
  MarketChain chain_;
  const Address provider_ = Party(0x10);
  std::mt19937_64 rng_;
  std::vector<Open> open_;
  std::vector<std::pair<uint64_t, std::unique_ptr<SealedSector>>> sectors_;
  uint64_t next_sector_ = 1;
  Uint256 genesis_ = *CheckedMul(Dpn(100), Uint256(kClients + 1));
};

TEST_P(MarketSupplyTest, BalancesAddUpAfterEveryBlock) {
  auto reg = chain_.Send(provider_, testing::RegisterProviderCall(2048, Uint256(1)), Dpn(5));
  ASSERT_EQ(reg.status, 1) << reg.revert;
  CheckSupply();
  while (chain_.height() < 400) {
    Step();
    if (HasFatalFailure()) return;
  }
  // The sequence went through the paths that move coins.
  EXPECT_GT(chain_.CountLogs("DealEnded(uint256,uint8,uint256,uint256)"), 0u);
  EXPECT_GT(chain_.CountLogs("SectorActivated(address,uint256,uint256,uint256)"), 0u);
  EXPECT_GT(chain_.CountLogs("SectorPeriodPaid(address,uint256,uint256,uint256)") +
                chain_.CountLogs("SectorFaulty(address,uint256,uint256,uint256,bool)"),
            0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, MarketSupplyTest, ::testing::Values(1u, 2u, 3u));

}  // namespace
}  // namespace depin::storage
