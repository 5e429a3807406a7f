#include "rpc/eth_fees.h"

#include <algorithm>
#include <string>
#include <utility>

namespace depin::eth_rpc {

using namespace eth_json;

Uint256 EthApi::SuggestedTip() const {
  chain::TipInfo tip = chain().Tip();
  {
    MutexLock lock(tip_mu_);
    if (tip_cache_hash_ == tip.hash && tip_cache_valid_) return tip_cache_;
  }
  std::vector<Uint256> tips;
  for (uint64_t i = 0; i < kTipSampleBlocks && i <= tip.height; ++i) {
    auto hash = chain().GetBlockHashAtHeight(tip.height - i);
    if (!hash) break;
    auto block = chain().ReadBlock(*hash);
    if (!block) break;
    for (const TxRef& tx : (*block)->txs) {
      tips.push_back(tx->tx.EffectiveTip((*block)->header.base_fee));
    }
  }
  Uint256 suggestion(kDefaultSuggestedTipWei);
  if (!tips.empty()) {
    std::sort(tips.begin(), tips.end());
    suggestion = tips[tips.size() / 2];
  }
  MutexLock lock(tip_mu_);
  tip_cache_hash_ = tip.hash;
  tip_cache_ = suggestion;
  tip_cache_valid_ = true;
  return suggestion;
}

RpcResult FeeHistory(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  auto count = ParseU64(req.Get("blockCount"));
  if (!count) return Invalid(count.status().message());
  std::vector<double> percentiles;
  if (req.Has("rewardPercentiles")) {
    const Value& p = req.Get("rewardPercentiles");
    if (!p.IsArray()) return Invalid("rewardPercentiles must be an array");
    if (p.Size() > kMaxRewardPercentiles) {
      return Invalid("rewardPercentiles: at most " + std::to_string(kMaxRewardPercentiles) +
                     " percentiles, got " + std::to_string(p.Size()));
    }
    for (const Value& x : p.GetArray()) {
      // Strictly increasing, as geth: a repeated percentile adds reply size
      // and work but no information.
      if (!x.IsNumber() || x.GetDouble() < 0 || x.GetDouble() > 100 ||
          (!percentiles.empty() && x.GetDouble() <= percentiles.back())) {
        return Invalid("rewardPercentiles must be strictly increasing numbers in [0, 100]");
      }
      percentiles.push_back(x.GetDouble());
    }
  }
  auto newest = api.ResolveBlock(&req.Get("newestBlock"));
  if (!newest) return Invalid(newest.status().message());
  if (!*newest) return Server("header not found");
  uint64_t n = std::min(*count, kMaxFeeHistoryBlocks);
  uint64_t newest_height = (*newest)->header.height;
  n = std::min(n, newest_height + 1);
  uint64_t oldest = newest_height + 1 - n;
  // Each block is read (with its receipts for percentiles): a long history
  // costs rate-limit tokens as a log query over as many blocks does.
  if (!req.context().Charge(RangeCost(percentiles.empty() ? n : 2 * n))) return RateLimited();
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Value base_fees(rapidjson::kArrayType);
  Value ratios(rapidjson::kArrayType);
  Value rewards(rapidjson::kArrayType);
  BlockHeader last;
  for (uint64_t h = oldest; h <= newest_height && n > 0; ++h) {
    auto hash = api.chain().GetBlockHashAtHeight(h);
    if (!hash) return Server("header not found");
    auto block = api.chain().ReadBlock(*hash);
    if (!block) return RpcError::FromStatus(block.status(), kRpcInternalError);
    const BlockHeader& header = (*block)->header;
    last = header;
    base_fees.PushBack(Quantity(header.base_fee, a), a);
    ratios.PushBack(header.gas_limit == 0 ? 0.0
                                          : static_cast<double>(header.gas_used) /
                                                static_cast<double>(header.gas_limit),
                    a);
    if (!percentiles.empty()) {
      // Tips weighted by gas used, as geth.
      std::vector<std::pair<Uint256, uint64_t>> tips;
      auto receipts = api.chain().ReadReceipts(*hash);
      for (size_t i = 0; i < (*block)->txs.size(); ++i) {
        uint64_t used = receipts && i < receipts->size() ? (*receipts)[i].gas_used : 0;
        tips.emplace_back((*block)->txs[i]->tx.EffectiveTip(header.base_fee), used);
      }
      std::sort(tips.begin(), tips.end(),
                [](const auto& x, const auto& y) { return x.first < y.first; });
      Value row(rapidjson::kArrayType);
      for (double p : percentiles) {
        if (tips.empty()) {
          row.PushBack(Quantity(uint64_t{0}, a), a);
          continue;
        }
        double threshold = static_cast<double>(header.gas_used) * p / 100.0;
        uint64_t sum = 0;
        size_t i = 0;
        for (; i + 1 < tips.size(); ++i) {
          sum += tips[i].second;
          if (static_cast<double>(sum) >= threshold) break;
        }
        row.PushBack(Quantity(tips[i].first, a), a);
      }
      rewards.PushBack(row, a);
    }
  }
  // The base fee of the block after the newest.
  if (n > 0) {
    base_fees.PushBack(Quantity(consensus::NextBaseFee(last, *api.ctx().params), a), a);
  }
  doc.AddMember("oldestBlock", Quantity(oldest, a), a);
  doc.AddMember("baseFeePerGas", base_fees, a);
  doc.AddMember("gasUsedRatio", ratios, a);
  if (!percentiles.empty()) doc.AddMember("reward", rewards, a);
  return Json(std::move(doc));
}

}  // namespace depin::eth_rpc
