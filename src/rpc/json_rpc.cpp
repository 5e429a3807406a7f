#include "rpc/json_rpc.h"

#include <cassert>

namespace depin {

RpcResult RpcResult::Null() { return RpcResult(rapidjson::Document()); }

RpcResult RpcResult::Bool(bool v) {
  rapidjson::Document d;
  d.SetBool(v);
  return RpcResult(std::move(d));
}

RpcResult RpcResult::Int(int64_t v) {
  rapidjson::Document d;
  d.SetInt64(v);
  return RpcResult(std::move(d));
}

RpcResult RpcResult::Uint(uint64_t v) {
  rapidjson::Document d;
  d.SetUint64(v);
  return RpcResult(std::move(d));
}

RpcResult RpcResult::String(std::string_view v) {
  rapidjson::Document d;
  d.SetString(v.data(), static_cast<rapidjson::SizeType>(v.size()), d.GetAllocator());
  return RpcResult(std::move(d));
}

void RpcResult::WriteValue(rapidjson::Writer<rapidjson::StringBuffer>& writer) const {
  if (const auto* doc = std::get_if<std::shared_ptr<rapidjson::Document>>(&v_)) {
    (*doc)->Accept(writer);
  } else if (const auto* raw = std::get_if<RawTag>(&v_)) {
    writer.RawValue(raw->json.data(), raw->json.size(), rapidjson::kObjectType);
  } else {
    assert(false && "RpcResult::WriteValue on an error");
  }
}

}  // namespace depin
