#include "consensus/module_docs.h"

#include <string_view>

#include "consensus/abi.h"
#include "util/bytes.h"

namespace depin::consensus {
namespace {

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The ABI JSON of a parameter list; a tuple's members nest as "components".
std::string Params(const std::vector<AbiParam>& params, bool with_indexed) {
  std::string out = "[";
  for (size_t i = 0; i < params.size(); ++i) {
    if (i != 0) out += ", ";
    out += "{\"name\": " + Quoted(params[i].name) + ", \"type\": " + Quoted(params[i].type);
    if (!params[i].components.empty()) {
      out += ", \"components\": " + Params(params[i].components, /*with_indexed=*/false);
    }
    if (with_indexed)
      out += std::string(", \"indexed\": ") + (params[i].indexed ? "true" : "false");
    out += "}";
  }
  return out + "]";
}

std::string GasText(const FunctionGas& gas) {
  std::string out = std::to_string(gas.fixed);
  if (gas.per_byte != 0) out += " + " + std::to_string(gas.per_byte) + "/byte";
  return out;
}

std::string IndexedText(const ModuleEvent& event) {
  std::string out;
  for (const AbiParam& p : event.inputs) {
    if (!p.indexed) continue;
    if (!out.empty()) out += ", ";
    out += p.name;
  }
  return out.empty() ? "-" : out;
}

}  // namespace

std::string ModuleAbiFile(const Module& module) { return std::string(module.name()) + ".json"; }

std::string ModuleAbiJson(const FunctionTable& table) {
  std::vector<std::string> entries;
  for (const ModuleFunction& fn : table.functions()) {
    entries.push_back("  {\"type\": \"function\", \"name\": " + Quoted(fn.name) +
                      ", \"stateMutability\": " + Quoted(MutabilityName(fn.mutability)) +
                      ", \"inputs\": " + Params(fn.inputs, /*with_indexed=*/false) +
                      ", \"outputs\": " + Params(fn.outputs, /*with_indexed=*/false) + "}");
  }
  for (const ModuleEvent& ev : table.events()) {
    entries.push_back(
        "  {\"type\": \"event\", \"name\": " + Quoted(ev.name) +
        ", \"anonymous\": false, \"inputs\": " + Params(ev.inputs, /*with_indexed=*/true) + "}");
  }
  std::string out = "[\n";
  for (size_t i = 0; i < entries.size(); ++i) {
    out += entries[i];
    out += i + 1 < entries.size() ? ",\n" : "\n";
  }
  return out + "]\n";
}

std::string ModulesMarkdown(const std::vector<const Module*>& modules) {
  std::string out =
      "# Native modules\n\n"
      "Generated from the modules' function tables (`consensus/module_docs.h`); do not edit.\n"
      "Regenerate with `DEPIN_UPDATE_DOCS=1 build/bin/unit_consensus "
      "--gtest_filter='ModuleDocs.*'`.\n\n"
      "A call's gas is the function's fixed cost plus its per-byte cost times the ABI argument\n"
      "bytes (calldata after the selector), on top of intrinsic gas and of the state access,\n"
      "logs and deferred work the call does (`consensus/gas.h`). Views run read-only: a write\n"
      "fails with `write-in-view`. A revert reaches wallets as `Error(string)` whose text starts\n"
      "with the rule name (`testmod-insufficient-deposit: insufficient deposit`).\n";
  for (const Module* m : modules) {
    out += "\n## " + std::string(m->name()) + " (`" + m->address().ToChecksumHex() + "`)\n\n";
    out += "ABI: `docs/abi/" + ModuleAbiFile(*m) + "`\n\n";
    out += "| function | selector | mutability | gas | what it does |\n";
    out += "|---|---|---|---|---|\n";
    for (const ModuleFunction& fn : m->functions().functions()) {
      const abi::Selector sel = fn.Selector();
      out += "| `" + fn.Signature() + "` | `0x" +
             HexEncode(ByteSpan(sel.data(), sel.size()), /*prefix=*/false) + "` | " +
             std::string(MutabilityName(fn.mutability)) + " | " + GasText(fn.gas) + " | " +
             fn.help + " |\n";
    }
    if (m->functions().events().empty()) continue;
    out += "\n| event | topic 0 | indexed | meaning |\n";
    out += "|---|---|---|---|\n";
    for (const ModuleEvent& ev : m->functions().events()) {
      out += "| `" + ev.Signature() + "` | `" + ev.Topic().Hex() + "` | " + IndexedText(ev) +
             " | " + ev.help + " |\n";
    }
  }
  return out;
}

}  // namespace depin::consensus
