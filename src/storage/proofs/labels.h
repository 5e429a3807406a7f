// Replica ids, layer labels and column hashes of Stacked-DRG sealing.
//
// A label is SHA-256 over a 64-byte prefix block
//   replica id (32) || layer (u32 BE) || node (u64 BE) || 20 zero bytes
// followed by the labels of the node's 6 DRG parents in the same layer and,
// from layer 2 on, the labels of its 8 expander parents in the layer below
// (layer 1 has only the DRG parents, as in Filecoin). The message is 256
// bytes in layer 1 and 512 bytes after, i.e. 5 or 9 compressions with padding.
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

#include "storage/proofs/graph.h"
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
  return kLabelPrefixSize + kNodeSize * (layer == 1 ? kDrgDegree : kParentCount);
}
// Compression calls spent on one label of `layer`, padding block included.
inline constexpr uint64_t LabelBlocks(uint32_t layer) { return LabelMessageSize(layer) / 64 + 1; }

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
