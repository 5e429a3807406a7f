#include "util/status.h"

namespace depin {

const char* StatusKindName(StatusKind kind) {
  switch (kind) {
    case StatusKind::kOk:
      return "ok";
    case StatusKind::kInvalid:
      return "invalid";
    case StatusKind::kIo:
      return "io";
    case StatusKind::kCorruption:
      return "corruption";
    case StatusKind::kNotFound:
      return "not-found";
    case StatusKind::kLimitExceeded:
      return "limit-exceeded";
    case StatusKind::kAlreadyKnown:
      return "already-known";
    case StatusKind::kStale:
      return "stale";
    case StatusKind::kInterrupted:
      return "interrupted";
    case StatusKind::kUnavailable:
      return "unavailable";
    case StatusKind::kTimeout:
      return "timeout";
    case StatusKind::kPermissionDenied:
      return "permission-denied";
    case StatusKind::kOutOfGas:
      return "out-of-gas";
    case StatusKind::kNotYetValid:
      return "not-yet-valid";
    case StatusKind::kMutated:
      return "mutated";
    case StatusKind::kMissingParent:
      return "missing-parent";
    case StatusKind::kPolicy:
      return "policy";
    case StatusKind::kWrongNetwork:
      return "wrong-network";
  }
  return "unknown";
}

}  // namespace depin
