#include "consensus/module_docs.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "consensus/multicall.h"
#include "consensus/test_module.h"
#include "market/compute_market.h"
#include "storage/market.h"

namespace depin::consensus {
namespace {

// docs/abi/*.json and docs/modules.md are generated from the function
// tables. After changing a table, regenerate them with
//   DEPIN_UPDATE_DOCS=1 build/bin/unit_consensus --gtest_filter='ModuleDocs.*'
bool UpdateRequested() {
  const char* v = std::getenv("DEPIN_UPDATE_DOCS");
  return v != nullptr && std::string(v) == "1";
}

std::string ReadDoc(const std::string& relative) {
  std::ifstream in(std::string(DEPIN_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void CheckOrUpdate(const std::string& relative, const std::string& generated) {
  if (UpdateRequested()) {
    std::ofstream out(std::string(DEPIN_SOURCE_DIR) + "/" + relative, std::ios::trunc);
    out << generated;
    ASSERT_TRUE(out.good()) << "cannot write " << relative;
    return;
  }
  EXPECT_EQ(ReadDoc(relative), generated)
      << relative << " differs from the function table: run "
      << "DEPIN_UPDATE_DOCS=1 build/bin/unit_consensus --gtest_filter='ModuleDocs.*'";
}

// Every module the node can register; the markets join this list.
std::vector<std::shared_ptr<const Module>> AllModules() {
  return {MakeTestModule(), market::MakeComputeMarket(RegtestParams().compute),
          storage::MakeStorageMarket(RegtestParams().storage), MakeMulticall()};
}

TEST(ModuleDocs, AbiFilesMatchTheFunctionTables) {
  for (const auto& m : AllModules()) {
    CheckOrUpdate("docs/abi/" + ModuleAbiFile(*m), ModuleAbiJson(m->functions()));
  }
}

TEST(ModuleDocs, ModulesPageMatchesTheFunctionTables) {
  std::vector<const Module*> modules;
  const auto all = AllModules();
  for (const auto& m : all) modules.push_back(m.get());
  CheckOrUpdate("docs/modules.md", ModulesMarkdown(modules));
}

TEST(ModuleDocs, AbiJsonChangesWithTheTable) {
  // A table edit the checked-in file does not have must show up as a diff.
  const auto m = MakeTestModule();
  std::vector<ModuleFunction> fns = m->functions().functions();
  const std::string before = ModuleAbiJson(m->functions());
  fns[1].mutability = Mutability::kNonPayable;
  EXPECT_NE(ModuleAbiJson(FunctionTable(fns, m->functions().events())), before);
  std::vector<ModuleEvent> evs = m->functions().events();
  evs[0].inputs[0].indexed = false;
  EXPECT_NE(ModuleAbiJson(FunctionTable(m->functions().functions(), evs)), before);
}

TEST(ModuleDocs, AbiJsonShape) {
  FunctionTable table(
      {ModuleFunction{.name = "f",
                      .inputs = {{"a", "uint256"}},
                      .outputs = {{"", "bool"}},
                      .mutability = Mutability::kView,
                      .gas = {1, 0},
                      .help = "",
                      .handler = nullptr}},
      {ModuleEvent{.name = "E", .inputs = {{"x", "address", /*indexed=*/true}}, .help = ""}});
  EXPECT_EQ(ModuleAbiJson(table),
            "[\n"
            "  {\"type\": \"function\", \"name\": \"f\", \"stateMutability\": \"view\", "
            "\"inputs\": [{\"name\": \"a\", \"type\": \"uint256\"}], "
            "\"outputs\": [{\"name\": \"\", \"type\": \"bool\"}]},\n"
            "  {\"type\": \"event\", \"name\": \"E\", \"anonymous\": false, "
            "\"inputs\": [{\"name\": \"x\", \"type\": \"address\", \"indexed\": true}]}\n"
            "]\n");
}

TEST(ModuleDocs, TupleParametersNestComponentsAndExpandInSignatures) {
  const AbiParam calls{"calls", "tuple[]", false, {{"target", "address"}, {"callData", "bytes"}}};
  EXPECT_EQ(calls.CanonicalType(), "(address,bytes)[]");
  const AbiParam nested{"n", "tuple", false, {{"a", "uint256"}, calls}};
  EXPECT_EQ(nested.CanonicalType(), "(uint256,(address,bytes)[])");
  FunctionTable table({ModuleFunction{.name = "aggregate",
                                      .inputs = {calls},
                                      .outputs = {},
                                      .mutability = Mutability::kNonPayable,
                                      .gas = {1, 0},
                                      .help = "",
                                      .handler = nullptr}},
                      {});
  EXPECT_EQ(table.functions()[0].Signature(), "aggregate((address,bytes)[])");
  EXPECT_EQ(ModuleAbiJson(table),
            "[\n"
            "  {\"type\": \"function\", \"name\": \"aggregate\", \"stateMutability\": "
            "\"nonpayable\", \"inputs\": [{\"name\": \"calls\", \"type\": \"tuple[]\", "
            "\"components\": [{\"name\": \"target\", \"type\": \"address\"}, {\"name\": "
            "\"callData\", \"type\": \"bytes\"}]}], \"outputs\": []}\n"
            "]\n");
}

}  // namespace
}  // namespace depin::consensus
