#include "cli/sector_size_arg.h"

#include <cctype>
#include <charconv>
#include <string>

namespace depin::cli {

Result<storage::proofs::SectorSize> ParseSectorSize(std::string_view text) {
  auto invalid = [&text] {
    return Status::Error("sector-size-invalid", "unknown sector size \"" + std::string(text) +
                                                    "\" (2KiB, 8MiB, 512MiB or 32GiB)");
  };
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0) return invalid();
  uint64_t number = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits, number);
  if (ec != std::errc()) return invalid();
  std::string unit;
  for (char c : text.substr(digits))
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  unsigned shift = 0;
  if (unit.empty() || unit == "b") {
    shift = 0;
  } else if (unit == "kib" || unit == "kb" || unit == "k") {
    shift = 10;
  } else if (unit == "mib" || unit == "mb" || unit == "m") {
    shift = 20;
  } else if (unit == "gib" || unit == "gb" || unit == "g") {
    shift = 30;
  } else {
    return invalid();
  }
  if (number > (uint64_t{1} << (63 - shift))) return invalid();
  auto size = storage::proofs::SectorSize::FromBytes(number << shift);
  if (!size) return invalid();
  return *size;
}

}  // namespace depin::cli
