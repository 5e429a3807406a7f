// A leveldb::Env that can forget what was never synced, as LevelDB's own
// fault_injection_test does: it wraps the default environment, counts for
// each file it creates how many bytes were appended at the last Sync(), and
// on DropUnsyncedData() (with the database closed) cuts every such file back
// to that length and deletes those never synced at all: the disk as a power
// cut would leave it. Renames carry the counts along (LevelDB writes CURRENT
// as a temporary file, syncs it, then renames it). A file's directory entry
// is taken as durable once the file has been synced; LevelDB syncs the
// directory only for the MANIFEST, so this is kinder to new table files than
// a real power cut may be (their contents are still synced before use).
//
// Thread-safety: the Env methods may be called from LevelDB's threads; the
// bookkeeping is under a mutex. DropUnsyncedData only with no database open.
#pragma once

#include <leveldb/env.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace depin::chain::testing {

class FaultInjectionEnv : public leveldb::EnvWrapper {
 public:
  FaultInjectionEnv() : leveldb::EnvWrapper(leveldb::Env::Default()) {}

  leveldb::Status NewWritableFile(const std::string& name, leveldb::WritableFile** out) override {
    leveldb::WritableFile* file = nullptr;
    leveldb::Status s = target()->NewWritableFile(name, &file);
    if (!s.ok()) return s;
    {
      std::lock_guard<std::mutex> lock(mu_);
      files_[name] = State{};
    }
    *out = new File(this, name, file, /*size=*/0);
    return s;
  }

  leveldb::Status NewAppendableFile(const std::string& name, leveldb::WritableFile** out) override {
    uint64_t size = 0;
    std::error_code ec;
    if (std::filesystem::exists(name, ec)) size = std::filesystem::file_size(name, ec);
    leveldb::WritableFile* file = nullptr;
    leveldb::Status s = target()->NewAppendableFile(name, &file);
    if (!s.ok()) return s;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = files_.find(name);
      // A file that existed before is as durable as it was.
      if (it == files_.end()) files_[name] = State{size, size, /*ever_synced=*/true};
    }
    *out = new File(this, name, file, size);
    return s;
  }

  leveldb::Status RemoveFile(const std::string& name) override {
    leveldb::Status s = target()->RemoveFile(name);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      files_.erase(name);
    }
    return s;
  }

  leveldb::Status RenameFile(const std::string& from, const std::string& to) override {
    leveldb::Status s = target()->RenameFile(from, to);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = files_.find(from);
      if (it != files_.end()) {
        files_[to] = it->second;
        files_.erase(it);
      } else {
        files_.erase(to);
      }
    }
    return s;
  }

  // The power cut. Returns the number of files cut or deleted.
  int DropUnsyncedData() {
    std::lock_guard<std::mutex> lock(mu_);
    int touched = 0;
    for (const auto& [name, st] : files_) {
      std::error_code ec;
      if (!st.ever_synced) {
        if (std::filesystem::remove(name, ec)) ++touched;
      } else if (st.appended > st.synced) {
        std::filesystem::resize_file(name, st.synced, ec);
        if (!ec) ++touched;
      }
    }
    files_.clear();
    return touched;
  }

 private:
  struct State {
    uint64_t appended = 0;
    uint64_t synced = 0;
    bool ever_synced = false;
  };

  class File : public leveldb::WritableFile {
   public:
    File(FaultInjectionEnv* env, std::string name, leveldb::WritableFile* base, uint64_t size)
        : env_(env), name_(std::move(name)), base_(base), size_(size) {}
    leveldb::Status Append(const leveldb::Slice& data) override {
      leveldb::Status s = base_->Append(data);
      if (s.ok()) {
        size_ += data.size();
        env_->Note(name_, size_, /*synced=*/false);
      }
      return s;
    }
    leveldb::Status Close() override { return base_->Close(); }
    leveldb::Status Flush() override { return base_->Flush(); }
    leveldb::Status Sync() override {
      leveldb::Status s = base_->Sync();
      if (s.ok()) env_->Note(name_, size_, /*synced=*/true);
      return s;
    }

   private:
    FaultInjectionEnv* env_;
    std::string name_;
    std::unique_ptr<leveldb::WritableFile> base_;
    uint64_t size_;
  };

  void Note(const std::string& name, uint64_t size, bool synced) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(name);
    if (it == files_.end()) return;  // renamed or removed since
    it->second.appended = size;
    if (synced) {
      it->second.synced = size;
      it->second.ever_synced = true;
    }
  }

  std::mutex mu_;
  std::map<std::string, State> files_;
};

}  // namespace depin::chain::testing
