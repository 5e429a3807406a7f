// Piece commitment: CommD is the root of the binary SHA-256 tree over a
// sector's 32-byte nodes, the data zero-padded to the sector size. Clients
// compute it before a deal (`depin-cli storage commd FILE`) and the provider's
// seal commits to the same value, so both must agree byte for byte.
//
// Thread-safety: free functions, reentrant.
#pragma once

#include <string>

#include "storage/proofs/params.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::storage::proofs {

// Fails with "commd-data-too-large" when data is bigger than the sector.
Result<Hash256> CommD(ByteSpan data, SectorSize size);

// Streams the file; fails with "commd-file-too-large" when the file is bigger
// than the sector and "commd-io-error" when it cannot be read.
Result<Hash256> CommDOfFile(const std::string& path, SectorSize size);

}  // namespace depin::storage::proofs
