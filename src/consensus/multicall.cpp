#include "consensus/multicall.h"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "consensus/abi.h"
#include "consensus/gas.h"

namespace depin::consensus {
namespace {

// How far back getBlockHash answers: the EVM's BLOCKHASH window.
constexpr uint64_t kBlockHashWindow = 256;
// An inner call's data is a slice of this call's own, already paid for.
constexpr size_t kMaxInnerCalldata = std::numeric_limits<size_t>::max();

// One entry of Call[], Call3[] or Call3Value[].
struct CallSpec {
  Address target;
  bool allow_failure = false;
  Uint256 value;
  Bytes calldata;
};

enum class Shape {
  kCall,        // (address target, bytes callData)
  kCall3,       // (address target, bool allowFailure, bytes callData)
  kCall3Value,  // (address target, bool allowFailure, uint256 value, bytes callData)
};

Result<std::vector<CallSpec>> DecodeCalls(abi::Decoder& args, Shape shape) {
  auto elements = args.DynamicTupleArray(kMaxMulticallCalls);
  if (!elements.ok()) return elements.status();
  std::vector<CallSpec> calls;
  calls.reserve(elements->size());
  for (abi::Decoder& e : *elements) {
    CallSpec c;
    auto target = e.Address();
    if (!target.ok()) return target.status();
    c.target = *target;
    if (shape != Shape::kCall) {
      auto allow = e.Bool();
      if (!allow.ok()) return allow.status();
      c.allow_failure = *allow;
    }
    if (shape == Shape::kCall3Value) {
      auto value = e.Uint();
      if (!value.ok()) return value.status();
      c.value = *value;
    }
    auto data = e.Bytes(kMaxInnerCalldata);
    if (!data.ok()) return data.status();
    c.calldata = std::move(data).value();
    calls.push_back(std::move(c));
  }
  return calls;
}

// Multicall3's Result: (bool success, bytes returnData).
struct CallResult {
  bool success = false;
  Bytes return_data;
};

// Which failed inner calls revert the whole call.
enum class Failures {
  kRevert,    // any (aggregate, requireSuccess = true)
  kAllow,     // none (requireSuccess = false)
  kPerEntry,  // those whose entry does not allow failure (aggregate3)
};

Failures RequireSuccess(bool require_success) {
  return require_success ? Failures::kRevert : Failures::kAllow;
}

// Runs `calls` in order.
Result<std::vector<CallResult>> RunCalls(ModuleContext& ctx, const std::vector<CallSpec>& calls,
                                         Failures failures) {
  std::vector<CallResult> results;
  results.reserve(calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    const CallSpec& c = calls[i];
    DEPIN_RETURN_IF_ERROR(ctx.ChargeGas(kMulticallInnerCallGas));
    auto inner = ctx.CallModuleAt(c.target, c.value, c.calldata);
    if (!inner.ok()) return inner.status();
    const bool allowed =
        failures == Failures::kAllow || (failures == Failures::kPerEntry && c.allow_failure);
    if (!inner->success && !allowed) {
      return Status::Error("multicall-call-failed",
                           "Multicall3: call failed (call " + std::to_string(i) + " to " +
                               c.target.ToChecksumHex() + ": " + inner->revert.ToString() + ")");
    }
    results.push_back(CallResult{inner->success, std::move(inner->return_data)});
  }
  return results;
}

// Appends Result[] to `enc`.
abi::Encoder& AddResults(abi::Encoder& enc, const std::vector<CallResult>& results) {
  std::vector<abi::Encoder> tuples;
  tuples.reserve(results.size());
  for (const CallResult& r : results) {
    tuples.push_back(abi::Encoder().Bool(r.success).Bytes(r.return_data));
  }
  return enc.TupleArray(tuples);
}

Bytes EncodeResults(const std::vector<CallResult>& results) {
  abi::Encoder enc;
  return AddResults(enc, results).Finish();
}

// blockhash(n) as the EVM answers it: the hash of one of the 256 blocks
// before the current one, zero for any other height.
Hash256 BlockHashAt(const BlockContext& block, const Uint256& n) {
  if (!n.FitsUint64() || n.Low64() >= block.height) return Hash256();
  const uint64_t back = block.height - n.Low64();
  if (back > kBlockHashWindow || back > block.ancestors.size()) return Hash256();
  return block.ancestors[back - 1];
}

Result<Bytes> Aggregate(ModuleContext& ctx, abi::Decoder& args) {
  auto calls = DecodeCalls(args, Shape::kCall);
  if (!calls.ok()) return calls.status();
  auto results = RunCalls(ctx, *calls, Failures::kRevert);
  if (!results.ok()) return results.status();
  std::vector<Bytes> data;
  data.reserve(results->size());
  for (CallResult& r : *results) data.push_back(std::move(r.return_data));
  return abi::Encoder().Uint(Uint256(ctx.block().height)).BytesArray(data).Finish();
}

Result<Bytes> TryAggregate(ModuleContext& ctx, abi::Decoder& args) {
  auto require_success = args.Bool();
  if (!require_success.ok()) return require_success.status();
  auto calls = DecodeCalls(args, Shape::kCall);
  if (!calls.ok()) return calls.status();
  auto results = RunCalls(ctx, *calls, RequireSuccess(*require_success));
  if (!results.ok()) return results.status();
  return EncodeResults(*results);
}

Result<Bytes> BlockAndAggregateWith(ModuleContext& ctx, abi::Decoder& args, bool require_success) {
  auto calls = DecodeCalls(args, Shape::kCall);
  if (!calls.ok()) return calls.status();
  auto results = RunCalls(ctx, *calls, RequireSuccess(require_success));
  if (!results.ok()) return results.status();
  const Uint256 height(ctx.block().height);
  abi::Encoder enc;
  enc.Uint(height).Bytes32(BlockHashAt(ctx.block(), height));
  return AddResults(enc, *results).Finish();
}

Result<Bytes> TryBlockAndAggregate(ModuleContext& ctx, abi::Decoder& args) {
  auto require_success = args.Bool();
  if (!require_success.ok()) return require_success.status();
  return BlockAndAggregateWith(ctx, args, *require_success);
}

Result<Bytes> BlockAndAggregate(ModuleContext& ctx, abi::Decoder& args) {
  return BlockAndAggregateWith(ctx, args, /*require_success=*/true);
}

Result<Bytes> Aggregate3(ModuleContext& ctx, abi::Decoder& args) {
  auto calls = DecodeCalls(args, Shape::kCall3);
  if (!calls.ok()) return calls.status();
  auto results = RunCalls(ctx, *calls, Failures::kPerEntry);
  if (!results.ok()) return results.status();
  return EncodeResults(*results);
}

Result<Bytes> Aggregate3Value(ModuleContext& ctx, abi::Decoder& args) {
  auto calls = DecodeCalls(args, Shape::kCall3Value);
  if (!calls.ok()) return calls.status();
  Uint256 total;
  for (const CallSpec& c : *calls) {
    auto sum = CheckedAdd(total, c.value);
    if (!sum) return Status::Error("multicall-value-mismatch", "Multicall3: value mismatch");
    total = *sum;
  }
  if (total != ctx.value()) {
    return Status::Error("multicall-value-mismatch",
                         "Multicall3: value mismatch (sent " + ctx.value().ToDecimal() +
                             " wei, the calls carry " + total.ToDecimal() + ")");
  }
  auto results = RunCalls(ctx, *calls, Failures::kPerEntry);
  if (!results.ok()) return results.status();
  // A failed entry's value came back to the module: it goes on to the
  // caller, so the module never keeps coins nobody owns.
  Uint256 refund;
  for (size_t i = 0; i < results->size(); ++i) {
    if (!(*results)[i].success) refund = *CheckedAdd(refund, (*calls)[i].value);
  }
  DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(ctx.sender(), refund));
  return EncodeResults(*results);
}

Result<Bytes> GetBlockHash(ModuleContext& ctx, abi::Decoder& args) {
  auto n = args.Uint();
  if (!n.ok()) return n.status();
  return abi::Encoder().Bytes32(BlockHashAt(ctx.block(), *n)).Finish();
}

Result<Bytes> GetBlockNumber(ModuleContext& ctx, abi::Decoder&) {
  return abi::Encoder().Uint(Uint256(ctx.block().height)).Finish();
}

Result<Bytes> GetCurrentBlockCoinbase(ModuleContext& ctx, abi::Decoder&) {
  return abi::Encoder().Address(ctx.block().miner).Finish();
}

Result<Bytes> GetCurrentBlockDifficulty(ModuleContext& ctx, abi::Decoder&) {
  // The block's work, as eth_getBlockByNumber's `difficulty`.
  auto target = CompactToTarget(ctx.block().bits);
  const Uint256 difficulty = target.ok() ? WorkFromTarget(*target) : Uint256();
  return abi::Encoder().Uint(difficulty).Finish();
}

Result<Bytes> GetCurrentBlockGasLimit(ModuleContext& ctx, abi::Decoder&) {
  return abi::Encoder().Uint(Uint256(ctx.block().gas_limit)).Finish();
}

Result<Bytes> GetCurrentBlockTimestamp(ModuleContext& ctx, abi::Decoder&) {
  return abi::Encoder().Uint(Uint256(ctx.block().timestamp)).Finish();
}

Result<Bytes> GetEthBalance(ModuleContext& ctx, abi::Decoder& args) {
  auto address = args.Address();
  if (!address.ok()) return address.status();
  DEPIN_RETURN_IF_ERROR(ctx.ChargeGas(kModuleReadGas));
  return abi::Encoder().Uint(ctx.GetAccount(*address).balance).Finish();
}

Result<Bytes> GetLastBlockHash(ModuleContext& ctx, abi::Decoder&) {
  const Hash256 parent = ctx.block().height == 0 ? Hash256() : ctx.block().parent_hash;
  return abi::Encoder().Bytes32(parent).Finish();
}

Result<Bytes> GetBasefee(ModuleContext& ctx, abi::Decoder&) {
  return abi::Encoder().Uint(ctx.block().base_fee).Finish();
}

Result<Bytes> GetChainId(ModuleContext& ctx, abi::Decoder&) {
  return abi::Encoder().Uint(Uint256(ctx.block().chain_id)).Finish();
}

AbiParam CallArray() {
  return AbiParam{"calls", "tuple[]", false, {{"target", "address"}, {"callData", "bytes"}}};
}

AbiParam ResultArray() {
  return AbiParam{"returnData", "tuple[]", false, {{"success", "bool"}, {"returnData", "bytes"}}};
}

ModuleFunction Getter(std::string name, AbiParam output, std::string help,
                      FunctionHandler handler) {
  return ModuleFunction{.name = std::move(name),
                        .inputs = {},
                        .outputs = {std::move(output)},
                        .mutability = Mutability::kView,
                        .gas = kMulticallGetterGas,
                        .help = std::move(help),
                        .handler = std::move(handler)};
}

FunctionTable MakeTable() {
  return FunctionTable(
      {
          ModuleFunction{.name = "aggregate",
                         .inputs = {CallArray()},
                         .outputs = {{"blockNumber", "uint256"}, {"returnData", "bytes[]"}},
                         .mutability = Mutability::kNonPayable,
                         .gas = kMulticallAggregateGas,
                         .help = "Runs the calls in order; any failure reverts the whole call "
                                 "(`multicall-call-failed`). Returns the block number and each "
                                 "call's return data.",
                         .handler = Aggregate},
          ModuleFunction{
              .name = "aggregate3",
              .inputs = {AbiParam{
                  "calls",
                  "tuple[]",
                  false,
                  {{"target", "address"}, {"allowFailure", "bool"}, {"callData", "bytes"}}}},
              .outputs = {ResultArray()},
              .mutability = Mutability::kNonPayable,
              .gas = kMulticallAggregateGas,
              .help = "Runs the calls in order; a failure reverts the whole call "
                      "unless its entry allows failure. Returns (success, returnData) "
                      "per call (viem's `multicall`).",
              .handler = Aggregate3},
          ModuleFunction{.name = "aggregate3Value",
                         .inputs = {AbiParam{"calls",
                                             "tuple[]",
                                             false,
                                             {{"target", "address"},
                                              {"allowFailure", "bool"},
                                              {"value", "uint256"},
                                              {"callData", "bytes"}}}},
                         .outputs = {ResultArray()},
                         .mutability = Mutability::kPayable,
                         .gas = kMulticallAggregateGas,
                         .help = "aggregate3 with a value per call; the value sent must equal "
                                 "their sum (`multicall-value-mismatch`), and a failed entry's "
                                 "value goes back to the caller.",
                         .handler = Aggregate3Value},
          ModuleFunction{
              .name = "blockAndAggregate",
              .inputs = {CallArray()},
              .outputs = {{"blockNumber", "uint256"}, {"blockHash", "bytes32"}, ResultArray()},
              .mutability = Mutability::kNonPayable,
              .gas = kMulticallAggregateGas,
              .help = "tryBlockAndAggregate(true, calls).",
              .handler = BlockAndAggregate},
          Getter("getBasefee", {"basefee", "uint256"}, "The block's base fee.", GetBasefee),
          ModuleFunction{.name = "getBlockHash",
                         .inputs = {{"blockNumber", "uint256"}},
                         .outputs = {{"blockHash", "bytes32"}},
                         .mutability = Mutability::kView,
                         .gas = kMulticallGetterGas,
                         .help = "The hash of one of the 256 blocks before this one; zero for "
                                 "any other height (the EVM's BLOCKHASH).",
                         .handler = GetBlockHash},
          Getter("getBlockNumber", {"blockNumber", "uint256"}, "The block's height.",
                 GetBlockNumber),
          Getter("getChainId", {"chainid", "uint256"}, "The chain id.", GetChainId),
          Getter("getCurrentBlockCoinbase", {"coinbase", "address"},
                 "The block's miner (zero in `eth_call`).", GetCurrentBlockCoinbase),
          Getter("getCurrentBlockDifficulty", {"difficulty", "uint256"},
                 "The block's work, as `eth_getBlockByNumber`'s `difficulty`.",
                 GetCurrentBlockDifficulty),
          Getter("getCurrentBlockGasLimit", {"gaslimit", "uint256"}, "The block's gas limit.",
                 GetCurrentBlockGasLimit),
          Getter("getCurrentBlockTimestamp", {"timestamp", "uint256"}, "The block's timestamp.",
                 GetCurrentBlockTimestamp),
          ModuleFunction{.name = "getEthBalance",
                         .inputs = {{"addr", "address"}},
                         .outputs = {{"balance", "uint256"}},
                         .mutability = Mutability::kView,
                         .gas = kMulticallBalanceGas,
                         .help = "An account's balance in wei (plus an account read's gas).",
                         .handler = GetEthBalance},
          Getter("getLastBlockHash", {"blockHash", "bytes32"}, "The parent block's hash.",
                 GetLastBlockHash),
          ModuleFunction{.name = "tryAggregate",
                         .inputs = {{"requireSuccess", "bool"}, CallArray()},
                         .outputs = {ResultArray()},
                         .mutability = Mutability::kNonPayable,
                         .gas = kMulticallAggregateGas,
                         .help = "Runs the calls in order; with `requireSuccess` a failure "
                                 "reverts the whole call. Returns (success, returnData) per call.",
                         .handler = TryAggregate},
          ModuleFunction{
              .name = "tryBlockAndAggregate",
              .inputs = {{"requireSuccess", "bool"}, CallArray()},
              .outputs = {{"blockNumber", "uint256"}, {"blockHash", "bytes32"}, ResultArray()},
              .mutability = Mutability::kNonPayable,
              .gas = kMulticallAggregateGas,
              .help = "tryAggregate, with the block number and blockhash(block.number) "
                      "(zero, as on Ethereum) before the results.",
              .handler = TryBlockAndAggregate},
      },
      {});
}

class Multicall final : public Module {
 public:
  Address address() const override { return MulticallAddress(); }
  std::string_view name() const override { return "multicall3"; }
  const FunctionTable& functions() const override { return table_; }

 private:
  FunctionTable table_ = MakeTable();
};

}  // namespace

Address MulticallAddress() {
  static const Address kAddress = *Address::Parse("0xcA11bde05977b3631167028862bE2a173976CA11");
  return kAddress;
}

std::shared_ptr<const Module> MakeMulticall() { return std::make_shared<Multicall>(); }

}  // namespace depin::consensus
