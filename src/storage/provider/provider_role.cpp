#include "storage/provider/provider_role.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "chain/module_client.h"
#include "consensus/abi.h"
#include "crypto/sha256.h"
#include "storage/market.h"
#include "storage/proofs/comm_d.h"
#include "storage/proofs/porep.h"
#include "storage/proofs/post.h"
#include "storage/proofs/seal.h"
#include "storage/proofs/sector_store.h"
#include "util/file.h"
#include "util/logging.h"

namespace depin::storage {
namespace {

namespace fs = std::filesystem;

constexpr auto kPollInterval = std::chrono::milliseconds(500);

Bytes CallData(std::string_view signature, const abi::Encoder& args) {
  return args.FinishCall(abi::SelectorOf(signature));
}

Uint256 WordAt(const Bytes& out, size_t i) { return chain::OutputWord(out, i); }

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  return s;
}

}  // namespace

Result<crypto::PrivateKey> LoadProviderKey(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::Error("provider-key-missing", "cannot read the provider key file " + path);
  }
  if ((st.st_mode & 077) != 0) {
    return Status::Error(StatusKind::kPermissionDenied, "provider-key-permissions",
                         path + " is readable by others: chmod 600 it");
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto bytes = HexDecode(Trim(text.str()));
  if (!bytes || bytes->size() != 32) {
    return Status::Error("provider-key-invalid",
                         path + " must hold one 0x-prefixed 32-byte hex private key");
  }
  auto key = crypto::PrivateKey::FromBytes(*bytes);
  if (!key.ok()) return Status::Error("provider-key-invalid", key.status().message());
  return std::move(key).value();
}

StorageProviderRole::StorageProviderRole(ProviderOptions options, crypto::PrivateKey key,
                                         const consensus::ChainParams& params)
    : options_(std::move(options)),
      key_(std::move(key)),
      address_(Address::FromPublicKey(key_.GetPublicKey())),
      params_(params),
      size_(proofs::SectorSize::Size2KiB()) {
  uint64_t bytes = options_.sector_size;
  if (bytes == 0 && !params_.storage.sector_sizes.empty()) {
    bytes =
        *std::min_element(params_.storage.sector_sizes.begin(), params_.storage.sector_sizes.end());
  }
  if (auto s = proofs::SectorSize::FromBytes(bytes)) size_ = *s;
  if (options_.stake.IsZero()) options_.stake = params_.storage.min_provider_stake;
}

StorageProviderRole::~StorageProviderRole() { Stop(); }

std::string StorageProviderRole::StagingPath(uint64_t deal) const {
  return options_.sector_dir + "/staging/" + std::to_string(deal) + ".piece";
}
std::string StorageProviderRole::PartPath(uint64_t deal, uint64_t total) const {
  return options_.sector_dir + "/staging/" + std::to_string(deal) + "." + std::to_string(total) +
         ".part";
}
std::string StorageProviderRole::SectorPath(uint64_t number) const {
  return options_.sector_dir + "/sectors/" + std::to_string(number);
}
std::string StorageProviderRole::JobPath(uint64_t number) const {
  return options_.sector_dir + "/sectors/" + std::to_string(number) + ".job";
}

Status StorageProviderRole::Start(const node::RoleContext& ctx) {
  ctx_ = ctx;
  if (ctx_.mempool == nullptr) {
    return Status::Error("provider-no-mempool", "the storage provider needs the mempool");
  }
  client_ = std::make_unique<chain::ModuleClient>(ctx_.chainstate, ctx_.mempool, &key_, &params_);
  if (ctx_.chainstate->modules().Find(StorageMarketAddress()) == nullptr) {
    return Status::Error("provider-no-market",
                         "the storage market is not active on " + params_.name);
  }
  if (std::find(params_.storage.sector_sizes.begin(), params_.storage.sector_sizes.end(),
                size_.bytes()) == params_.storage.sector_sizes.end()) {
    return Status::Error("provider-bad-sector-size",
                         size_.ToString() + " is not a sector size of " + params_.name);
  }
  std::error_code ec;
  for (const char* sub : {"staging", "sectors"}) {
    fs::create_directories(options_.sector_dir + "/" + sub, ec);
    if (ec) {
      return Status::Error(
          StatusKind::kIo, "provider-io-error",
          "cannot create " + options_.sector_dir + "/" + sub + ": " + ec.message());
    }
  }
  fs::permissions(options_.sector_dir, fs::perms::owner_all, ec);
  DEPIN_RETURN_IF_ERROR(LoadJobs());
  for (const auto& entry : fs::directory_iterator(options_.sector_dir + "/staging", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 6 && name.substr(name.size() - 6) == ".piece") {
      uint64_t deal = 0;
      try {
        deal = std::stoull(name.substr(0, name.size() - 6));
      } catch (const std::exception&) {
        LogWarn(ctx_.logger, LogCategory::kProvider, "ignoring {} in the staging folder", name);
        continue;
      }
      // Packed into a sector before a restart: a seal in progress still
      // reads it; a finished one has its own copy.
      const auto job = std::find_if(jobs_.begin(), jobs_.end(), [deal](const auto& j) {
        return std::count(j.second.deals.begin(), j.second.deals.end(), deal) != 0;
      });
      if (job == jobs_.end()) {
        staged_.insert(deal);
      } else if (job->second.stage != "sealing") {
        fs::remove(entry.path(), ec);
      }
    }
  }
  LogInfo(ctx_.logger, LogCategory::kProvider,
          "storage provider {} starting: {} sectors, {} sector jobs and {} staged deals in {}",
          address_.ToChecksumHex(), size_.ToString(), jobs_.size(), staged_.size(),
          options_.sector_dir);
  ctx_.signals->Register(this);
  worker_.Start(kPollInterval, [this] { Step(); });
  return Status::Ok();
}

void StorageProviderRole::Stop() {
  // Once only: the destructor stops again, after the signals may be gone.
  if (ctx_.signals != nullptr) ctx_.signals->Unregister(this);
  ctx_.signals = nullptr;
  worker_.Stop();
}

void StorageProviderRole::TipChanged(const chain::TipInfo&) { worker_.Wake(); }

Result<Bytes> StorageProviderRole::View(const Bytes& calldata) const {
  return client_->View(StorageMarketAddress(), calldata);
}

bool StorageProviderRole::Pending(const std::optional<Hash256>& tx) const {
  return client_->Pending(tx);
}

Result<Hash256> StorageProviderRole::Send(const Bytes& calldata, const Uint256& value) {
  return client_->Send(StorageMarketAddress(), calldata, value);
}

Status StorageProviderRole::Register() {
  auto tx = Send(
      CallData("registerProvider(string,uint256,uint256,uint256)", abi::Encoder()
                                                                       .String(options_.uri)
                                                                       .Uint(options_.price_per_gib)
                                                                       .Uint(options_.min_duration)
                                                                       .Uint(size_.bytes())),
      options_.stake);
  if (!tx.ok()) return tx.status();
  LogInfo(ctx_.logger, LogCategory::kProvider,
          "registering {} as a storage provider ({} sectors, stake {} wei): tx {}",
          address_.ToChecksumHex(), size_.ToString(), options_.stake.ToDecimal(), tx->Hex());
  std::lock_guard<std::mutex> lock(mu_);
  register_tx_ = *tx;
  return Status::Ok();
}

void StorageProviderRole::Step() {
  const uint64_t h = ctx_.chainstate->Tip().height;
  bool registered;
  {
    std::lock_guard<std::mutex> lock(mu_);
    registered = registered_;
  }
  if (!registered) {
    auto p = View(CallData("getProvider(address)", abi::Encoder().Address(address_)));
    if (p.ok() && !WordAt(*p, 0).IsZero()) {
      std::lock_guard<std::mutex> lock(mu_);
      registered_ = true;
      registered = true;
      LogInfo(ctx_.logger, LogCategory::kProvider, "storage provider {} is registered",
              address_.ToChecksumHex());
    } else {
      std::optional<Hash256> pending;
      {
        std::lock_guard<std::mutex> lock(mu_);
        pending = register_tx_;
      }
      if (!Pending(pending)) {
        if (Status s = Register(); !s.ok()) {
          std::lock_guard<std::mutex> lock(mu_);
          if (last_error_ != s.ToString()) {
            LogWarn(ctx_.logger, LogCategory::kProvider, "registration failed: {}", s.ToString());
          }
          last_error_ = s.ToString();
        }
      }
      return;
    }
  }
  if (Status s = PackAndSeal(h); !s.ok()) {
    LogWarn(ctx_.logger, LogCategory::kProvider, "sector packing/sealing failed: {}", s.ToString());
    std::lock_guard<std::mutex> lock(mu_);
    last_error_ = s.ToString();
  }
  std::vector<uint64_t> numbers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [n, job] : jobs_) numbers.push_back(n);
  }
  for (uint64_t n : numbers) {
    Job job;
    {
      std::lock_guard<std::mutex> lock(mu_);
      job = jobs_[n];
    }
    if (job.stage == "ended" || job.stage == "failed") continue;
    if (Status s = Advance(job, h); !s.ok()) {
      job.last_error = s.ToString();
      LogWarn(ctx_.logger, LogCategory::kProvider, "sector {}: {}", n, s.ToString());
    }
    std::lock_guard<std::mutex> lock(mu_);
    jobs_[n] = job;
  }
  if (Status s = ProveDeadlines(h); !s.ok()) {
    LogWarn(ctx_.logger, LogCategory::kProvider, "PoSt: {}", s.ToString());
    std::lock_guard<std::mutex> lock(mu_);
    last_error_ = s.ToString();
  }
}

Status StorageProviderRole::PackAndSeal(uint64_t h) {
  std::vector<uint64_t> staged;
  uint64_t next_number = 1;
  {
    std::lock_guard<std::mutex> lock(mu_);
    staged.assign(staged_.begin(), staged_.end());
    if (!jobs_.empty()) next_number = jobs_.rbegin()->first + 1;
  }
  if (staged.empty() || h < 2) return Status::Ok();
  // Deals still open and with time to activate: sealing and the seed delay
  // must end before their start.
  std::vector<uint64_t> deals;
  std::vector<uint64_t> lengths;
  std::vector<proofs::PieceInfo> pieces;
  for (uint64_t id : staged) {
    auto d = View(CallData("getDeal(uint256)", abi::Encoder().Uint(id)));
    const bool open = d.ok() && WordAt(*d, 7) == Uint256(1) && WordAt(*d, 8).IsZero();
    const uint64_t start = d.ok() ? WordAt(*d, 4).Low64() : 0;
    if (!open || start <= h + params_.storage.seal_seed_delay_blocks + 1) {
      LogInfo(ctx_.logger, LogCategory::kProvider,
              "deal {} can no longer be sealed in time (or is not open); dropping its data", id);
      std::error_code ec;
      fs::remove(StagingPath(id), ec);
      std::lock_guard<std::mutex> lock(mu_);
      staged_.erase(id);
      continue;
    }
    proofs::PieceInfo piece{WordAt(*d, 2).ToHash(), WordAt(*d, 3).Low64()};
    pieces.push_back(piece);
    if (pieces.size() > params_.storage.max_deals_per_sector ||
        !proofs::CommDFromPieces(pieces, size_).ok()) {
      pieces.pop_back();
      break;
    }
    std::error_code ec;
    const uint64_t length = fs::file_size(StagingPath(id), ec);
    deals.push_back(id);
    lengths.push_back(ec ? piece.size : length);
  }
  if (deals.empty()) return Status::Ok();
  // A sector number never used on chain.
  for (;; ++next_number) {
    auto s = View(
        CallData("getSector(address,uint256)", abi::Encoder().Address(address_).Uint(next_number)));
    if (!s.ok()) break;
  }
  Job job;
  job.number = next_number;
  job.ticket_height = h - 1;
  job.deals = deals;
  job.lengths = lengths;
  job.stage = "sealing";
  DEPIN_RETURN_IF_ERROR(SaveJob(job));
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (uint64_t id : deals) staged_.erase(id);
    jobs_[job.number] = job;
  }
  LogInfo(ctx_.logger, LogCategory::kProvider, "sector {}: packing {} deal(s), sealing {}",
          job.number, deals.size(), size_.ToString());
  return Status::Ok();  // Advance seals it (and resumes a seal after a restart)
}

Status StorageProviderRole::Advance(Job& job, uint64_t h) {
  if (job.stage == "sealing") {
    using Clock = std::chrono::steady_clock;
    // The seal's time, as the log reports it, covers the whole stage:
    // reading the staged pieces and packing them as well as the library's seal.
    const Clock::time_point started = Clock::now();
    auto store = proofs::SectorStore::Open(SectorPath(job.number));
    if (!store.ok()) return store.status();
    std::vector<proofs::PieceInfo> pieces;
    for (uint64_t id : job.deals) {
      auto d = View(CallData("getDeal(uint256)", abi::Encoder().Uint(id)));
      if (!d.ok()) return d.status();
      pieces.push_back({WordAt(*d, 2).ToHash(), WordAt(*d, 3).Low64()});
    }
    auto offsets = proofs::PieceOffsets(pieces, size_);
    if (!offsets.ok()) return offsets.status();
    // Each staged piece is read straight into its place in the sector.
    Bytes sector(size_.bytes(), 0);
    for (size_t i = 0; i < job.deals.size(); ++i) {
      std::error_code ec;
      const uint64_t length = fs::file_size(StagingPath(job.deals[i]), ec);
      if (ec) {
        return Status::IoError("provider-staging-read", "deal " + std::to_string(job.deals[i]) +
                                                            "'s staged data: " + ec.message());
      }
      if (length > pieces[i].size || (*offsets)[i] + length > sector.size()) {
        return Status::Error("provider-piece-too-large", "deal " + std::to_string(job.deals[i]) +
                                                             "'s " + std::to_string(length) +
                                                             " staged bytes overrun its piece");
      }
      DEPIN_RETURN_IF_ERROR(ReadFileInto(
          StagingPath(job.deals[i]),
          std::span<uint8_t>(sector.data() + (*offsets)[i], static_cast<size_t>(length)),
          "provider-staging-read"));
    }
    auto ticket = ctx_.chainstate->GetBlockHashAtHeight(job.ticket_height);
    if (!ticket) return Status::Error("provider-ticket-missing", "no block at the ticket height");
    const Clock::time_point packed = Clock::now();
    proofs::SealInputs in;
    in.size = size_;
    in.provider = proofs::ProviderAddress(address_.data());
    in.sector_number = job.number;
    in.ticket = *ticket;
    in.data = sector;
    proofs::SealOptions options;
    options.parent_cache_dir = options_.parent_cache_dir;
    options.logger = ctx_.logger;
    options.hash = options_.seal_hash;
    Clock::time_point label_start = started;
    Clock::time_point label_end = started;
    // Labeling runs on this thread: its CPU time beside its wall time tells
    // an operator whether a slow seal was starved of CPU or slow on it.
    double label_cpu_start = 0, label_cpu_end = 0;
    const auto thread_cpu = [] {
      timespec ts{};
      ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
    };
    options.progress = [this, &job, &label_start, &label_end, &label_cpu_start, &label_cpu_end,
                        &thread_cpu](const proofs::SealProgress& p) {
      if (p.stage == proofs::SealStage::kLabeling && p.layer == 0) {
        label_start = Clock::now();
        label_cpu_start = thread_cpu();
      }
      if (p.stage == proofs::SealStage::kTreeC) {
        label_end = Clock::now();
        label_cpu_end = thread_cpu();
      }
      if (p.stage == proofs::SealStage::kLabeling && p.layer > 0) {
        LogInfo(ctx_.logger, LogCategory::kProvider, "sector {}: layer {}/{} labeled{}", job.number,
                p.layer, p.layers, p.resumed ? " (from checkpoint)" : "");
        if (options_.seal_pause.count() > 0) worker_.SleepFor(options_.seal_pause);
      }
      return !worker_.stopping();
    };
    auto out = proofs::SealSector(in, *store, options);
    if (!out.ok()) return out.status();
    job.stage = "sealed";
    const auto seconds = [](Clock::duration d) {
      char buf[32];
      std::snprintf(
          buf, sizeof(buf), "%.3f",
          static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()) /
              1e6);
      return std::string(buf);
    };
    LogInfo(ctx_.logger, LogCategory::kProvider,
            "sector {}: sealed in {} s (packing {} s, labeling {} s, {} s of CPU), CommR {}",
            job.number, seconds(Clock::now() - started), seconds(packed - started),
            seconds(label_end - label_start),
            seconds(std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(label_cpu_end - label_cpu_start))),
            out->comm_r.Hex());
    DEPIN_RETURN_IF_ERROR(SaveJob(job));
    // The sector's unsealed copy serves retrievals from now on.
    for (uint64_t id : job.deals) {
      std::error_code ec;
      fs::remove(StagingPath(id), ec);
    }
    return Status::Ok();
  }
  auto sector = View(
      CallData("getSector(address,uint256)", abi::Encoder().Address(address_).Uint(job.number)));
  const uint64_t state = sector.ok() ? WordAt(*sector, 0).Low64() : 0;
  if (state == 0) {
    // Sealed, not yet pre-committed.
    if (h - job.ticket_height > params_.storage.ticket_max_age_blocks) {
      job.stage = "failed";
      job.last_error = "the ticket expired before the pre-commit";
      return SaveJob(job);
    }
    if (Pending(job.pending_tx)) return Status::Ok();
    auto store = proofs::SectorStore::Open(SectorPath(job.number));
    if (!store.ok()) return store.status();
    auto out = proofs::SealOutputOf(*store);
    if (!out.ok()) return out.status();
    std::vector<Uint256> ids(job.deals.begin(), job.deals.end());
    auto tx = Send(CallData("preCommitSector(uint256,bytes32,uint256[],uint256)",
                            abi::Encoder()
                                .Uint(job.number)
                                .Bytes32(out->comm_r)
                                .UintArray(ids)
                                .Uint(job.ticket_height)),
                   params_.storage.precommit_deposit);
    if (!tx.ok()) return tx.status();
    job.pending_tx = *tx;
    LogInfo(ctx_.logger, LogCategory::kProvider, "sector {}: pre-commit sent, tx {}", job.number,
            tx->Hex());
    return Status::Ok();
  }
  if (state == static_cast<uint64_t>(SectorState::kPreCommitted)) {
    job.stage = "precommitted";
    const uint64_t seed_height =
        WordAt(*sector, 4).Low64() + params_.storage.seal_seed_delay_blocks;
    if (h < seed_height) return Status::Ok();
    auto seed = ctx_.chainstate->GetBlockHashAtHeight(seed_height);
    if (!seed) return Status::Ok();
    if (Pending(job.pending_tx)) return Status::Ok();
    auto store = proofs::SectorStore::Open(SectorPath(job.number));
    if (!store.ok()) return store.status();
    auto out = proofs::SealOutputOf(*store);
    if (!out.ok()) return out.status();
    const uint32_t partitions = proofs::ParamsFor(size_).porep_partitions;
    if (job.partitions_sent.size() == partitions) job.partitions_sent.clear();  // resend
    for (uint32_t p = 0; p < partitions; ++p) {
      if (job.partitions_sent.count(p) != 0) continue;
      auto proof = proofs::GeneratePoRep(*store, *seed, p);
      if (!proof.ok()) return proof.status();
      proofs::PoRepPublicInputs in{size_, out->replica_id, *seed, out->comm_d, out->comm_r, p};
      auto tx = Send(CallData("proveCommitSector(uint256,bytes,bytes)",
                              abi::Encoder()
                                  .Uint(job.number)
                                  .Bytes(proofs::EncodePoRepPublicInputs(in))
                                  .Bytes(proofs::EncodePoRepProof(*proof))),
                     Uint256());
      if (!tx.ok()) {
        // Already proven (a resend after a restart): nothing to do for it.
        if (tx.status().code() == "storage-provecommit-duplicate") {
          job.partitions_sent.insert(p);
          continue;
        }
        return tx.status();
      }
      job.partitions_sent.insert(p);
      job.pending_tx = *tx;
      job.stage = "proving-commit";
      LogInfo(ctx_.logger, LogCategory::kProvider,
              "sector {}: prove-commit partition {}/{} sent, tx {}", job.number, p + 1, partitions,
              tx->Hex());
    }
    return Status::Ok();
  }
  if (state == static_cast<uint64_t>(SectorState::kActive)) {
    if (job.stage != "active") {
      LogInfo(ctx_.logger, LogCategory::kProvider, "sector {}: active in deadline {}", job.number,
              WordAt(*sector, 6).Low64());
      job.stage = "active";
      return SaveJob(job);
    }
    return Status::Ok();
  }
  job.stage = "ended";
  LogInfo(ctx_.logger, LogCategory::kProvider, "sector {}: {}", job.number,
          SectorStateName(static_cast<SectorState>(state)));
  return SaveJob(job);
}

Status StorageProviderRole::ProveDeadlines(uint64_t h) {
  // Active sectors by deadline whose window is open for the next block.
  std::map<uint64_t, std::vector<uint64_t>> due;  // deadline -> sectors
  std::map<uint64_t, uint64_t> open_of;
  std::vector<uint64_t> active;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [n, job] : jobs_) {
      if (job.stage == "active") active.push_back(n);
    }
  }
  for (uint64_t n : active) {
    auto s = View(CallData("getSector(address,uint256)", abi::Encoder().Address(address_).Uint(n)));
    if (!s.ok() || WordAt(*s, 0).Low64() != static_cast<uint64_t>(SectorState::kActive)) continue;
    const uint64_t deadline = WordAt(*s, 6).Low64();
    const uint64_t open = WordAt(*s, 7).Low64();
    const uint64_t check = WordAt(*s, 8).Low64();
    const bool proven = !WordAt(*s, 9).IsZero();
    if (proven || h < open || h + 1 > check) continue;
    due[deadline].push_back(n);
    open_of[deadline] = open;
  }
  for (const auto& [deadline, sectors] : due) {
    std::optional<Hash256> pending;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = post_txs_.find(deadline); it != post_txs_.end()) pending = it->second;
    }
    if (Pending(pending)) continue;
    auto randomness = ctx_.chainstate->GetBlockHashAtHeight(open_of[deadline]);
    if (!randomness) continue;
    std::vector<proofs::SectorStore> stores;
    for (uint64_t n : sectors) {
      auto store = proofs::SectorStore::Open(SectorPath(n));
      if (!store.ok()) return store.status();
      stores.push_back(std::move(store).value());
    }
    // As many sectors per tx as fit a tx.
    const size_t per_tx =
        std::max<size_t>(1, (kMaxTxSize - 1024) / (proofs::PoStProofBytesPerSector(size_) + 41));
    for (size_t first = 0; first < stores.size(); first += per_tx) {
      std::vector<const proofs::SectorStore*> chunk;
      proofs::PoStPublicInputs in;
      in.randomness = *randomness;
      for (size_t i = first; i < std::min(stores.size(), first + per_tx); ++i) {
        chunk.push_back(&stores[i]);
      }
      proofs::PoStGeneration gen = proofs::GeneratePoSt(*randomness, chunk);
      if (!gen.faults.empty()) {
        std::lock_guard<std::mutex> lock(mu_);
        post_sector_faults_ += gen.faults.size();
      }
      for (const proofs::PoStFault& f : gen.faults) {
        LogWarn(ctx_.logger, LogCategory::kProvider, "sector {} cannot be proven: {}",
                f.sector_number, f.reason.ToString());
      }
      if (gen.proof.sectors.empty()) continue;
      for (const proofs::PoStSectorProof& p : gen.proof.sectors) {
        in.sectors.push_back(
            {p.sector_number, p.size, crypto::Sha256Pair(p.comm_c, p.comm_r_last)});
      }
      auto tx = Send(CallData("submitPoSt(uint256,bytes,bytes)",
                              abi::Encoder()
                                  .Uint(deadline)
                                  .Bytes(proofs::EncodePoStPublicInputs(in))
                                  .Bytes(proofs::EncodePoStProof(gen.proof))),
                     Uint256());
      if (!tx.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        ++post_send_failures_;
        return tx.status();
      }
      LogInfo(ctx_.logger, LogCategory::kProvider,
              "PoSt for deadline {} (window opened at block {}): {} sector(s), tx {}", deadline,
              open_of[deadline], in.sectors.size(), tx->Hex());
      std::lock_guard<std::mutex> lock(mu_);
      post_txs_[deadline] = *tx;
      ++posts_sent_;
    }
  }
  return Status::Ok();
}

Status StorageProviderRole::SaveJob(const Job& job) {
  std::string text = "ticket=" + std::to_string(job.ticket_height) + "\ndeals=";
  for (size_t i = 0; i < job.deals.size(); ++i) {
    text += (i ? "," : "") + std::to_string(job.deals[i]);
  }
  text += "\nlengths=";
  for (size_t i = 0; i < job.lengths.size(); ++i) {
    text += (i ? "," : "") + std::to_string(job.lengths[i]);
  }
  text += "\nstage=" + job.stage + "\n";
  return WriteFileDurably(JobPath(job.number), AsSpan(text), "provider-io-error");
}

Status StorageProviderRole::LoadJobs() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.sector_dir + "/sectors", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= 4 || name.substr(name.size() - 4) != ".job") continue;
    Job job;
    try {
      job.number = std::stoull(name.substr(0, name.size() - 4));
    } catch (const std::exception&) {
      continue;
    }
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      const size_t eq = line.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = line.substr(0, eq);
      const std::string value = line.substr(eq + 1);
      try {
        if (key == "ticket") job.ticket_height = std::stoull(value);
        if (key == "stage") job.stage = value;
        if (key == "deals" || key == "lengths") {
          std::stringstream ids(value);
          std::string id;
          auto& into = key == "deals" ? job.deals : job.lengths;
          while (std::getline(ids, id, ',')) into.push_back(std::stoull(id));
        }
      } catch (const std::exception&) {
        return Status::Error(StatusKind::kCorruption, "provider-bad-job",
                             entry.path().string() + " does not parse");
      }
    }
    if (job.lengths.size() != job.deals.size()) job.lengths.clear();  // unknown: whole pieces
    // A seal interrupted mid-way resumes from its checkpoint; every later
    // stage is read back from the chain.
    if (job.stage != "sealing" && job.stage != "ended" && job.stage != "failed") {
      job.stage = "sealed";
    }
    jobs_[job.number] = job;
  }
  return Status::Ok();
}

Result<StorageProviderRole::DealInfo> StorageProviderRole::LoadDeal(uint64_t deal_id) const {
  auto d = View(CallData("getDeal(uint256)", abi::Encoder().Uint(deal_id)));
  if (!d.ok()) return d.status();
  DealInfo info;
  info.provider = Address(WordAt(*d, 1).ToHash().data() + 12);
  info.comm_d = WordAt(*d, 2).ToHash();
  info.piece_size = WordAt(*d, 3).Low64();
  info.start = WordAt(*d, 4).Low64();
  info.state = WordAt(*d, 7).Low64();
  info.in_sector = !WordAt(*d, 8).IsZero();
  if (info.provider != address_) {
    return Status::Error(StatusKind::kNotFound, "provider-not-my-deal",
                         "deal " + std::to_string(deal_id) + " was proposed to another provider");
  }
  return info;
}

uint64_t StorageProviderRole::DiskReserve() const {
  if (options_.disk_reserve) return *options_.disk_reserve;
  return 2 * size_.bytes() + (uint64_t{1} << 30);
}

std::optional<std::pair<std::string, uint64_t>> StorageProviderRole::FindPart(uint64_t deal) const {
  const std::string prefix = std::to_string(deal) + ".";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.sector_dir + "/staging", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() + 5 || name.compare(0, prefix.size(), prefix) != 0 ||
        name.substr(name.size() - 5) != ".part") {
      continue;
    }
    const std::string total = name.substr(prefix.size(), name.size() - prefix.size() - 5);
    if (total.empty() || total.find_first_not_of("0123456789") != std::string::npos) continue;
    try {
      return std::make_pair(entry.path().string(), static_cast<uint64_t>(std::stoull(total)));
    } catch (const std::exception&) {
      continue;
    }
  }
  return std::nullopt;
}

Status StorageProviderRole::StageComplete(uint64_t deal_id, const std::string& path,
                                          uint64_t piece_size, const Hash256& comm_d) {
  auto comm = proofs::PieceCommitmentOfFile(path, piece_size);
  if (!comm.ok()) return comm.status();
  if (*comm != comm_d) {
    std::error_code ec;
    fs::remove(path, ec);
    return Status::Error("provider-data-mismatch", "the data's piece commitment " + comm->Hex() +
                                                       " is not the deal's " + comm_d.Hex());
  }
  {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
      return Status::Error(StatusKind::kIo, "provider-io-error", "cannot sync " + path);
    }
  }
  std::error_code ec;
  fs::rename(path, StagingPath(deal_id), ec);
  if (ec) {
    return Status::Error(StatusKind::kIo, "provider-io-error",
                         "cannot move " + path + " into place: " + ec.message());
  }
  {
    UniqueFd dir(::open((options_.sector_dir + "/staging").c_str(), O_RDONLY | O_CLOEXEC));
    if (dir.get() >= 0) ::fsync(dir.get());
  }
  const uint64_t bytes = fs::file_size(StagingPath(deal_id), ec);
  {
    std::lock_guard<std::mutex> lock(mu_);
    staged_.insert(deal_id);
  }
  worker_.Wake();
  LogInfo(ctx_.logger, LogCategory::kProvider, "deal {}: {} bytes staged for sealing", deal_id,
          bytes);
  return Status::Ok();
}

namespace {

// Marks a deal as being written by one request for the guard's lifetime.
class UploadGuard {
 public:
  UploadGuard(std::mutex& mu, std::set<uint64_t>& busy, uint64_t deal)
      : mu_(mu), busy_(busy), deal_(deal) {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = busy_.insert(deal_).second;
  }
  ~UploadGuard() {
    if (!held_) return;
    std::lock_guard<std::mutex> lock(mu_);
    busy_.erase(deal_);
  }
  UploadGuard(const UploadGuard&) = delete;
  UploadGuard& operator=(const UploadGuard&) = delete;
  bool held() const { return held_; }

 private:
  std::mutex& mu_;
  std::set<uint64_t>& busy_;
  const uint64_t deal_;
  bool held_ = false;
};

}  // namespace

Status StorageProviderRole::ImportDealData(uint64_t deal_id, const std::string& path) {
  auto d = LoadDeal(deal_id);
  if (!d.ok()) return d.status();
  if (d->state != static_cast<uint64_t>(DealState::kProposed) || d->in_sector) {
    return Status::Error("provider-deal-not-open",
                         "deal " + std::to_string(deal_id) + " is not waiting for its data");
  }
  std::error_code ec;
  const uint64_t bytes = fs::file_size(path, ec);
  if (ec) return Status::Error(StatusKind::kIo, "provider-io-error", path + ": " + ec.message());
  if (bytes > d->piece_size) {
    return Status::Error(StatusKind::kLimitExceeded, "provider-data-too-large",
                         path + " holds " + std::to_string(bytes) + " bytes; the piece is " +
                             std::to_string(d->piece_size));
  }
  UploadGuard guard(mu_, uploading_, deal_id);
  if (!guard.held()) {
    return Status::Error("provider-upload-busy",
                         "deal " + std::to_string(deal_id) + " is being uploaded right now");
  }
  const std::string part = PartPath(deal_id, bytes);
  fs::copy_file(path, part, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    return Status::Error(StatusKind::kIo, "provider-io-error",
                         "cannot copy " + path + ": " + ec.message());
  }
  return StageComplete(deal_id, part, d->piece_size, d->comm_d);
}

Result<StorageProviderRole::UploadState> StorageProviderRole::ReceiveUpload(
    uint64_t deal_id, uint64_t offset, uint64_t total, std::string_view chunk) {
  auto d = LoadDeal(deal_id);
  if (!d.ok()) return d.status();
  auto state = UploadStatus(deal_id);
  if (!state.ok()) return state.status();
  if (state->complete) {
    // A retried last chunk after a lost reply: the data is in already.
    if (state->total == total && offset + chunk.size() == total) return *state;
    return Status::Error("provider-deal-not-open",
                         "deal " + std::to_string(deal_id) + " has its data already");
  }
  if (d->state != static_cast<uint64_t>(DealState::kProposed) || d->in_sector) {
    return Status::Error("provider-deal-not-open",
                         "deal " + std::to_string(deal_id) + " is not waiting for its data");
  }
  if (total == 0 || total > d->piece_size) {
    return Status::Error(StatusKind::kLimitExceeded, "provider-data-too-large",
                         "an upload of " + std::to_string(total) + " bytes for a piece of " +
                             std::to_string(d->piece_size) + " bytes");
  }
  if (offset + chunk.size() > total) {
    return Status::Error(StatusKind::kLimitExceeded, "provider-data-too-large",
                         "bytes " + std::to_string(offset) + ".." +
                             std::to_string(offset + chunk.size()) + " run past the announced " +
                             std::to_string(total));
  }
  UploadGuard guard(mu_, uploading_, deal_id);
  if (!guard.held()) {
    return Status::Error("provider-upload-busy",
                         "deal " + std::to_string(deal_id) + " is being uploaded right now");
  }
  auto part = FindPart(deal_id);
  if (part && part->second != total) {
    return Status::Error("provider-upload-total", "the upload began with a total of " +
                                                      std::to_string(part->second) +
                                                      " bytes, not " + std::to_string(total));
  }
  const std::string path = part ? part->first : PartPath(deal_id, total);
  std::error_code ec;
  const uint64_t received = part ? fs::file_size(path, ec) : 0;
  if (ec) return Status::Error(StatusKind::kIo, "provider-io-error", path + ": " + ec.message());
  if (offset != received) {
    return Status::Error("provider-upload-offset", "this upload continues at byte " +
                                                       std::to_string(received) + ", not " +
                                                       std::to_string(offset));
  }
  const fs::space_info space = fs::space(options_.sector_dir, ec);
  if (ec) {
    return Status::Error(StatusKind::kIo, "provider-io-error",
                         "cannot read the free space of " + options_.sector_dir);
  }
  if (space.available < total - offset + DiskReserve()) {
    LogWarn(ctx_.logger, LogCategory::kProvider,
            "deal {}: upload refused, {} bytes free in {} and {} still to come ({} kept free "
            "for sealing)",
            deal_id, space.available, options_.sector_dir, total - offset, DiskReserve());
    return Status::Error(StatusKind::kIo, "provider-disk-full",
                         "not enough free disk space for this upload and its sealing");
  }
  {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (fd.get() < 0) {
      return Status::Error(StatusKind::kIo, "provider-io-error",
                           "cannot open " + path + ": " + std::strerror(errno));
    }
    size_t done = 0;
    while (done < chunk.size()) {
      const ssize_t n = ::write(fd.get(), chunk.data() + done, chunk.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const std::string why = std::strerror(errno);
        // Cut back to what was whole, so the client resumes where it was.
        if (::ftruncate(fd.get(), static_cast<off_t>(received)) != 0) {
          LogWarn(ctx_.logger, LogCategory::kProvider, "cannot truncate {}", path);
        }
        return Status::Error(StatusKind::kIo, "provider-io-error",
                             "cannot write " + path + ": " + why);
      }
      done += static_cast<size_t>(n);
    }
  }
  UploadState out{received + chunk.size(), total, false};
  if (out.received < total) return out;
  DEPIN_RETURN_IF_ERROR(StageComplete(deal_id, path, d->piece_size, d->comm_d));
  out.complete = true;
  return out;
}

Result<StorageProviderRole::UploadState> StorageProviderRole::UploadStatus(uint64_t deal_id) const {
  std::error_code ec;
  if (fs::exists(StagingPath(deal_id), ec)) {
    const uint64_t bytes = fs::file_size(StagingPath(deal_id), ec);
    return UploadState{bytes, bytes, true};
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [n, job] : jobs_) {
      for (size_t i = 0; i < job.deals.size(); ++i) {
        if (job.deals[i] != deal_id) continue;
        const uint64_t bytes = i < job.lengths.size() ? job.lengths[i] : 0;
        return UploadState{bytes, bytes, true};
      }
    }
  }
  auto part = FindPart(deal_id);
  if (!part) return UploadState{};
  const uint64_t received = fs::file_size(part->first, ec);
  if (ec) return Status::Error(StatusKind::kIo, "provider-io-error", part->first);
  return UploadState{received, part->second, false};
}

Result<StorageProviderRole::DataLocation> StorageProviderRole::LocateDeal(uint64_t deal_id,
                                                                          bool piece) const {
  auto d = LoadDeal(deal_id);
  if (!d.ok()) return d.status();
  if (d->state != static_cast<uint64_t>(DealState::kActive)) {
    return Status::Error(StatusKind::kPolicy, "provider-deal-not-active",
                         "deal " + std::to_string(deal_id) + " is " +
                             std::string(DealStateName(static_cast<DealState>(d->state))) +
                             ", not active: only the data of paid, active deals is served");
  }
  std::optional<Job> found;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [n, job] : jobs_) {
      if (std::count(job.deals.begin(), job.deals.end(), deal_id) != 0) found = job;
    }
  }
  if (!found || found->stage == "sealing") {
    return Status::Error(StatusKind::kNotFound, "provider-data-missing",
                         "this provider holds no sealed copy of deal " + std::to_string(deal_id));
  }
  std::vector<proofs::PieceInfo> pieces;
  size_t index = 0;
  for (size_t i = 0; i < found->deals.size(); ++i) {
    auto other = LoadDeal(found->deals[i]);
    if (!other.ok()) return other.status();
    pieces.push_back({other->comm_d, other->piece_size});
    if (found->deals[i] == deal_id) index = i;
  }
  auto offsets = proofs::PieceOffsets(pieces, size_);
  if (!offsets.ok()) return offsets.status();
  DataLocation loc;
  loc.deal = deal_id;
  loc.path = SectorPath(found->number) + "/" + proofs::kUnsealedFile;
  loc.offset = (*offsets)[index];
  loc.length = piece || index >= found->lengths.size() ? d->piece_size : found->lengths[index];
  loc.comm_d = d->comm_d;
  std::error_code ec;
  if (fs::file_size(loc.path, ec) < loc.offset + loc.length || ec) {
    return Status::Error(StatusKind::kNotFound, "provider-data-missing",
                         loc.path + " does not hold deal " + std::to_string(deal_id));
  }
  return loc;
}

Result<StorageProviderRole::DataLocation> StorageProviderRole::LocatePiece(
    const Hash256& comm_d) const {
  std::vector<uint64_t> deals;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [n, job] : jobs_)
      deals.insert(deals.end(), job.deals.begin(), job.deals.end());
  }
  for (uint64_t id : deals) {
    auto d = LoadDeal(id);
    if (!d.ok() || d->comm_d != comm_d || d->state != static_cast<uint64_t>(DealState::kActive)) {
      continue;
    }
    return LocateDeal(id, /*piece=*/true);
  }
  return Status::Error(StatusKind::kNotFound, "provider-unknown-piece",
                       "no active deal of this provider has the piece " + comm_d.Hex());
}

StorageProviderRole::StatusInfo StorageProviderRole::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  StatusInfo info;
  info.address = address_;
  info.registered = registered_;
  info.staged_deals.assign(staged_.begin(), staged_.end());
  for (const auto& [n, job] : jobs_) {
    info.sectors.push_back({n, job.stage, job.deals, job.last_error});
  }
  info.posts_sent = posts_sent_;
  info.last_error = last_error_;
  return info;
}

void StorageProviderRole::ReportMetrics(MetricSink& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, size_t> by_stage;
  for (const char* stage :
       {"sealing", "sealed", "precommitted", "proving-commit", "active", "ended", "failed"}) {
    by_stage[stage] = 0;
  }
  for (const auto& [number, job] : jobs_) ++by_stage[job.stage];
  for (const auto& [stage, count] : by_stage) {
    out.Gauge("depin_storage_provider_sectors",
              "The storage provider's sectors by stage (sealing jobs are those in \"sealing\").",
              static_cast<double>(count), {"stage", stage});
  }
  out.Gauge("depin_storage_provider_staged_deals",
            "Deals whose data is staged, waiting for a sector.",
            static_cast<double>(staged_.size()));
  out.Counter("depin_storage_provider_posts_submitted_total", "PoSt txs the provider sent.",
              static_cast<double>(posts_sent_));
  out.Counter(
      "depin_storage_provider_post_failures_total",
      "PoSt failures: sectors a proof could not cover, and PoSt txs that could not be sent.",
      static_cast<double>(post_sector_faults_), {"reason", "sector_fault"});
  out.Counter(
      "depin_storage_provider_post_failures_total",
      "PoSt failures: sectors a proof could not cover, and PoSt txs that could not be sent.",
      static_cast<double>(post_send_failures_), {"reason", "send_failed"});
}

}  // namespace depin::storage
