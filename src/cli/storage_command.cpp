// `depin-cli storage commd FILE --sector-size 8MiB`: the piece commitment a
// client quotes in a storage deal, computed locally.
#include "cli/commands.h"
#include "cli/sector_size_arg.h"
#include "storage/proofs/comm_d.h"

namespace depin::cli {

namespace po = boost::program_options;

po::options_description StorageCommandOptions() {
  po::options_description d("storage options");
  d.add_options()("sector-size", ValueOption(),
                  "sector size: 2KiB, 8MiB (tests, regtest), 512MiB, 32GiB, or bytes");
  return d;
}

int RunStorageCommand(CommandContext& ctx) {
  if (ctx.args.empty() || ctx.args[0] != "commd" || ctx.args.size() != 2) {
    return Fail(ctx.err, "usage: depin-cli storage commd FILE --sector-size SIZE");
  }
  auto size_text = OptionValue(ctx.vm, "sector-size");
  if (!size_text) return Fail(ctx.err, "storage commd needs --sector-size (e.g. 8MiB)");
  auto size = ParseSectorSize(*size_text);
  if (!size) return Fail(ctx.err, size.status().message());
  auto commd = storage::proofs::CommDOfFile(ctx.args[1], *size);
  if (!commd) {
    if (commd.status().Is(StatusKind::kLimitExceeded)) {
      return Fail(ctx.err, ctx.args[1] + " is larger than the " + *size_text + " sector");
    }
    return Fail(ctx.err, commd.status().message());
  }
  ctx.out << commd->Hex() << "\n";
  return 0;
}

}  // namespace depin::cli
