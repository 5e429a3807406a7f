// Data commitments: CommD is the root of the binary SHA-256 tree over a
// sector's 32-byte nodes, the data zero-padded to the sector size. Clients
// compute it before a deal (`depin-cli storage commd FILE`) and the provider's
// seal commits to the same value, so both must agree byte for byte.
//
// Thread-safety: free functions, reentrant.
#pragma once

#include <string>
#include <vector>

#include "storage/proofs/params.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::storage::proofs {

// Fails with "commd-data-too-large" when data is bigger than the sector.
Result<Hash256> CommD(ByteSpan data, SectorSize size);

// Streams the file; fails with "commd-file-too-large" when the file is bigger
// than the sector and "commd-io-error" when it cannot be read.
Result<Hash256> CommDOfFile(const std::string& path, SectorSize size);

// Pieces. A deal stores one piece: the client's bytes zero-padded to a
// power-of-two piece size of at least kMinPieceSize. Its commitment is the
// root of the same binary SHA-256 tree over the padded piece, so a sector's
// CommD follows from its pieces' commitments alone: pieces are laid out in
// order, each at the next offset that is a multiple of its own size, the rest
// of the sector zero (the layout Filecoin uses for its pieces). The provider
// writes the sector that way and the chain checks the sector's CommD against
// the deals' commitments.
inline constexpr uint64_t kMinPieceSize = 256;

struct PieceInfo {
  Hash256 comm;
  uint64_t size = 0;  // padded bytes: a power of two >= kMinPieceSize
  friend bool operator==(const PieceInfo&, const PieceInfo&) = default;
};

// "piece-size-invalid" unless `size` is a power of two >= kMinPieceSize.
Status CheckPieceSize(uint64_t size);
// The smallest valid piece size that holds `bytes`.
uint64_t PieceSizeFor(uint64_t bytes);
// Commitment of `data` zero-padded to `piece_size` ("piece-size-invalid",
// "commd-data-too-large").
Result<Hash256> PieceCommitment(ByteSpan data, uint64_t piece_size);
// Same, streaming a file ("commd-file-too-large", "commd-io-error").
Result<Hash256> PieceCommitmentOfFile(const std::string& path, uint64_t piece_size);

// Byte offset of each piece in a sector of `size` under the layout above
// ("piece-size-invalid", "commd-pieces-too-large" when they do not fit).
Result<std::vector<uint64_t>> PieceOffsets(const std::vector<PieceInfo>& pieces, SectorSize size);
// The sector's CommD from its pieces (same errors). Costs O(pieces x tree
// height) hashes, whatever the sector size.
Result<Hash256> CommDFromPieces(const std::vector<PieceInfo>& pieces, SectorSize size);

}  // namespace depin::storage::proofs
