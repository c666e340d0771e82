#include "tokens/session_token.hpp"

#include "tokens/base32.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace checkin::tokens {

namespace {

// Domain separation: a signature over a token can never be replayed as a signature over
// some other message this key might sign in future (exactly 32 ASCII bytes, no terminator).
constexpr std::string_view signing_context = "checkin-gateway session token v1";
static_assert(signing_context.size() == 32);

constexpr std::size_t fixed_header_size = 18;  // version .. meeting id length
constexpr std::size_t signature_size = std::tuple_size_v<signature>;

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put_id(std::vector<std::uint8_t>& out, std::string_view id) {
  out.push_back(static_cast<std::uint8_t>(id.size()));
  out.insert(out.end(), id.begin(), id.end());
}

[[nodiscard]] std::uint32_t to_u32_seconds(sys_seconds t, const char* field) {
  const auto count = t.time_since_epoch().count();
  if (count < 0 || count > std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument(std::string("session token: ") + field +
                                " is outside the 32-bit Unix time range");
  }
  return static_cast<std::uint32_t>(count);
}

[[nodiscard]] std::uint16_t get_u16(std::span<const std::uint8_t> b, std::size_t at) noexcept {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

[[nodiscard]] std::uint32_t get_u32(std::span<const std::uint8_t> b, std::size_t at) noexcept {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
         (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
}

[[nodiscard]] std::vector<std::uint8_t> signed_message(std::span<const std::uint8_t> payload) {
  std::vector<std::uint8_t> message(signing_context.size() + payload.size());
  const auto rest = std::copy(signing_context.begin(), signing_context.end(), message.begin());
  std::copy(payload.begin(), payload.end(), rest);
  return message;
}

[[nodiscard]] bool is_known_type(std::uint8_t v) noexcept {
  return v == static_cast<std::uint8_t>(token_type::poster) ||
         v == static_cast<std::uint8_t>(token_type::slot);
}

[[nodiscard]] bool is_known_kind(std::uint8_t v) noexcept {
  return v == static_cast<std::uint8_t>(credit_kind::attendance) ||
         v == static_cast<std::uint8_t>(credit_kind::education);
}

}  // namespace

std::vector<std::uint8_t> encode_payload(const session_claims& claims) {
  if (!is_valid_id(claims.meeting_id)) {
    throw std::invalid_argument("session token: meeting id must be 1..32 of [A-Za-z0-9._-]");
  }
  if (!is_valid_id(claims.session_id)) {
    throw std::invalid_argument("session token: session id must be 1..32 of [A-Za-z0-9._-]");
  }
  if (!is_known_type(static_cast<std::uint8_t>(claims.type)) ||
      !is_known_kind(static_cast<std::uint8_t>(claims.kind))) {
    throw std::invalid_argument("session token: unknown token type or credit kind");
  }
  const std::uint32_t from = to_u32_seconds(claims.valid_from, "valid_from");
  const std::uint32_t until = to_u32_seconds(claims.valid_until, "valid_until");
  if (until <= from) {
    throw std::invalid_argument("session token: valid_until must be after valid_from");
  }

  std::vector<std::uint8_t> out;
  out.reserve(fixed_header_size + 1 + claims.meeting_id.size() + claims.session_id.size());
  out.push_back(format_version);
  out.push_back(static_cast<std::uint8_t>(claims.type));
  put_u32(out, claims.key.value);
  out.push_back(static_cast<std::uint8_t>(claims.kind));
  put_u16(out, claims.units.hundredths);
  put_u32(out, from);
  put_u32(out, until);
  put_id(out, claims.meeting_id);
  put_id(out, claims.session_id);
  return out;
}

// Two passes: first the layout (so a cut-short or over-long token is reported as such even
// when a field inside it is also bad), then the field values.
boost::system::result<decoded_token, token_error> decode_token_bytes(
    std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return token_error::truncated;
  // Version first: a future layout must say "unknown_version", not "truncated".
  if (bytes[0] != format_version) return token_error::unknown_version;
  if (bytes.size() < fixed_header_size) return token_error::truncated;
  const std::size_t meeting_len = bytes[17];
  const std::size_t session_len_at = fixed_header_size + meeting_len;
  if (bytes.size() < session_len_at + 1) return token_error::truncated;
  const std::size_t session_len = bytes[session_len_at];
  const std::size_t payload_size = session_len_at + 1 + session_len;
  if (bytes.size() < payload_size + signature_size) return token_error::truncated;
  if (bytes.size() > payload_size + signature_size) return token_error::trailing_bytes;

  const auto id_at = [&](std::size_t offset, std::size_t length) {
    return std::string(reinterpret_cast<const char*>(bytes.data() + offset), length);
  };
  decoded_token out;
  session_claims& c = out.claims;
  const std::uint8_t type = bytes[1];
  const std::uint8_t kind = bytes[6];
  c.key = key_id{get_u32(bytes, 2)};
  c.units = credit_units{get_u16(bytes, 7)};
  c.valid_from = sys_seconds{std::chrono::seconds{get_u32(bytes, 9)}};
  c.valid_until = sys_seconds{std::chrono::seconds{get_u32(bytes, 13)}};
  c.meeting_id = id_at(fixed_header_size, meeting_len);
  c.session_id = id_at(session_len_at + 1, session_len);
  if (!is_known_type(type) || !is_known_kind(kind) || !is_valid_id(c.meeting_id) ||
      !is_valid_id(c.session_id) || c.valid_until <= c.valid_from) {
    return token_error::bad_field;
  }
  c.type = static_cast<token_type>(type);
  c.kind = static_cast<credit_kind>(kind);

  out.payload.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(payload_size));
  std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(payload_size), bytes.end(),
            out.sig.begin());
  return out;
}

std::string mint(session_claims claims, const signing_key& key, std::string_view prefix) {
  claims.key = key.id();
  std::vector<std::uint8_t> bytes = encode_payload(claims);
  const signature sig = key.sign(signed_message(bytes));
  bytes.insert(bytes.end(), sig.begin(), sig.end());
  std::string text(prefix);
  text += base32_encode(bytes);
  return text;
}

boost::system::result<session_claims, token_error> parse_and_verify(std::string_view text,
                                                                    const key_ring& ring,
                                                                    std::string_view prefix,
                                                                    const signing_key* own_key) {
  // Length first: bounds all later work on hostile input to a small constant.
  if (text.size() > max_text_length) return token_error::oversize;
  if (!text.starts_with(prefix)) return token_error::wrong_prefix;
  const auto bytes = base32_decode(text.substr(prefix.size()));
  if (!bytes) return token_error::bad_encoding;
  auto decoded = decode_token_bytes(*bytes);
  if (!decoded) return decoded.error();
  decoded_token& token = decoded.value();
  const auto key = ring.find(token.claims.key);
  if (!key) return key.error();
  // The ring decides whether the key is trusted; own_key only makes the check cheaper.
  const auto message = signed_message(token.payload);
  const bool genuine = own_key != nullptr && own_key->public_part() == key.value()
                           ? verify_own_signature(*own_key, message, token.sig)
                           : verify_signature(key.value(), message, token.sig);
  if (!genuine) return token_error::bad_signature;
  return std::move(token.claims);
}

bool within_window(const session_claims& claims, sys_seconds at,
                   std::chrono::seconds slot_grace) noexcept {
  const sys_seconds end =
      claims.type == token_type::slot ? claims.valid_until + slot_grace : claims.valid_until;
  return claims.valid_from <= at && at < end;
}

}  // namespace checkin::tokens
