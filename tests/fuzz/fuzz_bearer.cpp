// The bearer check (gateway/src/auth/bearer_token.cpp). The input is read three ways:
//   - as the token text of an Authorization header → check();
//   - as a payload, sent with a correct MAC (the fuzzer cannot forge one), so the payload
//     parser behind the MAC is reached too;
//   - as a member number → issue() → check() must give back what was issued.
#include "fuzz_check.hpp"
#include "fuzz_keys.hpp"
#include "fuzz_targets.hpp"

#include "gateway/bearer_token.hpp"
#include "gateway/member_no.hpp"

#include <sodium.h>

#include <chrono>
#include <string>
#include <string_view>

namespace checkin::fuzz {
namespace {

using namespace std::chrono;

constexpr sys_seconds now{seconds{1'795'000'000}};  // 2026-11-18

std::string b64url(const std::uint8_t* p, std::size_t n) {
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(n, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), p, n, variant);
  out.resize(out.find('\0'));
  return out;
}

void check_claims(const gateway::bearer_claims& c) {
  FUZZ_CHECK(gateway::is_valid_member_no(c.member_no));
  FUZZ_CHECK(c.issued_at < c.expires_at);
  FUZZ_CHECK(now < c.expires_at);
}

}  // namespace

int fuzz_bearer(const std::uint8_t* data, std::size_t size) {
  static const auto secret = fuzz_bearer_secret();
  static const auto issuer = gateway::bearer_issuer::from_secret(secret);
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto claims = issuer.check(text, now)) check_claims(*claims);

  // The bytes as a payload with a genuine MAC: refused only as malformed or expired.
  if (size <= 64) {
    std::string token = b64url(data, size);
    std::uint8_t mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                           secret.data());
    token += '.';
    token += b64url(mac, sizeof mac);
    const auto claims = issuer.check(token, now);
    if (claims) {
      check_claims(*claims);
      FUZZ_CHECK(size >= 2 && data[1] == claims->member_no.size());
      FUZZ_CHECK(text.substr(2, data[1]) == claims->member_no);
    } else {
      FUZZ_CHECK(claims.error() != gateway::bearer_error::bad_mac);
    }
  }

  // issue → check, for a member number the issuer takes.
  const std::string_view member = text.substr(0, std::min<std::size_t>(size, 40));
  if (gateway::is_valid_member_no(member)) {
    const auto ttl = seconds{1 + (size > 0 ? data[size - 1] : 0) * 3600};
    const auto token = issuer.issue(member, now, ttl);
    FUZZ_CHECK(token.size() <= gateway::max_bearer_token_length);
    const auto claims = issuer.check(token, now);
    FUZZ_CHECK(claims && claims->member_no == member && claims->issued_at == now &&
               claims->expires_at == now + ttl);
    const auto late = issuer.check(token, now + ttl);
    FUZZ_CHECK(!late && late.error() == gateway::bearer_error::expired);
  }
  return 0;
}

}  // namespace checkin::fuzz
