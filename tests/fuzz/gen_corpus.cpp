// depin-fuzz-seeds: writes the seed corpora of tests/fuzz/ from real
// encodings made by the node's own encoders (signed txs, mined-shape blocks,
// every P2P message, RPC requests, ABI calls to every module function, PoRep
// and PoSt proofs of a sealed 2 KiB sector, keystore files). Run it once
// when a format changes and commit what it writes:
//   build/bin/depin-fuzz-seeds tests/fuzz/corpus
// Each seed is named seed-<what>; regression inputs found by fuzzing live
// beside them as crash-<hash> (see tests/fuzz/README.md). Output is
// deterministic except where a format carries randomness (keystore salt,
// IV and UUID).
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "consensus/abi.h"
#include "consensus/module.h"
#include "consensus/params.h"
#include "consensus/test_module.h"
#include "crypto/keystore.h"
#include "market/compute_market.h"
#include "net/protocol.h"
#include "primitives/block.h"
#include "primitives/receipt.h"
#include "primitives/rlp.h"
#include "primitives/transaction.h"
#include "storage/market.h"
#include "storage/proofs/porep.h"
#include "storage/proofs/post.h"
#include "storage/proofs/seal.h"
#include "test_util/keys.h"

using namespace depin;

namespace {

std::filesystem::path root;

void Write(const std::string& target, const std::string& name, ByteSpan bytes) {
  const auto dir = root / target;
  std::filesystem::create_directories(dir);
  std::ofstream out(dir / ("seed-" + name), std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}
void WriteText(const std::string& target, const std::string& name, std::string_view text) {
  Write(target, name, AsSpan(text));
}

Hash256 Fill(uint8_t b) {
  Hash256 h;
  h.bytes.fill(b);
  return h;
}

Transaction MakeTx(TxType type, uint64_t nonce, Bytes data = {}, bool create = false) {
  const consensus::ChainParams params = consensus::RegtestParams();
  Transaction tx;
  tx.type = type;
  tx.chain_id = params.chain_id;
  tx.nonce = nonce;
  tx.max_priority_fee_per_gas = Uint256(1'000'000'000);
  tx.max_fee_per_gas =
      type == TxType::kDynamicFee ? Uint256(20'000'000'000) : Uint256(1'000'000'000);
  tx.gas_limit = data.empty() ? 21000 : 200000;
  if (!create) tx.to = test_util::TestAddress(0x7f, 50);
  tx.value = Uint256(1000 + nonce);
  tx.data = std::move(data);
  if (type != TxType::kLegacy && nonce % 2 == 1) {
    tx.access_list.push_back({test_util::TestAddress(0x7f, 51), {Fill(1), Fill(2)}});
  }
  tx.Sign(test_util::TestKey(0x7f, 1));
  return tx;
}

std::vector<Transaction> SampleTxs() {
  return {MakeTx(TxType::kLegacy, 0), MakeTx(TxType::kAccessList, 1),
          MakeTx(TxType::kDynamicFee, 2), MakeTx(TxType::kDynamicFee, 3, Bytes(70, 0xab)),
          MakeTx(TxType::kDynamicFee, 4, Bytes{1, 2, 3}, /*create=*/true)};
}

Block SampleBlock(size_t tx_count) {
  const consensus::ChainParams params = consensus::RegtestParams();
  Block block;
  block.header = params.GenesisHeader();
  block.header.height = 1;
  block.header.parent_hash = params.GenesisHash();
  block.header.timestamp += 30;
  const auto txs = SampleTxs();
  for (size_t i = 0; i < tx_count && i < txs.size(); ++i) {
    block.txs.push_back(MakeVerifiedTx(txs[i]).value());
  }
  return block;
}

void RlpSeeds() {
  Write("rlp", "empty-string", rlp::EncodeBytes({}));
  Write("rlp", "byte", rlp::EncodeBytes(Bytes{0x7f}));
  Write("rlp", "short-string", rlp::EncodeBytes(Bytes(20, 0x11)));
  Write("rlp", "long-string", rlp::EncodeBytes(Bytes(300, 0x22)));
  Write("rlp", "uint64", rlp::Encoder().AddUint(uint64_t{0x0123456789abcdef}).Finish());
  Write("rlp", "uint256", rlp::Encoder().AddUint(Uint256::Max()).Finish());
  Write("rlp", "nested",
        rlp::Encoder()
            .BeginList()
            .AddUint(uint64_t{1})
            .BeginList()
            .AddString("abc")
            .BeginList()
            .EndList()
            .EndList()
            .AddBytes(Bytes(60, 0x33))
            .EndList()
            .Finish());
  rlp::Encoder long_list;
  long_list.BeginList();
  for (int i = 0; i < 40; ++i) long_list.AddUint(uint64_t(i * 1000));
  Write("rlp", "long-list", long_list.EndList().Finish());
  Write("rlp", "legacy-tx", MakeTx(TxType::kLegacy, 0).Encode());
  Receipt receipt;
  receipt.status = true;
  receipt.cumulative_gas_used = 42000;
  Log log;
  log.address = test_util::TestAddress(0x7f, 9);
  log.topics = {Fill(7), Fill(8)};
  log.data = Bytes(40, 0x44);
  receipt.logs.push_back(log);
  Write("rlp", "receipt", receipt.Encode());
}

void TxSeeds() {
  int i = 0;
  for (const Transaction& tx : SampleTxs()) Write("transaction", std::to_string(i++), tx.Encode());
}

void BlockSeeds() {
  Write("block", "header-only", SampleBlock(0).Serialize());
  Write("block", "one-tx", SampleBlock(1).Serialize());
  Write("block", "five-txs", SampleBlock(5).Serialize());
}

void P2pSeeds() {
  using namespace net;
  const Magic magic = consensus::RegtestParams().magic;
  auto frame = [&](std::string_view cmd, const Bytes& payload) {
    return EncodeMessage(magic, cmd, payload);
  };
  VersionMessage version;
  version.timestamp = 1'700'000'000;
  version.chain_id = consensus::RegtestParams().chain_id;
  version.genesis_hash = consensus::RegtestParams().GenesisHash();
  version.best_height = 12;
  version.nonce = 0x1122334455667788;
  version.listen_port = 18444;
  version.addr_recv.ip = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
  version.addr_recv.port = 18444;
  version.user_agent = "/depin:0.1.0/";
  const Bytes handshake = [&] {
    Bytes out = frame(kMsgVersion, EncodeVersion(version));
    Bytes verack = frame(kMsgVerack, {});
    out.insert(out.end(), verack.begin(), verack.end());
    return out;
  }();
  Write("p2p_message", "version-verack", handshake);
  Write("p2p_message", "ping", frame(kMsgPing, EncodeNonce(7)));
  Write("p2p_message", "pong", frame(kMsgPong, EncodeNonce(7)));
  GetHeadersMessage gh;
  gh.locator = {Fill(1), Fill(2), consensus::RegtestParams().GenesisHash()};
  Write("p2p_message", "getheaders", frame(kMsgGetHeaders, EncodeGetHeaders(gh)));
  Block b = SampleBlock(2);
  Write("p2p_message", "headers", frame(kMsgHeaders, EncodeHeaders({b.header, b.header})));
  const std::vector<InvItem> inv = {{InvType::kTx, Fill(3)}, {InvType::kBlock, Fill(4)}};
  Write("p2p_message", "inv", frame(kMsgInv, EncodeInv(inv)));
  Write("p2p_message", "getdata", frame(kMsgGetData, EncodeInv(inv)));
  Write("p2p_message", "notfound", frame(kMsgNotFound, EncodeInv(inv)));
  Write("p2p_message", "block", frame(kMsgBlock, b.Serialize()));
  Write("p2p_message", "tx", frame(kMsgTx, MakeTx(TxType::kDynamicFee, 3).Encode()));
  Write("p2p_message", "getaddr", frame(kMsgGetAddr, {}));
  AddrEntry addr;
  addr.time = 1'700'000'000;
  addr.services = kServiceNetwork;
  addr.address = version.addr_recv;
  Write("p2p_message", "addr", frame(kMsgAddr, EncodeAddr({addr, addr})));
}

void RpcSeeds() {
  const std::string latest = R"("latest")";
  const std::string addr = "\"" + test_util::TestAddress(0x7f, 1).Hex() + "\"";
  const std::string to = "\"" + test_util::TestAddress(0x7f, 50).Hex() + "\"";
  const std::string storage = "\"" + storage::StorageMarketAddress().Hex() + "\"";
  const std::string raw = "\"" + HexEncode(MakeTx(TxType::kDynamicFee, 9).Encode()) + "\"";
  const std::vector<std::pair<std::string, std::string>> calls = {
      {"help", "[]"},
      {"getblockchaininfo", "[]"},
      {"getblockcount", "[]"},
      {"getbestblockhash", "[]"},
      {"getblockhash", "[1]"},
      {"getblock", R"(["0x0000000000000000000000000000000000000000000000000000000000000000", 2])"},
      {"getblockheader", R"(["0x00", true])"},
      {"getchaintips", "[]"},
      {"getmempoolinfo", "[]"},
      {"getrawmempool", "[true]"},
      {"getmininginfo", "[]"},
      {"getnetworkinfo", "[]"},
      {"getindexinfo", "[]"},
      {"uptime", "[]"},
      {"eth_chainId", "[]"},
      {"eth_blockNumber", "[]"},
      {"eth_gasPrice", "[]"},
      {"eth_maxPriorityFeePerGas", "[]"},
      {"eth_getBalance", "[" + addr + "," + latest + "]"},
      {"eth_getTransactionCount", "[" + addr + ",\"pending\"]"},
      {"eth_getBlockByNumber", R"(["0x2", true])"},
      {"eth_getBlockByHash",
       R"(["0x0000000000000000000000000000000000000000000000000000000000000001", false])"},
      {"eth_getBlockTransactionCountByNumber", R"(["0x1"])"},
      {"eth_getTransactionByBlockNumberAndIndex", R"(["0x1", "0x0"])"},
      {"eth_getTransactionByHash",
       R"(["0x0000000000000000000000000000000000000000000000000000000000000002"])"},
      {"eth_getTransactionReceipt",
       R"(["0x0000000000000000000000000000000000000000000000000000000000000002"])"},
      {"eth_getBlockReceipts", R"(["0x1"])"},
      {"eth_feeHistory", R"(["0x4", "latest", [10, 50, 90]])"},
      {"eth_getLogs", R"([{"fromBlock":"0x0","toBlock":"latest"}])"},
      {"eth_newFilter", R"([{"fromBlock":"0x0","address":)" + storage + "}]"},
      {"eth_newBlockFilter", "[]"},
      {"eth_getFilterChanges", R"(["0x1"])"},
      {"eth_uninstallFilter", R"(["0x1"])"},
      {"eth_call",
       "[{\"from\":" + addr + ",\"to\":" + storage + ",\"data\":\"0x12345678\"}," + latest + "]"},
      {"eth_estimateGas", "[{\"from\":" + addr + ",\"to\":" + to + ",\"value\":\"0x1\"}]"},
      {"eth_sendRawTransaction", "[" + raw + "]"},
      {"eth_getCode", "[" + storage + "," + latest + "]"},
      {"eth_getStorageAt", "[" + storage + ",\"0x0\"," + latest + "]"},
      {"eth_syncing", "[]"},
      {"net_version", "[]"},
      {"web3_clientVersion", "[]"},
      {"web3_sha3", R"(["0x68656c6c6f"])"},
  };
  for (const auto& [method, params] : calls) {
    WriteText("rpc", method,
              R"({"jsonrpc":"2.0","id":1,"method":")" + method + R"(","params":)" + params + "}");
  }
  WriteText("rpc", "batch",
            R"([{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"},)"
            R"({"jsonrpc":"2.0","method":"eth_chainId"},)"
            R"({"jsonrpc":"2.0","id":"x","method":"getblockcount","params":{}}])");
  WriteText("rpc", "notification", R"({"jsonrpc":"2.0","method":"eth_chainId","params":[]})");
  WriteText("rpc", "named-params",
            R"({"jsonrpc":"2.0","id":null,"method":"getblockhash","params":{"height":2}})");
}

// An argument of each declared type, so each function's body decodes.
void EncodeArg(abi::Encoder& e, const std::string& type, uint64_t i) {
  if (type == "uint256" || type == "uint64" || type == "uint32" || type == "uint8") {
    e.Uint(Uint256(1 + i));
  } else if (type == "address") {
    e.Address(test_util::TestAddress(0x7f, static_cast<uint8_t>(1 + i % 4)));
  } else if (type == "bool") {
    e.Bool(true);
  } else if (type == "bytes32") {
    e.Bytes32(Fill(static_cast<uint8_t>(0x40 + i)));
  } else if (type == "bytes") {
    e.Bytes(Bytes(33, static_cast<uint8_t>(i)));
  } else if (type == "string") {
    e.String("seed");
  } else if (type == "uint256[]" || type == "uint64[]") {
    e.UintArray({Uint256(1), Uint256(2)});
  } else if (type == "address[]") {
    e.AddressArray({test_util::TestAddress(0x7f, 2)});
  } else {
    e.Uint(Uint256(0));
  }
}

void AbiSeeds() {
  const consensus::ChainParams params = consensus::RegtestParams();
  // The order of abi_calldata.cpp's module list.
  const std::vector<std::shared_ptr<const consensus::Module>> modules = {
      storage::MakeStorageMarket(params.storage), market::MakeComputeMarket(params.compute),
      consensus::MakeTestModule()};
  for (size_t m = 0; m < modules.size(); ++m) {
    const auto& functions = modules[m]->functions().functions();
    for (size_t f = 0; f < functions.size(); ++f) {
      abi::Encoder e;
      for (size_t i = 0; i < functions[f].inputs.size(); ++i) {
        EncodeArg(e, functions[f].inputs[i].type, i);
      }
      const Bytes body = e.Finish();
      const bool payable = functions[f].mutability == consensus::Mutability::kPayable;
      Bytes seed = {static_cast<uint8_t>(m), static_cast<uint8_t>(f),
                    static_cast<uint8_t>(payable ? 0x10 : 0x00), static_cast<uint8_t>(body.size()),
                    static_cast<uint8_t>(body.size() >> 8)};
      seed.insert(seed.end(), body.begin(), body.end());
      Write("abi_calldata", std::string(modules[m]->name()) + "-" + functions[f].name, seed);
    }
  }
}

Bytes ProofSeed(uint8_t kind, const Bytes& inputs, const Bytes& proof) {
  Bytes out = {kind, static_cast<uint8_t>(inputs.size()), static_cast<uint8_t>(inputs.size() >> 8)};
  out.insert(out.end(), inputs.begin(), inputs.end());
  out.insert(out.end(), proof.begin(), proof.end());
  return out;
}

bool ProofSeeds() {
  using namespace storage::proofs;
  std::string tmpl = (std::filesystem::temp_directory_path() / "depin-fuzz-seeds-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return false;
  const std::filesystem::path dir = tmpl;
  auto store = SectorStore::Open((dir / "sector").string());
  if (!store.ok()) return false;
  Bytes data(2048);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 131 + i / 251);
  SealInputs in;
  in.size = SectorSize::Size2KiB();
  in.provider.bytes.fill(0xaa);
  in.sector_number = 7;
  in.ticket = Fill(0x11);
  in.data = data;
  auto sealed = SealSector(in, *store);
  if (!sealed.ok()) return false;
  const Hash256 seed = Fill(0x5e);
  auto porep = GeneratePoRep(*store, seed, /*partition=*/0);
  if (!porep.ok()) return false;
  const PoRepPublicInputs porep_inputs{SectorSize::Size2KiB(), sealed->replica_id, seed,
                                       sealed->comm_d,         sealed->comm_r,     0};
  Write("proofs", "porep",
        ProofSeed(0, EncodePoRepPublicInputs(porep_inputs), EncodePoRepProof(*porep)));
  const SectorStore* stores[] = {&*store};
  PoStGeneration post = GeneratePoSt(Fill(0xd0), stores);
  if (!post.faults.empty()) return false;
  PoStPublicInputs post_inputs;
  post_inputs.randomness = Fill(0xd0);
  post_inputs.sectors.push_back({7, SectorSize::Size2KiB(), sealed->comm_r});
  Write("proofs", "post",
        ProofSeed(1, EncodePoStPublicInputs(post_inputs), EncodePoStProof(post.proof)));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return true;
}

void KeystoreSeeds() {
  crypto::ScryptParams cheap;
  cheap.n = 1024;
  cheap.r = 1;
  cheap.p = 1;
  auto ks = crypto::EncryptKeystore(test_util::TestKey(0x7f, 1), "fuzz", cheap);
  if (ks.ok()) WriteText("keystore", "scrypt", crypto::KeystoreToJson(*ks));
  // The PBKDF2 vector of the Web3 Secret Storage definition (password
  // "testpassword"), with the iteration count cut so a fuzzer decrypts it.
  WriteText("keystore", "pbkdf2",
            R"({"crypto":{"cipher":"aes-128-ctr","cipherparams":)"
            R"({"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},"ciphertext":)"
            R"("5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",)"
            R"("kdf":"pbkdf2","kdfparams":{"c":4096,"dklen":32,"prf":"hmac-sha256",)"
            R"("salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},)"
            R"("mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},)"
            R"("id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3})");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: depin-fuzz-seeds <corpus dir>\n";
    return 2;
  }
  root = argv[1];
  RlpSeeds();
  TxSeeds();
  BlockSeeds();
  P2pSeeds();
  RpcSeeds();
  AbiSeeds();
  KeystoreSeeds();
  if (!ProofSeeds()) {
    std::cerr << "depin-fuzz-seeds: sealing the proof seeds failed\n";
    return 1;
  }
  return 0;
}
