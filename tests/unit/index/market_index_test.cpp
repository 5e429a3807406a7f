#include "index/market_index.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "consensus/abi.h"
#include "market/compute_market.h"
#include "market/gpu_attributes.h"
#include "unit/chain/mempool_test_env.h"

namespace depin::index {
namespace {

using namespace std::chrono_literals;
using chain::testing::AddressOf;
using chain::testing::ChainEnv;
using chain::testing::TestKey;
using chain::testing::UniqueTempDir;

constexpr uint64_t kGwei = kWeiPerGwei;
const Uint256 kPrice(1'000'000'000);
constexpr uint8_t kProviderKey = 1;
constexpr uint8_t kTenantKey = 2;
constexpr uint8_t kAuditorKey = 3;

bool WaitSynced(const BaseIndex& index) {
  for (int i = 0; i < 3000; ++i) {
    if (index.synced()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

consensus::ChainParams MarketParams() {
  consensus::ChainParams p = chain::testing::TestParams();
  p.compute.activation_height = 0;
  return p;
}

Bytes CallData(std::string_view signature, const abi::Encoder& args) {
  return args.FinishCall(abi::SelectorOf(signature));
}

std::string Attributes(uint64_t count) {
  return "gpu.vendor=NVIDIA Corporation;gpu.model=NVIDIA GeForce RTX 4090;gpu.count=" +
         std::to_string(count) + ";gpu.vramGiB=24;gpu.interface=pcie;region=eu-west";
}

// A regtest chain with the compute market from genesis, and the parties'
// signed module calls mined one block at a time.
class MarketChain {
 public:
  MarketChain() : env_(MarketParams(), {market::MakeComputeMarket(MarketParams().compute)}) {}

  ChainEnv& env() { return env_; }
  chain::Chainstate& chain() { return env_.chain(); }

  TxRef Call(uint8_t key, const Bytes& data, const Uint256& value = Uint256()) {
    Transaction tx;
    tx.type = TxType::kDynamicFee;
    tx.chain_id = env_.params().chain_id;
    tx.nonce = nonces_[key]++;
    tx.max_priority_fee_per_gas = Uint256(kGwei);
    tx.max_fee_per_gas = Uint256(100 * kGwei);
    tx.gas_limit = 3'000'000;
    tx.to = market::ComputeMarketAddress();
    tx.value = value;
    tx.data = data;
    tx.Sign(TestKey(key));
    return MakeVerifiedTx(std::move(tx)).value();
  }

  // Mines one block holding `txs`; returns it.
  std::shared_ptr<Block> Mine(const std::vector<TxRef>& txs) {
    chain::Mempool pool(chain::MempoolOptions{}, chain());
    for (const TxRef& tx : txs) {
      Status s = pool.Add(tx);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    auto block = env_.MineBlock(&pool, AddressOf(TestKey(50)));
    EXPECT_NE(block, nullptr);
    if (block) {
      auto receipts = chain().ReadReceipts(block->Hash());
      EXPECT_TRUE(receipts.ok());
      for (size_t i = 0; receipts.ok() && i < txs.size() && i < receipts->size(); ++i) {
        EXPECT_EQ((*receipts)[i].status, 1) << "tx " << i << " of block " << block->header.height;
      }
    }
    return block;
  }
  std::shared_ptr<Block> Send(uint8_t key, const Bytes& data, const Uint256& value = Uint256()) {
    return Mine({Call(key, data, value)});
  }

  void RegisterProvider(uint64_t gpus = 8) {
    Send(kProviderKey,
         CallData("registerProvider(string,string)",
                  abi::Encoder().String("https://gpu.example").String(Attributes(gpus))),
         env_.params().compute.min_provider_stake);
  }
  // The next order (ids count from 1): 2 GPUs for `term` blocks, escrow for
  // all of them at the max price.
  void CreateOrder(uint64_t term = 100) {
    const crypto::PublicKey pub = TestKey(kTenantKey).GetPublicKey();
    Send(kTenantKey,
         CallData("createOrder(string,uint256,uint256,uint256,address[],uint256,bytes32,bytes)",
                  abi::Encoder()
                      .String("model=rtx4090;count=2")
                      .Uint(kPrice)
                      .Uint(term)
                      .Uint(env_.params().compute.max_bidding_window_blocks)
                      .AddressArray({})
                      .Uint(0)
                      .Bytes32(Hash256())
                      .Bytes(Bytes(pub.begin(), pub.end()))),
         *CheckedMul(kPrice, Uint256(term)));
  }
  void Bid(uint64_t order, const Uint256& price) {
    Send(kProviderKey,
         CallData("bid(uint256,uint256,string)",
                  abi::Encoder().Uint(order).Uint(price).String("rtx-4090")),
         env_.params().compute.bid_deposit);
  }
  std::shared_ptr<Block> Accept(uint64_t bid) {
    return Send(kTenantKey, CallData("acceptBid(uint256)", abi::Encoder().Uint(bid)));
  }
  std::shared_ptr<Block> Close(uint64_t lease) {
    return Send(kTenantKey,
                CallData("closeLease(uint256,uint256)", abi::Encoder().Uint(lease).Uint(1)));
  }

 private:
  ChainEnv env_;
  std::map<uint8_t, uint64_t> nonces_;
};

class MarketIndexTest : public ::testing::Test {
 protected:
  MarketIndexTest() : index_dir_(UniqueTempDir("depin-marketindex")) {}
  ~MarketIndexTest() override {
    std::error_code ec;
    std::filesystem::remove_all(index_dir_, ec);
  }

  std::unique_ptr<MarketIndex> StartIndex(MarketChain& chain) {
    IndexOptions o;
    o.datadir = index_dir_;
    auto index = std::make_unique<MarketIndex>(chain.chain(), o);
    Status s = index->Start();
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(WaitSynced(*index));
    return index;
  }

  static MarketCounters CountersOf(const MarketIndex& index) {
    EXPECT_TRUE(index.BlockUntilSyncedToCurrentChain());
    auto c = index.Counters();
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : MarketCounters{};
  }
  static ModelCount Gpus(const MarketIndex& index) {
    auto gpus = index.Gpus(10);
    EXPECT_TRUE(gpus.ok());
    const std::string model = market::NormalizeGpuModel("NVIDIA GeForce RTX 4090");
    for (const ModelCount& m : *gpus) {
      if (m.model == model) return m;
    }
    return ModelCount{model, 0, 0};
  }
  static std::vector<MarketParticipation> All(const MarketIndex& index, const Address& who,
                                              std::optional<MarketKind> kind = std::nullopt) {
    auto page = index.ListFor(who, kind, std::nullopt, 100, 1000, nullptr);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->entries : std::vector<MarketParticipation>{};
  }
  static uint64_t Count(const MarketIndex& index, const Address& who, MarketKind kind) {
    auto n = index.CountFor(who, kind);
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : UINT64_MAX;
  }

  std::filesystem::path index_dir_;
};

const Address kProvider = AddressOf(TestKey(kProviderKey));
const Address kTenant = AddressOf(TestKey(kTenantKey));

TEST_F(MarketIndexTest, FollowsAnOrderToALeaseAndItsCloseByParticipantAndCounters) {
  MarketChain chain;
  auto index = StartIndex(chain);
  chain.RegisterProvider(8);
  MarketCounters c = CountersOf(*index);
  EXPECT_EQ(c.compute_providers, 1u);
  EXPECT_EQ(Gpus(*index).registered, 8u);
  EXPECT_EQ(Gpus(*index).leased, 0u);

  chain.CreateOrder();
  c = CountersOf(*index);
  EXPECT_EQ(c.open_orders, 1u);
  EXPECT_EQ(Count(*index, kTenant, MarketKind::kOrder), 1u);
  chain.Bid(1, kPrice);
  auto accepted = chain.Accept(1);
  ASSERT_NE(accepted, nullptr);
  c = CountersOf(*index);
  EXPECT_EQ(c.open_orders, 0u);
  EXPECT_EQ(c.active_leases, 1u);
  EXPECT_EQ(Gpus(*index).leased, 2u);
  EXPECT_EQ(Count(*index, kTenant, MarketKind::kLease), 1u);
  EXPECT_EQ(Count(*index, kProvider, MarketKind::kLease), 1u);
  EXPECT_EQ(Count(*index, kProvider, MarketKind::kBid), 1u);
  EXPECT_EQ(Count(*index, kTenant, MarketKind::kDeal), 0u);

  // The tenant: its order then its lease (key order: kind, then id).
  auto tenant = All(*index, kTenant);
  ASSERT_EQ(tenant.size(), 2u);
  EXPECT_EQ(tenant[0].object.kind, MarketKind::kOrder);
  EXPECT_EQ(tenant[0].roles, kRoleTenant);
  EXPECT_EQ(tenant[1].object.kind, MarketKind::kLease);
  EXPECT_EQ(tenant[1].object.id, 1u);
  EXPECT_EQ(tenant[1].roles, kRoleTenant);
  EXPECT_EQ(tenant[1].height, accepted->header.height);
  // The provider: its bid, its lease and itself.
  auto provider = All(*index, kProvider);
  ASSERT_EQ(provider.size(), 3u);
  EXPECT_EQ(provider[0].object.kind, MarketKind::kBid);
  EXPECT_EQ(provider[0].roles, kRoleBidder);
  EXPECT_EQ(provider[1].object.kind, MarketKind::kLease);
  EXPECT_EQ(provider[1].roles, kRoleProvider);
  EXPECT_EQ(provider[2].object.kind, MarketKind::kProvider);
  EXPECT_EQ(provider[2].object.address, kProvider);

  auto lease =
      index->Find(MarketObjectRef{MarketKind::kLease, 1, Address(), MarketModule::kCompute});
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE(lease->has_value());
  EXPECT_EQ((*lease)->first, kTenant);
  EXPECT_EQ((*lease)->second, kProvider);
  EXPECT_EQ((*lease)->price, kPrice);
  EXPECT_EQ((*lease)->number, 2u);
  EXPECT_TRUE((*lease)->live);
  auto started = index->LeasesStarted(0, chain.chain().Tip().height, 10);
  ASSERT_TRUE(started.ok());
  ASSERT_EQ(started->size(), 1u);
  EXPECT_EQ((*started)[0].lease_id, 1u);
  EXPECT_EQ((*started)[0].price, kPrice);
  EXPECT_EQ((*started)[0].height, accepted->header.height);
  EXPECT_TRUE(index->LeasesStarted(0, accepted->header.height - 1, 10)->empty());

  // A snapshot keeps reading the block it was taken at.
  auto view = index->Snapshot();
  ASSERT_NE(view, nullptr);
  const uint64_t before_close = chain.chain().Tip().height;
  EXPECT_EQ(*index->Height(view.get()), before_close);
  chain.Close(1);
  c = CountersOf(*index);
  EXPECT_EQ(c.active_leases, 0u);
  EXPECT_EQ(*index->Height(), before_close + 1);
  EXPECT_EQ(*index->Height(view.get()), before_close);
  EXPECT_EQ(index->Counters(view.get())->active_leases, 1u);
  view.reset();
  EXPECT_EQ(Gpus(*index).leased, 0u);
  EXPECT_EQ(Gpus(*index).registered, 8u);
  // Who and when stay: the participant entries are history.
  EXPECT_EQ(Count(*index, kTenant, MarketKind::kLease), 1u);
}

TEST_F(MarketIndexTest, ALeaseClosedByDeferredWorkAtItsEndLeavesTheCounters) {
  MarketChain chain;
  auto index = StartIndex(chain);
  chain.RegisterProvider(8);
  chain.CreateOrder(/*term=*/5);
  chain.Bid(1, kPrice);
  auto accepted = chain.Accept(1);
  ASSERT_NE(accepted, nullptr);
  ASSERT_EQ(CountersOf(*index).active_leases, 1u);
  // No tx touches the lease: the close at its term's end is deferred work,
  // whose LeaseClosed sits in the block's system receipt.
  for (int i = 0; i < 6; ++i) chain.Mine({});
  EXPECT_EQ(CountersOf(*index).active_leases, 0u);
  EXPECT_EQ(Gpus(*index).leased, 0u);
}

TEST_F(MarketIndexTest, AnAuditorIsListedOnTheProviderItAttested) {
  MarketChain chain;
  chain.RegisterProvider(4);
  chain.Send(kAuditorKey, CallData("signAttributes(address,string)",
                                   abi::Encoder().Address(kProvider).String("gpu.model")));
  auto index = StartIndex(chain);
  auto auditor = All(*index, AddressOf(TestKey(kAuditorKey)));
  ASSERT_EQ(auditor.size(), 1u);
  EXPECT_EQ(auditor[0].object.kind, MarketKind::kProvider);
  EXPECT_EQ(auditor[0].object.address, kProvider);
  EXPECT_EQ(auditor[0].roles, kRoleAuditor);
}

TEST_F(MarketIndexTest, PagesByKindWithACursorAndABoundOnEntriesRead) {
  MarketChain chain;
  chain.RegisterProvider(64);
  for (int i = 0; i < 5; ++i) chain.CreateOrder();
  auto index = StartIndex(chain);
  std::vector<uint64_t> ids;
  std::optional<MarketObjectRef> after;
  for (int page_no = 0; page_no < 10; ++page_no) {
    auto page = index->ListFor(kTenant, MarketKind::kOrder, after, 2, 1000, nullptr);
    ASSERT_TRUE(page.ok());
    for (const auto& e : page->entries) ids.push_back(e.object.id);
    if (!page->next) break;
    EXPECT_EQ(page->entries.size(), 2u);
    after = page->next;
  }
  EXPECT_EQ(ids, (std::vector<uint64_t>{1, 2, 3, 4, 5}));

  // A filter that skips everything still stops after max_examined entries,
  // with a cursor to go on from.
  auto page = index->ListFor(kTenant, std::nullopt, std::nullopt, 2, 3,
                             [](const MarketParticipation&) { return false; });
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->entries.empty());
  ASSERT_TRUE(page->next.has_value());
  EXPECT_EQ(page->next->id, 3u);
  // Nothing for an address that took part in nothing.
  EXPECT_TRUE(All(*index, AddressOf(TestKey(9))).empty());
}

TEST_F(MarketIndexTest, ADisconnectedBlockRestoresEveryCounterAndEntry) {
  MarketChain chain;
  auto index = StartIndex(chain);
  chain.RegisterProvider(8);
  chain.CreateOrder();
  chain.Bid(1, kPrice);
  auto accepted = chain.Accept(1);
  ASSERT_NE(accepted, nullptr);
  ASSERT_EQ(CountersOf(*index).active_leases, 1u);

  ASSERT_TRUE(chain.chain().InvalidateBlock(accepted->Hash()).ok());
  MarketCounters c = CountersOf(*index);
  EXPECT_EQ(c.active_leases, 0u);
  EXPECT_EQ(c.open_orders, 1u);
  EXPECT_EQ(Gpus(*index).leased, 0u);
  EXPECT_EQ(Count(*index, kTenant, MarketKind::kLease), 0u);
  EXPECT_EQ(All(*index, kTenant).size(), 1u);
  auto lease =
      index->Find(MarketObjectRef{MarketKind::kLease, 1, Address(), MarketModule::kCompute});
  ASSERT_TRUE(lease.ok());
  EXPECT_FALSE(lease->has_value());
  EXPECT_TRUE(index->LeasesStarted(0, UINT64_MAX, 10)->empty());
  EXPECT_EQ(index->Summary().best_block_height, accepted->header.height - 1);
  EXPECT_EQ(*index->Height(), accepted->header.height - 1);

  ASSERT_TRUE(chain.chain().ReconsiderBlock(accepted->Hash()).ok());
  c = CountersOf(*index);
  EXPECT_EQ(c.active_leases, 1u);
  EXPECT_EQ(c.open_orders, 0u);
  EXPECT_EQ(Gpus(*index).leased, 2u);
  EXPECT_EQ(All(*index, kTenant).size(), 2u);
}

TEST_F(MarketIndexTest, BuildsForAnExistingChainAndResumesAfterARestart) {
  MarketChain chain;
  chain.RegisterProvider(8);
  chain.CreateOrder();
  {
    auto index = StartIndex(chain);
    EXPECT_EQ(CountersOf(*index).open_orders, 1u);
  }
  // Stopped while the order is leased: the next start catches up.
  chain.Bid(1, kPrice);
  chain.Accept(1);
  auto index = StartIndex(chain);
  MarketCounters c = CountersOf(*index);
  EXPECT_EQ(c.open_orders, 0u);
  EXPECT_EQ(c.active_leases, 1u);
  EXPECT_EQ(c.compute_providers, 1u);
  EXPECT_EQ(Gpus(*index).leased, 2u);
  EXPECT_EQ(index->Summary().best_block_hash, chain.chain().Tip().hash);
  // A rewind while stopped is undone at the next start too.
  const Hash256 tip = chain.chain().Tip().hash;
  index.reset();
  ASSERT_TRUE(chain.chain().InvalidateBlock(tip).ok());
  index = StartIndex(chain);
  c = CountersOf(*index);
  EXPECT_EQ(c.active_leases, 0u);
  EXPECT_EQ(c.open_orders, 1u);
}

TEST(MarketObjectRefTest, EncodingRoundTripsAndRejectsWhatWasNotIssued) {
  const MarketObjectRef refs[] = {
      {MarketKind::kOrder, 7, Address(), MarketModule::kCompute},
      {MarketKind::kLease, UINT64_MAX, Address(), MarketModule::kCompute},
      {MarketKind::kDeal, 3, Address(), MarketModule::kStorage},
      {MarketKind::kProvider, 0, kProvider, MarketModule::kStorage},
      {MarketKind::kSector, 12, kTenant, MarketModule::kStorage},
  };
  for (const auto& ref : refs) {
    auto back = MarketObjectRef::Decode(ref.Encode());
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, ref);
  }
  EXPECT_FALSE(MarketObjectRef::Decode(Bytes{}).has_value());
  EXPECT_FALSE(MarketObjectRef::Decode(Bytes{9, 0, 0, 0, 0, 0, 0, 0, 1}).has_value());
  EXPECT_FALSE(MarketObjectRef::Decode(Bytes{1, 0, 0}).has_value());
  Bytes provider = refs[3].Encode();
  provider[1] = 7;  // no such module
  EXPECT_FALSE(MarketObjectRef::Decode(provider).has_value());
  EXPECT_EQ(ParseMarketKind("lease"), MarketKind::kLease);
  EXPECT_FALSE(ParseMarketKind("Lease").has_value());
}

}  // namespace
}  // namespace depin::index
