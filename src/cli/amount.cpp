#include "cli/amount.h"

#include <cctype>

namespace depin::cli {

namespace {

bool IsDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool EndsWithNoCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  std::string_view tail = s.substr(s.size() - suffix.size());
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(tail[i])) != suffix[i]) return false;
  }
  return true;
}

}  // namespace

unsigned UnitDecimals(AmountUnit unit) {
  switch (unit) {
    case AmountUnit::kWei:
      return 0;
    case AmountUnit::kGwei:
      return 9;
    case AmountUnit::kDpn:
      return 18;
  }
  return 0;
}

Result<Uint256> ParseAmount(std::string_view text, AmountUnit default_unit) {
  if (text.empty()) return Status::Error("amount-empty", "empty amount");
  if (text.front() == '-') {
    return Status::Error("amount-negative", "amount must not be negative: " + std::string(text));
  }
  std::string_view number = text;
  AmountUnit unit = default_unit;
  // "gwei" before "wei": the one is a suffix of the other.
  if (EndsWithNoCase(number, "gwei")) {
    unit = AmountUnit::kGwei;
    number.remove_suffix(4);
  } else if (EndsWithNoCase(number, "wei")) {
    unit = AmountUnit::kWei;
    number.remove_suffix(3);
  } else if (EndsWithNoCase(number, "dpn")) {
    unit = AmountUnit::kDpn;
    number.remove_suffix(3);
  }
  auto invalid = [&text] {
    return Status::Error("amount-invalid", "not an amount: \"" + std::string(text) +
                                               "\" (expected e.g. 1.5, 1.5dpn, 2gwei or 1000wei)");
  };
  std::string_view whole = number;
  std::string_view fraction;
  bool has_point = false;
  if (size_t dot = number.find('.'); dot != std::string_view::npos) {
    has_point = true;
    whole = number.substr(0, dot);
    fraction = number.substr(dot + 1);
  }
  if (!IsDigits(whole) || !IsDigits(fraction)) return invalid();
  if (whole.empty() && fraction.empty()) return invalid();
  if (has_point && fraction.empty()) return invalid();  // "1." is a typo more often than not
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  unsigned decimals = UnitDecimals(unit);
  if (fraction.size() > decimals) {
    return Status::Error("amount-too-many-decimals",
                         "\"" + std::string(text) + "\" has more than " + std::to_string(decimals) +
                             " decimal places for its unit");
  }
  // whole * 10^decimals + fraction * 10^(decimals - len): the digits with the
  // fraction padded to the unit's width, read as one integer.
  std::string digits(whole.empty() ? "0" : whole);
  digits.append(fraction);
  digits.append(decimals - fraction.size(), '0');
  auto value = Uint256::FromDecimal(digits);
  if (!value) {
    return Status::Error("amount-overflow",
                         "\"" + std::string(text) + "\" is more than 2^256-1 wei");
  }
  return *value;
}

std::string FormatDpn(const Uint256& wei) {
  std::string digits = wei.ToDecimal();
  constexpr size_t kDecimals = 18;
  if (digits.size() <= kDecimals) digits.insert(0, kDecimals + 1 - digits.size(), '0');
  std::string whole = digits.substr(0, digits.size() - kDecimals);
  std::string fraction = digits.substr(digits.size() - kDecimals);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? whole : whole + "." + fraction;
}

}  // namespace depin::cli
