#pragma once
// What a session token asserts: "the society says: session S of meeting M, credit kind K
// worth U units, is open from T1 to T2". Plain data; no crypto, no encoding here.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace checkin::tokens {

using sys_seconds = std::chrono::sys_seconds;

inline constexpr std::uint8_t format_version = 1;
inline constexpr std::size_t max_id_length = 32;  // meeting and session ids

enum class token_type : std::uint8_t {
  poster = 1,  // static, valid for the session's scan window
  slot = 2,    // short window, for codes projected on a screen that rotate
};

// Extensible: new kinds take new codes; a verifier rejects codes it does not know.
enum class credit_kind : std::uint8_t {
  attendance = 1,  // 出席単位: meeting attendance credit
  education = 2,   // 教育講演単位: per-lecture education credit
};

[[nodiscard]] std::string_view to_string(token_type t) noexcept;
[[nodiscard]] std::optional<token_type> token_type_from_string(std::string_view s) noexcept;
[[nodiscard]] std::string_view to_string(credit_kind k) noexcept;
[[nodiscard]] std::optional<credit_kind> credit_kind_from_string(std::string_view s) noexcept;
// Japanese label for posters and pages, e.g. "出席単位".
[[nodiscard]] std::string_view japanese_label(credit_kind k) noexcept;

// Credit units in hundredths (150 = 1.5 units) so fractional credits are exact.
struct credit_units {
  std::uint16_t hundredths = 0;
  friend bool operator==(credit_units, credit_units) = default;
};
// "1", "1.5", "0.25": shortest exact decimal form.
[[nodiscard]] std::string to_string(credit_units u);
// Parses a decimal with at most two fractional digits in [0, 655.35].
[[nodiscard]] std::optional<credit_units> credit_units_from_double(double v) noexcept;
[[nodiscard]] double to_double(credit_units u) noexcept;

// Identifies a public key: the first 4 bytes (big-endian) of BLAKE2b-256(public key).
struct key_id {
  std::uint32_t value = 0;
  friend bool operator==(key_id, key_id) = default;
  friend auto operator<=>(key_id, key_id) = default;
};
[[nodiscard]] std::string to_hex(key_id id);                      // 8 lower-case hex digits
[[nodiscard]] std::optional<key_id> key_id_from_hex(std::string_view s) noexcept;

struct session_claims {
  token_type type = token_type::poster;
  key_id key;
  std::string meeting_id;  // 1..32 chars of [A-Za-z0-9._-]
  std::string session_id;  // 1..32 chars of [A-Za-z0-9._-]
  credit_kind kind = credit_kind::attendance;
  credit_units units;
  sys_seconds valid_from;   // inclusive
  sys_seconds valid_until;  // exclusive; > valid_from

  friend bool operator==(const session_claims&, const session_claims&) = default;
};

// True when `id` is a valid meeting or session id (1..32 of [A-Za-z0-9._-]).
[[nodiscard]] bool is_valid_id(std::string_view id) noexcept;

}  // namespace checkin::tokens
