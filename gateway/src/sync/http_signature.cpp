#include "http_signature.hpp"

#include "../auth/sodium_ready.hpp"

#include <array>

namespace checkin::gateway::sync::detail {
namespace {

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string signature_header_value(std::string_view secret, std::int64_t unix_seconds,
                                   std::string_view body) {
  gateway::detail::ensure_sodium();
  const std::string t = std::to_string(unix_seconds);
  // The streaming form, because crypto_auth_hmacsha256() wants a 32-byte key and the shared
  // secret is whatever the membership system handed out (HMAC hashes long keys itself).
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes_of(secret), secret.size());
  crypto_auth_hmacsha256_update(&state, bytes_of(t), t.size());
  crypto_auth_hmacsha256_update(&state, bytes_of("."), 1);
  crypto_auth_hmacsha256_update(&state, bytes_of(body), body.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);  // holds the keyed pads

  std::array<char, crypto_auth_hmacsha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
  return "t=" + t + ",v1=" + std::string(hex.data(), hex.size() - 1);
}

}  // namespace checkin::gateway::sync::detail
