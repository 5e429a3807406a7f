// Binary SHA-256 Merkle roots for a block's txs and receipts. Each level hashes
// adjacent pairs with SHA-256(left || right); an odd last node is carried up
// unchanged (never duplicated, so no two lists share a root the way Bitcoin's
// CVE-2012-2459 allowed). The root of an empty list is 32 zero bytes; of one
// leaf, the leaf itself.
//
// Tx leaves are tx hashes; receipt leaves are SHA-256 of Receipt::Encode().
#pragma once

#include <vector>

#include "primitives/block.h"
#include "primitives/receipt.h"
#include "util/bytes.h"

namespace depin {

Hash256 MerkleRoot(std::vector<Hash256> leaves);
Hash256 TxRoot(const std::vector<TxRef>& txs);
Hash256 ReceiptsRoot(const std::vector<Receipt>& receipts);
// The same from receipts already encoded with Receipt::Encode() (a caller
// that also stores the encodings encodes once).
Hash256 ReceiptsRootOfEncoded(const std::vector<Bytes>& encoded);

}  // namespace depin
