#include "compute/gpu_name.h"

#include <algorithm>
#include <array>
#include <vector>

namespace depin::compute {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

const std::array<std::string_view, 14> kDroppedWords = {
    "nvidia", "geforce", "tesla",       "quadro",   "amd", "radeon", "instinct",
    "intel",  "arc",     "corporation", "graphics", "gpu", "tm",     "r"};

}  // namespace

std::string NormalizeGpuModel(std::string_view name) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty() &&
        std::find(kDroppedWords.begin(), kDroppedWords.end(), word) == kDroppedWords.end()) {
      words.push_back(word);
    }
    word.clear();
  };
  for (char c : name) {
    if (IsAlpha(c) || IsDigit(c)) {
      word.push_back(Lower(c));
    } else {
      flush();
    }
  }
  flush();
  std::vector<std::string> parts;
  for (const std::string& w : words) {
    std::vector<std::string> pieces;
    for (char c : w) {
      if (pieces.empty() || IsDigit(pieces.back().back()) != IsDigit(c)) pieces.emplace_back();
      pieces.back().push_back(c);
    }
    for (const std::string& piece : pieces) {
      if (!parts.empty() && IsDigit(piece[0]) && parts.back().size() == 1 &&
          IsAlpha(parts.back()[0])) {
        parts.back() += piece;  // a100, h100
      } else if (!parts.empty() && piece == "gb" && IsDigit(parts.back().back())) {
        parts.back() += piece;  // 80gb
      } else {
        parts.push_back(piece);
      }
    }
  }
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out.push_back('-');
    out += p;
  }
  return out;
}

std::string NormalizeGpuVendor(std::string_view name) {
  std::string lower;
  for (char c : name) lower.push_back(Lower(c));
  if (lower.find("nvidia") != std::string::npos) return "nvidia";
  if (lower.find("advanced micro devices") != std::string::npos ||
      lower.find("amd") != std::string::npos) {
    return "amd";
  }
  if (lower.find("intel") != std::string::npos) return "intel";
  std::string out;
  for (char c : lower) {
    const bool keep = IsAlpha(c) || IsDigit(c);
    if (keep) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

}  // namespace depin::compute
