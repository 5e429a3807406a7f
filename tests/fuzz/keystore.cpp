// Keystore JSON (Web3 Secret Storage V3) as `depin-cli account import` and
// the node read it from files a user supplies. The parser must refuse what
// it cannot use with a keystore-* code and never crash; a parsed file
// re-serializes to JSON that parses back to the same fields. Decryption is
// attempted only with PBKDF2 iteration counts or scrypt costs small enough
// for a fuzzer (the cost bounds are Scrypt's own checks, covered by its unit
// tests); its failures are keystore-* codes too.
#include <string_view>

#include "crypto/keystore.h"
#include "fuzz.h"

using namespace depin;
using namespace depin::crypto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto parsed = KeystoreFromJson(json);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code().starts_with("keystore-"));
    return 0;
  }
  const std::string again = KeystoreToJson(*parsed);
  auto reparsed = KeystoreFromJson(again);
  FUZZ_CHECK(reparsed.ok());
  FUZZ_CHECK(reparsed->ciphertext == parsed->ciphertext);
  FUZZ_CHECK(reparsed->iv == parsed->iv);
  FUZZ_CHECK(reparsed->kdf == parsed->kdf);
  FUZZ_CHECK(reparsed->salt == parsed->salt);
  FUZZ_CHECK(reparsed->n == parsed->n && reparsed->r == parsed->r && reparsed->p == parsed->p);
  FUZZ_CHECK(reparsed->c == parsed->c && reparsed->dklen == parsed->dklen);
  FUZZ_CHECK(reparsed->mac == parsed->mac);

  const bool cheap = parsed->kdf == KeystoreKdf::kPbkdf2
                         ? parsed->c <= 4096
                         : parsed->n <= 1024 && uint64_t{parsed->r} * parsed->p <= 16;
  if (cheap) {
    auto key = DecryptKeystore(*parsed, "fuzz");
    if (!key.ok()) FUZZ_CHECK(key.status().code().starts_with("keystore-"));
  }
  return 0;
}
