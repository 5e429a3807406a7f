// BlockFileReader: reads the records of a block store's flat files
// (blk00000.dat, blk00001.dat, ... in <datadir>/blocks, see block_store.h)
// in file order, without a database: every complete record with the right
// magic and checksum, whatever the index says of it. -reindex uses it to
// rebuild the chainstate from the block files alone.
//
// ReplayBlockFiles feeds every block read to Chainstate::ProcessBlock in
// file order. Blocks whose parent is not known yet (files hold blocks in
// the order they were received) are held until the parent has been
// processed, so the chainstate always sees a parent before its children and
// activates the most-work chain as it goes.
//
// Thread-safety: a reader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

#include "chain/chainstate.h"
#include "primitives/block.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin {
class Logger;
}

namespace depin::chain {

class BlockFileReader {
 public:
  // `dir` holds the blk*.dat files; `magic` is the network magic as stored
  // (little-endian u32 read from the record); payloads above
  // `max_block_size` count as damage.
  BlockFileReader(std::filesystem::path dir, uint32_t magic, size_t max_block_size);

  // The next record's payload (a serialized block), or nullopt after the
  // last file. Where the framing is broken the reader resumes at the next
  // magic that frames a record, counting the damaged stretch as one skipped
  // record; with none after it the file ends there (a torn append). A
  // record with a bad checksum but intact framing is skipped and counted.
  // "blockstore-io-error" on read errors.
  Result<std::optional<Bytes>> Next();

  uint32_t file() const { return file_; }
  uint64_t records_read() const { return records_; }
  uint64_t records_skipped() const { return skipped_; }

 private:
  std::filesystem::path FilePath(uint32_t file) const;

  const std::filesystem::path dir_;
  const uint32_t magic_;
  const size_t max_block_size_;
  uint32_t file_ = 0;
  Bytes data_;  // the current file
  size_t pos_ = 0;
  bool loaded_ = false;
  uint64_t records_ = 0;
  uint64_t skipped_ = 0;
};

struct ReplayStats {
  uint64_t blocks_read = 0;      // records decoded
  uint64_t blocks_accepted = 0;  // stored by the chainstate (not already known)
  uint64_t blocks_known = 0;     // already stored (a resumed reindex): skipped undecoded
  uint64_t blocks_invalid = 0;   // rejected (logged with the rule)
  uint64_t blocks_unlinked = 0;  // parent never found in the files
  uint64_t records_skipped = 0;  // bad checksum or not a block
};

// Reads every record of the files in `dir` and feeds it to `chainstate`
// (see the header comment). Fails only on I/O errors or a chainstate
// error that is not about the block itself (database failure). Records are
// read on a second thread, up to 64 blocks ahead of the one being connected,
// and decoded on a pool of `decode_threads` threads, several blocks at once
// (a large block spreads its senders over the whole pool).
// Blocks the chainstate already stores (a reindex resumed after an
// interruption) are skipped without being decoded. `interrupted`, when set,
// is asked before each block; once it answers true the replay stops with
// "reindex-interrupted" (the chainstate is consistent at every block).
Result<ReplayStats> ReplayBlockFiles(const std::filesystem::path& dir, Chainstate& chainstate,
                                     Logger* logger, unsigned decode_threads = 1,
                                     const std::function<bool()>& interrupted = {});

}  // namespace depin::chain
