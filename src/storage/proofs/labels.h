// Replica ids, layer labels and column hashes of Stacked-DRG sealing.
//
// A label is SHA-256 over
//   replica id (32) || layer (u32 BE) || 28 zero bytes       (one 64-byte block)
//   || the labels of the node's 6 DRG parents in the same layer
//   || from layer 2 on, the labels of its 8 expander parents in the layer below
//   || node index (u64 BE)
// (layer 1 has only the DRG parents, as in Filecoin): 264 bytes in layer 1,
// 520 bytes after. The first block is the same for a whole layer, so the
// sealer compresses it once per layer, and the node index rides in the final
// block with the padding: 4 compressions per label in layer 1, 8 after.
// A column hash is SHA-256 over a node's labels in all layers, layer 1 first.
//
// Labeling is sequential within a layer (node i needs node i-1), so its speed
// is the single-stream speed of the compression function (SHA-NI); the
// sealer calls Sha256Transform on the assembled message directly.
//
// Thread-safety: free functions, reentrant.
#pragma once

#include <cstddef>
#include <cstdint>

#include "storage/proofs/parent_cache.h"
#include "util/bytes.h"

namespace depin::storage::proofs {

using ProviderAddress = FixedBytes<20>;

// SHA-256(provider || sector number (u64 BE) || ticket || CommD ||
// sector size (u64 BE)). Binding the size ties a replica to one graph.
Hash256 ReplicaId(const ProviderAddress& provider, uint64_t sector_number, const Hash256& ticket,
                  const Hash256& comm_d, SectorSize size);

inline constexpr size_t kLabelPrefixSize = 64;
// Bytes in the label message of `layer` (1-based).
inline constexpr size_t LabelMessageSize(uint32_t layer) {
  return kLabelPrefixSize + kNodeSize * (layer == 1 ? kDrgDegree : kParentCount) + 8;
}
// Compressions of one label message of `layer`, padding included.
inline constexpr uint64_t LabelBlocks(uint32_t layer) {
  return (LabelMessageSize(layer) + 9 + 63) / 64;
}
// Compressions the sealer spends per label once the layer's first block is
// compressed.
inline constexpr uint64_t LabelSequentialBlocks(uint32_t layer) { return LabelBlocks(layer) - 1; }

// Writes the label message of `node` in `layer`: `drg` holds the 6 DRG parent
// labels (192 bytes), `expander` the 8 expander parent labels (256 bytes,
// ignored in layer 1).
void WriteLabelMessage(const Hash256& replica_id, uint32_t layer, uint64_t node, const uint8_t* drg,
                       const uint8_t* expander, uint8_t* out);

// Labels nodes [0, nodes) of `layer` into `out` (nodes * 32 bytes). `below`
// is the previous layer's labels (unused for layer 1). Sequential.
void LabelLayer(const ParentCache& parents, const Hash256& replica_id, uint32_t layer,
                const uint8_t* below, uint8_t* out);

// Column hashes of nodes [begin, end): `layers[l]` points at layer l+1's
// labels (whole layer), `num_layers` of them; out gets 32 bytes per node.
void ColumnHashes(const uint8_t* const* layers, uint32_t num_layers, uint64_t begin, uint64_t end,
                  uint8_t* out);

}  // namespace depin::storage::proofs
