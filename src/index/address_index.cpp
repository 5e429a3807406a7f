#include "index/address_index.h"

#include <algorithm>

#include "consensus/executor.h"
#include "util/logging.h"

namespace depin::index {

namespace {

constexpr uint8_t kEntryKey = 'h';
constexpr uint8_t kCountersKey = 'c';
constexpr uint8_t kNonceKey = 'n';
constexpr uint8_t kTracelessKey = 'm';

constexpr size_t kEntryValueSize = 143;
constexpr size_t kCountersSize = 80;
constexpr uint8_t kHasModule = 1;
constexpr uint8_t kHasMethod = 2;
constexpr uint8_t kHasTx = 4;

void PutBE64(Bytes& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutBE32(Bytes& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t GetBE64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}
uint32_t GetBE32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | p[i];
  return v;
}

Bytes AddressPrefix(uint8_t tag, const Address& address) {
  return chain::MakeKey(tag, ByteSpan(address.data(), Address::kSize));
}

Bytes EntryKey(const Address& address, const AddressEntryPos& pos) {
  Bytes key = AddressPrefix(kEntryKey, address);
  PutBE64(key, pos.height);
  PutBE32(key, pos.position);
  PutBE32(key, pos.seq);
  return key;
}

// Past every entry of `address`.
Bytes EntryEnd(const Address& address) {
  Bytes key = AddressPrefix(kEntryKey, address);
  key.insert(key.end(), 16, 0xFF);
  return key;
}

Bytes EncodeEntry(const AddressEntry& e) {
  Bytes v(kEntryValueSize, 0);
  v[0] = static_cast<uint8_t>(e.kind);
  v[1] = static_cast<uint8_t>(e.direction);
  std::copy(e.counterparty.begin(), e.counterparty.end(), v.begin() + 2);
  e.value.ToBigEndian32(v.data() + 22);
  uint8_t flags = 0;
  if (e.module) {
    flags |= kHasModule;
    std::copy(e.module->begin(), e.module->end(), v.begin() + 55);
  }
  if (e.method) {
    flags |= kHasMethod;
    std::copy(e.method->begin(), e.method->end(), v.begin() + 75);
  }
  if (e.tx_hash) {
    flags |= kHasTx;
    std::copy(e.tx_hash->begin(), e.tx_hash->end(), v.begin() + 79);
  }
  v[54] = flags;
  std::copy(e.block_hash.begin(), e.block_hash.end(), v.begin() + 111);
  return v;
}

Result<AddressEntry> DecodeEntry(ByteSpan key, ByteSpan v) {
  if (key.size() != 1 + 20 + 16 || v.size() != kEntryValueSize || v[0] > 2 || v[1] > 2 ||
      v[54] > 7) {
    return Status::Corruption("addressindex-bad-entry", "address index entry is damaged");
  }
  AddressEntry e;
  e.pos.height = GetBE64(key.data() + 21);
  e.pos.position = GetBE32(key.data() + 29);
  e.pos.seq = GetBE32(key.data() + 33);
  e.kind = static_cast<AddressEntryKind>(v[0]);
  e.direction = static_cast<AddressDirection>(v[1]);
  e.counterparty = Address(v.data() + 2);
  e.value = Uint256::FromBigEndian32(v.data() + 22);
  const uint8_t flags = v[54];
  if (flags & kHasModule) e.module = Address(v.data() + 55);
  if (flags & kHasMethod) {
    std::array<uint8_t, 4> m{};
    std::copy(v.begin() + 75, v.begin() + 79, m.begin());
    e.method = m;
  }
  if (flags & kHasTx) e.tx_hash = Hash256(v.data() + 79);
  e.block_hash = Hash256(v.data() + 111);
  return e;
}

Bytes EncodeCounters(const AddressCounters& c) {
  Bytes v(kCountersSize, 0);
  WriteLE64(v.data(), c.entries);
  WriteLE64(v.data() + 8, c.txs);
  c.sent.ToBigEndian32(v.data() + 16);
  c.received.ToBigEndian32(v.data() + 48);
  return v;
}

Result<AddressCounters> DecodeCounters(ByteSpan v) {
  if (v.size() != kCountersSize) {
    return Status::Corruption("addressindex-bad-counters", "address index counters are damaged");
  }
  AddressCounters c;
  c.entries = ReadLE64(v.data());
  c.txs = ReadLE64(v.data() + 8);
  c.sent = Uint256::FromBigEndian32(v.data() + 16);
  c.received = Uint256::FromBigEndian32(v.data() + 48);
  return c;
}

Bytes NonceKey(const Address& sender, uint64_t nonce) {
  Bytes key = AddressPrefix(kNonceKey, sender);
  PutBE64(key, nonce);
  return key;
}

Bytes TracelessKey(uint64_t height) {
  Bytes key = chain::MakeKey(kTracelessKey);
  PutBE64(key, height);
  return key;
}

std::optional<std::array<uint8_t, 4>> SelectorOf(ByteSpan data) {
  if (data.size() < 4) return std::nullopt;
  std::array<uint8_t, 4> m{};
  std::copy(data.begin(), data.begin() + 4, m.begin());
  return m;
}

}  // namespace

std::string_view AddressEntryKindName(AddressEntryKind kind) {
  switch (kind) {
    case AddressEntryKind::kTx:
      return "tx";
    case AddressEntryKind::kCall:
      return "call";
    case AddressEntryKind::kTransfer:
      return "transfer";
  }
  return "tx";
}

std::string_view AddressDirectionName(AddressDirection dir) {
  switch (dir) {
    case AddressDirection::kIn:
      return "in";
    case AddressDirection::kOut:
      return "out";
    case AddressDirection::kSelf:
      return "self";
  }
  return "in";
}

AddressIndex::AddressIndex(chain::Chainstate& chainstate, const IndexOptions& options)
    : BaseIndex(kName, chainstate, options) {
  for (const consensus::Module* module : chainstate.modules().All()) {
    for (const consensus::ModuleEvent& event : module->functions().events()) {
      std::vector<size_t> topics;
      size_t topic = 1;
      for (const consensus::AbiParam& input : event.inputs) {
        if (!input.indexed) continue;
        if (input.type == "address") topics.push_back(topic);
        ++topic;
      }
      if (!topics.empty()) address_topics_[{module->address(), event.Topic()}] = topics;
    }
  }
}

AddressIndex::~AddressIndex() { Stop(); }

AddressIndex::BlockEntries AddressIndex::EntriesOf(const IndexBlock& b) const {
  BlockEntries out;
  const Block& block = *b.block;
  const std::vector<Receipt>& receipts = *b.receipts;
  const consensus::ModuleRegistry& modules = chainstate().modules();

  auto add = [&](const Address& address, uint32_t position, AddressEntry e) {
    std::vector<AddressEntry>& list = out.by_address[address];
    AddressCounters& c = out.counters[address];
    const bool same_position = !list.empty() && list.back().pos.position == position;
    e.pos = {b.height, position, same_position ? list.back().pos.seq + 1 : 0};
    e.block_hash = b.hash;
    if (!same_position && position != kEndOfBlock) ++c.txs;
    ++c.entries;
    list.push_back(std::move(e));
  };
  // Events naming addresses: a call entry for each address not yet touched
  // at this position.
  auto add_event_entries = [&](const std::vector<Log>& logs, uint32_t position,
                               std::set<Address>& touched, const AddressEntry& shape) {
    for (const Log& log : logs) {
      if (log.topics.empty()) continue;
      auto it = address_topics_.find({log.address, log.topics[0]});
      if (it == address_topics_.end()) continue;
      for (size_t k : it->second) {
        if (k >= log.topics.size()) continue;
        const Address named(log.topics[k].data() + 12);
        if (!touched.insert(named).second) continue;
        AddressEntry e = shape;
        e.module = log.address;
        if (shape.tx_hash == std::nullopt) e.counterparty = log.address;
        add(named, position, e);
      }
    }
  };
  auto add_trace_entries = [&](size_t& at, uint32_t position, std::set<Address>& touched,
                               const AddressEntry& shape) {
    if (!b.trace) return;
    const consensus::BlockTrace& trace = *b.trace;
    for (; at < trace.size() && trace[at].position == position; ++at) {
      const consensus::TraceRecord& r = trace[at].record;
      AddressEntry e = shape;
      e.value = r.value;
      if (r.kind == consensus::TraceKind::kTransfer) {
        e.kind = AddressEntryKind::kTransfer;
        e.module = r.from;
        if (r.from == r.to) {
          e.direction = AddressDirection::kSelf;
          e.counterparty = r.from;
          add(r.from, position, e);
          continue;
        }
        e.direction = AddressDirection::kIn;
        e.counterparty = r.from;
        add(r.to, position, e);
        e.direction = AddressDirection::kOut;
        e.counterparty = r.to;
        add(r.from, position, e);
      } else if (r.success && touched.insert(r.to).second) {
        e.kind = AddressEntryKind::kCall;
        e.direction = AddressDirection::kIn;
        e.counterparty = r.from;
        e.module = r.to;
        e.method = SelectorOf(r.input);
        add(r.to, position, e);
      }
    }
  };

  size_t trace_at = 0;
  for (size_t i = 0; i < block.txs.size(); ++i) {
    const VerifiedTx& vtx = *block.txs[i];
    const Transaction& tx = vtx.tx;
    const uint32_t position = static_cast<uint32_t>(i);
    const Address to = tx.to ? *tx.to : Address();
    const bool success = i < receipts.size() && receipts[i].status == 1;
    AddressEntry shape;
    shape.tx_hash = vtx.hash;
    if (modules.IsModuleAddress(to)) {
      shape.module = to;
      shape.method = SelectorOf(tx.data);
    }
    AddressEntry e = shape;
    e.kind = AddressEntryKind::kTx;
    e.value = tx.value;
    if (vtx.sender == to) {
      e.direction = AddressDirection::kSelf;
      e.counterparty = to;
      add(to, position, e);
    } else {
      e.direction = AddressDirection::kOut;
      e.counterparty = to;
      add(vtx.sender, position, e);
      e.direction = AddressDirection::kIn;
      e.counterparty = vtx.sender;
      add(to, position, e);
    }
    if (success) {
      AddressCounters& s = out.counters[vtx.sender];
      s.sent = SaturatingAdd(s.sent, tx.value);
      AddressCounters& r = out.counters[to];
      r.received = SaturatingAdd(r.received, tx.value);
    }
    out.nonces.push_back({{vtx.sender, tx.nonce}, vtx.hash});

    std::set<Address> touched{vtx.sender, to};
    AddressEntry call = shape;
    call.kind = AddressEntryKind::kCall;
    call.direction = AddressDirection::kIn;
    call.counterparty = vtx.sender;
    if (i < receipts.size()) add_event_entries(receipts[i].logs, position, touched, call);
    add_trace_entries(trace_at, position, touched, shape);
  }
  // The end of the block: deferred work's events (the system receipt) and
  // transfers.
  std::set<Address> touched;
  AddressEntry eob;
  eob.kind = AddressEntryKind::kCall;
  eob.direction = AddressDirection::kIn;
  if (consensus::HasSystemReceipt(block.txs.size(), receipts.size())) {
    add_event_entries(receipts.back().logs, kEndOfBlock, touched, eob);
  }
  touched.clear();
  add_trace_entries(trace_at, kEndOfBlock, touched, eob);
  return out;
}

Status AddressIndex::CustomAppend(chain::WriteBatch& batch, const IndexBlock& block) {
  if (!block.block || !block.receipts || block.receipts->size() < block.block->txs.size()) {
    return Status::Corruption("addressindex-no-receipts",
                              "block " + block.hash.Hex() + " has no usable receipts");
  }
  if (!block.trace) {
    batch.Put(TracelessKey(block.height), block.hash.span());
    if (!warned_traceless_.exchange(true)) {
      LogWarn(logger(), LogCategory::kIndex,
              "index {}: block {} at height {} was connected before module traces were kept: "
              "module transfers in it (and in other such blocks) are not indexed; -reindex "
              "fills the traces, and this index then rebuilds itself",
              kName, block.hash.Hex(), block.height);
    }
  }
  BlockEntries entries = EntriesOf(block);
  for (const auto& [address, list] : entries.by_address) {
    for (const AddressEntry& e : list) batch.Put(EntryKey(address, e.pos), EncodeEntry(e));
  }
  for (const auto& [address, delta] : entries.counters) {
    auto current = Counters(address);
    if (!current.ok()) return current.status();
    AddressCounters c = *current;
    c.entries += delta.entries;
    c.txs += delta.txs;
    c.sent = SaturatingAdd(c.sent, delta.sent);
    c.received = SaturatingAdd(c.received, delta.received);
    batch.Put(AddressPrefix(kCountersKey, address), EncodeCounters(c));
  }
  for (const auto& [key, hash] : entries.nonces) {
    batch.Put(NonceKey(key.first, key.second), hash.span());
  }
  return Status::Ok();
}

Status AddressIndex::CustomRemove(chain::WriteBatch& batch, const IndexBlock& block) {
  if (!block.block || !block.receipts || block.receipts->size() < block.block->txs.size()) {
    return Status::Corruption("addressindex-no-receipts",
                              "block " + block.hash.Hex() + " has no usable receipts");
  }
  // The trace of a block indexed without one may exist now: remove what was
  // added, which was nothing of the trace.
  IndexBlock as_indexed = block;
  auto marker = db()->Get(TracelessKey(block.height));
  if (!marker.ok()) return marker.status();
  if (marker->has_value() && **marker == Bytes(block.hash.begin(), block.hash.end())) {
    as_indexed.trace.reset();
    batch.Delete(TracelessKey(block.height));
  }
  BlockEntries entries = EntriesOf(as_indexed);
  for (const auto& [address, list] : entries.by_address) {
    for (const AddressEntry& e : list) batch.Delete(EntryKey(address, e.pos));
  }
  for (const auto& [address, delta] : entries.counters) {
    auto current = Counters(address);
    if (!current.ok()) return current.status();
    AddressCounters c = *current;
    if (c.entries <= delta.entries) {
      batch.Delete(AddressPrefix(kCountersKey, address));
      continue;
    }
    c.entries -= delta.entries;
    c.txs -= std::min(c.txs, delta.txs);
    c.sent = SaturatingSub(c.sent, delta.sent);
    c.received = SaturatingSub(c.received, delta.received);
    batch.Put(AddressPrefix(kCountersKey, address), EncodeCounters(c));
  }
  for (const auto& [key, hash] : entries.nonces) batch.Delete(NonceKey(key.first, key.second));
  return Status::Ok();
}

std::string AddressIndex::CustomRebuildReason() {
  auto it = db()->NewPrefixIterator(chain::MakeKey(kTracelessKey));
  if (!it->Valid()) return {};
  const ByteSpan key = it->key();
  if (key.size() != 9 || it->value().size() != 32) return {};
  const uint64_t height = GetBE64(key.data() + 1);
  const Hash256 hash(it->value().data());
  auto active = chainstate().GetBlockHashAtHeight(height);
  if (!active || *active != hash) return {};
  auto trace = chainstate().ReadModuleTrace(hash);
  if (!trace.ok() || !trace->has_value()) return {};
  return "block " + hash.Hex() + " at height " + std::to_string(height) +
         " was indexed without a module trace and has one now (after -reindex)";
}

Result<AddressCounters> AddressIndex::Counters(const Address& address) const {
  if (db() == nullptr) return Status::Error(StatusKind::kInterrupted, "index-stopped", "stopped");
  auto raw = db()->Get(AddressPrefix(kCountersKey, address));
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return AddressCounters{};
  return DecodeCounters(**raw);
}

Result<std::vector<AddressEntry>> AddressIndex::History(const Address& address, size_t count,
                                                        std::optional<AddressEntryPos> before,
                                                        bool* more) const {
  if (db() == nullptr) return Status::Error(StatusKind::kInterrupted, "index-stopped", "stopped");
  std::vector<AddressEntry> out;
  auto it = db()->NewPrefixIterator(AddressPrefix(kEntryKey, address));
  it->SeekBefore(before ? EntryKey(address, *before) : EntryEnd(address));
  for (; it->Valid() && out.size() < count; it->Prev()) {
    auto e = DecodeEntry(it->key(), it->value());
    if (!e.ok()) return e.status();
    out.push_back(std::move(e).value());
  }
  DEPIN_RETURN_IF_ERROR(it->status());
  if (more != nullptr) *more = it->Valid();
  return out;
}

Result<std::optional<AddressEntry>> AddressIndex::Oldest(const Address& address) const {
  if (db() == nullptr) return Status::Error(StatusKind::kInterrupted, "index-stopped", "stopped");
  auto it = db()->NewPrefixIterator(AddressPrefix(kEntryKey, address));
  if (!it->Valid()) {
    DEPIN_RETURN_IF_ERROR(it->status());
    return std::optional<AddressEntry>();
  }
  auto e = DecodeEntry(it->key(), it->value());
  if (!e.ok()) return e.status();
  return std::optional<AddressEntry>(std::move(e).value());
}

Result<std::optional<AddressEntry>> AddressIndex::Newest(const Address& address) const {
  auto page = History(address, 1, std::nullopt, nullptr);
  if (!page.ok()) return page.status();
  if (page->empty()) return std::optional<AddressEntry>();
  return std::optional<AddressEntry>(std::move(page->front()));
}

namespace {

// Collects txs from entries in walk order until `page_size` txs and the
// block of the last one are done; `more` when another tx follows.
class TxPager {
 public:
  TxPager(size_t page_size, size_t max_entries) : page_size_(page_size), max_(max_entries) {}

  // False: stop walking.
  Result<bool> Take(ByteSpan key, ByteSpan value) {
    if (++seen_ > max_) {
      return Status::Error(StatusKind::kLimitExceeded, "addressindex-scan-limit",
                           "the page needs more than " + std::to_string(max_) +
                               " index entries; ask for a smaller page");
    }
    auto e = DecodeEntry(key, value);
    if (!e.ok()) return e.status();
    if (!e->tx_hash) return true;  // end-of-block work: no tx
    if (!txs_.empty() && txs_.back().height == e->pos.height &&
        txs_.back().position == e->pos.position) {
      return true;
    }
    if (txs_.size() >= page_size_ && txs_.back().height != e->pos.height) {
      more_ = true;
      return false;
    }
    txs_.push_back(AddressTx{e->pos.height, e->pos.position, *e->tx_hash});
    return true;
  }
  std::vector<AddressTx> txs_;
  bool more_ = false;

 private:
  size_t page_size_;
  size_t max_;
  size_t seen_ = 0;
};

}  // namespace

Result<std::vector<AddressTx>> AddressIndex::TxsBefore(const Address& address,
                                                       uint64_t before_height, size_t page_size,
                                                       size_t max_entries, bool* more) const {
  if (db() == nullptr) return Status::Error(StatusKind::kInterrupted, "index-stopped", "stopped");
  auto it = db()->NewPrefixIterator(AddressPrefix(kEntryKey, address));
  it->SeekBefore(before_height == 0 ? EntryEnd(address)
                                    : EntryKey(address, AddressEntryPos{before_height, 0, 0}));
  TxPager pager(page_size, max_entries);
  for (; it->Valid(); it->Prev()) {
    auto go_on = pager.Take(it->key(), it->value());
    if (!go_on.ok()) return go_on.status();
    if (!*go_on) break;
  }
  DEPIN_RETURN_IF_ERROR(it->status());
  *more = pager.more_;
  return std::move(pager.txs_);
}

Result<std::vector<AddressTx>> AddressIndex::TxsAfter(const Address& address, uint64_t after_height,
                                                      size_t page_size, size_t max_entries,
                                                      bool* more) const {
  if (db() == nullptr) return Status::Error(StatusKind::kInterrupted, "index-stopped", "stopped");
  auto it = db()->NewPrefixIterator(AddressPrefix(kEntryKey, address));
  if (after_height != ~uint64_t{0}) {
    it->Seek(EntryKey(address, AddressEntryPos{after_height + 1, 0, 0}));
  } else {
    it->Seek(EntryEnd(address));
  }
  TxPager pager(page_size, max_entries);
  for (; it->Valid(); it->Next()) {
    auto go_on = pager.Take(it->key(), it->value());
    if (!go_on.ok()) return go_on.status();
    if (!*go_on) break;
  }
  DEPIN_RETURN_IF_ERROR(it->status());
  *more = pager.more_;
  std::reverse(pager.txs_.begin(), pager.txs_.end());
  return std::move(pager.txs_);
}

Result<std::optional<Hash256>> AddressIndex::TxBySenderNonce(const Address& sender,
                                                             uint64_t nonce) const {
  if (db() == nullptr) return Status::Error(StatusKind::kInterrupted, "index-stopped", "stopped");
  auto raw = db()->Get(NonceKey(sender, nonce));
  if (!raw.ok()) return raw.status();
  if (!raw->has_value() || (*raw)->size() != 32) return std::optional<Hash256>();
  return std::optional<Hash256>(Hash256((*raw)->data()));
}

}  // namespace depin::index
