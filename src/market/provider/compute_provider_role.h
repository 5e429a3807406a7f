// The built-in compute provider (depind -computeprovider=KEYFILE), a role
// (node/role.h) that does a GPU provider's on-chain work in the compute
// market (market/compute_market.h):
//   - registers the key's address with its GPU attributes (-gpus,
//     -computeattributes) and keeps them current (updateAttributes);
//   - bids on every open order it matches, at its price policy (-bidprice:
//     wei per GPU per block for each model; the bid is that times the
//     order's count, and only if within the order's max price);
//   - takes each lease's workload manifest over HTTP (ReceiveManifest:
//     the order's manifestHash is keccak256 of the bytes, and the request is
//     signed by the tenant), runs -leasehook=SCRIPT when a lease starts and
//     when it closes, and posts what the hook prints at start as the
//     lease's access details, sealed to the tenant's key (crypto/access_box);
//   - withdraws its accrued pay every -computewithdrawevery blocks.
// Its txs go through the node's mempool (chain/module_client.h). What it has
// done (bids sent, hooks run) is kept under -computedir, so a restart
// neither bids twice nor runs a hook twice.
//
// The hook is run as `SCRIPT start|close` with the environment:
//   DEPIN_LEASE_ID, DEPIN_TENANT, DEPIN_GPU_MODEL, DEPIN_GPU_COUNT,
//   DEPIN_PRICE_PER_BLOCK, DEPIN_TERM_END, DEPIN_MANIFEST (a file, or empty),
//   DEPIN_CLOSE_REASON (close only)
// It has 120 s; at start its standard output (at most 1024 bytes) becomes
// the access details. A hook that fails at start is retried on the next
// block; the lease is not closed for it (the operator decides).
//
// Files under -computedir:
//   bids          the order ids bid on, one per line
//   leases/<id>   "started" or "closed": the hook runs done for the lease
//   leases/<id>.manifest   the tenant's manifest
//
// Thread-safety: one worker thread does the work; ReceiveManifest and
// Snapshot may be called from RPC threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "chain/module_client.h"
#include "consensus/params.h"
#include "crypto/secp256k1.h"
#include "node/role.h"
#include "node/role_worker.h"
#include "rpc/http_routes.h"
#include "rpc/rpc_table.h"
#include "util/status.h"

namespace depin::market {

struct ComputeProviderOptions {
  std::string work_dir;    // created 0700
  std::string host_uri;    // registered hostUri
  std::string attributes;  // checked, canonical (ParseAttributes + FormatAttributes)
  Uint256 stake;           // zero: the network's minimum
  // Wei per GPU per block for each normalized model this provider offers.
  std::map<std::string, Uint256> bid_prices;
  std::string lease_hook;         // empty: none (access details are not posted)
  uint64_t withdraw_every = 100;  // blocks
  std::chrono::seconds hook_timeout{120};
};

// "-gpus=VENDOR:MODEL:COUNT:VRAMGIB[:INTERFACE]" plus free-form "k=v;k=v"
// -> checked canonical attributes ("args-bad-value" naming the problem).
Result<std::string> GpuAttributesFromArgs(const std::string& gpus, const std::string& extra);
// "-bidprice=MODEL:WEI,MODEL:WEI" -> normalized model -> wei per GPU per block.
Result<std::map<std::string, Uint256>> ParseBidPrices(const std::string& text);

class ComputeProviderRole : public node::Role {
 public:
  ComputeProviderRole(ComputeProviderOptions options, crypto::PrivateKey key,
                      const consensus::ChainParams& params);
  ~ComputeProviderRole() override;

  std::string_view name() const override { return "computeprovider"; }
  Status Start(const node::RoleContext& ctx) override;
  void Stop() override;
  void TipChanged(const chain::TipInfo& tip) override;

  const Address& address() const { return address_; }

  // A lease's manifest (PUT /compute/leases/{id}/manifest): the lease must be
  // this provider's, keccak256(manifest) its order's manifestHash, and
  // `signature` (65 bytes r||s||v) the tenant's personal_sign (EIP-191) of
  // that hash. Errors: compute-unknown-lease, compute-not-my-lease,
  // compute-manifest-mismatch, compute-manifest-not-signed, provider-io-error.
  Status ReceiveManifest(uint64_t lease_id, const std::string& manifest, ByteSpan signature);

  struct StatusInfo {
    Address address;
    bool registered = false;
    std::string attributes;
    std::vector<uint64_t> bids;              // orders bid on
    std::map<uint64_t, std::string> leases;  // lease -> started | closed | hook-failed
    Uint256 withdrawn;
    std::string last_error;
  };
  StatusInfo Snapshot() const;
  // depin_compute_provider_registered, _open_bids and _leases{state}
  // (started, closed, hook-failed) at each -metrics scrape.
  void ReportMetrics(MetricSink& out) const override;

 private:
  void Step(uint64_t height);
  Status Register(bool registered, const std::string& attributes_on_chain);
  Status Bid();
  Status Leases(uint64_t height);
  // Runs the hook; its standard output.
  Result<std::string> RunHook(const std::string& event,
                              const std::map<std::string, std::string>& env) const;
  Status Persist();
  void SetError(const Status& s);

  ComputeProviderOptions options_;
  crypto::PrivateKey key_;
  Address address_;
  const consensus::ChainParams& params_;
  node::RoleContext ctx_;
  std::unique_ptr<chain::ModuleClient> client_;

  mutable std::mutex mu_;
  node::RoleWorker worker_;
  // Guarded by mu_.
  bool registered_ = false;
  std::string attributes_on_chain_;
  std::optional<Hash256> register_tx_;
  std::set<uint64_t> bids_;
  std::map<uint64_t, std::string> leases_;
  uint64_t last_withdraw_ = 0;
  Uint256 withdrawn_;
  std::string last_error_;
};

// PUT /compute/leases/{id}/manifest (header X-Depin-Signature: 0x r||s||v).
HttpRoutes ComputeProviderRoutes(ComputeProviderRole* role);
// compute_getProviderStatus (public): the role's Snapshot.
RpcTable ComputeProviderRpcTable(ComputeProviderRole* role);

}  // namespace depin::market
