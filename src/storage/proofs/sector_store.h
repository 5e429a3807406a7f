// On-disk home of one sector: the unsealed data (kept for retrieval), the
// replica, the trees needed to open paths, the layer labels that PoRep column
// openings need until prove-commit, and a small metadata record that also
// serves as the sealing checkpoint. One directory per sector:
//
//   meta        SectorMeta, checksummed, replaced atomically
//   unsealed    the data zero-padded to the sector size (tree_d leaves)
//   tree-d      tree_d interior levels (level 1 first, root last)
//   layer-<l>   labels of layer l, l = 1..layers
//   columns     column hashes (tree_c leaves)
//   tree-c      tree_c interior levels
//   replica     data XOR last layer (tree_r leaves)
//   tree-r      tree_r interior levels
//
// Every file is written to a temporary name, synced and renamed, and the
// metadata is updated only after the file it records, so a crash leaves
// either the old or the new state and sealing resumes from the last layer
// recorded in `meta`.
//
// Thread-safety: a SectorStore may be read from several threads at once
// (reads use pread); writes must not run concurrently with anything else on
// the same store.
#pragma once

#include <cstdint>
#include <string>

#include "storage/proofs/labels.h"
#include "storage/proofs/merkle_tree.h"
#include "storage/proofs/params.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::storage::proofs {

struct SectorMeta {
  SectorSize size = SectorSize::Size2KiB();
  uint32_t layers = 0;
  ProviderAddress provider;
  uint64_t sector_number = 0;
  Hash256 ticket;
  Hash256 comm_d;
  Hash256 replica_id;
  uint32_t layers_done = 0;            // sealing checkpoint: layers 1..layers_done are on disk
  bool sealed = false;                 // replica and all trees are on disk
  bool sealing_files_removed = false;  // layers, columns, tree-c, tree-d deleted
  Hash256 comm_c;
  Hash256 comm_r_last;
  Hash256 comm_r;

  friend bool operator==(const SectorMeta&, const SectorMeta&) = default;
};

inline constexpr char kUnsealedFile[] = "unsealed";
inline constexpr char kTreeDFile[] = "tree-d";
inline constexpr char kColumnsFile[] = "columns";
inline constexpr char kTreeCFile[] = "tree-c";
inline constexpr char kReplicaFile[] = "replica";
inline constexpr char kTreeRFile[] = "tree-r";
std::string LayerFileName(uint32_t layer);

class SectorStore {
 public:
  // Uses `dir`, creating it if missing ("store-io-error" on failure).
  static Result<SectorStore> Open(const std::string& dir);

  const std::string& dir() const { return dir_; }

  bool HasMeta() const;
  // "store-no-meta" when absent, "store-corrupt-meta" when the record fails
  // its checksum or does not parse.
  Result<SectorMeta> ReadMeta() const;
  Status WriteMeta(const SectorMeta& meta);

  // Atomically replaces file `name` with `data`.
  Status WriteFile(const std::string& name, ByteSpan data);
  Result<Bytes> ReadFile(const std::string& name) const;
  // Exactly `len` bytes at `offset` ("store-short-read" if the file is
  // shorter: missing or truncated data).
  Status ReadRange(const std::string& name, uint64_t offset, uint64_t len, uint8_t* out) const;
  Result<Hash256> ReadNode(const std::string& name, uint64_t index) const;
  // Path of leaf `index` of the tree whose leaves are `leaf_file` and whose
  // interior is `levels_file`, for a tree over `leaves` leaves.
  Result<MerklePath> ReadPath(const std::string& leaf_file, const std::string& levels_file,
                              uint64_t leaves, uint64_t index) const;
  Status RemoveFile(const std::string& name);

  // After prove-commit only PoSt and retrieval remain: drops the layers,
  // columns, tree_c and tree_d, keeping replica, tree_r and unsealed.
  Status RemoveSealingFiles();

 private:
  explicit SectorStore(std::string dir) : dir_(std::move(dir)) {}
  std::string PathOf(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
};

}  // namespace depin::storage::proofs
