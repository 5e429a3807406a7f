#include "rpc/eth_api.h"

namespace depin::eth_rpc {

Result<uint64_t> ParseU64(const Value& v) {
  if (v.IsUint64()) return v.GetUint64();
  if (!v.IsString()) return Status::Error("bad-quantity", "expected a hex quantity");
  auto q = ParseHexQuantity(View(v));
  if (!q) return Status::Error("bad-quantity", "bad hex quantity: " + q.status().message());
  Uint256 n = Uint256::FromBigEndian32(q->data());
  if (!n.FitsUint64()) return Status::Error("bad-quantity", "quantity exceeds 64 bits");
  return n.Low64();
}

Result<Uint256> ParseU256(const Value& v) {
  if (v.IsUint64()) return Uint256(v.GetUint64());
  if (!v.IsString()) return Status::Error("bad-quantity", "expected a hex quantity");
  auto q = ParseHexQuantity(View(v));
  if (!q) return Status::Error("bad-quantity", "bad hex quantity: " + q.status().message());
  return Uint256::FromBigEndian32(q->data());
}

}  // namespace depin::eth_rpc
