#include "cli/password.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/keystore_files.h"

namespace depin::cli {

namespace {

// Reads one line from the terminal with echo off; the prompt goes to stderr
// so stdout stays clean for scripts.
Result<std::string> PromptNoEcho(const std::string& prompt) {
  if (!::isatty(STDIN_FILENO)) {
    return Status::Error("password-no-terminal",
                         "no password: give --password-file (stdin is not a terminal)");
  }
  std::fputs(prompt.c_str(), stderr);
  std::fflush(stderr);
  termios saved{};
  bool restore = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (restore) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  if (!got) return Status::Error("password-io", "no password entered");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

std::string FirstLine(std::string_view text) {
  size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return std::string(line);
}

Result<std::string> GetPassword(const PasswordRequest& request) {
  std::string password;
  if (!request.password_file.empty()) {
    auto text = ReadSmallFile(request.password_file);
    if (!text) return Status::Error("password-io", text.status().message());
    password = FirstLine(*text);
  } else {
    auto typed = PromptNoEcho(request.prompt);
    if (!typed) return typed.status();
    password = std::move(*typed);
    if (request.is_new) {
      auto again = PromptNoEcho("Repeat password: ");
      if (!again) return again.status();
      if (*again != password) return Status::Error("password-mismatch", "passwords do not match");
    }
  }
  if (request.is_new && password.empty()) {
    return Status::Error("password-empty", "refusing an empty password for a new key file");
  }
  return password;
}

}  // namespace depin::cli
