#include "gateway/organizer_keys.hpp"

#include "sodium_ready.hpp"
#include "tokens/base32.hpp"

#include <sodium.h>
#include <stdexcept>

namespace checkin::gateway {

namespace {

std::array<unsigned char, 32> sha256(std::string_view text) {
  std::array<unsigned char, 32> out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return out;
}

std::string new_key(std::string_view prefix) {
  detail::ensure_sodium();
  std::array<std::uint8_t, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  auto key = std::string(prefix) + tokens::base32_encode(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

}  // namespace

organizer_keys::organizer_keys(const std::vector<organizer_key>& keys) {
  detail::ensure_sodium();
  for (const auto& k : keys) {
    entry e{k.name, {}};
    if (k.sha256_hex.size() != 64 ||
        sodium_hex2bin(e.digest.data(), e.digest.size(), k.sha256_hex.data(), k.sha256_hex.size(),
                       nullptr, nullptr, nullptr) != 0) {
      throw std::invalid_argument("API key " + k.name + ": sha256 is not 64 hex digits");
    }
    keys_.push_back(std::move(e));
  }
}

std::optional<std::string> organizer_keys::match(std::string_view presented) const {
  const auto digest = sha256(presented);
  std::optional<std::string> found;
  for (const auto& k : keys_) {
    if (sodium_memcmp(digest.data(), k.digest.data(), digest.size()) == 0) found = k.name;
  }
  return found;
}

std::string new_organizer_key() { return new_key("org_"); }

std::string new_display_key() { return new_key("dsp_"); }

std::string organizer_key_digest(std::string_view key) {
  detail::ensure_sodium();
  const auto digest = sha256(key);
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

}  // namespace checkin::gateway
