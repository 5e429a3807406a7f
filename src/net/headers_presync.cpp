#include "net/headers_presync.h"

#include <algorithm>

#include "consensus/block_validation.h"
#include "consensus/pow.h"
#include "crypto/sha256.h"
#include "util/bytes.h"

namespace depin::net {

namespace {

// A median-time-past rule over 11 timestamps admits at most 6 headers per
// second of timestamps.
constexpr uint64_t kMaxHeadersPerSecond = 6;

uint64_t MedianOf(const std::deque<uint64_t>& times) {
  std::vector<uint64_t> sorted(times.begin(), times.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted[sorted.size() / 2];
}

}  // namespace

HeadersPresync::HeadersPresync(const consensus::ChainParams& params, const Uint256& min_work,
                               const PresyncStart& start, uint64_t now, uint64_t salt)
    : params_(params), min_work_(min_work), salt_(salt), commit_offset_(salt % kCommitPeriod) {
  start_.last = start.header;
  start_.last_hash = start.header.Hash();
  start_.work = start.chain_work;
  start_.recent_times.assign(start.recent_times.begin(), start.recent_times.end());
  if (start_.recent_times.empty()) start_.recent_times.push_back(start.header.timestamp);
  start_.anchor_time = start.asert_anchor_time;
  start_hash_ = start_.last_hash;
  cursor_ = start_;
  const uint64_t start_mtp = MedianOf(start_.recent_times);
  const uint64_t latest = now + params.max_future_block_time;
  const uint64_t seconds = latest > start_mtp ? latest - start_mtp : 0;
  max_commitments_ = static_cast<size_t>((seconds + 1) * kMaxHeadersPerSecond / kCommitPeriod + 1);
}

Status HeadersPresync::Extend(Cursor& cursor, const BlockHeader& header, uint64_t now) const {
  DEPIN_RETURN_IF_ERROR(consensus::CheckHeader(header, params_));
  const consensus::ParentInfo parent{cursor.last, MedianOf(cursor.recent_times),
                                     cursor.anchor_time};
  DEPIN_RETURN_IF_ERROR(consensus::ContextualCheckHeader(header, parent, now, params_));
  cursor.anchor_time = consensus::AsertAnchorTimeOf(header, cursor.anchor_time);
  cursor.work = SaturatingAdd(cursor.work, WorkFromTarget(*CompactToTarget(header.bits)));
  cursor.last = header;
  cursor.last_hash = header.Hash();
  cursor.recent_times.push_back(header.timestamp);
  while (cursor.recent_times.size() > params_.median_time_span) cursor.recent_times.pop_front();
  return Status::Ok();
}

bool HeadersPresync::CommitmentBit(const Hash256& hash) const {
  uint8_t salt[8];
  WriteLE64(salt, salt_);
  const Hash256 keyed = crypto::Sha256().Write(salt, sizeof(salt)).Write(hash.span()).Finalize();
  return (keyed.data()[0] & 1) != 0;
}

HeadersPresync::Outcome HeadersPresync::Process(const std::vector<BlockHeader>& headers, bool full,
                                                uint64_t now) {
  if (headers.empty() || phase_ == Phase::kDone) return {};
  if (headers.front().parent_hash != cursor_.last_hash) return {};
  return phase_ == Phase::kPresync ? Presync(headers, full, now) : Redownload(headers, full, now);
}

HeadersPresync::Outcome HeadersPresync::Presync(const std::vector<BlockHeader>& headers, bool full,
                                                uint64_t now) {
  Outcome out;
  for (const BlockHeader& h : headers) {
    if (Status s = Extend(cursor_, h, now); !s.ok()) {
      phase_ = Phase::kDone;
      out.error = s;
      return out;
    }
    if (IsCommitHeight(h.height)) {
      if (commitments_.size() >= max_commitments_) {
        phase_ = Phase::kDone;
        out.error = Status::Error("presync-too-many-headers",
                                  "more headers than the chain's timestamps allow");
        return out;
      }
      commitments_.push_back(CommitmentBit(cursor_.last_hash));
    }
  }
  if (cursor_.work >= min_work_) {
    if (!dropped_any_) {
      // Nothing was dropped: this batch is the whole chain from the start.
      phase_ = Phase::kDone;
      out.release = headers;
      if (full) out.continue_from = cursor_.last_hash;
      return out;
    }
    phase_ = Phase::kRedownload;
    cursor_ = start_;
    out.restart_from_start = true;
    return out;
  }
  dropped_any_ = true;
  if (full) {
    out.continue_from = cursor_.last_hash;
  } else {
    phase_ = Phase::kDone;
    out.below_min_work = true;
  }
  return out;
}

HeadersPresync::Outcome HeadersPresync::Redownload(const std::vector<BlockHeader>& headers,
                                                   bool full, uint64_t now) {
  Outcome out;
  for (const BlockHeader& h : headers) {
    if (Status s = Extend(cursor_, h, now); !s.ok()) {
      phase_ = Phase::kDone;
      out.error = s;
      return out;
    }
    if (IsCommitHeight(h.height) && cursor_.work < min_work_) {
      if (next_commitment_ >= commitments_.size() ||
          commitments_[next_commitment_] != CommitmentBit(cursor_.last_hash)) {
        phase_ = Phase::kDone;
        out.error = Status::Error("presync-chain-changed",
                                  "the redownloaded headers are not the chain presynced");
        return out;
      }
      ++next_commitment_;
    }
    buffer_.push_back(h);
    if (cursor_.work >= min_work_) {
      // The minimum work again: everything left goes out. Headers after it
      // in this message are checked the same way and go out with it.
      continue;
    }
    if (buffer_.size() > kRedownloadBuffer) {
      out.release.push_back(buffer_.front());
      buffer_.pop_front();
    }
  }
  if (cursor_.work >= min_work_) {
    phase_ = Phase::kDone;
    out.release.insert(out.release.end(), buffer_.begin(), buffer_.end());
    buffer_.clear();
    if (full) out.continue_from = cursor_.last_hash;
    return out;
  }
  if (!full) {
    // The chain ended before the work it showed in presync.
    phase_ = Phase::kDone;
    out.error = Status::Error("presync-chain-changed",
                              "the redownloaded chain ends below the minimum chain work");
    return out;
  }
  out.continue_from = cursor_.last_hash;
  return out;
}

}  // namespace depin::net
