// Errors as values. A Status carries a machine code (a short kebab-case rule
// name such as "tx-nonce-too-low" or "rlp-non-canonical-size") and a human
// message. Result<T> is a T or a failed Status. Expected failures (decode
// errors, invalid txs and blocks, I/O) travel this way; exceptions are kept for
// programming errors and start-up failures.
//
// Thread-safety: plain values, no shared state.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace depin {

class Status {
 public:
  Status() = default;  // ok
  static Status Ok() { return Status(); }
  static Status Error(std::string code, std::string message = {}) {
    Status s;
    s.ok_ = false;
    s.code_ = std::move(code);
    s.message_ = std::move(message);
    return s;
  }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  // The rule/machine code, e.g. "block-bad-state-root". Empty when ok.
  const std::string& code() const { return code_; }
  // Human text; falls back to the code when no message was given.
  const std::string& message() const { return message_.empty() ? code_ : message_; }
  // "code: message" for logs.
  std::string ToString() const {
    if (ok_) return "ok";
    if (message_.empty() || message_ == code_) return code_;
    return code_ + ": " + message_;
  }

 private:
  bool ok_ = true;
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
