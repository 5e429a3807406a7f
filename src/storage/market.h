// The storage market: a native module at 0x...2000 (docs/markets.md,
// docs/abi/storage.json). Providers register with stake; clients propose
// deals with payment and collateral; providers pre-commit sectors that name
// the deals, prove-commit them with PoRep, and prove them every proving
// period with PoSt. Every period of every active sector is settled by
// deferred work at its deadline's check height: a proven period pays its
// deals' price for the period to the provider's earnings; a period without a
// valid proof pays nothing and costs the provider a fault fee from the
// deal's collateral, paid to the deal's client; max_consecutive_faults
// faulty periods in a row terminate the sector, its remaining collateral
// going to its clients with their unspent payment.
//
// Schedule (all heights global, from ChainParams::storage):
//   L = proving_period_blocks, D = deadlines_per_period, W = L / D,
//   R = post_response_blocks <= W.
//   Deadline d of period k opens at open(k, d) = k*L + d*W; its challenge
//   randomness is the hash of block open(k, d); a PoSt for it is accepted in
//   blocks open(k, d) + 1 .. open(k, d) + R, and the period is settled at the
//   end of block check(k, d) = open(k, d) + R.
//   A sector belongs to deadline (sector number mod D); its first period is
//   the first whose deadline opens at or after its activation.
//
// Thread-safety: the module is immutable (consensus/module.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "consensus/module.h"
#include "consensus/params.h"
#include "primitives/address.h"

namespace depin::storage {

// 0x0000000000000000000000000000000000002000.
Address StorageMarketAddress();

std::shared_ptr<const consensus::Module> MakeStorageMarket(
    const consensus::StorageMarketParams& params);

enum class DealState : uint8_t {
  kProposed = 1,   // paid for, waiting for a prove-commit to activate it
  kActive = 2,     // in an active sector, paid per proven period
  kExpired = 3,    // not active by its start block: refunded in full
  kCancelled = 4,  // cancelled by the client before activation: refunded in full
  kCompleted = 5,  // reached its end block
  kTerminated = 6  // its sector was terminated for faults
};
std::string_view DealStateName(DealState state);

enum class SectorState : uint8_t {
  kPreCommitted = 1,
  kActive = 2,
  kExpired = 3,          // all its deals ended
  kTerminated = 4,       // max_consecutive_faults faulty periods in a row
  kPreCommitExpired = 5  // never proven: its deposit went to its deals' clients
};
std::string_view SectorStateName(SectorState state);

// ProofCheck::kind of the module's proofs.
inline constexpr uint32_t kPoStProofKind = 1;
inline constexpr uint32_t kPoRepProofKind = 2;

// The proving schedule of one network (header comment).
class ProvingSchedule {
 public:
  explicit ProvingSchedule(const consensus::StorageMarketParams& params);

  uint64_t deadlines() const { return deadlines_; }
  uint64_t DeadlineOf(uint64_t sector_number) const { return sector_number % deadlines_; }
  // Saturating: a height past 2^64 is never reached.
  uint64_t Open(uint64_t period, uint64_t deadline) const;
  uint64_t Check(uint64_t period, uint64_t deadline) const;
  // The first period whose deadline `deadline` opens at or after `height`.
  uint64_t FirstPeriodFrom(uint64_t height, uint64_t deadline) const;
  // The period of the deadline's window that is open at `height` (a PoSt
  // included at `height` answers it), if any.
  std::optional<uint64_t> OpenWindowAt(uint64_t height, uint64_t deadline) const;

 private:
  uint64_t period_;
  uint64_t deadlines_;
  uint64_t window_;
  uint64_t response_;
};

}  // namespace depin::storage
