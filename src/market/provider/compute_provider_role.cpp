#include "market/provider/compute_provider_role.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "consensus/abi.h"
#include "crypto/access_box.h"
#include "crypto/keccak.h"
#include "market/compute_market.h"
#include "market/gpu_attributes.h"
#include "util/file.h"
#include "util/logging.h"

extern char** environ;

namespace depin::market {
namespace {

namespace fs = std::filesystem;

constexpr auto kPollInterval = std::chrono::milliseconds(500);
constexpr size_t kMaxAccessDetails = 1024;
constexpr uint64_t kPage = 100;

Bytes CallData(std::string_view signature, const abi::Encoder& args) {
  return args.FinishCall(abi::SelectorOf(signature));
}

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, sep)) out.push_back(part);
  return out;
}

// The digest personal_sign (EIP-191) signs for a 32-byte message.
Hash256 PersonalMessageDigest(const Hash256& message) {
  static constexpr std::string_view kPrefix =
      "\x19"
      "Ethereum Signed Message:\n32";
  crypto::Keccak256 h;
  h.Write(AsSpan(kPrefix));
  h.Write(message.span());
  return h.Finalize();
}

struct OrderView {
  Address tenant;
  std::string spec;
  Uint256 max_price;
  Hash256 manifest_hash;
  Bytes tenant_pubkey;
  uint64_t state = 0;
};

struct LeaseView {
  Address tenant;
  Address provider;
  std::string gpu_model;
  uint64_t gpu_count = 0;
  Uint256 price;
  uint64_t term_end = 0;
  uint64_t state = 0;
  uint64_t reason = 0;
  Bytes access_box;
};

}  // namespace

Result<std::string> GpuAttributesFromArgs(const std::string& gpus, const std::string& extra) {
  const std::vector<std::string> f = Split(gpus, ':');
  if (f.size() < 4 || f.size() > 5) {
    return Status::Error("args-bad-value",
                         "-gpus must be VENDOR:MODEL:COUNT:VRAMGIB[:pcie|sxm], e.g. "
                         "nvidia:RTX 4090:2:24:pcie");
  }
  std::string text = "gpu.vendor=" + f[0] + ";gpu.model=" + f[1] + ";gpu.count=" + f[2] +
                     ";gpu.vramGiB=" + f[3] + ";gpu.interface=" + (f.size() == 5 ? f[4] : "pcie");
  if (!extra.empty()) text += ";" + extra;
  auto attrs = ParseAttributes(text);
  if (!attrs.ok())
    return Status::Error("args-bad-value", "-gpus/-computeattributes: " + attrs.status().message());
  return FormatAttributes(*attrs);
}

Result<std::map<std::string, Uint256>> ParseBidPrices(const std::string& text) {
  std::map<std::string, Uint256> out;
  for (const std::string& entry : Split(text, ',')) {
    const size_t colon = entry.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::Error("args-bad-value", "-bidprice entries are MODEL:WEI, not " + entry);
    }
    auto wei = Uint256::FromDecimal(entry.substr(colon + 1));
    if (!wei.ok() || wei->IsZero()) {
      return Status::Error("args-bad-value", "-bidprice: " + entry + " needs a positive wei price");
    }
    out[NormalizeGpuModel(entry.substr(0, colon))] = *wei;
  }
  if (out.empty()) return Status::Error("args-bad-value", "-bidprice names no model");
  return out;
}

ComputeProviderRole::ComputeProviderRole(ComputeProviderOptions options, crypto::PrivateKey key,
                                         const consensus::ChainParams& params)
    : options_(std::move(options)),
      key_(std::move(key)),
      address_(Address::FromPublicKey(key_.GetPublicKey())),
      params_(params) {
  if (options_.stake.IsZero()) options_.stake = params_.compute.min_provider_stake;
}

ComputeProviderRole::~ComputeProviderRole() { Stop(); }

Status ComputeProviderRole::Start(const node::RoleContext& ctx) {
  ctx_ = ctx;
  if (ctx_.mempool == nullptr) {
    return Status::Error("provider-no-mempool", "the compute provider needs the mempool");
  }
  if (ctx_.chainstate->modules().Find(ComputeMarketAddress()) == nullptr) {
    return Status::Error("provider-no-market",
                         "the compute market is not active on " + params_.name);
  }
  client_ = std::make_unique<chain::ModuleClient>(ctx_.chainstate, ctx_.mempool, &key_, &params_);
  std::error_code ec;
  fs::create_directories(options_.work_dir + "/leases", ec);
  if (ec) {
    return Status::Error(StatusKind::kIo, "provider-io-error",
                         "cannot create " + options_.work_dir + ": " + ec.message());
  }
  fs::permissions(options_.work_dir, fs::perms::owner_all, ec);
  {
    std::ifstream in(options_.work_dir + "/bids");
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.find_first_not_of("0123456789") == std::string::npos) {
        bids_.insert(std::stoull(line));
      }
    }
  }
  for (const auto& entry : fs::directory_iterator(options_.work_dir + "/leases", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path());
    std::string state;
    std::getline(in, state);
    if (state == "started" || state == "closed") leases_[std::stoull(name)] = state;
  }
  LogInfo(ctx_.logger, LogCategory::kProvider,
          "compute provider {} starting: {}; {} bids and {} leases on record in {}",
          address_.ToChecksumHex(), options_.attributes, bids_.size(), leases_.size(),
          options_.work_dir);
  ctx_.signals->Register(this);
  worker_.Start(kPollInterval, [this] { Step(ctx_.chainstate->Tip().height); });
  return Status::Ok();
}

void ComputeProviderRole::Stop() {
  // Once only: the destructor stops again, after the signals may be gone.
  if (ctx_.signals != nullptr) ctx_.signals->Unregister(this);
  ctx_.signals = nullptr;
  worker_.Stop();
}

void ComputeProviderRole::TipChanged(const chain::TipInfo&) { worker_.Wake(); }

void ComputeProviderRole::SetError(const Status& s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (last_error_ != s.ToString()) {
    LogWarn(ctx_.logger, LogCategory::kProvider, "compute provider: {}", s.ToString());
  }
  last_error_ = s.ToString();
}

void ComputeProviderRole::Step(uint64_t height) {
  auto p = client_->View(ComputeMarketAddress(),
                         CallData("getProvider(address)", abi::Encoder().Address(address_)));
  if (!p.ok()) return SetError(p.status());
  abi::Decoder d(*p);
  auto registered = d.Bool();
  auto uri = d.String(kMaxAttributesBytes);
  auto attributes = d.String(kMaxAttributesBytes);
  if (!registered.ok() || !uri.ok() || !attributes.ok()) {
    return SetError(Status::Error("provider-bad-view", "getProvider did not decode"));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (*registered && !registered_) {
      LogInfo(ctx_.logger, LogCategory::kProvider, "compute provider {} is registered",
              address_.ToChecksumHex());
    }
    registered_ = *registered;
    attributes_on_chain_ = *attributes;
  }
  if (Status s = Register(*registered, *attributes); !s.ok()) return SetError(s);
  if (!*registered) return;
  if (Status s = Bid(); !s.ok()) SetError(s);
  if (Status s = Leases(height); !s.ok()) SetError(s);
}

Status ComputeProviderRole::Register(bool registered, const std::string& on_chain) {
  std::optional<Hash256> pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending = register_tx_;
  }
  if (client_->Pending(pending)) return Status::Ok();
  if (!registered) {
    auto tx = client_->Send(
        ComputeMarketAddress(),
        CallData("registerProvider(string,string)",
                 abi::Encoder().String(options_.host_uri).String(options_.attributes)),
        options_.stake);
    if (!tx.ok()) return tx.status();
    LogInfo(ctx_.logger, LogCategory::kProvider,
            "registering {} as a compute provider ({}), stake {} wei: tx {}",
            address_.ToChecksumHex(), options_.attributes, options_.stake.ToDecimal(), tx->Hex());
    std::lock_guard<std::mutex> lock(mu_);
    register_tx_ = *tx;
    return Status::Ok();
  }
  if (on_chain == options_.attributes) return Status::Ok();
  auto tx = client_->Send(
      ComputeMarketAddress(),
      CallData("updateAttributes(string)", abi::Encoder().String(options_.attributes)), Uint256());
  if (!tx.ok()) return tx.status();
  LogInfo(ctx_.logger, LogCategory::kProvider, "updating attributes to {}: tx {}",
          options_.attributes, tx->Hex());
  std::lock_guard<std::mutex> lock(mu_);
  register_tx_ = *tx;
  return Status::Ok();
}

namespace {

Result<OrderView> LoadOrder(const chain::ModuleClient& client, uint64_t id) {
  auto out =
      client.View(ComputeMarketAddress(), CallData("getOrder(uint256)", abi::Encoder().Uint(id)));
  if (!out.ok()) return out.status();
  abi::Decoder d(*out);
  OrderView o;
  auto tenant = d.Address();
  auto spec = d.String(kMaxSpecBytes);
  auto max_price = d.Uint();
  auto duration = d.Uint();
  auto bidding_end = d.Uint();
  auto auditors = d.AddressArray(1024);
  auto deal = d.Uint();
  auto manifest = d.Bytes32();
  auto pubkey = d.Bytes(65);
  auto escrow = d.Uint();
  auto state = d.Uint64();
  if (!tenant.ok() || !spec.ok() || !max_price.ok() || !duration.ok() || !bidding_end.ok() ||
      !auditors.ok() || !deal.ok() || !manifest.ok() || !pubkey.ok() || !escrow.ok() ||
      !state.ok()) {
    return Status::Error("provider-bad-view", "getOrder did not decode");
  }
  o.tenant = *tenant;
  o.spec = *spec;
  o.max_price = *max_price;
  o.manifest_hash = *manifest;
  o.tenant_pubkey = *pubkey;
  o.state = *state;
  return o;
}

Result<LeaseView> LoadLease(const chain::ModuleClient& client, uint64_t id) {
  auto out =
      client.View(ComputeMarketAddress(), CallData("getLease(uint256)", abi::Encoder().Uint(id)));
  if (!out.ok()) return out.status();
  abi::Decoder d(*out);
  LeaseView l;
  auto tenant = d.Address();
  auto provider = d.Address();
  auto bid = d.Uint();
  auto model = d.String(kMaxAttributeValueBytes);
  auto count = d.Uint64();
  auto price = d.Uint();
  auto start = d.Uint();
  auto term_end = d.Uint64();
  auto state = d.Uint64();
  auto end = d.Uint();
  auto reason = d.Uint64();
  auto paid = d.Uint();
  auto withdrawn = d.Uint();
  auto box = d.Bytes(4096);
  if (!tenant.ok() || !provider.ok() || !bid.ok() || !model.ok() || !count.ok() || !price.ok() ||
      !start.ok() || !term_end.ok() || !state.ok() || !end.ok() || !reason.ok() || !paid.ok() ||
      !withdrawn.ok() || !box.ok()) {
    return Status::Error("provider-bad-view", "getLease did not decode");
  }
  l.tenant = *tenant;
  l.provider = *provider;
  l.gpu_model = *model;
  l.gpu_count = *count;
  l.price = *price;
  l.term_end = *term_end;
  l.state = *state;
  l.reason = *reason;
  l.access_box = *box;
  return l;
}

}  // namespace

Status ComputeProviderRole::Bid() {
  auto attrs = ParseAttributes(options_.attributes);
  if (!attrs.ok()) return attrs.status();
  const std::string model = AttributeValue(*attrs, "gpu.model").value_or("");
  const auto price_it = options_.bid_prices.find(model);
  if (price_it == options_.bid_prices.end()) return Status::Ok();  // no price: no bids
  uint64_t after = 0;
  for (;;) {
    auto out = client_->View(ComputeMarketAddress(),
                             CallData("listOrders(address,uint8,uint256,uint256)",
                                      abi::Encoder()
                                          .Address(Address())
                                          .Uint(static_cast<uint8_t>(OrderState::kOpen))
                                          .Uint(after)
                                          .Uint(kPage)));
    if (!out.ok()) return out.status();
    abi::Decoder d(*out);
    auto ids = d.Uint64Array(kPage);
    if (!ids.ok()) return Status::Error("provider-bad-view", "listOrders did not decode");
    for (uint64_t id : *ids) {
      after = id;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (bids_.count(id) != 0) continue;
      }
      auto order = LoadOrder(*client_, id);
      if (!order.ok()) continue;
      auto spec = ParseSpec(order->spec, /*need_gpu=*/true);
      if (!spec.ok()) continue;
      auto price = CheckedMul(price_it->second, Uint256(spec->count));
      if (!price || *price > order->max_price) continue;
      auto tx = client_->Send(ComputeMarketAddress(),
                              CallData("bid(uint256,uint256,string)",
                                       abi::Encoder().Uint(id).Uint(*price).String(model)),
                              params_.compute.bid_deposit);
      if (!tx.ok()) {
        // Not matching (spec, auditors, free GPUs) is the usual answer: no bid.
        LogDebug(ctx_.logger, LogCategory::kProvider, "order {}: no bid: {}", id,
                 tx.status().ToString());
        continue;
      }
      LogInfo(ctx_.logger, LogCategory::kProvider, "order {}: bid {} wei/block for {} x {}: tx {}",
              id, price->ToDecimal(), spec->count, model, tx->Hex());
      std::lock_guard<std::mutex> lock(mu_);
      bids_.insert(id);
    }
    if (ids->size() < kPage) break;
  }
  return Persist();
}

Status ComputeProviderRole::Leases(uint64_t height) {
  std::vector<uint64_t> active;
  uint64_t after = 0;
  for (;;) {
    auto out = client_->View(ComputeMarketAddress(),
                             CallData("listLeases(address,address,uint8,uint256,uint256)",
                                      abi::Encoder()
                                          .Address(Address())
                                          .Address(address_)
                                          .Uint(static_cast<uint8_t>(LeaseState::kActive))
                                          .Uint(after)
                                          .Uint(kPage)));
    if (!out.ok()) return out.status();
    abi::Decoder d(*out);
    auto ids = d.Uint64Array(kPage);
    if (!ids.ok()) return Status::Error("provider-bad-view", "listLeases did not decode");
    active.insert(active.end(), ids->begin(), ids->end());
    if (ids->size() < kPage) break;
    after = ids->back();
  }
  std::map<uint64_t, std::string> known;
  {
    std::lock_guard<std::mutex> lock(mu_);
    known = leases_;
  }
  const auto env_of = [this](uint64_t id, const LeaseView& l) {
    const std::string manifest = options_.work_dir + "/leases/" + std::to_string(id) + ".manifest";
    std::error_code ec;
    return std::map<std::string, std::string>{
        {"DEPIN_LEASE_ID", std::to_string(id)},
        {"DEPIN_TENANT", l.tenant.ToChecksumHex()},
        {"DEPIN_GPU_MODEL", l.gpu_model},
        {"DEPIN_GPU_COUNT", std::to_string(l.gpu_count)},
        {"DEPIN_PRICE_PER_BLOCK", l.price.ToDecimal()},
        {"DEPIN_TERM_END", std::to_string(l.term_end)},
        {"DEPIN_MANIFEST", fs::exists(manifest, ec) ? manifest : ""}};
  };
  // New leases: the start hook, then the access details.
  for (uint64_t id : active) {
    if (known.count(id) != 0) continue;
    auto lease = LoadLease(*client_, id);
    if (!lease.ok()) return lease.status();
    auto order = LoadOrder(*client_, id);
    if (!order.ok()) return order.status();
    const std::string manifest_path =
        options_.work_dir + "/leases/" + std::to_string(id) + ".manifest";
    std::error_code ec;
    if (!order->manifest_hash.IsZero() && !fs::exists(manifest_path, ec)) {
      continue;  // the workload starts once the tenant sent its manifest
    }
    LogInfo(ctx_.logger, LogCategory::kProvider, "lease {} started: {} x {} for {} at {} wei/block",
            id, lease->gpu_count, lease->gpu_model, lease->tenant.ToChecksumHex(),
            lease->price.ToDecimal());
    std::string details;
    if (!options_.lease_hook.empty()) {
      auto out = RunHook("start", env_of(id, *lease));
      if (!out.ok()) {
        LogWarn(ctx_.logger, LogCategory::kProvider, "lease {}: start hook failed: {}", id,
                out.status().ToString());
        std::lock_guard<std::mutex> lock(mu_);
        last_error_ = "lease " + std::to_string(id) + ": " + out.status().ToString();
        continue;  // again on the next block
      }
      details = *out;
    }
    if (!details.empty()) {
      auto pub = crypto::ParsePublicKey(order->tenant_pubkey);
      if (!pub.ok() && order->tenant_pubkey.size() == 64) {
        Bytes prefixed{0x04};
        prefixed.insert(prefixed.end(), order->tenant_pubkey.begin(), order->tenant_pubkey.end());
        pub = crypto::ParsePublicKey(prefixed);
      }
      if (!pub.ok()) return pub.status();
      const Bytes aad = abi::Encoder().Uint(id).Finish();
      auto box = crypto::SealAccessBox(*pub, AsSpan(details), aad);
      if (!box.ok()) return box.status();
      auto tx = client_->Send(
          ComputeMarketAddress(),
          CallData("postAccessDetails(uint256,bytes)", abi::Encoder().Uint(id).Bytes(*box)),
          Uint256());
      if (!tx.ok()) return tx.status();
      LogInfo(ctx_.logger, LogCategory::kProvider,
              "lease {}: access details ({} bytes) posted, sealed to the tenant: tx {}", id,
              details.size(), tx->Hex());
    }
    DEPIN_RETURN_IF_ERROR(WriteFileDurably(options_.work_dir + "/leases/" + std::to_string(id),
                                           AsSpan(std::string("started\n")), "provider-io-error"));
    std::lock_guard<std::mutex> lock(mu_);
    leases_[id] = "started";
  }
  // Leases that closed: the close hook.
  for (const auto& [id, state] : known) {
    if (state != "started" || std::count(active.begin(), active.end(), id) != 0) continue;
    auto lease = LoadLease(*client_, id);
    if (!lease.ok()) return lease.status();
    if (lease->state == static_cast<uint64_t>(LeaseState::kActive)) continue;
    LogInfo(ctx_.logger, LogCategory::kProvider, "lease {} closed (reason {})", id, lease->reason);
    if (!options_.lease_hook.empty()) {
      auto env = env_of(id, *lease);
      env["DEPIN_CLOSE_REASON"] = std::to_string(lease->reason);
      if (auto out = RunHook("close", env); !out.ok()) {
        LogWarn(ctx_.logger, LogCategory::kProvider, "lease {}: close hook failed: {}", id,
                out.status().ToString());
      }
    }
    DEPIN_RETURN_IF_ERROR(WriteFileDurably(options_.work_dir + "/leases/" + std::to_string(id),
                                           AsSpan(std::string("closed\n")), "provider-io-error"));
    std::lock_guard<std::mutex> lock(mu_);
    leases_[id] = "closed";
  }
  // Pay: every withdraw_every blocks, and for a lease that just closed.
  bool due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    due = height >= last_withdraw_ + options_.withdraw_every;
    if (due) last_withdraw_ = height;
  }
  if (!due) return Status::Ok();
  for (uint64_t id : active) {
    auto out = client_->View(ComputeMarketAddress(),
                             CallData("getEscrow(uint256)", abi::Encoder().Uint(id)));
    if (!out.ok()) continue;
    const Uint256 withdrawable = chain::OutputWord(*out, 2);
    if (withdrawable.IsZero()) continue;
    auto tx = client_->Send(ComputeMarketAddress(),
                            CallData("withdrawLease(uint256)", abi::Encoder().Uint(id)), Uint256());
    if (!tx.ok()) continue;
    LogInfo(ctx_.logger, LogCategory::kProvider, "lease {}: withdrawing {} wei: tx {}", id,
            withdrawable.ToDecimal(), tx->Hex());
    std::lock_guard<std::mutex> lock(mu_);
    withdrawn_ = SaturatingAdd(withdrawn_, withdrawable);
  }
  return Status::Ok();
}

Status ComputeProviderRole::Persist() {
  std::string text;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (uint64_t id : bids_) text += std::to_string(id) + "\n";
  }
  return WriteFileDurably(options_.work_dir + "/bids", AsSpan(text), "provider-io-error");
}

Result<std::string> ComputeProviderRole::RunHook(
    const std::string& event, const std::map<std::string, std::string>& env) const {
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    return Status::Error(StatusKind::kIo, "provider-hook-failed", "pipe failed");
  }
  std::vector<std::string> env_strings;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::strncmp(*e, "DEPIN_", 6) != 0) env_strings.emplace_back(*e);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  env_strings.push_back("DEPIN_EVENT=" + event);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string path = options_.lease_hook;
  std::string arg = event;
  char* argv[] = {path.data(), arg.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    return Status::Error(StatusKind::kIo, "provider-hook-failed",
                         "cannot run " + path + ": " + std::strerror(rc));
  }
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + options_.hook_timeout;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd pfd{out_pipe[0], POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(out_pipe[0], buf, sizeof(buf));
    if (n <= 0) break;
    if (out.size() < kMaxAccessDetails + 1) out.append(buf, static_cast<size_t>(n));
  }
  ::close(out_pipe[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return Status::Error(
        StatusKind::kTimeout, "provider-hook-failed",
        path + " " + event + " ran past " + std::to_string(options_.hook_timeout.count()) + " s");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Error("provider-hook-failed",
                         path + " " + event + " exited with status " +
                             std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  }
  if (out.size() > kMaxAccessDetails) {
    return Status::Error(StatusKind::kLimitExceeded, "provider-hook-failed",
                         path + " printed more than " + std::to_string(kMaxAccessDetails) +
                             " bytes of access details");
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

Status ComputeProviderRole::ReceiveManifest(uint64_t lease_id, const std::string& manifest,
                                            ByteSpan signature) {
  auto lease = LoadLease(*client_, lease_id);
  if (!lease.ok()) return lease.status();
  if (lease->provider != address_) {
    return Status::Error(StatusKind::kNotFound, "compute-not-my-lease",
                         "lease " + std::to_string(lease_id) + " is another provider's");
  }
  auto order = LoadOrder(*client_, lease_id);
  if (!order.ok()) return order.status();
  const Hash256 hash = crypto::Keccak256Hash(AsSpan(manifest));
  if (hash != order->manifest_hash) {
    return Status::Error("compute-manifest-mismatch", "keccak256 of the manifest is " + hash.Hex() +
                                                          ", the order's is " +
                                                          order->manifest_hash.Hex());
  }
  if (signature.size() != 65) {
    return Status::Error(StatusKind::kPermissionDenied, "compute-manifest-not-signed",
                         "X-Depin-Signature must be the tenant's 65-byte personal_sign of the "
                         "manifest hash");
  }
  crypto::RecoverableSignature sig;
  std::copy(signature.begin(), signature.begin() + 32, sig.r.bytes.begin());
  std::copy(signature.begin() + 32, signature.begin() + 64, sig.s.bytes.begin());
  sig.recid = static_cast<uint8_t>(signature[64] >= 27 ? signature[64] - 27 : signature[64]);
  auto signer = crypto::RecoverPublicKey(PersonalMessageDigest(hash), sig);
  if (!signer.ok() || Address::FromPublicKey(*signer) != lease->tenant) {
    return Status::Error(StatusKind::kPermissionDenied, "compute-manifest-not-signed",
                         "the signature is not the tenant's");
  }
  DEPIN_RETURN_IF_ERROR(
      WriteFileDurably(options_.work_dir + "/leases/" + std::to_string(lease_id) + ".manifest",
                       AsSpan(manifest), "provider-io-error"));
  LogInfo(ctx_.logger, LogCategory::kProvider, "lease {}: manifest of {} bytes received", lease_id,
          manifest.size());
  return Status::Ok();
}

ComputeProviderRole::StatusInfo ComputeProviderRole::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  StatusInfo info;
  info.address = address_;
  info.registered = registered_;
  info.attributes = attributes_on_chain_;
  info.bids.assign(bids_.begin(), bids_.end());
  info.leases = leases_;
  info.withdrawn = withdrawn_;
  info.last_error = last_error_;
  return info;
}

void ComputeProviderRole::ReportMetrics(MetricSink& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  out.Gauge("depin_compute_provider_registered",
            "1 once the compute provider is registered with the market.", registered_ ? 1 : 0);
  out.Gauge("depin_compute_provider_open_bids", "Orders the compute provider has bid on.",
            static_cast<double>(bids_.size()));
  std::map<std::string, size_t> by_state = {{"started", 0}, {"closed", 0}, {"hook-failed", 0}};
  for (const auto& [lease, state] : leases_) ++by_state[state];
  for (const auto& [state, count] : by_state) {
    out.Gauge("depin_compute_provider_leases",
              "The compute provider's leases by state (started, closed, hook-failed).",
              static_cast<double>(count), {"state", state});
  }
}

}  // namespace depin::market
