#include "gateway/bearer_token.hpp"

#include "gateway/member_no.hpp"
#include "sodium_ready.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace checkin::gateway {

namespace {

constexpr std::uint8_t token_version = 1;
constexpr std::size_t nonce_size = 8;
constexpr std::size_t mac_size = crypto_auth_hmacsha256_BYTES;
constexpr std::size_t fixed_payload_size = 1 + 1 + 8 + 8 + nonce_size;
constexpr std::size_t max_payload_size = fixed_payload_size + max_member_no_length;
constexpr int b64_variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

static_assert(bearer_secret_size == crypto_auth_hmacsha256_KEYBYTES && mac_size == 32);

constexpr std::size_t b64_length(std::size_t bytes) {
  return bytes / 3 * 4 + (bytes % 3 == 0 ? 0 : bytes % 3 + 1);
}
constexpr std::size_t mac_text_length = b64_length(mac_size);
static_assert(max_bearer_token_length == b64_length(max_payload_size) + 1 + mac_text_length);

using mac_bytes = std::array<std::uint8_t, mac_size>;

// bearer_issuer::keyed_mac_ holds a crypto_auth_hmacsha256_state (a plain C struct).
template <std::size_t N>
crypto_auth_hmacsha256_state* keyed_state(std::array<unsigned char, N>& bytes) noexcept {
  static_assert(N == sizeof(crypto_auth_hmacsha256_state) &&
                alignof(crypto_auth_hmacsha256_state) <= 16);
  return reinterpret_cast<crypto_auth_hmacsha256_state*>(bytes.data());
}
template <std::size_t N>
const crypto_auth_hmacsha256_state* keyed_state(
    const std::array<unsigned char, N>& bytes) noexcept {
  static_assert(N == sizeof(crypto_auth_hmacsha256_state));
  return reinterpret_cast<const crypto_auth_hmacsha256_state*>(bytes.data());
}

[[nodiscard]] std::string to_b64(std::span<const std::uint8_t> bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), b64_variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), b64_variant);
  out.resize(b64_length(bytes.size()));  // drop the terminating NUL
  return out;
}

// The value of each URL-safe base64 character, -1 for every other byte.
constexpr std::array<std::int8_t, 256> b64url_values = [] {
  std::array<std::int8_t, 256> v{};
  v.fill(-1);
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    v[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return v;
}();

// Strict, as libsodium's decoder with no characters to ignore: other characters, padding and
// non-zero trailing bits are refused, so each byte string has exactly one accepted text. nullopt
// when the text is not that or `out` is too small. A table instead of sodium_base642bin, whose
// constant-time loop cost a scan request ~0.5 us: neither text is secret (the MAC is compared in
// constant time after decoding).
[[nodiscard]] std::optional<std::size_t> from_b64(std::string_view text,
                                                  std::span<std::uint8_t> out) noexcept {
  if (text.size() % 4 == 1) return std::nullopt;  // 6 bits cannot end a byte
  if (text.size() / 4 * 3 + (text.size() % 4 == 0 ? 0 : text.size() % 4 - 1) > out.size()) {
    return std::nullopt;
  }
  std::uint32_t pending = 0;  // the bits read but not yet written, `bits` of them
  unsigned bits = 0;
  std::size_t written = 0;
  for (const char c : text) {
    const int value = b64url_values[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    pending = (pending << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[written++] = static_cast<std::uint8_t>(pending >> bits);
      pending &= (1U << bits) - 1;
    }
  }
  if (pending != 0) return std::nullopt;  // the unused bits of the last character must be zero
  return written;
}

// The same MAC as crypto_auth_hmacsha256(payload, secret), from a state already keyed
// (bearer_issuer::key_mac): the copy skips hashing the padded key twice.
[[nodiscard]] mac_bytes mac_of(const crypto_auth_hmacsha256_state& keyed,
                               std::string_view payload_text) noexcept {
  crypto_auth_hmacsha256_state state = keyed;
  mac_bytes mac{};
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(payload_text.data()),
                                payload_text.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return mac;
}

void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

[[nodiscard]] std::uint64_t get_u64(std::span<const std::uint8_t> in) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | in[i];
  return v;
}

// Layout of an authenticated payload; malformed only if this gateway's own encoder were
// wrong or a future version shared the secret, but checked all the same.
[[nodiscard]] std::optional<bearer_claims> parse_payload(std::span<const std::uint8_t> p) {
  if (p.size() < fixed_payload_size || p[0] != token_version) return std::nullopt;
  const std::size_t id_length = p[1];
  if (p.size() != fixed_payload_size + id_length) return std::nullopt;
  const std::string member_no(reinterpret_cast<const char*>(p.data() + 2), id_length);
  if (!is_valid_member_no(member_no)) return std::nullopt;
  const auto times = p.subspan(2 + id_length);
  const std::uint64_t issued = get_u64(times);
  const std::uint64_t expires = get_u64(times.subspan(8));
  constexpr auto max_seconds = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (issued > max_seconds || expires > max_seconds || expires <= issued) return std::nullopt;
  return bearer_claims{
      member_no, std::chrono::sys_seconds(std::chrono::seconds(static_cast<std::int64_t>(issued))),
      std::chrono::sys_seconds(std::chrono::seconds(static_cast<std::int64_t>(expires)))};
}

}  // namespace

// ---- errors ----------------------------------------------------------------------------

std::string_view code(bearer_error e) noexcept {
  switch (e) {
    case bearer_error::malformed:
      return "malformed";
    case bearer_error::bad_mac:
      return "bad_mac";
    case bearer_error::expired:
      return "expired";
  }
  return "unknown_error";
}

std::string_view message(bearer_error e) noexcept {
  switch (e) {
    case bearer_error::malformed:
      return "the bearer token is not in the expected format";
    case bearer_error::bad_mac:
      return "the bearer token was not issued by this gateway";
    case bearer_error::expired:
      return "the bearer token has expired; log in again";
  }
  return "unknown bearer token error";
}

bearer_exception::bearer_exception(bearer_error e)
    : std::runtime_error(std::string(code(e)) + ": " + std::string(message(e))), error_(e) {}

void throw_exception_from_error(bearer_error e, boost::source_location const& /*loc*/) {
  throw bearer_exception(e);
}

// ---- issuer ----------------------------------------------------------------------------

bearer_issuer bearer_issuer::generate() {
  detail::ensure_sodium();
  bearer_issuer issuer;
  crypto_auth_hmacsha256_keygen(issuer.secret_.data());
  issuer.key_mac();
  return issuer;
}

bearer_issuer bearer_issuer::from_secret(std::span<const std::uint8_t, bearer_secret_size> s) {
  detail::ensure_sodium();
  bearer_issuer issuer;
  std::copy(s.begin(), s.end(), issuer.secret_.begin());
  issuer.key_mac();
  return issuer;
}

void bearer_issuer::key_mac() noexcept {
  crypto_auth_hmacsha256_init(keyed_state(keyed_mac_), secret_.data(), secret_.size());
}

void bearer_issuer::wipe() noexcept {
  sodium_memzero(secret_.data(), secret_.size());
  sodium_memzero(keyed_mac_.data(), keyed_mac_.size());
}

bearer_issuer::bearer_issuer(bearer_issuer&& other) noexcept
    : secret_(other.secret_), keyed_mac_(other.keyed_mac_) {
  other.wipe();
}

bearer_issuer& bearer_issuer::operator=(bearer_issuer&& other) noexcept {
  if (this != &other) {
    secret_ = other.secret_;
    keyed_mac_ = other.keyed_mac_;
    other.wipe();
  }
  return *this;
}

bearer_issuer::~bearer_issuer() { wipe(); }

std::string bearer_issuer::issue(std::string_view member_no, std::chrono::sys_seconds now,
                                 std::chrono::seconds ttl) const {
  if (!is_valid_member_no(member_no)) throw std::invalid_argument("invalid member number");
  const std::int64_t issued = now.time_since_epoch().count();
  if (issued < 0) throw std::invalid_argument("issue time before 1970");
  if (ttl.count() <= 0 || ttl.count() > std::numeric_limits<std::int64_t>::max() - issued) {
    throw std::invalid_argument("bearer token ttl must be positive and finite");
  }

  std::vector<std::uint8_t> payload;
  payload.reserve(max_payload_size);
  payload.push_back(token_version);
  payload.push_back(static_cast<std::uint8_t>(member_no.size()));
  payload.insert(payload.end(), member_no.begin(), member_no.end());
  put_u64(payload, static_cast<std::uint64_t>(issued));
  put_u64(payload, static_cast<std::uint64_t>(issued + ttl.count()));
  std::array<std::uint8_t, nonce_size> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  payload.insert(payload.end(), nonce.begin(), nonce.end());

  std::string token = to_b64(payload);
  const mac_bytes mac = mac_of(*keyed_state(keyed_mac_), token);
  token += '.';
  token += to_b64(mac);
  return token;
}

boost::system::result<bearer_claims, bearer_error> bearer_issuer::check(
    std::string_view token, std::chrono::sys_seconds now) const {
  if (token.size() > max_bearer_token_length) return bearer_error::malformed;
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || dot < b64_length(fixed_payload_size + 1) ||
      token.size() - dot - 1 != mac_text_length) {
    return bearer_error::malformed;
  }
  const std::string_view payload_text = token.substr(0, dot);
  std::array<std::uint8_t, max_payload_size> payload{};
  mac_bytes presented{};
  const auto payload_size = from_b64(payload_text, payload);
  const auto presented_size = from_b64(token.substr(dot + 1), presented);
  if (!payload_size || presented_size != mac_size) return bearer_error::malformed;

  const mac_bytes expected = mac_of(*keyed_state(keyed_mac_), payload_text);
  if (crypto_verify_32(expected.data(), presented.data()) != 0) return bearer_error::bad_mac;

  auto claims = parse_payload(std::span(payload).first(*payload_size));
  if (!claims) return bearer_error::malformed;
  if (now >= claims->expires_at) return bearer_error::expired;
  return std::move(*claims);
}

}  // namespace checkin::gateway
