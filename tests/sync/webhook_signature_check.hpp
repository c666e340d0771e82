#pragma once
// The receiver's side of the webhook signature, written from docs/sync.md, "Webhook sink" rather than
// from the sink's code: when the fault receiver accepts what the sink sends, the document and
// the sink agree. Header-only so the receiver and the known-answer test share it.

#include <sodium.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace checkin::testing {

// Lower-case hex HMAC-SHA256 of `message` under `key` (any key length).
inline std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  const auto bytes = [](std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
  };
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes(key), key.size());
  crypto_auth_hmacsha256_update(&state, bytes(message), message.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  std::array<char, mac.size() * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
  return std::string(hex.data(), mac.size() * 2);
}

enum class signature_check : std::uint8_t { ok, missing, malformed, mismatch, stale };

inline std::string_view to_string(signature_check c) noexcept {
  switch (c) {
    case signature_check::ok:
      return "ok";
    case signature_check::missing:
      return "missing signature";
    case signature_check::malformed:
      return "malformed signature header";
    case signature_check::mismatch:
      return "signature does not match";
    case signature_check::stale:
      return "signature timestamp outside tolerance";
  }
  return "unknown";
}

// Checks `header` ("t=<unix seconds>,v1=<hex>[,v1=<hex>...]") against `body`: one v1 must equal
// HMAC-SHA256(secret, "<t>.<body>"), compared in constant time, and |now - t| <= tolerance.
inline signature_check check_signature(std::string_view header, std::string_view body,
                                       std::string_view secret, std::int64_t now,
                                       std::int64_t tolerance_s) {
  if (header.empty()) return signature_check::missing;
  std::string_view t;
  std::array<std::string_view, 4> macs{};
  std::size_t n_macs = 0;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (item.rfind("t=", 0) == 0) {
      t = item.substr(2);
    } else if (item.rfind("v1=", 0) == 0 && n_macs < macs.size()) {
      macs[n_macs++] = item.substr(3);
    }  // other schemes (v0, future v2) are ignored, as the doc says
  }
  if (t.empty() || t.size() > 18 || n_macs == 0) return signature_check::malformed;
  std::int64_t ts = 0;
  for (const char c : t) {
    if (c < '0' || c > '9') return signature_check::malformed;
    ts = ts * 10 + (c - '0');
  }
  if (ts < now - tolerance_s || ts > now + tolerance_s) return signature_check::stale;
  const std::string expected = hmac_sha256_hex(secret, std::string(t) + "." + std::string(body));
  for (std::size_t i = 0; i < n_macs; ++i) {
    if (macs[i].size() == expected.size() &&
        sodium_memcmp(macs[i].data(), expected.data(), expected.size()) == 0) {
      return signature_check::ok;
    }
  }
  return signature_check::mismatch;
}

}  // namespace checkin::testing
