#pragma once
// The signed session token and its QR text form (docs/token-format.md is the spec):
//   text    = prefix || base32(payload || signature)
//   payload = version, type, key id, credit kind, units, valid_from, valid_until,
//             meeting id, session id (binary, big-endian, length-prefixed ids)
//   signature = Ed25519 over (signing_context || payload)

#include "tokens/claims.hpp"
#include "tokens/key_ring.hpp"
#include "tokens/signing_key.hpp"
#include "tokens/token_error.hpp"

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace checkin::tokens {

// The default prefix: an upper-case URL so a phone's plain camera opens a help page.
inline constexpr std::string_view default_prefix = "HTTPS://CHECKIN.EXAMPLE/Q/";
inline constexpr std::size_t max_text_length = 512;

// Binary payload (no signature). claims.key must be the signer's key id.
// Throws std::invalid_argument when the claims cannot be encoded (as mint() does).
[[nodiscard]] std::vector<std::uint8_t> encode_payload(const session_claims& claims);
// Parses the payload fields; `bytes` is payload || signature, the signature is returned.
// Checks layout and field values (truncated, trailing_bytes, unknown_version, bad_field),
// not the key or the signature.
struct decoded_token {
  session_claims claims;
  std::vector<std::uint8_t> payload;  // the signed bytes
  signature sig{};
};
[[nodiscard]] boost::system::result<decoded_token, token_error> decode_token_bytes(
    std::span<const std::uint8_t> bytes);

// Signs `claims` (its key field is overwritten with key.id()) and returns the QR text.
// Throws std::invalid_argument when the claims cannot be encoded (bad id, empty window).
[[nodiscard]] std::string mint(session_claims claims, const signing_key& key,
                               std::string_view prefix = default_prefix);

// Parses the text, looks the key up in `ring` and checks the signature.
// Does NOT check the time window: see check_window().
// `own_key` (may be null) is a key whose secret half the caller holds: a token naming it has its
// signature checked by verify_own_signature, with the same answers, about 3x cheaper. The ring
// alone still decides whether that key is trusted.
[[nodiscard]] boost::system::result<session_claims, token_error> parse_and_verify(
    std::string_view text, const key_ring& ring, std::string_view prefix = default_prefix,
    const signing_key* own_key = nullptr);

// Is `at` inside the token's window? Slot tokens get `slot_grace` extra after valid_until
// (a phone that scanned at the last second of a slot is not penalised for latency).
[[nodiscard]] bool within_window(const session_claims& claims, sys_seconds at,
                                 std::chrono::seconds slot_grace) noexcept;

}  // namespace checkin::tokens
