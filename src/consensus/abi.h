// Solidity ABI encoding for native module calls: 4-byte selectors from
// keccak256 of the canonical signature, and head/tail encoding of the static
// and dynamic types modules use (uint256/uint64, address, bool, bytes32,
// bytes, string, uint256[], address[]; string[], bytes[] and tuples are
// encoded for return values; arrays of dynamic tuples such as Multicall3's
// (address,bool,bytes)[] are decoded). Decoding is strict: out-of-range
// offsets, lengths past the end, non-zero padding of addresses and bools are
// errors ("abi-...").
//
// Thread-safety: plain functions and value types.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "primitives/address.h"
#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::abi {

using Selector = std::array<uint8_t, 4>;
Selector SelectorOf(std::string_view signature);  // e.g. "set(uint256,uint256)"
Hash256 EventTopic(std::string_view signature);   // keccak256 of the event signature

// Builds the arguments of one call or return value.
class Encoder {
 public:
  Encoder& Uint(const Uint256& v);
  Encoder& Address(const depin::Address& a);
  Encoder& Bool(bool b);
  Encoder& Bytes32(const Hash256& h);
  Encoder& Bytes(ByteSpan b);
  Encoder& String(std::string_view s);
  // uint256[] and address[]: dynamic, a length word then one word each.
  Encoder& UintArray(const std::vector<Uint256>& values);
  Encoder& AddressArray(const std::vector<depin::Address>& values);
  // string[] and bytes[]: a count, an offset per element, then the elements.
  Encoder& StringArray(const std::vector<std::string>& values);
  Encoder& BytesArray(const std::vector<depin::Bytes>& values);
  // A tuple (a Solidity struct) as one argument, given as an encoder of its
  // members: inline when every member is static, else by offset.
  Encoder& Tuple(const Encoder& members);
  // T[] of tuples, each given as an encoder of its members (one shape for
  // all): a count, then the tuples inline (static T) or an offset per tuple
  // and the tuples (dynamic T), e.g. Multicall3's (bool,bytes)[].
  Encoder& TupleArray(const std::vector<Encoder>& elements);
  // Whether any argument so far is dynamic (a tuple of them is dynamic).
  bool IsDynamic() const;
  // head || tail, without a selector.
  depin::Bytes Finish() const;
  // selector || head || tail.
  depin::Bytes FinishCall(const Selector& selector) const;

 private:
  struct Arg {
    bool dynamic = false;
    depin::Bytes data;  // 32-byte word (static) or length-prefixed padded payload (dynamic)
  };
  std::vector<Arg> args_;
};

// Reads the arguments of a call body (after the selector) in order.
class Decoder {
 public:
  explicit Decoder(ByteSpan body) : body_(body) {}
  Result<Uint256> Uint();
  Result<uint64_t> Uint64();  // "abi-uint64-overflow" when it does not fit
  Result<depin::Address> Address();
  Result<bool> Bool();
  Result<Hash256> Bytes32();
  Result<depin::Bytes> Bytes(size_t max_len);
  Result<std::string> String(size_t max_len);
  // uint256[] whose elements each fit 64 bits, at most `max_count` of them
  // ("abi-too-long", "abi-uint64-overflow").
  Result<std::vector<uint64_t>> Uint64Array(size_t max_count);
  // address[] of at most `max_count` ("abi-too-long", "abi-bad-address").
  Result<std::vector<depin::Address>> AddressArray(size_t max_count);
  // T[] of at most `max_count` dynamic tuples (a tuple with a bytes,
  // string or array member, e.g. (address,bytes)): one decoder per element
  // that reads the tuple's members in order, its offsets relative to the
  // tuple's start and bounded by this body ("abi-too-long",
  // "abi-bad-offset", "abi-short-data").
  Result<std::vector<Decoder>> DynamicTupleArray(size_t max_count);

 private:
  Result<ByteSpan> Word(size_t index) const;
  Result<ByteSpan> Dynamic(size_t max_len);
  // The offset, checked, of the dynamic argument in the next head slot.
  Result<size_t> NextOffset();
  // The count (at most `max_count`) at `offset`, with room for `count`
  // words after it.
  Result<size_t> ArrayCount(size_t offset, size_t max_count) const;
  // The element words of a static-element array argument.
  Result<ByteSpan> ArrayWords(size_t max_count);
  ByteSpan body_;
  size_t next_ = 0;  // next head slot
};

// Splits calldata into selector and body ("abi-short-calldata").
Result<std::pair<Selector, ByteSpan>> SplitCall(ByteSpan calldata);

}  // namespace depin::abi
