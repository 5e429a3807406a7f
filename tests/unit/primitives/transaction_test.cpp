#include "primitives/transaction.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "crypto/keccak.h"
#include "primitives/rlp.h"

namespace depin {
namespace {

Bytes Hx(std::string_view hex) { return *HexDecode(hex); }
Uint256 U(std::string_view hex) { return *Uint256::FromHex(hex); }
Address Addr(std::string_view text) { return *Address::Parse(text); }
crypto::PrivateKey Key(std::string_view hex) {
  return *crypto::PrivateKey::FromBytes(*HexDecode(hex));
}

const char* kKey46 = "0x4646464646464646464646464646464646464646464646464646464646464646";
const Uint256 kCurveOrder =
    *Uint256::FromHex("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

// The worked example in EIP-155.
Transaction Eip155ExampleTx() {
  Transaction tx;
  tx.type = TxType::kLegacy;
  tx.chain_id = 1;
  tx.nonce = 9;
  tx.max_fee_per_gas = Uint256(20 * kWeiPerGwei);
  tx.max_priority_fee_per_gas = tx.max_fee_per_gas;
  tx.gas_limit = 21000;
  tx.to = Addr("0x3535353535353535353535353535353535353535");
  tx.value = Dpn(1);
  return tx;
}

const char* kEip155Signed =
    "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a0"
    "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b"
    "3800ccf555c9f3dc64214b297fb1966a3b6d83";

TEST(Transaction, Eip155ExampleSigningData) {
  Transaction tx = Eip155ExampleTx();
  EXPECT_EQ(HexEncode(tx.SigningPayload()),
            "0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7640000"
            "80018080");
  EXPECT_EQ(tx.SigningHash().Hex(),
            "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
}

TEST(Transaction, Eip155ExampleSignsAndRecovers) {
  Transaction tx = Eip155ExampleTx();
  tx.Sign(Key(kKey46));
  EXPECT_EQ(HexEncode(tx.Encode()), kEip155Signed);
  EXPECT_EQ(tx.y_parity, 0);  // v = 37 = 1 * 2 + 35 + 0
  EXPECT_EQ(tx.r, U("0x28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276"));
  EXPECT_EQ(tx.s, U("0x67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"));
  auto sender = tx.RecoverSender();
  ASSERT_TRUE(sender);
  EXPECT_EQ(sender->ToChecksumHex(), "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
  EXPECT_EQ(tx.Hash(), crypto::Keccak256Hash(Hx(kEip155Signed)));
}

TEST(Transaction, Eip155ExampleDecodes) {
  Bytes raw = Hx(kEip155Signed);
  auto tx = DecodeTransaction(raw);
  ASSERT_TRUE(tx) << tx.status().ToString();
  Transaction expected = Eip155ExampleTx();
  expected.y_parity = 0;
  expected.r = U("0x28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276");
  expected.s = U("0x67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
  EXPECT_EQ(*tx, expected);

  auto vtx = DecodeAndVerifyTransaction(raw);
  ASSERT_TRUE(vtx) << vtx.status().ToString();
  EXPECT_EQ((*vtx)->sender.ToChecksumHex(), "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
  EXPECT_EQ((*vtx)->hash, crypto::Keccak256Hash(raw));
  EXPECT_EQ((*vtx)->size, raw.size());
  EXPECT_EQ((*vtx)->tx, expected);
}

// A type 0x02 vector signed with the EIP-155 key (chain 1559); its bytes are
// published in several wallet libraries' tests, and RFC 6979 makes the
// signature deterministic.
TEST(Transaction, DynamicFeeVectorSignsExactly) {
  Transaction tx;
  tx.chain_id = 1559;
  tx.nonce = 0;
  tx.gas_limit = 30000;
  tx.to = Addr("0x627306090abaB3A6e1400e9345bC60c78a8BEf57");
  tx.value = Uint256(123);
  tx.max_priority_fee_per_gas = Uint256(5678);
  tx.max_fee_per_gas = Uint256(1100000);
  tx.Sign(Key(kKey46));
  const char* expected =
      "0x02f8698206178082162e8310c8e082753094627306090abab3a6e1400e9345bc60c78a8bef577b80c001a0d1"
      "f9ee3bdde4d4e0792c7089b84059fb28e17f494556d8a775450b1dd6c318a1a038bd3e2fb9e018528e0a41f57c"
      "7a32a8d23b2693e0451aa6ef4519b234466e7f";
  EXPECT_EQ(HexEncode(tx.Encode()), expected);
  auto back = DecodeTransaction(Hx(expected));
  ASSERT_TRUE(back) << back.status().ToString();
  EXPECT_EQ(*back, tx);
  EXPECT_EQ(back->RecoverSender()->ToChecksumHex(), "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
}

// ethereumjs's eip1559.json vector 0 (the envelope inside its RLP string wrapper).
TEST(Transaction, EthereumjsDynamicFeeVectorDecodes) {
  Bytes raw = Hx(
      "02f870821e8e8203338301284d8301d97c828ae094000000000000000000000000000000000000aaaa8402933b"
      "c980c080a0d067f2167008c59219652f91cbf8788dbca5f771f6e91e2b7657e85b78b472e0a01d305af9fe81fd"
      "ba43f0dfcd400ed24dcace0a7e30d4e85701dcaaf484cd079e");
  auto tx = DecodeTransaction(raw);
  ASSERT_TRUE(tx) << tx.status().ToString();
  EXPECT_EQ(tx->type, TxType::kDynamicFee);
  EXPECT_EQ(tx->chain_id, 7822u);
  EXPECT_EQ(tx->nonce, 819u);
  EXPECT_EQ(tx->max_priority_fee_per_gas, Uint256(75853));
  EXPECT_EQ(tx->max_fee_per_gas, Uint256(121212));
  EXPECT_EQ(tx->gas_limit, 35552u);
  EXPECT_EQ(tx->to, Addr("0x000000000000000000000000000000000000aaaa"));
  EXPECT_EQ(tx->value, Uint256(43203529));
  EXPECT_TRUE(tx->data.empty());
  EXPECT_TRUE(tx->access_list.empty());
  EXPECT_EQ(tx->y_parity, 0);
  EXPECT_EQ(tx->Encode(), raw);

  auto key = Key("0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63");
  EXPECT_EQ(*tx->RecoverSender(), Address::FromPublicKey(key.GetPublicKey()));
  Transaction resigned = *tx;
  resigned.Sign(key);
  EXPECT_EQ(resigned.Encode(), raw);
}

// A type 0x02 tx with an access list, from MEW wallet kit's tests.
TEST(Transaction, DynamicFeeWithAccessListSignsExactly) {
  auto key = Key("0xe3046226c9d5f6b7fda49b00123fe96ab2fac359315f27169b5c984059b3540f");
  Address self = Address::FromPublicKey(key.GetPublicKey());
  EXPECT_EQ(self.Hex(), "0x61fac28c810253ea3a42ebbb1a5cf8687765e4ee");
  Transaction tx;
  tx.chain_id = 0x7b;
  tx.nonce = 1;
  tx.max_priority_fee_per_gas = Uint256(7);
  tx.max_fee_per_gas = Uint256(7);
  tx.gas_limit = 0x62d4;
  tx.to = self;
  tx.value = U("0x16345785D8A0000");
  tx.access_list.push_back(AccessListEntry{self, {Hash256()}});
  tx.Sign(key);
  const char* expected =
      "0x02f8a37b0107078262d49461fac28c810253ea3a42ebbb1a5cf8687765e4ee88016345785d8a000080f838f7"
      "9461fac28c810253ea3a42ebbb1a5cf8687765e4eee1a00000000000000000000000000000000000000000000000"
      "00000000000000000001a0f76cef537ee6b5a2143e4ed62debc41c19e996365ceb8b7a9ec7d7db8f83c001a01fbe"
      "06e8a4e052015af13b985047925b9f97bf145c7e7adb96f051af7c2551f0";
  EXPECT_EQ(HexEncode(tx.Encode()), expected);
  auto back = DecodeTransaction(Hx(expected));
  ASSERT_TRUE(back) << back.status().ToString();
  EXPECT_EQ(*back, tx);
  EXPECT_EQ(*back->RecoverSender(), self);
}

// Signed by ethers v6 (an independent implementation): type 0x01, chain 1337,
// gas price 20 gwei, one access-list entry with one storage key.
TEST(Transaction, Eip2930VectorFromEthersDecodesAndSignsExactly) {
  const char* signed_hex =
      "0x01f8a9820539098504a817c80082c350943535353535353535353535353535353535353535880de0b6b3a764"
      "000080f838f7940000000000000000000000000000000000000f00e1a000000000000000000000000000000000"
      "0000000000000000000000000000000180a07bf3781d2a7ec40a00702d3abdf4cc25700ad95f5808ef79944cb0"
      "0533ca8754a07f6742d0105f3bc46eac1f8e54661b59b0f93969b0f443d0b56bf0b1c5af0e5a";
  auto tx = DecodeTransaction(Hx(signed_hex));
  ASSERT_TRUE(tx) << tx.status().ToString();
  EXPECT_EQ(tx->type, TxType::kAccessList);
  EXPECT_EQ(tx->chain_id, 1337u);
  EXPECT_EQ(tx->nonce, 9u);
  EXPECT_EQ(tx->max_fee_per_gas, Uint256(20'000'000'000));
  EXPECT_EQ(tx->max_priority_fee_per_gas, tx->max_fee_per_gas);
  EXPECT_EQ(tx->gas_limit, 50000u);
  ASSERT_EQ(tx->access_list.size(), 1u);
  EXPECT_EQ(tx->access_list[0].address, ModuleAddress(0x0F00));
  ASSERT_EQ(tx->access_list[0].storage_keys.size(), 1u);
  EXPECT_EQ(tx->SigningHash().Hex(),
            "0x950b31591613ceed7ef0aeabe9310a3652c513591241e4c75a00b6f4c877dde0");
  EXPECT_EQ(tx->Hash().Hex(), "0x043800776e9676ea670dea7e3989547ef6f41f9050c51adc022293e512287cfb");
  EXPECT_EQ(tx->RecoverSender()->ToChecksumHex(), "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
  EXPECT_EQ(HexEncode(tx->Encode()), signed_hex);
  // Our own signature with the same key is the same bytes (RFC 6979).
  Transaction again = *tx;
  again.r = Uint256();
  again.s = Uint256();
  again.Sign(Key("0x4646464646464646464646464646464646464646464646464646464646464646"));
  EXPECT_EQ(HexEncode(again.Encode()), signed_hex);
  // A field count other than 11 is refused.
  EXPECT_EQ(DecodeTransaction(Bytes{0x01, 0xc0}).status().code(), "tx-field-count");
}

TEST(Transaction, RoundTripsWithDataAndCreation) {
  auto key = crypto::PrivateKey::Generate();
  Transaction tx;
  tx.chain_id = 0xffffffffffffffffULL;  // largest chain id still fits v's arithmetic
  tx.nonce = 0xffffffffffffffffULL;
  tx.max_priority_fee_per_gas = Uint256::Max();
  tx.max_fee_per_gas = Uint256::Max();
  tx.gas_limit = 1;
  tx.to = std::nullopt;
  tx.data = Bytes(300, 0xab);
  for (TxType type : {TxType::kDynamicFee, TxType::kLegacy}) {
    tx.type = type;
    tx.Sign(key);
    Bytes raw = tx.Encode();
    auto vtx = DecodeAndVerifyTransaction(raw);
    ASSERT_TRUE(vtx) << vtx.status().ToString();
    EXPECT_EQ((*vtx)->tx, tx);
    EXPECT_EQ((*vtx)->sender, Address::FromPublicKey(key.GetPublicKey()));
    auto made = MakeVerifiedTx(tx);
    ASSERT_TRUE(made);
    EXPECT_EQ((*made)->hash, (*vtx)->hash);
    EXPECT_EQ((*made)->size, raw.size());
    EXPECT_EQ((*made)->sender, (*vtx)->sender);
  }
}

TEST(Transaction, LegacyEncodeNeedsEqualFeeFields) {
  Transaction tx = Eip155ExampleTx();
  tx.max_priority_fee_per_gas = Uint256(1);
  EXPECT_THROW(tx.Encode(), std::invalid_argument);
  EXPECT_THROW(tx.SigningHash(), std::invalid_argument);
}

TEST(Transaction, EffectiveTip) {
  Transaction tx;
  tx.max_fee_per_gas = Uint256(100);
  tx.max_priority_fee_per_gas = Uint256(10);
  EXPECT_EQ(tx.EffectiveTip(Uint256(50)), Uint256(10));  // tip fits under the cap
  EXPECT_EQ(tx.EffectiveTip(Uint256(95)), Uint256(5));   // capped by max fee
  EXPECT_EQ(tx.EffectiveTip(Uint256(100)), Uint256(0));  // nothing left
  EXPECT_EQ(tx.EffectiveTip(Uint256(101)), Uint256(0));  // cap below base fee
  tx.max_fee_per_gas = Uint256::Max();
  tx.max_priority_fee_per_gas = Uint256::Max();
  EXPECT_EQ(tx.EffectiveTip(Uint256(1)), *CheckedSub(Uint256::Max(), Uint256(1)));
}

// --- Malformed inputs. Each builds a legacy or typed list field by field.

Bytes Str(ByteSpan b) { return rlp::EncodeBytes(b); }
Bytes Int(uint64_t v) { return rlp::Encoder().AddUint(v).Finish(); }
Bytes Int(const Uint256& v) { return rlp::Encoder().AddUint(v).Finish(); }

Bytes ListOf(const std::vector<Bytes>& items) {
  Bytes payload;
  for (const Bytes& i : items) payload.insert(payload.end(), i.begin(), i.end());
  return rlp::EncodeListPayload(payload);
}

std::vector<Bytes> LegacyFields() {
  Bytes raw = Hx(kEip155Signed);
  auto r = rlp::ListReader::FromList(raw);
  std::vector<Bytes> out;
  while (!r->AtEnd()) {
    auto item = r->Next();
    out.emplace_back(item->encoded.begin(), item->encoded.end());
  }
  return out;
}

std::vector<Bytes> DynamicFields() {
  Transaction tx;
  tx.chain_id = 1;
  tx.to = Addr("0x3535353535353535353535353535353535353535");
  tx.Sign(Key(kKey46));
  Bytes raw = tx.Encode();
  auto r = rlp::ListReader::FromList(ByteSpan(raw).subspan(1));
  std::vector<Bytes> out;
  while (!r->AtEnd()) {
    auto item = r->Next();
    out.emplace_back(item->encoded.begin(), item->encoded.end());
  }
  return out;
}

Bytes Typed(const std::vector<Bytes>& fields) {
  Bytes out{0x02};
  Bytes list = ListOf(fields);
  out.insert(out.end(), list.begin(), list.end());
  return out;
}

std::string Code(const Bytes& raw) { return DecodeTransaction(raw).status().code(); }

TEST(TransactionDecode, EnvelopeLevelErrors) {
  EXPECT_EQ(Code({}), "tx-empty");
  EXPECT_EQ(Code(Bytes(kMaxTxSize + 1, 0xc0)), "tx-too-large");
  for (uint8_t type : {0x00, 0x03, 0x04, 0x7f}) {
    Bytes raw = Typed(DynamicFields());
    raw[0] = type;
    EXPECT_EQ(Code(raw), "tx-type-unsupported") << int{type};
  }
  // Type 0x01 is EIP-2930, with 11 fields.
  Bytes access_list_type = Typed(DynamicFields());
  access_list_type[0] = 0x01;
  EXPECT_EQ(Code(access_list_type), "tx-field-count");
  EXPECT_EQ(Code(Hx("83646f67")), "rlp-expected-list");
  Bytes trailing = Hx(kEip155Signed);
  trailing.push_back(0x00);
  EXPECT_EQ(Code(trailing), "rlp-trailing-bytes");
  Bytes typed_trailing = Typed(DynamicFields());
  typed_trailing.push_back(0x80);
  EXPECT_EQ(Code(typed_trailing), "rlp-trailing-bytes");
  EXPECT_EQ(Code(Bytes{0x02}), "rlp-truncated");
  EXPECT_EQ(Code(Hx("0283646f67")), "rlp-expected-list");
  Bytes cut = Hx(kEip155Signed);
  cut.pop_back();
  EXPECT_EQ(Code(cut), "rlp-truncated");
}

TEST(TransactionDecode, FieldCount) {
  auto legacy = LegacyFields();
  ASSERT_EQ(legacy.size(), 9u);
  auto fewer = legacy;
  fewer.pop_back();
  EXPECT_EQ(Code(ListOf(fewer)), "tx-field-count");
  auto more = legacy;
  more.push_back(Int(1));
  EXPECT_EQ(Code(ListOf(more)), "tx-field-count");
  auto typed = DynamicFields();
  ASSERT_EQ(typed.size(), 12u);
  typed.push_back(Int(0));
  EXPECT_EQ(Code(Typed(typed)), "tx-field-count");
  typed.resize(11);
  EXPECT_EQ(Code(Typed(typed)), "tx-field-count");
}

TEST(TransactionDecode, LegacyV) {
  auto f = LegacyFields();
  ASSERT_EQ(ListOf(f), Hx(kEip155Signed));
  for (uint64_t v : {27, 28}) {
    f[6] = Int(v);
    EXPECT_EQ(Code(ListOf(f)), "tx-pre-eip155") << v;
  }
  for (uint64_t v : {0, 1, 26, 29, 34}) {
    f[6] = Int(v);
    EXPECT_EQ(Code(ListOf(f)), "tx-bad-v") << v;
  }
  // v whose chain id needs more than 64 bits.
  f[6] = Int(*CheckedAdd(Uint256(1) << 65, Uint256(35)));
  EXPECT_EQ(Code(ListOf(f)), "tx-bad-v");
  // The largest chain id that fits: v = (2^64 - 1) * 2 + 36.
  f[6] = Int(*CheckedAdd(*CheckedMul(Uint256(~uint64_t{0}), Uint256(2)), Uint256(36)));
  auto tx = DecodeTransaction(ListOf(f));
  ASSERT_TRUE(tx) << tx.status().ToString();
  EXPECT_EQ(tx->chain_id, ~uint64_t{0});
  EXPECT_EQ(tx->y_parity, 1);
  // v with leading zero bytes.
  f[6] = Str(Hx("0025"));
  EXPECT_EQ(Code(ListOf(f)), "rlp-leading-zeros");
}

TEST(TransactionDecode, ToField) {
  auto f = LegacyFields();
  f[3] = Str(Bytes(19, 0x35));
  EXPECT_EQ(Code(ListOf(f)), "tx-bad-to");
  f[3] = Str(Bytes(21, 0x35));
  EXPECT_EQ(Code(ListOf(f)), "tx-bad-to");
  f[3] = ListOf({});
  EXPECT_EQ(Code(ListOf(f)), "rlp-expected-string");
  f[3] = Str({});
  auto tx = DecodeTransaction(ListOf(f));
  ASSERT_TRUE(tx);
  EXPECT_FALSE(tx->to.has_value());
  auto t = DynamicFields();
  t[5] = Str(Bytes(1, 0x01));
  EXPECT_EQ(Code(Typed(t)), "tx-bad-to");
}

TEST(TransactionDecode, IntegerFields) {
  auto t = DynamicFields();
  auto bad = t;
  bad[0] = Str(Bytes(9, 0x01));  // chain id over 64 bits
  EXPECT_EQ(Code(Typed(bad)), "rlp-uint-overflow");
  bad = t;
  bad[1] = Str(Bytes(9, 0x01));  // nonce
  EXPECT_EQ(Code(Typed(bad)), "rlp-uint-overflow");
  bad = t;
  bad[4] = Str(Hx("005208"));  // gas with a leading zero
  EXPECT_EQ(Code(Typed(bad)), "rlp-leading-zeros");
  bad = t;
  bad[3] = Str(Bytes(33, 0x01));  // fee cap over 256 bits
  EXPECT_EQ(Code(Typed(bad)), "rlp-uint-overflow");
  bad = t;
  bad[6] = Str(Bytes(33, 0x01));  // value
  EXPECT_EQ(Code(Typed(bad)), "rlp-uint-overflow");
  bad = t;
  bad[10] = Str(Bytes(33, 0x01));  // r
  EXPECT_EQ(Code(Typed(bad)), "rlp-uint-overflow");
  bad = t;
  bad[11] = Str(Bytes(33, 0x01));  // s
  EXPECT_EQ(Code(Typed(bad)), "rlp-uint-overflow");
  auto l = LegacyFields();
  l[7] = Str(Bytes(33, 0x01));  // legacy r
  EXPECT_EQ(Code(ListOf(l)), "rlp-uint-overflow");
  l = LegacyFields();
  l[1] = Bytes{0x00};  // gas price as a literal zero byte
  EXPECT_EQ(Code(ListOf(l)), "rlp-leading-zeros");
}

TEST(TransactionDecode, YParity) {
  auto t = DynamicFields();
  t[9] = Int(2);
  EXPECT_EQ(Code(Typed(t)), "tx-bad-y-parity");
  t[9] = Int(27);
  EXPECT_EQ(Code(Typed(t)), "tx-bad-y-parity");
  t[9] = Bytes{0x00};
  EXPECT_EQ(Code(Typed(t)), "rlp-leading-zeros");
}

TEST(TransactionDecode, DataMustBeString) {
  auto t = DynamicFields();
  t[7] = ListOf({});
  EXPECT_EQ(Code(Typed(t)), "rlp-expected-string");
}

TEST(TransactionDecode, AccessList) {
  auto t = DynamicFields();
  Bytes key = Str(Bytes(32, 0x11));
  Bytes addr = Str(Bytes(20, 0x22));
  t[8] = ListOf({ListOf({addr, ListOf({key, key})})});
  auto ok = DecodeTransaction(Typed(t));
  ASSERT_TRUE(ok) << ok.status().ToString();
  ASSERT_EQ(ok->access_list.size(), 1u);
  EXPECT_EQ(ok->access_list[0].storage_keys.size(), 2u);
  EXPECT_EQ(ok->Encode(), Typed(t));

  t[8] = Str({});
  EXPECT_EQ(Code(Typed(t)), "rlp-expected-list");
  t[8] = ListOf({addr});
  EXPECT_EQ(Code(Typed(t)), "rlp-expected-list");
  t[8] = ListOf({ListOf({Str(Bytes(19, 0x22)), ListOf({})})});
  EXPECT_EQ(Code(Typed(t)), "tx-bad-access-list");
  t[8] = ListOf({ListOf({addr, ListOf({Str(Bytes(31, 0x11))})})});
  EXPECT_EQ(Code(Typed(t)), "tx-bad-access-list");
  t[8] = ListOf({ListOf({addr, ListOf({}), Int(1)})});
  EXPECT_EQ(Code(Typed(t)), "rlp-trailing-bytes");
  t[8] = ListOf({ListOf({addr})});
  EXPECT_EQ(Code(Typed(t)), "rlp-truncated");
  t[8] = ListOf({ListOf({addr, key})});
  EXPECT_EQ(Code(Typed(t)), "rlp-expected-list");
}

TEST(TransactionSignature, HighSIsRejected) {
  Transaction tx = Eip155ExampleTx();
  tx.Sign(Key(kKey46));
  // (r, n - s) with the other parity is the same signature in high-s form.
  tx.s = *CheckedSub(kCurveOrder, tx.s);
  tx.y_parity ^= 1;
  EXPECT_EQ(tx.RecoverSender().status().code(), "tx-sig-high-s");
  EXPECT_EQ(DecodeAndVerifyTransaction(tx.Encode()).status().code(), "tx-sig-high-s");
  EXPECT_EQ(MakeVerifiedTx(tx).status().code(), "tx-sig-high-s");
}

TEST(TransactionSignature, InvalidSignatures) {
  Transaction tx = Eip155ExampleTx();
  tx.Sign(Key(kKey46));
  Transaction bad = tx;
  bad.r = Uint256();
  EXPECT_EQ(bad.RecoverSender().status().code(), "tx-sig-invalid");
  bad = tx;
  bad.s = Uint256();
  EXPECT_EQ(bad.RecoverSender().status().code(), "tx-sig-invalid");
  bad = tx;
  bad.r = kCurveOrder;
  EXPECT_EQ(bad.RecoverSender().status().code(), "tx-sig-invalid");
  bad = tx;
  bad.y_parity = 2;
  EXPECT_EQ(bad.RecoverSender().status().code(), "tx-sig-invalid");
  EXPECT_EQ(DecodeAndVerifyTransaction(Typed([] {
              auto t = DynamicFields();
              t[10] = Int(0);
              return t;
            }()))
                .status()
                .code(),
            "tx-sig-invalid");
  // A different payload recovers a different (wrong) sender, not an error.
  bad = tx;
  bad.nonce += 1;
  auto other = bad.RecoverSender();
  if (other) {
    EXPECT_NE(*other, *tx.RecoverSender());
  }
}

}  // namespace
}  // namespace depin
