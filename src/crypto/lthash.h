// LtHash16: the lattice-based homomorphic multiset hash behind the state root.
// The state is a set of (key, value) entries; the hash of the set is the
// lane-wise sum of one pseudo-random vector per entry, so a block's state-root
// update costs O(changed entries) (remove the old entry, add the new one), the
// sum does not depend on order (threads may hash disjoint parts of a diff and
// add their partial sums), and a node can check a state snapshot it received
// by summing its entries.
//
// Exact construction (consensus-critical; tests pin a known answer):
//   e        = SHA-256(BE32(len(key)) || key || value)     32 bytes
//   block[i] = SHA-256(e || BE32(i))   for i = 0..63       36-byte messages
//   v        = block[0] || block[1] || ... || block[63]    2048 bytes
//   lane[j]  = v[2j] | v[2j + 1] << 8                      1024 LE u16 lanes
//   Add(key, value)    : lane[j] += lane_e[j]  (mod 2^16) for every j
//   Remove(key, value) : lane[j] -= lane_e[j]  (mod 2^16)
//   Serialize()        : the 1024 lanes as little-endian u16, 2048 bytes
//   Root()             : SHA-256(Serialize())
// The empty set is all-zero lanes; its root is SHA-256 of 2048 zero bytes.
// The key's length comes first, so no two distinct entries hash the same
// bytes: (k, v || x) and (k || v, x) are different entries whatever the key
// space (a state snapshot check relies on it).
//
// Thread-safety: a plain value type; distinct objects may be used from
// distinct threads, one object is not shared without external locking.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "util/bytes.h"
#include "util/status.h"

namespace depin::crypto {

class LtHash16 {
 public:
  static constexpr size_t kLanes = 1024;
  static constexpr size_t kSerializedSize = 2 * kLanes;  // 2048
  // Counter-mode blocks per entry: 64 SHA-256 digests of 32 bytes.
  static constexpr size_t kExpandBlocks = kSerializedSize / 32;

  LtHash16() = default;  // the empty set

  void Add(ByteSpan key, ByteSpan value);
  void Remove(ByteSpan key, ByteSpan value);
  // Combine with another multiset hash (union / difference of the multisets).
  void Add(const LtHash16& other);
  void Subtract(const LtHash16& other);

  // Add / subtract an already expanded entry (kSerializedSize bytes, see
  // ExpandEntry): lets callers batch the hashing and reuse buffers.
  void AddExpanded(const uint8_t* expanded);
  void SubtractExpanded(const uint8_t* expanded);

  Hash256 Root() const;
  bool IsEmpty() const;

  void SerializeTo(uint8_t out[kSerializedSize]) const;
  Bytes Serialize() const;
  // Exactly kSerializedSize bytes ("lthash-bad-size").
  static Result<LtHash16> Deserialize(ByteSpan data);

  uint16_t lane(size_t i) const { return lanes_[i]; }

  friend bool operator==(const LtHash16&, const LtHash16&) = default;

 private:
  std::array<uint16_t, kLanes> lanes_{};
};

// Writes the 2048-byte expansion of one entry (the v of the header comment).
void ExpandEntry(ByteSpan key, ByteSpan value, uint8_t out[LtHash16::kSerializedSize]);

}  // namespace depin::crypto
