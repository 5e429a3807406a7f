#include "primitives/merkle.h"

#include <cstring>

#include "crypto/sha256.h"

namespace depin {

Hash256 MerkleRoot(std::vector<Hash256> leaves) {
  if (leaves.empty()) return Hash256();
  if (leaves.size() == 1) return leaves[0];
  // One contiguous buffer hashed level by level in place: pair i of a level
  // overwrites node i, which the batch hasher allows (out == in).
  size_t n = leaves.size();
  Bytes buf(n * 32);
  for (size_t i = 0; i < n; ++i) std::memcpy(buf.data() + 32 * i, leaves[i].data(), 32);
  while (n > 1) {
    size_t pairs = n / 2;
    crypto::Sha256PairBatch(buf.data(), buf.data(), pairs);
    if (n % 2 == 1) {
      // The odd last node moves up unchanged.
      std::memmove(buf.data() + 32 * pairs, buf.data() + 32 * (n - 1), 32);
    }
    n = pairs + n % 2;
  }
  return Hash256(buf.data());
}

Hash256 TxRoot(const std::vector<TxRef>& txs) {
  std::vector<Hash256> leaves;
  leaves.reserve(txs.size());
  for (const TxRef& tx : txs) leaves.push_back(tx->hash);
  return MerkleRoot(std::move(leaves));
}

Hash256 ReceiptsRoot(const std::vector<Receipt>& receipts) {
  std::vector<Hash256> leaves;
  leaves.reserve(receipts.size());
  for (const Receipt& r : receipts) leaves.push_back(crypto::Sha256Hash(r.Encode()));
  return MerkleRoot(std::move(leaves));
}

Hash256 ReceiptsRootOfEncoded(const std::vector<Bytes>& encoded) {
  std::vector<Hash256> leaves;
  leaves.reserve(encoded.size());
  for (const Bytes& e : encoded) leaves.push_back(crypto::Sha256Hash(e));
  return MerkleRoot(std::move(leaves));
}

}  // namespace depin
