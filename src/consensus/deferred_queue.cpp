#include "consensus/deferred_queue.h"

#include <string>

#include "consensus/gas.h"

namespace depin::consensus {
namespace {

constexpr size_t kHeaderSize = 1 + 8 + Address::kSize;
// Queue entries read per page while running or listing.
constexpr size_t kPage = 64;

Status Bad(std::string what) {
  return Status::Corruption("deferred-bad-encoding", "deferred queue entry: " + what);
}

}  // namespace

Bytes DeferredStateKey(uint64_t height, const Address& module, ByteSpan key) {
  Bytes out(kHeaderSize);
  out[0] = kDeferredPrefix;
  for (int i = 0; i < 8; ++i) out[1 + i] = static_cast<uint8_t>(height >> (56 - 8 * i));
  std::copy(module.begin(), module.end(), out.begin() + 9);
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

Bytes EncodeDeferredValue(uint64_t gas) {
  Bytes out(8);
  WriteLE64(out.data(), gas);
  return out;
}

Result<DeferredEntry> DecodeDeferredEntry(ByteSpan state_key, ByteSpan value) {
  if (state_key.size() < kHeaderSize || state_key[0] != kDeferredPrefix) return Bad("short key");
  if (state_key.size() - kHeaderSize > kMaxDeferredKeySize) return Bad("key too long");
  if (value.size() != 8) return Bad("value is not 8 bytes");
  DeferredEntry e;
  for (int i = 0; i < 8; ++i) e.height = (e.height << 8) | state_key[1 + i];
  std::copy(state_key.begin() + 9, state_key.begin() + kHeaderSize, e.module.bytes.begin());
  e.key.assign(state_key.begin() + kHeaderSize, state_key.end());
  e.gas = ReadLE64(value.data());
  return e;
}

std::vector<DeferredEntry> ListDeferred(StateCache& state) {
  std::vector<DeferredEntry> out;
  const Bytes prefix = {kDeferredPrefix};
  Bytes cursor;
  for (;;) {
    std::vector<StateEntry> page = state.Scan(prefix, cursor, kPage);
    for (const StateEntry& se : page) {
      auto e = DecodeDeferredEntry(se.key, se.value);
      if (e.ok()) out.push_back(std::move(e).value());
    }
    if (page.size() < kPage) return out;
    cursor = page.back().key;
  }
}

Result<DeferredRun> RunDueDeferred(StateCache& state, const BlockContext& block,
                                   const ModuleRegistry& modules) {
  DeferredRun run;
  const Bytes prefix = {kDeferredPrefix};
  uint64_t budget_left = block.deferred_gas_per_block;
  Bytes cursor;
  for (;;) {
    std::vector<StateEntry> page = state.Scan(prefix, cursor, kPage);
    for (const StateEntry& se : page) {
      auto entry = DecodeDeferredEntry(se.key, se.value);
      if (!entry.ok()) return entry.status();
      // Key order is run order: the first entry not yet due or not fitting
      // ends this block's run.
      if (entry->height > block.height || entry->gas > budget_left) return run;
      budget_left -= entry->gas;
      state.Erase(se.key);
      ++run.entries_run;
      run.gas_used += kDeferredMinGas;
      const Module* module = modules.ActiveAt(entry->module, block.height);
      if (module == nullptr) continue;  // not on this network or not active: the entry lapses
      const StateCache::Checkpoint checkpoint = state.MakeCheckpoint();
      ModuleContext ctx(state, block, entry->module, Address(), Uint256(),
                        entry->gas - kDeferredMinGas, /*read_only=*/false, &modules);
      Status s = module->RunDeferred(ctx, entry->height, entry->key);
      run.gas_used += ctx.gas_used();
      if (s.ok()) {
        run.logs.insert(run.logs.end(), ctx.logs().begin(), ctx.logs().end());
      } else {
        state.RevertTo(checkpoint);
      }
    }
    if (page.size() < kPage) return run;
    cursor = page.back().key;
  }
}

}  // namespace depin::consensus
