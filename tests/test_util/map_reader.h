// An in-memory consensus::StateReader for tests of execution and modules:
// the state is a sorted map, and Apply writes a block's diff into it as the
// chain's state store would.
#pragma once

#include <map>
#include <optional>

#include "consensus/state.h"
#include "util/bytes.h"

namespace depin::test_util {

class MapReader : public consensus::StateReader {
 public:
  std::optional<Bytes> Get(ByteSpan key) const override {
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<consensus::StateEntry> Scan(ByteSpan prefix, ByteSpan start_after,
                                          size_t limit) const override {
    std::vector<consensus::StateEntry> out;
    auto it =
        BytesLess()(start_after, prefix) ? map_.lower_bound(prefix) : map_.upper_bound(start_after);
    for (; it != map_.end() && out.size() < limit && consensus::HasPrefix(it->first, prefix);
         ++it) {
      out.push_back({it->first, it->second});
    }
    return out;
  }
  void Apply(const consensus::StateDiff& diff) {
    for (const consensus::StateChange& c : diff) {
      if (c.after) {
        map_[c.key] = *c.after;
      } else {
        map_.erase(c.key);
      }
    }
  }
  std::map<Bytes, Bytes, BytesLess> map_;
};

}  // namespace depin::test_util
