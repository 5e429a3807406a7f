// DevClock: the time a dev node (`depind -dev`) stamps its blocks with, and
// validates them against. It is the system clock plus an offset that the
// test-node RPC methods move (evm_increaseTime), with an optional timestamp
// chosen for the next block (evm_setNextBlockTimestamp, evm_mine with a
// timestamp, anvil_mine with an interval). After a block is mined at a
// chosen time, the clock continues from that time, as Hardhat's does.
//
// The miner reads NextBlockTime() for each block and reports the block with
// BlockMined(); the chainstate's "now" for the future-time rule
// (block-time-too-new) is AdjustedNow(), which is never before a chosen
// timestamp still waiting, so a dev node accepts its own blocks however far
// the tests moved its time. Peers on the real clock hold such blocks until
// their own clock is within the rule's two hours (docs/dev-node.md).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "util/status.h"
#include "util/sync.h"

namespace depin::chain {

class DevClock {
 public:
  // `system` returns seconds since the Unix epoch; null = the system clock.
  explicit DevClock(std::function<uint64_t()> system = nullptr);

  // System time plus the offset.
  uint64_t Now() const EXCLUDES(mu_);
  // The offset in seconds (evm_increaseTime's answer).
  uint64_t offset() const EXCLUDES(mu_);
  // Moves the clock forward; returns the new offset. "dev-time-overflow"
  // when the clock would leave 64 bits.
  Result<uint64_t> IncreaseTime(uint64_t seconds) EXCLUDES(mu_);

  // The timestamp the next block gets (the assembler still raises it to the
  // consensus minimum). Replaces an earlier choice.
  void SetNextBlockTimestamp(uint64_t timestamp) EXCLUDES(mu_);
  std::optional<uint64_t> next_block_timestamp() const EXCLUDES(mu_);
  // The chosen timestamp if any, else Now().
  uint64_t NextBlockTime() const EXCLUDES(mu_);
  // A block was mined at `timestamp`: a waiting choice is used up and the
  // clock continues from that time (when it was chosen).
  void BlockMined(uint64_t timestamp) EXCLUDES(mu_);

  // max(Now(), a chosen timestamp still waiting): the chainstate's clock.
  uint64_t AdjustedNow() const EXCLUDES(mu_);

  // What evm_snapshot keeps and evm_revert puts back.
  struct State {
    uint64_t offset = 0;
    std::optional<uint64_t> next_block_timestamp;
  };
  State Save() const EXCLUDES(mu_);
  void Restore(const State& state) EXCLUDES(mu_);

 private:
  uint64_t SystemNow() const;

  const std::function<uint64_t()> system_;
  mutable Mutex mu_;
  uint64_t offset_ GUARDED_BY(mu_) = 0;
  std::optional<uint64_t> next_ GUARDED_BY(mu_);
};

}  // namespace depin::chain
