// The published faces of a module, generated from its FunctionTable so they
// cannot drift from what dispatch does: the Solidity ABI JSON that wallets
// load (docs/abi/<module>.json) and the reference page docs/modules.md. A
// unit test (tests/unit/consensus/module_docs_test.cpp) compares the checked-in
// files with these and rewrites them when run with DEPIN_UPDATE_DOCS=1.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "consensus/module.h"

namespace depin::consensus {

// The ABI file's name under docs/abi/: "<name>.json".
std::string ModuleAbiFile(const Module& module);

// The ABI JSON array (functions in table order, then events), one entry per
// line, ending in a newline.
std::string ModuleAbiJson(const FunctionTable& table);

// docs/modules.md: per module its address, then a table of functions
// (signature, selector, mutability, gas, help) and one of events (signature,
// topic 0, indexed inputs, help).
std::string ModulesMarkdown(const std::vector<const Module*>& modules);

}  // namespace depin::consensus
