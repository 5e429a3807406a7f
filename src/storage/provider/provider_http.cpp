#include "storage/provider/provider_http.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <map>
#include <string>

#include "storage/provider/provider_role.h"

namespace depin::storage {
namespace {

// A decimal uint64 filling all of `text`.
std::optional<uint64_t> ParseDecimal(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HttpReply ErrorReply(unsigned status, std::string_view code, std::string_view message) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("error");
  w.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  return HttpReply::Json(status, std::string(buf.GetString(), buf.GetSize()) + "\n");
}

// The HTTP status for a role error, by its code.
HttpReply FromStatus(const Status& s) {
  static const std::map<std::string, unsigned, std::less<>> kStatusOf = {
      {"storage-unknown-deal", 404},     {"provider-not-my-deal", 404},
      {"provider-unknown-piece", 404},   {"provider-data-missing", 404},
      {"provider-deal-not-active", 403}, {"provider-deal-not-open", 409},
      {"provider-upload-offset", 409},   {"provider-upload-total", 409},
      {"provider-upload-busy", 409},     {"provider-data-too-large", 413},
      {"provider-data-mismatch", 422},   {"provider-disk-full", 507},
  };
  auto it = kStatusOf.find(s.code());
  return ErrorReply(it == kStatusOf.end() ? 500 : it->second, s.code(), s.message());
}

HttpReply UploadReply(unsigned status, uint64_t deal, const StorageProviderRole::UploadState& u) {
  HttpReply r = HttpReply::Json(
      status, "{\"deal\":" + std::to_string(deal) + ",\"received\":" + std::to_string(u.received) +
                  ",\"total\":" + std::to_string(u.total) +
                  ",\"complete\":" + (u.complete ? "true" : "false") + "}\n");
  r.headers.emplace_back("Upload-Offset", std::to_string(u.received));
  return r;
}

// A file range as the reply to GET/HEAD, honouring Range.
HttpReply DataReply(const HttpRequest& req, const StorageProviderRole::DataLocation& loc) {
  HttpReply r;
  r.content_type = "application/octet-stream";
  r.headers.emplace_back("Accept-Ranges", "bytes");
  r.headers.emplace_back("ETag", "\"" + loc.comm_d.Hex() + "\"");
  r.headers.emplace_back("X-Deal-Id", std::to_string(loc.deal));
  ByteRange range;
  const auto header = req.Header("range");
  switch (header ? ParseRange(*header, loc.length, &range) : RangeRequest::kWhole) {
    case RangeRequest::kWhole:
      r.file = HttpFileRange{loc.path, loc.offset, loc.length};
      return r;
    case RangeRequest::kPartial:
      r.status = 206;
      r.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                  std::to_string(range.last) + "/" +
                                                  std::to_string(loc.length));
      r.file = HttpFileRange{loc.path, loc.offset + range.first, range.last - range.first + 1};
      return r;
    case RangeRequest::kUnsatisfiable:
      break;
  }
  HttpReply e = ErrorReply(416, "provider-bad-range",
                           "the range lies outside the " + std::to_string(loc.length) + " bytes");
  e.headers.emplace_back("Content-Range", "bytes */" + std::to_string(loc.length));
  return e;
}

HttpReply Deals(StorageProviderRole* role, const HttpRequest& req) {
  std::string_view rest =
      std::string_view(req.path).substr(std::string_view("/storage/deals/").size());
  bool upload_status = false;
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash) != "/upload") return ErrorReply(404, "not-found", "no such resource");
    upload_status = true;
    rest = rest.substr(0, slash);
  }
  const auto id = ParseDecimal(rest);
  if (!id || *id == 0)
    return ErrorReply(400, "bad-request", "the deal id must be a decimal number");
  if (upload_status) {
    if (req.method != "GET" && req.method != "HEAD") {
      return ErrorReply(405, "method-not-allowed", "GET the upload state");
    }
    auto state = role->UploadStatus(*id);
    if (!state.ok()) return FromStatus(state.status());
    return UploadReply(200, *id, *state);
  }
  if (req.method == "PUT") {
    uint64_t offset = 0;
    uint64_t total = req.body.size();
    if (const auto header = req.Header("content-range")) {
      const auto cr = ParseContentRange(*header);
      if (!cr || cr->last - cr->first + 1 != req.body.size()) {
        return ErrorReply(400, "bad-request",
                          "Content-Range must be \"bytes FIRST-LAST/TOTAL\" and match the body");
      }
      offset = cr->first;
      total = cr->total;
    } else if (req.body.empty()) {
      return ErrorReply(400, "bad-request", "an upload needs a body");
    }
    auto state = role->ReceiveUpload(*id, offset, total, req.body);
    if (!state.ok()) {
      HttpReply r = FromStatus(state.status());
      if (state.status().code() == "provider-upload-offset") {
        if (auto now = role->UploadStatus(*id); now.ok()) {
          r.headers.emplace_back("Upload-Offset", std::to_string(now->received));
        }
      }
      return r;
    }
    return UploadReply(200, *id, *state);
  }
  auto loc = role->LocateDeal(*id, /*piece=*/false);
  if (!loc.ok()) return FromStatus(loc.status());
  return DataReply(req, *loc);
}

HttpReply Piece(StorageProviderRole* role, const HttpRequest& req) {
  const std::string_view text =
      std::string_view(req.path).substr(std::string_view("/piece/").size());
  auto comm_d = Hash256::FromHex(text);
  if (!comm_d.ok())
    return ErrorReply(400, "bad-request", "the piece CID must be a 32-byte hex CommD");
  auto loc = role->LocatePiece(*comm_d);
  if (!loc.ok()) return FromStatus(loc.status());
  return DataReply(req, *loc);
}

}  // namespace

RangeRequest ParseRange(std::string_view header, uint64_t length, ByteRange* out) {
  header = TrimSpaces(header);
  constexpr std::string_view kUnit = "bytes=";
  if (header.substr(0, kUnit.size()) != kUnit) return RangeRequest::kWhole;
  const std::string_view spec = TrimSpaces(header.substr(kUnit.size()));
  if (spec.find(',') != std::string_view::npos) return RangeRequest::kWhole;
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeRequest::kWhole;
  const std::string_view a = TrimSpaces(spec.substr(0, dash));
  const std::string_view b = TrimSpaces(spec.substr(dash + 1));
  if (a.empty()) {
    // The last n bytes.
    const auto n = ParseDecimal(b);
    if (!n) return RangeRequest::kWhole;
    if (*n == 0 || length == 0) return RangeRequest::kUnsatisfiable;
    out->first = length - std::min(*n, length);
    out->last = length - 1;
    return RangeRequest::kPartial;
  }
  const auto first = ParseDecimal(a);
  if (!first) return RangeRequest::kWhole;
  uint64_t last = length == 0 ? 0 : length - 1;
  if (!b.empty()) {
    const auto l = ParseDecimal(b);
    if (!l || *l < *first) return RangeRequest::kWhole;
    last = std::min(*l, last);
  }
  if (*first >= length) return RangeRequest::kUnsatisfiable;
  out->first = *first;
  out->last = last;
  return RangeRequest::kPartial;
}

std::optional<ContentRange> ParseContentRange(std::string_view header) {
  header = TrimSpaces(header);
  constexpr std::string_view kUnit = "bytes ";
  if (header.substr(0, kUnit.size()) != kUnit) return std::nullopt;
  const std::string_view spec = TrimSpaces(header.substr(kUnit.size()));
  const size_t dash = spec.find('-');
  const size_t slash = spec.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) {
    return std::nullopt;
  }
  const auto first = ParseDecimal(spec.substr(0, dash));
  const auto last = ParseDecimal(spec.substr(dash + 1, slash - dash - 1));
  const auto total = ParseDecimal(spec.substr(slash + 1));
  if (!first || !last || !total || *last < *first || *last >= *total) return std::nullopt;
  return ContentRange{*first, *last, *total};
}

HttpRoutes StorageProviderRoutes(StorageProviderRole* role) {
  HttpRoutes routes;
  routes.push_back(HttpRoute{.prefix = "/storage/deals/",
                             .methods = {"GET", "HEAD", "PUT"},
                             .max_body_bytes = kMaxUploadChunkBytes,
                             .handler = [role](const HttpRequest& r) { return Deals(role, r); }});
  routes.push_back(HttpRoute{.prefix = "/piece/",
                             .methods = {"GET", "HEAD"},
                             .max_body_bytes = 0,
                             .handler = [role](const HttpRequest& r) { return Piece(role, r); }});
  return routes;
}

}  // namespace depin::storage
