// Passwords for keystores: from a file (--password-file, first line, as geth
// reads it) or typed at a terminal prompt with echo off. Nothing else: a
// password never comes from the command line, where `ps` would show it.
//
// Error codes: "password-io", "password-empty", "password-mismatch" (the two
// entries of a new password differ), "password-no-terminal" (no file given
// and stdin is not a terminal).
//
// Thread-safety: the prompt changes the terminal's modes; call from the main
// thread only.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace depin::cli {

struct PasswordRequest {
  std::string password_file;  // empty: prompt
  std::string prompt = "Password: ";
  // A new password: asked twice at a prompt, and empty ones refused.
  bool is_new = false;
};

Result<std::string> GetPassword(const PasswordRequest& request);

// The first line of `text` without its line ending.
std::string FirstLine(std::string_view text);

}  // namespace depin::cli
