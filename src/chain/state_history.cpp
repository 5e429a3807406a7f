#include "chain/state_history.h"

#include <utility>

#include "chain/undo.h"

namespace depin::chain {

HistoricalStateView::HistoricalStateView(const ChainDb& db,
                                         std::shared_ptr<const DbSnapshot> snapshot)
    : tip_(db, std::move(snapshot)) {}

Result<std::unique_ptr<HistoricalStateView>> HistoricalStateView::Build(
    const ChainDb& db, std::shared_ptr<const DbSnapshot> snapshot,
    const std::vector<Hash256>& undone, size_t max_undo_bytes) {
  const DbSnapshot* pinned = snapshot.get();
  std::unique_ptr<HistoricalStateView> view(new HistoricalStateView(db, std::move(snapshot)));
  // Lowest block first: the first before seen for a key is the value it had
  // after the wanted block, and later (higher) records leave it alone.
  size_t undo_bytes = 0;
  for (const Hash256& hash : undone) {
    auto raw = db.Get(MakeKey(dbkey::kUndo, hash.span()), pinned);
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) {
      return Status::Corruption("undo-missing", "no undo record for " + hash.Hex());
    }
    undo_bytes += (*raw)->size();
    if (undo_bytes > max_undo_bytes) {
      return Status::Error(StatusKind::kLimitExceeded, "state-history-too-large",
                           "the " + std::to_string(undone.size()) +
                               " blocks since hold more than " +
                               std::to_string(max_undo_bytes >> 20) +
                               " MiB of state changes; query a more recent block");
    }
    auto undo = DecodeBlockUndo(**raw);
    if (!undo.ok()) return undo.status();
    for (consensus::StateChange& change : undo->diff) {
      view->overlay_.try_emplace(std::move(change.key), std::move(change.before));
    }
  }
  return view;
}

std::optional<Bytes> HistoricalStateView::Get(ByteSpan key) const {
  auto it = overlay_.find(key);
  if (it != overlay_.end()) return it->second;
  return tip_.Get(key);
}

}  // namespace depin::chain

namespace depin::chain {

std::vector<consensus::StateEntry> HistoricalStateView::Scan(ByteSpan prefix, ByteSpan start_after,
                                                             size_t limit) const {
  return consensus::ScanWithOverlay(
      tip_, overlay_,
      [](const std::optional<Bytes>& v) -> const std::optional<Bytes>& { return v; }, prefix,
      start_after, limit);
}

}  // namespace depin::chain
