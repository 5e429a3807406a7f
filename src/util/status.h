// Errors as values. A Status carries a kind (what sort of failure: invalid
// input, local I/O, corruption, not found, ...), a machine code (a short
// kebab-case rule name such as "tx-nonce-too-low" or "rlp-non-canonical-size")
// and a human message. Result<T> is a T or a failed Status. Expected failures
// (decode errors, invalid txs and blocks, I/O) travel this way; exceptions are
// kept for programming errors and start-up failures.
//
// Code decides on kinds, never by comparing codes: the code names the rule for
// logs, RPC and tests; the kind says what the caller should do about it (ban
// the peer for kInvalid, stop the node for a local kIo / kCorruption while
// connecting, retry on kStale, ...).
//
// Thread-safety: plain values, no shared state.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace depin {

enum class StatusKind : uint8_t {
  kOk = 0,
  // The input breaks a rule (consensus, protocol, argument): the sender's fault.
  kInvalid,
  // A local read or write failed (disk full, EIO): never the sender's fault.
  kIo,
  // Local data is damaged (checksum, format): never the sender's fault.
  kCorruption,
  // The thing asked for does not exist (block, tx, file, ban entry).
  kNotFound,
  // A size or count limit was exceeded (message, result set, history depth).
  kLimitExceeded,
  // Already present (a known tx or block); usually not an error for callers.
  kAlreadyKnown,
  // The world moved underneath (tip changed while building): retry.
  kStale,
  // Work was cut short by shutdown or a closed component.
  kInterrupted,
  // A remote service could not be reached (RPC connect).
  kUnavailable,
  kTimeout,
  // Credentials were refused (keystore password, RPC auth).
  kPermissionDenied,
  // A module call ran out of its gas allowance.
  kOutOfGas,
  // Valid later but not now (a block timestamp too far in the future).
  kNotYetValid,
  // A payload does not match the digest that commits to it (a block body vs
  // its header's tx root, a P2P payload vs its checksum): the committed-to
  // thing itself may be fine.
  kMutated,
  // An orphan: a block or tx whose parent / predecessor is not known yet.
  kMissingParent,
  // Valid by consensus, but this node's policy refuses it now (fee too low,
  // pool full): not the sender's fault.
  kPolicy,
  // The data belongs to another network or chain (magic, chain id, genesis).
  kWrongNetwork,
};
// The last kind (for tables and tests).
inline constexpr StatusKind kLastStatusKind = StatusKind::kWrongNetwork;

// The kind's name for logs ("invalid", "io", ...).
const char* StatusKindName(StatusKind kind);

class Status {
 public:
  Status() = default;  // ok
  static Status Ok() { return Status(); }
  // An invalid-input failure (the common case in validation code).
  static Status Error(std::string code, std::string message = {}) {
    return Error(StatusKind::kInvalid, std::move(code), std::move(message));
  }
  static Status Error(StatusKind kind, std::string code, std::string message = {}) {
    assert(kind != StatusKind::kOk);
    Status s;
    s.kind_ = kind;
    s.code_ = std::move(code);
    s.message_ = std::move(message);
    return s;
  }
  static Status IoError(std::string code, std::string message = {}) {
    return Error(StatusKind::kIo, std::move(code), std::move(message));
  }
  static Status Corruption(std::string code, std::string message = {}) {
    return Error(StatusKind::kCorruption, std::move(code), std::move(message));
  }
  static Status NotFound(std::string code, std::string message = {}) {
    return Error(StatusKind::kNotFound, std::move(code), std::move(message));
  }

  bool ok() const { return kind_ == StatusKind::kOk; }
  explicit operator bool() const { return ok(); }
  StatusKind kind() const { return kind_; }
  bool Is(StatusKind kind) const { return kind_ == kind; }
  // A failure of this machine (disk, damaged files), not of the input: never
  // held against a peer; while connecting blocks it stops the node.
  bool IsLocalFailure() const {
    return kind_ == StatusKind::kIo || kind_ == StatusKind::kCorruption;
  }
  // The same failure with another kind (e.g. a store's kNotFound that is
  // corruption to a caller that knows the record must exist).
  Status WithKind(StatusKind kind) const {
    Status s = *this;
    if (!s.ok()) s.kind_ = kind;
    return s;
  }
  // The rule/machine code, e.g. "block-bad-state-root". Empty when ok.
  const std::string& code() const { return code_; }
  // Human text; falls back to the code when no message was given.
  const std::string& message() const { return message_.empty() ? code_ : message_; }
  // "code: message" for logs.
  std::string ToString() const {
    if (ok()) return "ok";
    if (message_.empty() || message_ == code_) return code_;
    return code_ + ": " + message_;
  }

 private:
  StatusKind kind_ = StatusKind::kOk;
  std::string code_;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Status error) : v_(std::move(error)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The failure; Status::Ok() when this holds a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace depin

// Propagates a failed Status from an expression returning Status.
#define DEPIN_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::depin::Status depin_status_ = (expr);        \
    if (!depin_status_.ok()) return depin_status_; \
  } while (0)
