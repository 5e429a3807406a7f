#include "chain/proof_check_queue.h"

#include <algorithm>
#include <map>
#include <string>
#include <thread>

namespace depin::chain {

ProofCheckQueue::ProofCheckQueue(const consensus::ModuleRegistry& modules,
                                 VerifiedProofCache* cache, consensus::ProofCheckOptions options)
    : modules_(modules), cache_(cache), options_(options) {}

Status ProofCheckQueue::Add(size_t index, const VerifiedTx& tx) {
  if (!tx.tx.to) return Status::Ok();
  const consensus::Module* module = modules_.Find(*tx.tx.to);
  if (module == nullptr) return Status::Ok();
  auto checks = module->ProofChecks(tx.tx.data);
  if (!checks.ok()) {
    const Status& s = checks.status();
    return Status::Error(
        s.code(), "tx " + std::to_string(index) + " (" + tx.hash.Hex() + "): " + s.message());
  }
  if (checks->size() > consensus::kMaxProofChecksPerTx) {
    return Status::Error("tx-too-many-proofs", "tx " + std::to_string(index) + " carries " +
                                                   std::to_string(checks->size()) +
                                                   " proofs; at most " +
                                                   std::to_string(consensus::kMaxProofChecksPerTx));
  }
  for (consensus::ProofCheck& c : *checks) {
    c.module = module->address();  // a module speaks for itself only
    Hash256 id = c.Id();
    items_.push_back(Item{index, tx.hash, std::move(c), id});
    ++stats_.checks;
  }
  return Status::Ok();
}

Status ProofCheckQueue::Verify(ProofCacheUse use, bool block) {
  // Per module, the items still to verify (indexes into items_, in order).
  std::map<Address, std::vector<size_t>> to_verify;
  for (size_t i = 0; i < items_.size(); ++i) {
    const Item& item = items_[i];
    if (use != ProofCacheUse::kNone && cache_ != nullptr && cache_->Contains(item.id)) {
      ++stats_.cache_hits;
      continue;
    }
    to_verify[item.check.module].push_back(i);
  }
  std::vector<Status> verdicts(items_.size());
  const unsigned threads =
      options_.threads != 0 ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  for (auto& entry : to_verify) {
    // A plain reference: lambdas may not capture structured bindings before
    // C++20 compilers caught up (clang 15).
    const std::vector<size_t>& indexes = entry.second;
    const consensus::Module* module = modules_.Find(entry.first);
    stats_.verified += indexes.size();
    // A device backend wants one large batch; on the CPU (no device, or a
    // batch under the device threshold) the checks are split into one chunk
    // per thread, each verified on its own thread. Verdicts are the same.
    const bool device = options_.hash != nullptr && indexes.size() >= options_.device_min_checks;
    const size_t chunks = device ? 1 : std::min<size_t>(threads, indexes.size());
    const size_t per = (indexes.size() + chunks - 1) / chunks;
    consensus::ProofCheckOptions chunk_options = options_;
    if (!device) chunk_options.hash = nullptr;
    chunk_options.threads = chunks > 1 ? 1 : threads;
    auto run = [&, module](size_t begin, size_t end) {
      std::vector<const consensus::ProofCheck*> batch;
      batch.reserve(end - begin);
      for (size_t k = begin; k < end; ++k) batch.push_back(&items_[indexes[k]].check);
      std::vector<Status> out = module->VerifyProofs(batch, chunk_options);
      for (size_t k = begin; k < end; ++k) {
        verdicts[indexes[k]] =
            k - begin < out.size()
                ? out[k - begin]
                : Status::Error("proof-no-verdict", "the module returned too few verdicts");
      }
    };
    std::vector<std::thread> workers;
    for (size_t c = 1; c < chunks; ++c) {
      const size_t begin = c * per, end = std::min(indexes.size(), begin + per);
      if (begin < end) workers.emplace_back(run, begin, end);
    }
    run(0, std::min(indexes.size(), per));
    for (std::thread& t : workers) t.join();
  }
  Status first;
  for (size_t i = 0; i < items_.size(); ++i) {
    const Item& item = items_[i];
    const Status& v = verdicts[i];
    if (!v.ok()) {
      if (first.ok()) {
        first = Status::Error(block ? "block-bad-proof" : "tx-bad-proof",
                              "tx " + std::to_string(item.tx_index) + " (" + item.tx_hash.Hex() +
                                  "): " + v.ToString());
      }
      continue;
    }
    if (cache_ == nullptr) continue;
    if (use == ProofCacheUse::kRecord) cache_->Insert(item.id);
    if (use == ProofCacheUse::kConsume) cache_->Erase(item.id);
  }
  items_.clear();
  return first;
}

Status CheckBlockProofs(const std::vector<TxRef>& txs, const consensus::ModuleRegistry& modules,
                        VerifiedProofCache* cache, const consensus::ProofCheckOptions& options,
                        ProofCheckStats* stats) {
  ProofCheckQueue queue(modules, cache, options);
  for (size_t i = 0; i < txs.size(); ++i) DEPIN_RETURN_IF_ERROR(queue.Add(i, *txs[i]));
  Status s = queue.empty() ? Status::Ok() : queue.Verify(ProofCacheUse::kConsume, /*block=*/true);
  if (stats != nullptr) *stats = queue.stats();
  return s;
}

Status CheckTxProofs(const VerifiedTx& tx, const consensus::ModuleRegistry& modules,
                     VerifiedProofCache* cache, const consensus::ProofCheckOptions& options) {
  ProofCheckQueue queue(modules, cache, options);
  DEPIN_RETURN_IF_ERROR(queue.Add(0, tx));
  if (queue.empty()) return Status::Ok();
  return queue.Verify(ProofCacheUse::kRecord, /*block=*/false);
}

}  // namespace depin::chain
