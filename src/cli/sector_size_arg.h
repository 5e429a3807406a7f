// Sector sizes as people write them: "2KiB", "8MiB", "512MiB", "32GiB" (any
// case, "KB"/"MB"/"GB" read as binary units too) or a plain byte count. Only
// the sizes storage/proofs/params.h lists exist.
//
// Error code: "sector-size-invalid".
//
// Thread-safety: pure function.
#pragma once

#include <string_view>

#include "storage/proofs/params.h"
#include "util/status.h"

namespace depin::cli {

Result<storage::proofs::SectorSize> ParseSectorSize(std::string_view text);

}  // namespace depin::cli
