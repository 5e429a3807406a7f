// ABI calldata as module calls carry it, against the real native modules
// (storage market, compute market, the regtest test module) over an
// in-memory state. The input is a sequence of calls; each names a module, a
// function of its table (so most calls reach a handler rather than
// "module-unknown-function"), a sender, whether it carries value, and the
// ABI body. State persists across the calls of one input, so a call can
// find what earlier ones created; a failed call is reverted as the executor
// reverts it. Each call's calldata also goes through the module's
// ProofChecks and, for what that returns, VerifyProofs: the stateless proof
// checks every relayed tx gets. Finally the raw abi::Decoder reads the last
// body in an order the input picks.
#include <memory>
#include <vector>

#include "consensus/module.h"
#include "consensus/params.h"
#include "consensus/test_module.h"
#include "fuzz.h"
#include "market/compute_market.h"
#include "storage/market.h"
#include "test_util/map_reader.h"

using namespace depin;
using namespace depin::consensus;

namespace {

struct Modules {
  Modules() {
    const ChainParams params = RegtestParams();
    all.push_back(storage::MakeStorageMarket(params.storage));
    all.push_back(market::MakeComputeMarket(params.compute));
    all.push_back(MakeTestModule());
    for (const auto& m : all) registry.Register(m);
    block.height = 100;
    block.timestamp = 1'700'000'000;
    block.chain_id = params.chain_id;
    block.gas_limit = 30'000'000;
    block.randomness_max_lookback = params.randomness_max_lookback;
    block.deferred_gas_per_block = params.deferred_gas_per_block;
    block.deferred_horizon = params.deferred_horizon;
    for (uint64_t i = 0; i < 100; ++i) {
      Hash256 h;
      h.bytes.fill(static_cast<uint8_t>(i));
      block.ancestors.push_back(h);
    }
  }
  std::vector<std::shared_ptr<const Module>> all;
  ModuleRegistry registry;
  BlockContext block;
};

Address Sender(uint8_t i) {
  Address a;
  a.bytes.fill(0);
  a.bytes[0] = 0x5e;
  a.bytes[19] = static_cast<uint8_t>(1 + i % 4);
  return a;
}

void ReadInOrder(ByteSpan body, ByteSpan order) {
  abi::Decoder d(body);
  for (uint8_t op : order) {
    switch (op % 9) {
      case 0:
        (void)d.Uint();
        break;
      case 1:
        (void)d.Uint64();
        break;
      case 2:
        (void)d.Address();
        break;
      case 3:
        (void)d.Bool();
        break;
      case 4:
        (void)d.Bytes32();
        break;
      case 5:
        (void)d.Bytes(/*max_len=*/4096);
        break;
      case 6:
        (void)d.String(/*max_len=*/4096);
        break;
      case 7:
        (void)d.Uint64Array(/*max_count=*/256);
        break;
      default:
        (void)d.AddressArray(/*max_count=*/256);
        break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Modules* modules = new Modules();
  fuzz::FuzzInput in(data, size);
  test_util::MapReader base;
  for (uint8_t i = 0; i < 4; ++i) base.map_[AccountKey(Sender(i))] = EncodeAccount({0, Dpn(1000)});
  StateCache state(base);
  ByteSpan last_body;
  for (int calls = 0; calls < 16 && !in.empty(); ++calls) {
    const Module& module = *modules->all[in.Byte() % modules->all.size()];
    const auto& functions = module.functions().functions();
    const uint8_t pick = in.Byte();
    const uint8_t flags = in.Byte();
    const ByteSpan body = in.Piece();
    last_body = body;
    // 0xff picks no function: the selector is the body's first four bytes.
    Bytes calldata;
    if (pick != 0xff) {
      const auto selector = functions[pick % functions.size()].Selector();
      calldata.assign(selector.begin(), selector.end());
    }
    calldata.insert(calldata.end(), body.begin(), body.end());

    auto checks = module.ProofChecks(calldata);
    if (checks.ok() && !checks->empty()) {
      FUZZ_CHECK(checks->size() <= kMaxProofChecksPerTx);
      std::vector<const ProofCheck*> batch;
      for (const ProofCheck& c : *checks) batch.push_back(&c);
      ProofCheckOptions options;
      options.threads = 1;
      FUZZ_CHECK(module.VerifyProofs(batch, options).size() == batch.size());
    }

    const Address sender = Sender(flags);
    const Uint256 value = (flags & 0x10) ? Dpn(1) : Uint256();
    const auto checkpoint = state.MakeCheckpoint();
    if (!value.IsZero()) {
      // The executor moves the value to the module before the call.
      Account from = state.GetAccount(sender);
      if (from.balance < value) continue;
      from.balance = *CheckedSub(from.balance, value);
      state.PutAccount(sender, from);
      Account to = state.GetAccount(module.address());
      to.balance = SaturatingAdd(to.balance, value);
      state.PutAccount(module.address(), to);
    }
    const uint64_t gas = (flags & 0x20) ? 200'000 : 10'000'000;
    ModuleContext ctx(state, modules->block, module.address(), sender, value, gas,
                      /*read_only=*/(flags & 0x40) != 0, &modules->registry);
    auto result = CallModule(module, ctx, calldata);
    FUZZ_CHECK(ctx.gas_used() <= gas);
    if (!result.ok()) state.RevertTo(checkpoint);
    FUZZ_CHECK(state.status().ok());
  }
  ReadInOrder(last_body, in.Rest());
  return 0;
}
