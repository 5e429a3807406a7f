// The built-in storage provider (depind -storageprovider=KEYFILE), a role
// (node/role.h) that does a provider's on-chain work for its deals:
//   - registers the key's address with the market if it is not yet;
//   - takes the data of deals proposed to it, over HTTP (ReceiveUpload:
//     resumable, provider_http.h) or from a local file (ImportDealData),
//     checked against the deal's CommD and piece size and written to
//     sectordir/staging/; an upload is refused while the disk would keep
//     less than disk_reserve free;
//   - packs staged pieces into a sector in the market's layout, seals it
//     (storage/proofs, the disk-backed parent cache under -parentcachedir),
//     pre-commits it, waits for the seed, sends one prove-commit per PoRep
//     partition;
//   - answers every deadline window of its active sectors with a PoSt;
//   - resumes all of that after a restart: sealing resumes from the store's
//     checkpoint, and everything else follows from the chain's state and the
//     job files under sectordir/sectors/;
//   - serves the data of its active deals back (LocateDeal, LocatePiece)
//     from the sector's unsealed copy.
// Its txs are signed with the key and go through the node's mempool (so they
// are relayed as any local tx); each is sent once per action and sent again
// only if it left the mempool without taking effect.
//
// Data layout under -sectordir:
//   staging/<deal>.<total>.part   an upload in progress (<total> bytes announced)
//   staging/<deal>.piece      a deal's bytes as the client sent them, until sealed
//   sectors/<n>/              the SectorStore of sector n (meta, unsealed, replica, trees)
//   sectors/<n>.job           "ticket=<height>\ndeals=<id>,...\nlengths=<bytes>,...\nstage=..."
//
// Thread-safety: one worker thread does the work; ImportDealData,
// ReceiveUpload, UploadStatus, LocateDeal, LocatePiece and Snapshot may be
// called from RPC threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chain/module_client.h"
#include "consensus/params.h"
#include "crypto/secp256k1.h"
#include "node/role.h"
#include "node/role_worker.h"
#include "rpc/rpc_table.h"
#include "storage/proofs/params.h"
#include "util/status.h"

namespace depin::storage {

struct ProviderOptions {
  std::string key_file;    // 0x-hex private key, one line, not readable by group or others
  std::string sector_dir;  // working data (created 0700)
  std::string parent_cache_dir;
  // Where sealing builds its trees (tree_d, tree_c, tree_r): the node's GPU
  // backend (compute/gpu.h) or null for the CPU. Must outlive the role.
  const crypto::HashBackend* seal_hash = nullptr;
  std::string uri;            // registered: where clients upload and retrieve
  Uint256 price_per_gib;      // wei per GiB per block
  uint64_t min_duration = 1;  // blocks
  uint64_t sector_size = 0;   // bytes; 0: the network's smallest
  Uint256 stake;              // zero: the network's minimum
  // Free bytes an upload must leave on the sector folder's disk (room to
  // seal); nullopt: two sector sizes plus 1 GiB.
  std::optional<uint64_t> disk_reserve;
  // Regtest tests: a pause after each sealing layer (-testsealpause).
  std::chrono::milliseconds seal_pause{0};
};

// Reads a provider key file ("provider-key-..." errors name the problem).
Result<crypto::PrivateKey> LoadProviderKey(const std::string& path);

class StorageProviderRole : public node::Role {
 public:
  StorageProviderRole(ProviderOptions options, crypto::PrivateKey key,
                      const consensus::ChainParams& params);
  ~StorageProviderRole() override;

  std::string_view name() const override { return "storageprovider"; }
  Status Start(const node::RoleContext& ctx) override;
  void Stop() override;
  void TipChanged(const chain::TipInfo& tip) override;
  // depin_storage_provider_sectors{stage}, _staged_deals,
  // _posts_submitted_total, _post_failures_total{reason}.
  void ReportMetrics(MetricSink& out) const override;

  const Address& address() const { return address_; }

  // Stages the data of `deal_id` from `path` (admin RPC
  // storage_importDealData): the deal must be proposed to this provider,
  // not yet in a sector, and the file's piece commitment must be the deal's
  // CommD. Errors: storage-unknown-deal, provider-not-my-deal,
  // provider-deal-not-open, provider-data-mismatch, provider-data-too-large,
  // provider-io-error.
  Status ImportDealData(uint64_t deal_id, const std::string& path);

  // An HTTP upload of a deal's data, in pieces: `chunk` goes at `offset` of
  // a `total`-byte upload. The last chunk checks the whole against the
  // deal's CommD and stages it. Errors (each names the problem):
  // storage-unknown-deal, provider-not-my-deal, provider-deal-not-open,
  // provider-data-too-large (total over the piece size),
  // provider-upload-offset (offset is not what was received so far; the
  // state says where to resume), provider-upload-total (another total than
  // the upload began with), provider-upload-busy (another request is writing
  // this deal), provider-disk-full, provider-data-mismatch (the upload is
  // discarded), provider-io-error.
  struct UploadState {
    uint64_t received = 0;
    uint64_t total = 0;  // 0 before an upload began
    bool complete = false;
  };
  Result<UploadState> ReceiveUpload(uint64_t deal_id, uint64_t offset, uint64_t total,
                                    std::string_view chunk);
  // Where the upload of `deal_id` stands (complete once staged or sealed).
  Result<UploadState> UploadStatus(uint64_t deal_id) const;

  // Where the data of an active deal of this provider lies: the client's
  // bytes (piece=false) or the whole zero-padded piece (piece=true), in the
  // sector's unsealed copy. Errors: storage-unknown-deal,
  // provider-not-my-deal, provider-deal-not-active (not paid for: proposed,
  // expired, cancelled, completed or terminated), provider-data-missing.
  struct DataLocation {
    uint64_t deal = 0;
    std::string path;
    uint64_t offset = 0;
    uint64_t length = 0;
    Hash256 comm_d;
  };
  Result<DataLocation> LocateDeal(uint64_t deal_id, bool piece) const;
  // An active deal of this provider with that CommD, as LocateDeal(piece=true).
  Result<DataLocation> LocatePiece(const Hash256& comm_d) const;

  // A snapshot for storage_getSealingStatus.
  struct SectorStatus {
    uint64_t number = 0;
    std::string stage;  // sealing, sealed, precommitted, proving-commit, active, ended, failed
    std::vector<uint64_t> deals;
    std::string last_error;
  };
  struct StatusInfo {
    Address address;
    bool registered = false;
    std::vector<uint64_t> staged_deals;
    std::vector<SectorStatus> sectors;
    uint64_t posts_sent = 0;
    std::string last_error;
  };
  StatusInfo Snapshot() const;

 private:
  struct Job {
    uint64_t number = 0;
    uint64_t ticket_height = 0;
    std::vector<uint64_t> deals;
    std::vector<uint64_t> lengths;  // each deal's data bytes (its piece size if unknown)
    std::string stage;
    std::string last_error;
    std::optional<Hash256> pending_tx;  // the last tx sent for this sector
    std::set<uint32_t> partitions_sent;
  };

  void Step();
  depin::Status Register();
  depin::Status PackAndSeal(uint64_t height);
  depin::Status Advance(Job& job, uint64_t height);
  depin::Status ProveDeadlines(uint64_t height);
  depin::Status LoadJobs();
  depin::Status SaveJob(const Job& job);

  // A view of the market at the tip (output words) or its revert.
  Result<Bytes> View(const Bytes& calldata) const;
  // Signs and submits a call to the market; gas from a simulation.
  Result<Hash256> Send(const Bytes& calldata, const Uint256& value);
  bool Pending(const std::optional<Hash256>& tx) const;

  std::string StagingPath(uint64_t deal) const;
  std::string PartPath(uint64_t deal, uint64_t total) const;
  // The part file of `deal`'s upload in progress and its total, if any.
  std::optional<std::pair<std::string, uint64_t>> FindPart(uint64_t deal) const;
  // Checks a complete file against the deal and moves it to StagingPath.
  Status StageComplete(uint64_t deal_id, const std::string& path, uint64_t piece_size,
                       const Hash256& comm_d);
  struct DealInfo {
    Address provider;
    Hash256 comm_d;
    uint64_t piece_size = 0;
    uint64_t start = 0;
    uint64_t state = 0;
    bool in_sector = false;
  };
  Result<DealInfo> LoadDeal(uint64_t deal_id) const;
  uint64_t DiskReserve() const;
  std::string SectorPath(uint64_t number) const;
  std::string JobPath(uint64_t number) const;

  ProviderOptions options_;
  crypto::PrivateKey key_;
  Address address_;
  const consensus::ChainParams& params_;
  proofs::SectorSize size_;
  node::RoleContext ctx_;
  std::unique_ptr<chain::ModuleClient> client_;  // from Start

  mutable std::mutex mu_;
  node::RoleWorker worker_;
  // Guarded by mu_.
  std::map<uint64_t, Job> jobs_;
  std::set<uint64_t> staged_;
  std::set<uint64_t> uploading_;  // deals a request is writing now
  bool registered_ = false;
  std::optional<Hash256> register_tx_;
  std::map<uint64_t, Hash256> post_txs_;  // deadline -> PoSt sent in its open window
  uint64_t posts_sent_ = 0;
  // Sectors a PoSt could not cover (unreadable or damaged replica) and PoSt
  // txs that could not be sent.
  uint64_t post_sector_faults_ = 0;
  uint64_t post_send_failures_ = 0;
  std::string last_error_;
};

// Admin RPC storage_importDealData and public storage_getSealingStatus.
RpcTable StorageProviderRpcTable(StorageProviderRole* role);

}  // namespace depin::storage
