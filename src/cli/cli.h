// depin-cli: a bitcoin-cli style JSON-RPC client plus local key commands.
//
//   depin-cli -regtest getblockcount
//   depin-cli getblock 0x12... 2                 (words parsed as JSON when they parse)
//   depin-cli -named getblock blockhash=0x12... verbosity=2
//   depin-cli account new|list|import [...]      (V3 keystores in <datadir>/<net>/keystore)
//   depin-cli send --from KEYFILE|ADDR --to ADDR --value 1.5 [--wait]
//   depin-cli sign --key-file F --chain-id N --nonce N --to ADDR --value V --max-fee F
//   depin-cli storage commd FILE --sector-size 8MiB
//
// Output: a string result bare, other JSON pretty-printed with two spaces,
// null as nothing. Failures go to stderr and exit 1: a JSON-RPC error as
// "error code: N\nerror message:\n<message>", anything else as "error: ...".
//
// RunCli is main() with its streams passed in, so tests can run commands
// in-process. It reads the terminal itself when it must prompt for a password.
//
// Thread-safety: main thread only.
#pragma once

#include <ostream>

namespace depin::cli {

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace depin::cli
