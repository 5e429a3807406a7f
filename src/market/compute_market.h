// The GPU compute market: a native module at 0x...1000 (docs/markets.md
// "Compute market", docs/abi/compute.json). A reverse auction enforced in
// consensus:
//   - providers register with stake and attributes (market/gpu_attributes.h);
//     auditors attest chosen attributes, and an attestation lapses when one
//     of the attested values changes;
//   - a tenant posts an order (spec, max price per block, term, bidding
//     window, required auditors, escrow); matching, attested providers bid
//     with a deposit, each bid naming the GPU model it offers;
//   - the tenant accepts a bid, or at the window's end deferred work awards
//     the lowest (ties: the earliest) bid whose provider still has the GPUs;
//     losing deposits go back; with no winner the escrow goes back;
//   - the lease (its id is its order's) pays the price per block from escrow,
//     settled lazily: paid(h) = price x (min(h, end) - start), where end is
//     the close height, or while open min(term end, start + escrow / price).
//     Views compute this at the queried height; deferred work at the
//     projected end closes the lease (insufficient-funds or term-ended) and
//     frees the provider's GPUs, and any touch at or after it does the same.
// Lease ids equal order ids: an order leads to at most one lease.
//
// Thread-safety: the module is immutable (consensus/module.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "consensus/module.h"
#include "consensus/params.h"
#include "primitives/address.h"

namespace depin::market {

// 0x0000000000000000000000000000000000001000.
Address ComputeMarketAddress();

std::shared_ptr<const consensus::Module> MakeComputeMarket(
    const consensus::ComputeMarketParams& params);

enum class OrderState : uint8_t {
  kOpen = 1,       // taking bids
  kLeased = 2,     // a bid won: lease `orderId` runs or ran
  kCancelled = 3,  // cancelled by the tenant while open: escrow back
  kClosed = 4      // the window ended without a bid that could win: escrow back
};
std::string_view OrderStateName(OrderState state);

enum class BidState : uint8_t { kOpen = 1, kWithdrawn = 2, kWon = 3, kLost = 4 };
std::string_view BidStateName(BidState state);

enum class LeaseState : uint8_t { kActive = 1, kClosed = 2 };
std::string_view LeaseStateName(LeaseState state);

// closeLease reason bands, and the network's own reasons.
inline constexpr uint64_t kTenantReasonMin = 1;
inline constexpr uint64_t kTenantReasonMax = 9999;
inline constexpr uint64_t kProviderReasonMin = 10000;
inline constexpr uint64_t kProviderReasonMax = 19999;
inline constexpr uint64_t kReasonTermEnded = 20000;
inline constexpr uint64_t kReasonInsufficientFunds = 20001;

// Bounds on what the chain stores.
inline constexpr size_t kMaxHostUriBytes = 256;
inline constexpr size_t kMaxRequiredAuditors = 8;
inline constexpr size_t kMaxAccessDetailsBytes = 1024;  // plaintext; the box adds its overhead

}  // namespace depin::market
