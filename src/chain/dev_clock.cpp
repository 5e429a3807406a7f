#include "chain/dev_clock.h"

#include <chrono>

namespace depin::chain {

DevClock::DevClock(std::function<uint64_t()> system) : system_(std::move(system)) {}

uint64_t DevClock::SystemNow() const {
  if (system_) return system_();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

uint64_t DevClock::Now() const {
  const uint64_t system = SystemNow();
  MutexLock lock(mu_);
  return system + offset_;
}

uint64_t DevClock::offset() const {
  MutexLock lock(mu_);
  return offset_;
}

Result<uint64_t> DevClock::IncreaseTime(uint64_t seconds) {
  const uint64_t system = SystemNow();
  MutexLock lock(mu_);
  // The clock itself (system + offset) must stay within 64 bits.
  if (seconds > UINT64_MAX - system - offset_) {
    return Status::Error("dev-time-overflow", "the clock would pass 2^64 seconds");
  }
  offset_ += seconds;
  return offset_;
}

void DevClock::SetNextBlockTimestamp(uint64_t timestamp) {
  MutexLock lock(mu_);
  next_ = timestamp;
}

std::optional<uint64_t> DevClock::next_block_timestamp() const {
  MutexLock lock(mu_);
  return next_;
}

uint64_t DevClock::NextBlockTime() const {
  const uint64_t system = SystemNow();
  MutexLock lock(mu_);
  return next_ ? *next_ : system + offset_;
}

void DevClock::BlockMined(uint64_t timestamp) {
  const uint64_t system = SystemNow();
  MutexLock lock(mu_);
  if (!next_) return;
  next_.reset();
  // Time goes on from the chosen timestamp. A clock never runs backwards,
  // so a choice behind the system clock leaves the offset at zero.
  offset_ = timestamp > system ? timestamp - system : 0;
}

uint64_t DevClock::AdjustedNow() const {
  const uint64_t system = SystemNow();
  MutexLock lock(mu_);
  const uint64_t now = system + offset_;
  return next_ && *next_ > now ? *next_ : now;
}

DevClock::State DevClock::Save() const {
  MutexLock lock(mu_);
  return State{offset_, next_};
}

void DevClock::Restore(const State& state) {
  MutexLock lock(mu_);
  offset_ = state.offset;
  next_ = state.next_block_timestamp;
}

}  // namespace depin::chain
