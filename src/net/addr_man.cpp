#include "net/addr_man.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>

#include "crypto/sha256.h"
#include "util/file.h"
#include "util/logging.h"

namespace depin::net {

namespace {

constexpr uint8_t kFileVersion = 1;
constexpr std::string_view kFileMagic = "DPAM";
constexpr size_t kEntrySize = 18 + 8 + 8 + 18 + 4 + 8 + 1 + 2 + 2;

void PutAddress(Bytes& out, const NetAddress& a) {
  out.insert(out.end(), a.ip.begin(), a.ip.end());
  out.push_back(static_cast<uint8_t>(a.port));
  out.push_back(static_cast<uint8_t>(a.port >> 8));
}

void PutLE(Bytes& out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t GetLE(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

NetAddress GetAddress(const uint8_t* p) {
  NetAddress a;
  std::memcpy(a.ip.data(), p, 16);
  a.port = static_cast<uint16_t>(GetLE(p + 16, 2));
  return a;
}

}  // namespace

AddrMan::AddrMan(AddrManOptions options)
    : options_(std::move(options)),
      new_slots_(kAddrNewBuckets * kAddrBucketSize),
      tried_slots_(kAddrTriedBuckets * kAddrBucketSize),
      rng_(std::random_device{}()) {
  std::random_device rd;
  for (size_t i = 0; i < key_.size(); ++i) key_[i] = static_cast<uint8_t>(rd());
}

uint64_t AddrMan::Now() const {
  if (options_.clock) return options_.clock();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

size_t AddrMan::Hash(ByteSpan data) const {
  Bytes buf(key_.begin(), key_.end());
  buf.insert(buf.end(), data.begin(), data.end());
  Hash256 h = crypto::Sha256dHash(buf);
  return static_cast<size_t>(ReadLE64(h.data()));
}

AddrPosition AddrMan::NewPosition(const NetAddress& address, const NetAddress& source) const {
  Bytes b{'N'};
  Bytes g = address.Group();
  Bytes sg = source.Group();
  b.insert(b.end(), g.begin(), g.end());
  b.insert(b.end(), sg.begin(), sg.end());
  // Each source group maps an address group to a few buckets only.
  PutLE(b, Hash(sg) % 64, 1);
  AddrPosition pos;
  pos.bucket = Hash(b) % kAddrNewBuckets;
  Bytes s{'n'};
  PutLE(s, pos.bucket, 2);
  PutAddress(s, address);
  pos.slot = Hash(s) % kAddrBucketSize;
  return pos;
}

AddrPosition AddrMan::TriedPosition(const NetAddress& address) const {
  Bytes b{'T'};
  Bytes g = address.Group();
  b.insert(b.end(), g.begin(), g.end());
  Bytes full;
  PutAddress(full, address);
  PutLE(b, Hash(full) % 8, 1);
  AddrPosition pos;
  pos.tried = true;
  pos.bucket = Hash(b) % kAddrTriedBuckets;
  Bytes s{'t'};
  PutLE(s, pos.bucket, 2);
  PutAddress(s, address);
  pos.slot = Hash(s) % kAddrBucketSize;
  return pos;
}

std::optional<NetAddress>& AddrMan::Slot(const AddrPosition& pos) {
  auto& slots = pos.tried ? tried_slots_ : new_slots_;
  return slots[pos.bucket * kAddrBucketSize + pos.slot];
}

void AddrMan::Erase(const NetAddress& address) {
  auto it = infos_.find(address);
  if (it == infos_.end()) return;
  std::optional<NetAddress>& slot = Slot(it->second.pos);
  if (slot && *slot == address) slot.reset();
  if (it->second.pos.tried) --tried_count_;
  infos_.erase(it);
}

void AddrMan::Place(Info info) {
  std::optional<NetAddress>& slot = Slot(info.pos);
  if (slot) Erase(*slot);
  slot = info.entry.address;
  if (info.pos.tried) ++tried_count_;
  infos_[info.entry.address] = std::move(info);
}

size_t AddrMan::Add(const std::vector<AddrEntry>& entries, const NetAddress& source) {
  MutexLock lock(mu_);
  uint64_t now = Now();
  size_t added = 0;
  for (const AddrEntry& e : entries) {
    if (e.address.port == 0 || e.address.IsUnspecified()) continue;
    if (!options_.allow_local && !e.address.IsRoutable()) continue;
    auto it = infos_.find(e.address);
    if (it != infos_.end()) {
      // Known: refresh the time (never into the future).
      it->second.entry.time = std::max(it->second.entry.time, std::min(e.time, now));
      it->second.entry.services |= e.services;
      continue;
    }
    Info info;
    info.entry = e;
    info.entry.time = std::min(e.time, now);
    info.source = source;
    info.pos = NewPosition(e.address, source);
    std::optional<NetAddress>& slot = Slot(info.pos);
    if (slot) {
      // The older of the two loses the slot.
      const Info& current = infos_.at(*slot);
      if (current.entry.time >= info.entry.time) continue;
    }
    Place(std::move(info));
    ++added;
  }
  return added;
}

void AddrMan::Attempt(const NetAddress& address) {
  MutexLock lock(mu_);
  auto it = infos_.find(address);
  if (it != infos_.end()) ++it->second.attempts;
}

void AddrMan::Good(const NetAddress& address) {
  MutexLock lock(mu_);
  uint64_t now = Now();
  Info info;
  auto it = infos_.find(address);
  if (it != infos_.end()) {
    if (it->second.pos.tried) {
      it->second.last_success = now;
      it->second.attempts = 0;
      it->second.entry.time = now;
      return;
    }
    info = it->second;
    Erase(address);
  } else {
    info.entry.address = address;
    info.entry.services = kServiceNetwork;
    info.source = address;
  }
  info.entry.time = now;
  info.last_success = now;
  info.attempts = 0;
  info.pos = TriedPosition(address);
  std::optional<NetAddress>& slot = Slot(info.pos);
  if (slot) {
    // The tried entry in the way goes back to new rather than being lost.
    Info evicted = infos_.at(*slot);
    Erase(evicted.entry.address);
    evicted.pos = NewPosition(evicted.entry.address, evicted.source);
    Place(std::move(evicted));
  }
  Place(std::move(info));
}

std::optional<AddrEntry> AddrMan::Select() {
  MutexLock lock(mu_);
  if (infos_.empty()) return std::nullopt;
  // Half the time from tried when there is any; otherwise new.
  bool use_tried = tried_count_ > 0 && (tried_count_ == infos_.size() || (rng_() & 1));
  std::vector<const Info*> pool;
  for (const auto& [address, info] : infos_) {
    if (info.pos.tried == use_tried) pool.push_back(&info);
  }
  if (pool.empty()) return std::nullopt;
  // Prefer addresses that have not failed often: a few draws, the one with
  // the fewest attempts wins.
  const Info* best = nullptr;
  for (int i = 0; i < 4; ++i) {
    const Info* c = pool[rng_() % pool.size()];
    if (best == nullptr || c->attempts < best->attempts) best = c;
  }
  return best->entry;
}

std::vector<AddrEntry> AddrMan::GetAddresses(size_t max) {
  MutexLock lock(mu_);
  std::vector<AddrEntry> all;
  all.reserve(infos_.size());
  for (const auto& [address, info] : infos_) all.push_back(info.entry);
  std::shuffle(all.begin(), all.end(), rng_);
  if (all.size() > max) all.resize(max);
  return all;
}

size_t AddrMan::Size() const {
  MutexLock lock(mu_);
  return infos_.size();
}

size_t AddrMan::TriedCount() const {
  MutexLock lock(mu_);
  return tried_count_;
}

std::optional<AddrPosition> AddrMan::PositionOf(const NetAddress& address) const {
  MutexLock lock(mu_);
  auto it = infos_.find(address);
  if (it == infos_.end()) return std::nullopt;
  return it->second.pos;
}

Status AddrMan::Save() const {
  if (options_.file.empty()) return Status::Ok();
  MutexLock save_lock(save_mu_);
  Bytes out(kFileMagic.begin(), kFileMagic.end());
  out.push_back(kFileVersion);
  out.insert(out.end(), key_.begin(), key_.end());
  {
    MutexLock lock(mu_);
    PutLE(out, infos_.size(), 4);
    for (const auto& [address, info] : infos_) {
      PutAddress(out, address);
      PutLE(out, info.entry.services, 8);
      PutLE(out, info.entry.time, 8);
      PutAddress(out, info.source);
      PutLE(out, info.attempts, 4);
      PutLE(out, info.last_success, 8);
      out.push_back(info.pos.tried ? 1 : 0);
      PutLE(out, info.pos.bucket, 2);
      PutLE(out, info.pos.slot, 2);
    }
  }
  Hash256 sum = crypto::Sha256Hash(out);
  out.insert(out.end(), sum.begin(), sum.begin() + 4);
  return WriteFileDurably(options_.file, out, "addrman-io-error");
}

Status AddrMan::Load() {
  if (options_.file.empty()) return Status::Ok();
  std::error_code ec;
  if (!std::filesystem::exists(options_.file, ec)) return Status::Ok();
  std::ifstream f(options_.file, std::ios::binary);
  if (!f) return Status::IoError("addrman-io-error", "cannot read " + options_.file.string());
  Bytes data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto damaged = [&](std::string why) {
    auto aside = options_.file;
    aside += ".bad";
    std::filesystem::rename(options_.file, aside, ec);
    LogWarn(options_.logger, LogCategory::kNet, "address file {} is damaged ({}); moved to {}",
            options_.file.string(), why, aside.string());
    return Status::Corruption("addrman-corrupt", why);
  };
  constexpr size_t kFixed = 4 + 1 + 32 + 4;
  if (data.size() < kFixed + 4) return damaged("too short");
  ByteSpan body(data.data(), data.size() - 4);
  Hash256 sum = crypto::Sha256Hash(body);
  if (!std::equal(sum.begin(), sum.begin() + 4, data.end() - 4)) return damaged("bad checksum");
  if (!std::equal(kFileMagic.begin(), kFileMagic.end(), data.begin()) || data[4] != kFileVersion)
    return damaged("unknown format");
  Hash256 key(data.data() + 5);
  uint64_t count = GetLE(data.data() + 37, 4);
  if (body.size() != kFixed + count * kEntrySize) return damaged("bad length");

  std::map<NetAddress, Info> loaded;
  const uint8_t* p = data.data() + kFixed;
  for (uint64_t i = 0; i < count; ++i, p += kEntrySize) {
    Info info;
    info.entry.address = GetAddress(p);
    info.entry.services = GetLE(p + 18, 8);
    info.entry.time = GetLE(p + 26, 8);
    info.source = GetAddress(p + 34);
    info.attempts = static_cast<uint32_t>(GetLE(p + 52, 4));
    info.last_success = GetLE(p + 56, 8);
    info.pos.tried = p[64] != 0;
    info.pos.bucket = GetLE(p + 65, 2);
    info.pos.slot = GetLE(p + 67, 2);
    if (p[64] > 1) return damaged("bad entry");
    loaded[info.entry.address] = info;
  }
  MutexLock lock(mu_);
  key_ = key;
  infos_.clear();
  std::fill(new_slots_.begin(), new_slots_.end(), std::nullopt);
  std::fill(tried_slots_.begin(), tried_slots_.end(), std::nullopt);
  tried_count_ = 0;
  for (auto& [address, info] : loaded) {
    // Positions must follow from the key; anything else is recomputed.
    AddrPosition expected =
        info.pos.tried ? TriedPosition(address) : NewPosition(address, info.source);
    info.pos = expected;
    if (Slot(info.pos)) continue;
    Place(info);
  }
  return Status::Ok();
}

}  // namespace depin::net
