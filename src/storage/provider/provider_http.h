// The storage provider's data over plain HTTP, on the node's RPC listeners
// (public port included) when -storageprovider is on:
//
//   PUT  /storage/deals/{id}          upload a deal's data, whole or in chunks
//        Content-Range: bytes a-b/total   (optional: a whole upload without it)
//        -> 200 {"deal","received","total","complete"}; each chunk must start
//           where the last one ended (409 with Upload-Offset otherwise), so a
//           client resumes after a lost connection or a restart of either
//           side; the last chunk is checked against the deal's CommD.
//   GET  /storage/deals/{id}/upload   where the upload stands (same object)
//   GET  /storage/deals/{id}          the client's bytes of an active deal
//   GET  /piece/{commD}               the zero-padded piece of an active deal
//        (both with Range: bytes=a-b | a- | -n, answered 206; HEAD too)
//
// Errors are JSON {"error": code, "message": text}: 400 malformed request,
// 403 provider-deal-not-active (retrieval of a deal not paid for now),
// 404 unknown deal, piece or data, 409 the deal is not waiting for data or
// the upload is elsewhere (provider-upload-offset, -total, -busy),
// 413 more bytes than the piece, 416 an unsatisfiable Range, 422 the data
// does not match the deal's CommD (the upload is discarded), 507 the disk
// would keep less than the reserve for sealing.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "rpc/http_routes.h"

namespace depin::storage {

class StorageProviderRole;

// The most bytes one PUT may carry; larger uploads come in chunks.
inline constexpr size_t kMaxUploadChunkBytes = 16 << 20;

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
};

enum class RangeRequest { kWhole, kPartial, kUnsatisfiable };

// A Range header against a resource of `length` bytes (RFC 9110 14.1.2):
// one "bytes=" range; anything else (several ranges, another unit, bad
// syntax) asks for the whole resource, as the RFC allows a server to treat it.
RangeRequest ParseRange(std::string_view header, uint64_t length, ByteRange* out);

// "bytes a-b/total" with a <= b < total; nullopt otherwise.
struct ContentRange {
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t total = 0;
};
std::optional<ContentRange> ParseContentRange(std::string_view header);

// The routes above, served by `role` (which must outlive the RPC server's
// use of them).
HttpRoutes StorageProviderRoutes(StorageProviderRole* role);

}  // namespace depin::storage
