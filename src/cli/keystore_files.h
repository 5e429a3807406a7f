// Key files on disk for depin-cli's `account` commands: V3 keystore JSON
// (crypto/keystore.h) in <datadir>/<network>/keystore, one file per key named
// as geth names them, UTC--<ISO time>--<address hex>, so the folder can be
// shared with geth-style tools. Files are 0600 and the folder 0700: the scrypt
// cost protects a stolen file, the mode keeps it from being stolen.
//
// Error codes: "keystore-io" (cannot create, write or read), "keystore-exists"
// (a file for the address is already in the folder), "keystore-not-found",
// plus the crypto/keystore.h codes for file contents.
//
// Thread-safety: free functions; concurrent writers of one folder only race
// on the duplicate check.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "crypto/keystore.h"
#include "primitives/address.h"
#include "util/status.h"

namespace depin::cli {

// "UTC--2024-05-01T12-30-05.123456789Z--<40 lower-case hex>".
std::string KeystoreFileName(const Address& address, std::chrono::system_clock::time_point when);

// Writes `keystore` (its address must be set) into `dir`, creating the folder
// with mode 0700 if needed; the file is created exclusively with mode 0600.
// Returns the file's path.
Result<std::filesystem::path> WriteKeystoreFile(const std::filesystem::path& dir,
                                                const crypto::KeystoreV3& keystore);

Result<crypto::KeystoreV3> ReadKeystoreFile(const std::filesystem::path& path);

struct KeystoreEntry {
  Address address;
  std::filesystem::path path;
};

// The readable keystore files in `dir`, oldest first (file names sort by time).
// A missing folder is an empty list; files that are not V3 keystores with an
// address are skipped.
Result<std::vector<KeystoreEntry>> ListKeystores(const std::filesystem::path& dir);

// The file in `dir` holding `address`.
Result<std::filesystem::path> FindKeystore(const std::filesystem::path& dir,
                                           const Address& address);

// Reads a whole small file (key files, password files, JSON).
Result<std::string> ReadSmallFile(const std::filesystem::path& path);

}  // namespace depin::cli
