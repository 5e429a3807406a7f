#include "storage/proofs/seal.h"

#include <cstring>

#include "crypto/sha256.h"
#include "storage/proofs/comm_d.h"
#include "storage/proofs/graph.h"
#include "storage/proofs/merkle_tree.h"
#include "storage/proofs/parallel.h"

namespace depin::storage::proofs {
namespace {

size_t Threads(size_t requested) { return requested == 0 ? HardwareThreads() : requested; }

Status Cancelled() { return Status::Error("seal-cancelled", "sealing stopped by the caller"); }

bool Report(const SealOptions& options, SealStage stage, uint32_t layer, uint32_t layers,
            bool resumed) {
  return !options.progress || options.progress(SealProgress{stage, layer, layers, resumed});
}

// dst ^= src over len bytes.
void XorInPlace(uint8_t* dst, const uint8_t* src, uint64_t len, size_t threads) {
  ParallelFor(len / 8, threads, 1 << 16, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      uint64_t x, y;
      std::memcpy(&x, dst + 8 * i, 8);
      std::memcpy(&y, src + 8 * i, 8);
      x ^= y;
      std::memcpy(dst + 8 * i, &x, 8);
    }
  });
  for (uint64_t i = len / 8 * 8; i < len; ++i) dst[i] ^= src[i];
}

// The interior of the tree over `leaves`: on the backend's device when it
// builds it, else on the CPU threads.
Bytes BuildTree(ByteSpan leaves, size_t threads, const crypto::HashBackend* hash) {
  const uint64_t n = leaves.size() / kNodeSize;
  if (hash != nullptr && n >= hash->MinDeviceBatch()) {
    Bytes out(leaves.size() - kNodeSize);
    if (hash->BuildTreeLevels(leaves.data(), n, out.data())) return out;
  }
  return BuildTreeLevels(leaves, threads);
}

// Column hashes of all nodes, reading the layer files in slices so memory
// stays at a few slices rather than all layers at once.
Result<Bytes> ComputeColumns(const SectorStore& store, SectorSize size, uint32_t layers,
                             size_t threads, const crypto::HashBackend* hash) {
  const uint64_t n = size.nodes();
  const uint64_t slice = std::min<uint64_t>(n, 1 << 18);
  Bytes columns(n * kNodeSize);
  std::vector<Bytes> bufs(layers, Bytes(slice * kNodeSize));
  std::vector<const uint8_t*> ptrs(layers);
  for (uint64_t base = 0; base < n; base += slice) {
    for (uint32_t l = 0; l < layers; ++l) {
      DEPIN_RETURN_IF_ERROR(store.ReadRange(LayerFileName(l + 1), base * kNodeSize,
                                            slice * kNodeSize, bufs[l].data()));
      ptrs[l] = bufs[l].data();
    }
    if (hash != nullptr && slice >= hash->MinDeviceBatch()) {
      // One device batch per slice: the columns laid out as messages.
      const size_t msg_len = size_t{layers} * kNodeSize;
      Bytes msgs(slice * msg_len);
      ParallelFor(slice, threads, 4096, [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
          for (uint32_t l = 0; l < layers; ++l) {
            std::memcpy(&msgs[i * msg_len + l * kNodeSize], ptrs[l] + i * kNodeSize, kNodeSize);
          }
        }
      });
      hash->Sha256Batch(msgs.data(), msg_len, slice, columns.data() + base * kNodeSize);
      continue;
    }
    ParallelFor(slice, threads, 4096, [&](size_t begin, size_t end) {
      ColumnHashes(ptrs.data(), layers, begin, end, columns.data() + (base + begin) * kNodeSize);
    });
  }
  return columns;
}

Result<ParentCache> LoadParentCache(const StackedGraph& graph, const std::string& dir,
                                    size_t threads, Logger* logger) {
  if (dir.empty()) return ParentCache(graph, threads);
  return ParentCache::OpenFileBacked(graph, dir, threads, logger);
}

SealOutput OutputOf(const SectorMeta& m) {
  return SealOutput{m.comm_d, m.replica_id, m.comm_c, m.comm_r_last, m.comm_r};
}

}  // namespace

Result<SealOutput> SealSector(const SealInputs& inputs, SectorStore& store,
                              const SealOptions& options) {
  const SectorSize size = inputs.size;
  const ProofParams params = ParamsFor(size);
  const size_t threads = Threads(options.threads);
  const uint64_t bytes = size.bytes();
  if (inputs.data.size() > bytes) {
    return Status::Error("seal-data-too-large", std::to_string(inputs.data.size()) +
                                                    " bytes do not fit a sector of " +
                                                    std::to_string(bytes));
  }

  if (!Report(options, SealStage::kTreeD, 0, params.layers, false)) return Cancelled();
  Bytes data(bytes, 0);
  std::memcpy(data.data(), inputs.data.data(), inputs.data.size());
  Bytes tree_d = BuildTree(data, threads, options.hash);
  const Hash256 comm_d = RootOfLevels(tree_d);
  const Hash256 replica_id =
      ReplicaId(inputs.provider, inputs.sector_number, inputs.ticket, comm_d, size);

  SectorMeta meta;
  if (store.HasMeta()) {
    auto existing = store.ReadMeta();
    if (!existing) return existing.status();
    if (existing->size != size || existing->replica_id != replica_id ||
        existing->layers != params.layers) {
      return Status::Error("seal-store-in-use", store.dir() + " holds another sector");
    }
    meta = *existing;
    if (meta.sealed) return OutputOf(meta);
  } else {
    meta.size = size;
    meta.layers = params.layers;
    meta.provider = inputs.provider;
    meta.sector_number = inputs.sector_number;
    meta.ticket = inputs.ticket;
    meta.comm_d = comm_d;
    meta.replica_id = replica_id;
    DEPIN_RETURN_IF_ERROR(store.WriteFile(kUnsealedFile, data));
    DEPIN_RETURN_IF_ERROR(store.WriteFile(kTreeDFile, tree_d));
    DEPIN_RETURN_IF_ERROR(store.WriteMeta(meta));
  }
  // The caller's data is still at hand for the XOR at the end; the padded
  // copy would only cost a sector of memory during labeling.
  tree_d = Bytes();
  data = Bytes();

  // Labeling: two layer buffers, the one below and the one being labeled.
  // They and the parents are released before tree_c, which needs two sectors
  // of its own; the key (the last layer) is read back from its file for the
  // replica, so no stage holds more than two sectors.
  {
    const StackedGraph graph(size);
    Result<ParentCache> parents =
        LoadParentCache(graph, options.parent_cache_dir, threads, options.logger);
    if (!parents) return parents.status();
    HugeBuffer below(bytes), current(bytes);
    if (meta.layers_done > 0) {
      if (meta.layers_done < params.layers) {
        DEPIN_RETURN_IF_ERROR(
            store.ReadRange(LayerFileName(meta.layers_done), 0, bytes, current.data()));
      }
      for (uint32_t l = 1; l <= meta.layers_done; ++l) {
        if (!Report(options, SealStage::kLabeling, l, params.layers, true)) return Cancelled();
      }
    } else if (!Report(options, SealStage::kLabeling, 0, params.layers, false)) {
      return Cancelled();
    }
    for (uint32_t layer = meta.layers_done + 1; layer <= params.layers; ++layer) {
      std::swap(below, current);
      LabelLayer(*parents, replica_id, layer, layer == 1 ? nullptr : below.data(), current.data());
      DEPIN_RETURN_IF_ERROR(store.WriteFile(LayerFileName(layer), current.span()));
      meta.layers_done = layer;
      DEPIN_RETURN_IF_ERROR(store.WriteMeta(meta));
      if (!Report(options, SealStage::kLabeling, layer, params.layers, false)) return Cancelled();
    }
  }

  if (!Report(options, SealStage::kTreeC, 0, params.layers, false)) return Cancelled();
  auto columns = ComputeColumns(store, size, params.layers, threads, options.hash);
  if (!columns) return columns.status();
  Bytes tree_c = BuildTree(*columns, threads, options.hash);
  meta.comm_c = RootOfLevels(tree_c);
  DEPIN_RETURN_IF_ERROR(store.WriteFile(kColumnsFile, *columns));
  DEPIN_RETURN_IF_ERROR(store.WriteFile(kTreeCFile, tree_c));
  columns = Bytes();
  tree_c = Bytes();

  if (!Report(options, SealStage::kTreeR, 0, params.layers, false)) return Cancelled();
  // The key is the last layer; XORing the data into it makes it the replica
  // (the zero padding leaves the key as it is).
  HugeBuffer replica(bytes);
  DEPIN_RETURN_IF_ERROR(store.ReadRange(LayerFileName(params.layers), 0, bytes, replica.data()));
  XorInPlace(replica.data(), inputs.data.data(), inputs.data.size(), threads);
  Bytes tree_r = BuildTree(replica.span(), threads, options.hash);
  meta.comm_r_last = RootOfLevels(tree_r);
  meta.comm_r = crypto::Sha256Pair(meta.comm_c, meta.comm_r_last);
  DEPIN_RETURN_IF_ERROR(store.WriteFile(kReplicaFile, replica.span()));
  DEPIN_RETURN_IF_ERROR(store.WriteFile(kTreeRFile, tree_r));
  meta.sealed = true;
  DEPIN_RETURN_IF_ERROR(store.WriteMeta(meta));
  Report(options, SealStage::kDone, params.layers, params.layers, false);
  return OutputOf(meta);
}

Result<SealOutput> SealOutputOf(const SectorStore& store) {
  auto meta = store.ReadMeta();
  if (!meta) return meta.status();
  if (!meta->sealed) return Status::Error("store-not-sealed", "sector is not sealed yet");
  return OutputOf(*meta);
}

HugeBuffer ComputeKey(SectorSize size, const Hash256& replica_id, size_t threads) {
  return ComputeKey(ParentCache(StackedGraph(size), Threads(threads)), size, replica_id);
}

HugeBuffer ComputeKey(const ParentCache& parents, SectorSize size, const Hash256& replica_id) {
  const ProofParams params = ParamsFor(size);
  HugeBuffer below(size.bytes()), current(size.bytes());
  for (uint32_t layer = 1; layer <= params.layers; ++layer) {
    std::swap(below, current);
    LabelLayer(parents, replica_id, layer, layer == 1 ? nullptr : below.data(), current.data());
  }
  return current;
}

Result<Bytes> UnsealSector(const SectorStore& store, size_t threads,
                           const std::string& parent_cache_dir, Logger* logger) {
  auto meta = store.ReadMeta();
  if (!meta) return meta.status();
  if (!meta->sealed) return Status::Error("unseal-not-sealed", "sector is not sealed yet");
  auto replica = store.ReadFile(kReplicaFile);
  if (!replica) return replica.status();
  if (replica->size() != meta->size.bytes()) {
    return Status::Error("unseal-bad-replica", "replica has the wrong size");
  }
  HugeBuffer key;
  {
    Result<ParentCache> parents =
        LoadParentCache(StackedGraph(meta->size), parent_cache_dir, Threads(threads), logger);
    if (!parents) return parents.status();
    key = ComputeKey(*parents, meta->size, meta->replica_id);
  }
  XorInPlace(replica->data(), key.data(), replica->size(), Threads(threads));
  Bytes levels = BuildTreeLevels(*replica, Threads(threads));
  if (RootOfLevels(levels) != meta->comm_d) {
    return Status::Error("unseal-bad-comm-d", "recovered data does not match CommD");
  }
  return std::move(*replica);
}

Result<Bytes> ReadUnsealedCopy(const SectorStore& store) {
  auto meta = store.ReadMeta();
  if (!meta) return meta.status();
  auto data = store.ReadFile(kUnsealedFile);
  if (!data) return data.status();
  auto comm_d = CommD(*data, meta->size);
  if (!comm_d || *comm_d != meta->comm_d || data->size() != meta->size.bytes()) {
    return Status::Error("unseal-bad-comm-d", "unsealed copy does not match CommD");
  }
  return std::move(*data);
}

}  // namespace depin::storage::proofs
