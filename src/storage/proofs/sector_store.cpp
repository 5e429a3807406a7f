#include "storage/proofs/sector_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>

#include "crypto/sha256.h"
#include "util/file.h"

namespace depin::storage::proofs {
namespace {

constexpr char kMetaFile[] = "meta";
constexpr char kMetaMagic[8] = {'D', 'P', 'N', 'S', 'E', 'C', 'T', '1'};
constexpr size_t kMetaBodySize = 8 + 1 + 4 + 20 + 8 + 32 * 3 + 4 + 1 + 32 * 3;

Status IoError(const std::string& what) {
  return Status::Error("store-io-error", what + ": " + std::strerror(errno));
}

Status SyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return IoError("sync " + dir);
  return Status::Ok();
}

}  // namespace

std::string LayerFileName(uint32_t layer) { return "layer-" + std::to_string(layer); }

Result<SectorStore> SectorStore::Open(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return IoError("mkdir " + dir);
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::Error("store-io-error", dir + " is not a directory");
  }
  return SectorStore(dir);
}

bool SectorStore::HasMeta() const { return ::access(PathOf(kMetaFile).c_str(), F_OK) == 0; }

Status SectorStore::WriteMeta(const SectorMeta& m) {
  Bytes b(kMetaBodySize + 32);
  uint8_t* p = b.data();
  std::memcpy(p, kMetaMagic, 8);
  p += 8;
  *p++ = static_cast<uint8_t>(m.size.log2_bytes());
  WriteBE32(p, m.layers);
  p += 4;
  std::memcpy(p, m.provider.data(), 20);
  p += 20;
  WriteBE64(p, m.sector_number);
  p += 8;
  for (const Hash256* h : {&m.ticket, &m.comm_d, &m.replica_id}) {
    std::memcpy(p, h->data(), 32);
    p += 32;
  }
  WriteBE32(p, m.layers_done);
  p += 4;
  *p++ = static_cast<uint8_t>((m.sealed ? 1 : 0) | (m.sealing_files_removed ? 2 : 0));
  for (const Hash256* h : {&m.comm_c, &m.comm_r_last, &m.comm_r}) {
    std::memcpy(p, h->data(), 32);
    p += 32;
  }
  Hash256 sum = crypto::Sha256Hash(ByteSpan(b.data(), kMetaBodySize));
  std::memcpy(p, sum.data(), 32);
  return WriteFile(kMetaFile, b);
}

Result<SectorMeta> SectorStore::ReadMeta() const {
  if (!HasMeta()) return Status::Error("store-no-meta", dir_ + " holds no sector");
  auto b = ReadFile(kMetaFile);
  if (!b) return b.status();
  auto corrupt = [&](const char* why) {
    return Status::Error("store-corrupt-meta", dir_ + "/meta: " + why);
  };
  if (b->size() != kMetaBodySize + 32) return corrupt("wrong length");
  if (crypto::Sha256Hash(ByteSpan(b->data(), kMetaBodySize)) !=
      Hash256(b->data() + kMetaBodySize)) {
    return corrupt("checksum mismatch");
  }
  const uint8_t* p = b->data();
  if (std::memcmp(p, kMetaMagic, 8) != 0) return corrupt("bad magic");
  p += 8;
  auto size = SectorSize::FromLog2(*p++);
  if (!size) return corrupt("unknown sector size");
  SectorMeta m;
  m.size = *size;
  m.layers = ReadBE32(p);
  p += 4;
  m.provider = ProviderAddress(p);
  p += 20;
  m.sector_number = ReadBE64(p);
  p += 8;
  for (Hash256* h : {&m.ticket, &m.comm_d, &m.replica_id}) {
    *h = Hash256(p);
    p += 32;
  }
  m.layers_done = ReadBE32(p);
  p += 4;
  uint8_t flags = *p++;
  if (flags > 3) return corrupt("unknown flags");
  m.sealed = flags & 1;
  m.sealing_files_removed = flags & 2;
  for (Hash256* h : {&m.comm_c, &m.comm_r_last, &m.comm_r}) {
    *h = Hash256(p);
    p += 32;
  }
  if (m.layers == 0 || m.layers_done > m.layers) return corrupt("bad layer counts");
  return m;
}

Status SectorStore::WriteFile(const std::string& name, ByteSpan data) {
  const std::string tmp = PathOf(name + ".tmp");
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644));
    if (fd.get() < 0) return IoError("open " + tmp);
    size_t done = 0;
    while (done < data.size()) {
      ssize_t w = ::write(fd.get(), data.data() + done, data.size() - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        return IoError("write " + tmp);
      }
      done += static_cast<size_t>(w);
    }
    if (::fsync(fd.get()) != 0) return IoError("fsync " + tmp);
  }
  if (::rename(tmp.c_str(), PathOf(name).c_str()) != 0) return IoError("rename " + tmp);
  return SyncDir(dir_);
}

Result<Bytes> SectorStore::ReadFile(const std::string& name) const {
  struct stat st;
  if (::stat(PathOf(name).c_str(), &st) != 0) return IoError("stat " + PathOf(name));
  Bytes out(static_cast<size_t>(st.st_size));
  DEPIN_RETURN_IF_ERROR(ReadRange(name, 0, out.size(), out.data()));
  return out;
}

Status SectorStore::ReadRange(const std::string& name, uint64_t offset, uint64_t len,
                              uint8_t* out) const {
  UniqueFd fd(::open(PathOf(name).c_str(), O_RDONLY));
  if (fd.get() < 0) return IoError("open " + PathOf(name));
  uint64_t done = 0;
  while (done < len) {
    ssize_t r = ::pread(fd.get(), out + done, len - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoError("read " + PathOf(name));
    }
    if (r == 0) {
      return Status::Error("store-short-read",
                           PathOf(name) + " ends before byte " + std::to_string(offset + len));
    }
    done += static_cast<uint64_t>(r);
  }
  return Status::Ok();
}

Result<Hash256> SectorStore::ReadNode(const std::string& name, uint64_t index) const {
  Hash256 h;
  DEPIN_RETURN_IF_ERROR(ReadRange(name, index * kNodeSize, kNodeSize, h.data()));
  return h;
}

Result<MerklePath> SectorStore::ReadPath(const std::string& leaf_file,
                                         const std::string& levels_file, uint64_t leaves,
                                         uint64_t index) const {
  const uint32_t height = static_cast<uint32_t>(std::countr_zero(leaves));
  MerklePath path;
  path.siblings.resize(height);
  DEPIN_RETURN_IF_ERROR(
      ReadRange(leaf_file, (index ^ 1) * kNodeSize, kNodeSize, path.siblings[0].data()));
  for (uint32_t level = 1; level < height; ++level) {
    uint64_t node = LevelOffset(leaves, level) + ((index >> level) ^ 1);
    DEPIN_RETURN_IF_ERROR(
        ReadRange(levels_file, node * kNodeSize, kNodeSize, path.siblings[level].data()));
  }
  return path;
}

Status SectorStore::RemoveFile(const std::string& name) {
  if (::unlink(PathOf(name).c_str()) != 0 && errno != ENOENT) return IoError("unlink " + name);
  return Status::Ok();
}

Status SectorStore::RemoveSealingFiles() {
  auto meta = ReadMeta();
  if (!meta) return meta.status();
  if (!meta->sealed) return Status::Error("store-not-sealed", "sector is not sealed yet");
  meta->sealing_files_removed = true;
  // Record the removal first: a crash midway must not leave a meta that
  // promises files that are gone.
  DEPIN_RETURN_IF_ERROR(WriteMeta(*meta));
  for (uint32_t l = 1; l <= meta->layers; ++l) DEPIN_RETURN_IF_ERROR(RemoveFile(LayerFileName(l)));
  for (const char* f : {kColumnsFile, kTreeCFile, kTreeDFile}) DEPIN_RETURN_IF_ERROR(RemoveFile(f));
  return SyncDir(dir_);
}

}  // namespace depin::storage::proofs
