#include "storage/proofs/comm_d.h"

#include <gtest/gtest.h>

#include <fstream>

#include "proofs_test_util.h"
#include "storage/proofs/merkle_tree.h"

namespace depin::storage::proofs {
namespace {

using testing::PatternData;
using testing::ScratchDir;

void WriteAll(const std::string& path, ByteSpan data) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

TEST(CommD, EmptyDataGivesTheZeroTree) {
  auto c = CommD({}, SectorSize::Size8MiB());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, ZeroTreeRoot(SectorSize::Size8MiB().tree_height()));
}

TEST(CommD, EqualsTheTreeOverTheZeroPaddedSector) {
  Bytes data = PatternData(1500);
  Bytes padded(2048, 0);
  std::copy(data.begin(), data.end(), padded.begin());
  auto c = CommD(data, SectorSize::Size2KiB());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, RootOfLevels(BuildTreeLevels(padded, 1)));
  // Trailing zeros are padding, so they do not change the commitment.
  EXPECT_EQ(*CommD(padded, SectorSize::Size2KiB()), *c);
}

TEST(CommD, RefusesDataLargerThanTheSector) {
  Bytes data(2049, 1);
  EXPECT_EQ(CommD(data, SectorSize::Size2KiB()).status().code(), "commd-data-too-large");
}

TEST(CommD, OfFileMatchesInMemory) {
  ScratchDir dir;
  Bytes data = PatternData(3 * 1024 * 1024 + 17);
  WriteAll(dir.Sub("piece"), data);
  auto from_file = CommDOfFile(dir.Sub("piece"), SectorSize::Size8MiB());
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_EQ(*from_file, *CommD(data, SectorSize::Size8MiB()));
  // A small file in a huge sector is cheap: zero subtrees are not hashed leaf
  // by leaf.
  auto big = CommDOfFile(dir.Sub("piece"), SectorSize::Size32GiB());
  ASSERT_TRUE(big.ok());
  EXPECT_NE(*big, *from_file);
}

TEST(CommD, OfFileRefusesFilesLargerThanTheSector) {
  ScratchDir dir;
  WriteAll(dir.Sub("big"), Bytes(2049, 3));
  EXPECT_EQ(CommDOfFile(dir.Sub("big"), SectorSize::Size2KiB()).status().code(),
            "commd-file-too-large");
  WriteAll(dir.Sub("exact"), Bytes(2048, 3));
  EXPECT_TRUE(CommDOfFile(dir.Sub("exact"), SectorSize::Size2KiB()).ok());
}

TEST(CommD, OfMissingFileIsAnIoError) {
  ScratchDir dir;
  EXPECT_EQ(CommDOfFile(dir.Sub("absent"), SectorSize::Size2KiB()).status().code(),
            "commd-io-error");
}

TEST(Pieces, CommitmentIsTheTreeOverThePaddedPiece) {
  Bytes data = PatternData(300);
  Bytes padded(512, 0);
  std::copy(data.begin(), data.end(), padded.begin());
  auto c = PieceCommitment(data, 512);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c, RootOfLevels(BuildTreeLevels(padded, 1)));
  EXPECT_EQ(PieceCommitment(data, 256).status().code(), "commd-data-too-large");
  EXPECT_EQ(PieceCommitment(data, 384).status().code(), "piece-size-invalid");
  EXPECT_EQ(PieceCommitment({}, 128).status().code(), "piece-size-invalid");
  EXPECT_EQ(PieceSizeFor(0), 256u);
  EXPECT_EQ(PieceSizeFor(257), 512u);
  EXPECT_EQ(PieceSizeFor(512), 512u);
  ScratchDir dir;
  WriteAll(dir.Sub("piece"), data);
  EXPECT_EQ(*PieceCommitmentOfFile(dir.Sub("piece"), 512), *c);
  EXPECT_EQ(PieceCommitmentOfFile(dir.Sub("piece"), 256).status().code(), "commd-file-too-large");
}

TEST(Pieces, SectorCommDFromPiecesMatchesTheLaidOutSector) {
  // 256 at 0, 512 aligned up to 512, 256 right after at 1024: the layout a
  // provider writes, zeros elsewhere.
  const Bytes a = PatternData(200);
  const Bytes b = PatternData(512);
  Bytes c = PatternData(256);
  c[0] ^= 0x5a;
  std::vector<PieceInfo> pieces = {{*PieceCommitment(a, 256), 256},
                                   {*PieceCommitment(b, 512), 512},
                                   {*PieceCommitment(c, 256), 256}};
  auto offsets = PieceOffsets(pieces, SectorSize::Size2KiB());
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(*offsets, (std::vector<uint64_t>{0, 512, 1024}));
  Bytes sector(2048, 0);
  std::copy(a.begin(), a.end(), sector.begin());
  std::copy(b.begin(), b.end(), sector.begin() + 512);
  std::copy(c.begin(), c.end(), sector.begin() + 1024);
  auto from_pieces = CommDFromPieces(pieces, SectorSize::Size2KiB());
  ASSERT_TRUE(from_pieces.ok()) << from_pieces.status().ToString();
  EXPECT_EQ(*from_pieces, *CommD(sector, SectorSize::Size2KiB()));
  // Order matters: the same pieces in another order are another sector.
  std::swap(pieces[0], pieces[1]);
  EXPECT_NE(*CommDFromPieces(pieces, SectorSize::Size2KiB()), *from_pieces);
  // One piece filling the sector is the sector; none is the zero tree.
  EXPECT_EQ(*CommDFromPieces({{*from_pieces, 2048}}, SectorSize::Size2KiB()), *from_pieces);
  EXPECT_EQ(*CommDFromPieces({}, SectorSize::Size2KiB()),
            ZeroTreeRoot(SectorSize::Size2KiB().tree_height()));
}

TEST(Pieces, PiecesThatDoNotFitAreRefused) {
  const Hash256 h;
  // 256 then 2048: the big one would start at 2048, past the end.
  EXPECT_EQ(CommDFromPieces({{h, 256}, {h, 2048}}, SectorSize::Size2KiB()).status().code(),
            "commd-pieces-too-large");
  EXPECT_EQ(CommDFromPieces({{h, 4096}}, SectorSize::Size2KiB()).status().code(),
            "commd-pieces-too-large");
  EXPECT_EQ(CommDFromPieces({{h, 300}}, SectorSize::Size2KiB()).status().code(),
            "piece-size-invalid");
  std::vector<PieceInfo> nine(9, PieceInfo{h, 256});
  EXPECT_EQ(CommDFromPieces(nine, SectorSize::Size2KiB()).status().code(),
            "commd-pieces-too-large");
  nine.pop_back();
  EXPECT_TRUE(CommDFromPieces(nine, SectorSize::Size2KiB()).ok());
}

TEST(SectorSize, ParsesTheNamesItPrints) {
  for (SectorSize s : {SectorSize::Size2KiB(), SectorSize::Size8MiB(), SectorSize::Size512MiB(),
                       SectorSize::Size32GiB()}) {
    auto parsed = ParseSectorSize(s.ToString());
    ASSERT_TRUE(parsed.ok()) << s.ToString();
    EXPECT_EQ(*parsed, s);
    EXPECT_EQ(*ParseSectorSize(std::to_string(s.bytes())), s);
  }
  EXPECT_EQ(SectorSize::Size8MiB().ToString(), "8MiB");
  EXPECT_EQ(*ParseSectorSize("8mib"), SectorSize::Size8MiB());
  EXPECT_EQ(*ParseSectorSize("2048B"), SectorSize::Size2KiB());
  for (const char* bad :
       {"", "MiB", "8", "8MB", "4KiB", "8 MiB", "-8MiB", "99999999999999999999GiB", "32GiBx"}) {
    EXPECT_EQ(ParseSectorSize(bad).status().code(), "sector-size-unknown") << bad;
  }
}

TEST(SectorSize, OnlyListedSizesExist) {
  EXPECT_EQ(SectorSize::FromBytes(2048), SectorSize::Size2KiB());
  EXPECT_EQ(SectorSize::FromBytes(uint64_t{32} << 30), SectorSize::Size32GiB());
  EXPECT_FALSE(SectorSize::FromBytes(4096).has_value());
  EXPECT_FALSE(SectorSize::FromLog2(12).has_value());
  EXPECT_EQ(SectorSize::Size8MiB().nodes(), 262144u);
  EXPECT_EQ(SectorSize::Size8MiB().tree_height(), 18u);
}

}  // namespace
}  // namespace depin::storage::proofs
