// A small built-in module, enabled on regtest only, that exercises the module
// interface before the markets exist: key/value storage with events, a
// payable deposit held in module escrow and withdrawn through PayFromModule,
// a call that always reverts with a reason, one that burns gas, a view of
// the block randomness, and deferred work (schedule() queues a run that
// stores the height it ran at and emits DeferredRan). Its
// function table is the source of docs/abi/test.json.
//
// Thread-safety: immutable; see Module.
#pragma once

#include <memory>

#include "consensus/module.h"

namespace depin::consensus {

// 0x0000000000000000000000000000000000000F00
Address TestModuleAddress();

std::shared_ptr<const Module> MakeTestModule();

}  // namespace depin::consensus
