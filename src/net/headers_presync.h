// HeadersPresync: how a peer's headers reach the block tree while the chain
// they build on has less than the minimum chain work (docs/p2p.md, "Minimum
// chain work and headers presync"). Learned from Bitcoin Core's
// HeadersSyncState: a low-work header chain is never stored and costs us
// only bounded per-peer memory, so a cheap fork cannot fill the disk or
// the tree.
//
//   presync     each header is checked in full (PoW, ASERT bits, time rules,
//               from a rolling window of the chain so far) and then dropped;
//               what stays is the last header, the work and one salted bit
//               per kCommitPeriod headers. A chain that ends below the
//               minimum work is forgotten.
//   redownload  once the work reaches the minimum, the same chain is asked
//               for again from the start and checked against the bits; a
//               header is handed out for storing only when kRedownloadBuffer
//               headers after it matched, or when the minimum work is
//               reached again (then everything left is handed out).
// A peer that switches to another chain in redownload fails the bits with
// probability 1 - 2^-(kRedownloadBuffer / kCommitPeriod) before anything of
// that chain is stored. When the first batch alone reaches the minimum,
// nothing was dropped and it is handed out at once.
//
// Thread-safety: none; each peer's object is used by the net message thread.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "consensus/params.h"
#include "primitives/block.h"
#include "primitives/uint256.h"
#include "util/status.h"

namespace depin::net {

// One bit per this many headers in presync...
inline constexpr uint64_t kCommitPeriod = 64;
// ...and this many headers wait in redownload before the first is handed out:
// 32 bits must match first.
inline constexpr size_t kRedownloadBuffer = 32 * kCommitPeriod;

// Where a presync starts: a header in the block tree and what its children's
// checks need from the chain below it.
struct PresyncStart {
  BlockHeader header;
  Uint256 chain_work;
  // Timestamps of the start header and its ancestors, oldest first, at most
  // params.median_time_span of them.
  std::vector<uint64_t> recent_times;
  uint64_t asert_anchor_time = 0;  // block 1's timestamp on the start's branch
};

class HeadersPresync {
 public:
  enum class Phase { kPresync, kRedownload, kDone };

  struct Outcome {
    // Not ok: stop and forget the peer's chain. kNotYetValid: a header
    // too far in the future (perhaps our clock); "presync-chain-changed":
    // the peer's chain in redownload is not the one it presynced (no
    // consensus rule broken); anything else: an invalid header.
    Status error;
    // Headers now to be stored, in order, the first a child of the start.
    std::vector<BlockHeader> release;
    // Ask the peer for the headers after this one (continuing a phase)...
    std::optional<Hash256> continue_from;
    // ...or for the chain again from the start (redownload begins).
    bool restart_from_start = false;
    // Phase kDone: every header is out or the chain ended below the
    // minimum work (`below_min_work`, nothing of it stored).
    bool below_min_work = false;
  };

  // `salt` keys the commitment bits (random per node, so a peer cannot
  // precompute a chain that matches them); `now` is the adjusted time.
  HeadersPresync(const consensus::ChainParams& params, const Uint256& min_work,
                 const PresyncStart& start, uint64_t now, uint64_t salt);

  // One `headers` message (in order, already checked to form a chain);
  // `full` when it held the most headers a message may (more follow).
  // Headers that do not continue the expected chain (an answer to some
  // other request) are ignored: an empty Outcome.
  Outcome Process(const std::vector<BlockHeader>& headers, bool full, uint64_t now);

  Phase phase() const { return phase_; }
  const Hash256& start_hash() const { return start_hash_; }
  // The chain checked so far in the current phase.
  uint64_t height() const { return cursor_.last.height; }
  const Uint256& work() const { return cursor_.work; }

 private:
  // The tip of the chain being checked and what its children's checks need.
  struct Cursor {
    BlockHeader last;
    Hash256 last_hash;
    Uint256 work;
    std::deque<uint64_t> recent_times;
    uint64_t anchor_time = 0;
  };
  Status Extend(Cursor& cursor, const BlockHeader& header, uint64_t now) const;
  bool CommitmentBit(const Hash256& hash) const;
  bool IsCommitHeight(uint64_t height) const { return height % kCommitPeriod == commit_offset_; }
  Outcome Presync(const std::vector<BlockHeader>& headers, bool full, uint64_t now);
  Outcome Redownload(const std::vector<BlockHeader>& headers, bool full, uint64_t now);

  const consensus::ChainParams& params_;
  const Uint256 min_work_;
  const uint64_t salt_;
  const uint64_t commit_offset_;
  Cursor start_;
  Hash256 start_hash_;
  Cursor cursor_;
  Phase phase_ = Phase::kPresync;
  bool dropped_any_ = false;
  // Presync: one bit per commit height; bounded by max_commitments_ (no
  // chain can hold more headers than its timestamps allow).
  std::vector<bool> commitments_;
  size_t max_commitments_ = 0;
  // Redownload: the next bit to compare, and the headers not yet out.
  size_t next_commitment_ = 0;
  std::deque<BlockHeader> buffer_;
};

}  // namespace depin::net
