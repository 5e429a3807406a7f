// AddrMan: the address manager. Addresses learned from addr gossip, DNS-less
// seeds (-seednode) and incoming connections go to "new" buckets; an address
// we completed a handshake with moves to "tried" buckets. Bucket and slot
// follow from a secret random key, the address's group (/16) and the group
// of the peer that told us, so a single source cannot fill the table and an
// attacker cannot predict where an address lands. When a slot is taken the
// older entry loses (new) or is moved back to new (tried).
//
// Persisted to <datadir>/peers.dat (binary): "DPAM" | version u8 | key 32 |
// count u32 | per entry: addr(16+2) services u64 time u64 source(16+2)
// attempts u32 last_success u64 tried u8 bucket u16 slot u16 | first 4 bytes
// of SHA-256 of everything before. Positions are stored and checked against
// the key, so a round trip restores the same table.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "net/net_address.h"
#include "net/protocol.h"
#include "util/bytes.h"
#include "util/status.h"
#include "util/sync.h"

namespace depin {
class Logger;
}

namespace depin::net {

inline constexpr size_t kAddrNewBuckets = 256;
inline constexpr size_t kAddrTriedBuckets = 64;
inline constexpr size_t kAddrBucketSize = 64;

struct AddrManOptions {
  std::filesystem::path file;  // empty: not persisted
  // Accept non-routable addresses (regtest, tests on loopback).
  bool allow_local = false;
  std::function<uint64_t()> clock;  // seconds; empty = system clock
  Logger* logger = nullptr;
};

struct AddrPosition {
  bool tried = false;
  size_t bucket = 0;
  size_t slot = 0;
  friend bool operator==(const AddrPosition&, const AddrPosition&) = default;
};

class AddrMan {
 public:
  explicit AddrMan(AddrManOptions options);

  // Missing file: empty table. A damaged file is moved aside
  // (peers.dat.bad) and reported as "addrman-corrupt"; the table stays empty.
  Status Load() EXCLUDES(mu_);
  // Writes a snapshot (a temporary file renamed over the old one); the
  // table stays usable meanwhile. Concurrent calls are serialized.
  Status Save() const EXCLUDES(mu_, save_mu_);

  // Adds gossiped addresses learned from `source`; returns how many were new.
  size_t Add(const std::vector<AddrEntry>& entries, const NetAddress& source) EXCLUDES(mu_);
  // A connection attempt (successful or not).
  void Attempt(const NetAddress& address) EXCLUDES(mu_);
  // A completed handshake: moves the address to tried.
  void Good(const NetAddress& address) EXCLUDES(mu_);
  // A random address to connect to, tried or new; nullopt when empty.
  std::optional<AddrEntry> Select() EXCLUDES(mu_);
  // Up to `max` random addresses for a getaddr reply.
  std::vector<AddrEntry> GetAddresses(size_t max) EXCLUDES(mu_);

  size_t Size() const EXCLUDES(mu_);
  size_t TriedCount() const EXCLUDES(mu_);
  std::optional<AddrPosition> PositionOf(const NetAddress& address) const EXCLUDES(mu_);

 private:
  struct Info {
    AddrEntry entry;
    NetAddress source;
    uint32_t attempts = 0;
    uint64_t last_success = 0;
    AddrPosition pos;
  };

  uint64_t Now() const;
  size_t Hash(ByteSpan data) const;
  AddrPosition NewPosition(const NetAddress& address, const NetAddress& source) const;
  AddrPosition TriedPosition(const NetAddress& address) const;
  std::optional<NetAddress>& Slot(const AddrPosition& pos) REQUIRES(mu_);
  void Place(Info info) REQUIRES(mu_);
  void Erase(const NetAddress& address) REQUIRES(mu_);

  const AddrManOptions options_;
  Hash256 key_;
  // Held for a whole Save, so writers of the temporary file never overlap.
  mutable Mutex save_mu_;
  mutable Mutex mu_;
  std::map<NetAddress, Info> infos_ GUARDED_BY(mu_);
  // slot -> address; empty optional = free.
  std::vector<std::optional<NetAddress>> new_slots_ GUARDED_BY(mu_);
  std::vector<std::optional<NetAddress>> tried_slots_ GUARDED_BY(mu_);
  size_t tried_count_ GUARDED_BY(mu_) = 0;
  std::mt19937_64 rng_ GUARDED_BY(mu_);
};

}  // namespace depin::net
