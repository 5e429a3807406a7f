// Amounts typed by people: "1.5" (DPN), "2gwei", "1500000000000000000wei".
// Parsing is exact integer arithmetic on the digits (no floating point), so
// "0.1" is 100000000000000000 wei and nothing rounds. Used by `depin-cli send`
// and `sign` for --value and the fee options.
//
// Error codes: "amount-empty", "amount-negative", "amount-invalid" (not a
// decimal number, unknown unit), "amount-too-many-decimals" (a fraction finer
// than the unit allows, e.g. "1.5wei"), "amount-overflow" (above 2^256-1 wei).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "primitives/uint256.h"
#include "util/status.h"

namespace depin::cli {

enum class AmountUnit { kWei, kGwei, kDpn };

// Decimal places of one unit in wei: 0, 9, 18.
unsigned UnitDecimals(AmountUnit unit);

// Parses "<digits>[.<digits>][unit]" where unit is wei, gwei or dpn (any
// case); without a unit the number is in `default_unit`. Trailing zeros of
// the fraction do not count against the unit's decimals.
Result<Uint256> ParseAmount(std::string_view text, AmountUnit default_unit);

// wei as a DPN decimal without trailing zeros: 1500000000000000000 -> "1.5".
std::string FormatDpn(const Uint256& wei);

}  // namespace depin::cli
