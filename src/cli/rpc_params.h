// Turning command-line words into JSON-RPC parameters, as bitcoin-cli users
// expect: a word that parses as JSON is sent as that JSON value (`5` a
// number, `true` a bool, `{"a":1}` an object, `"5"` the string 5), and any
// other word is sent as a string (`0xabc`, `hello`). An integer too large for
// 64 bits is sent as a decimal string rather than rounded through a double.
//
// With -named each word is `name=value` and the parameters form an object;
// the value follows the same rule.
//
//   BuildPositionalParams({"5", "true"})   -> [5,true]
//   BuildNamedParams({"blockhash=0x12", "verbosity=2"})
//                                          -> {"blockhash":"0x12","verbosity":2}
//
// Error codes: "params-named-syntax" (a -named word without '='),
// "params-named-duplicate".
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace depin::cli {

// The JSON text of one word under the rule above.
std::string ParamToJson(std::string_view word);

// A JSON array of the words.
std::string BuildPositionalParams(const std::vector<std::string>& words);
// A JSON object from name=value words.
Result<std::string> BuildNamedParams(const std::vector<std::string>& words);

// A JSON-RPC 2.0 request object; `params_json` must be valid JSON (an array
// or object).
std::string BuildRequest(std::string_view method, std::string_view params_json, uint64_t id);

// A JSON string literal (quoted and escaped).
std::string JsonString(std::string_view s);

}  // namespace depin::cli
