#include "gateway/password.hpp"

#include "sodium_ready.hpp"

#include <array>
#include <charconv>
#include <stdexcept>

namespace checkin::gateway {

namespace {

constexpr std::string_view argon2id_prefix = "$argon2id$v=19$m=";
constexpr std::string_view argon2i_prefix = "$argon2i$v=19$m=";

static_assert(crypto_pwhash_argon2id_STRBYTES == crypto_pwhash_STRBYTES &&
              crypto_pwhash_argon2i_STRBYTES == crypto_pwhash_STRBYTES);

enum class argon2_variant { id, i };

// Reads "<m>,t=<t>," (the text after "m=") into KiB and passes. libsodium has already
// checked the whole string by the time this runs; this only extracts the two costs.
struct encoded_cost {
  unsigned long long memory_kib = 0;
  unsigned long long passes = 0;
};

[[nodiscard]] std::optional<encoded_cost> read_cost(std::string_view rest) noexcept {
  encoded_cost cost;
  const char* const end = rest.data() + rest.size();
  const auto [m_end, m_ec] = std::from_chars(rest.data(), end, cost.memory_kib);
  constexpr std::string_view t_marker = ",t=";
  if (m_ec != std::errc{} ||
      !std::string_view(m_end, static_cast<std::size_t>(end - m_end)).starts_with(t_marker)) {
    return std::nullopt;
  }
  const auto [q, ec2] = std::from_chars(m_end + t_marker.size(), end, cost.passes);
  if (ec2 != std::errc{} || q == end || *q != ',') return std::nullopt;
  return cost;
}

[[nodiscard]] std::optional<argon2_variant> variant_of(std::string_view stored) noexcept {
  if (stored.starts_with(argon2id_prefix)) return argon2_variant::id;
  if (stored.starts_with(argon2i_prefix)) return argon2_variant::i;
  return std::nullopt;
}

// Every libsodium call below takes a NUL-terminated C string of fewer than STRBYTES bytes.
using hash_buffer = std::array<char, crypto_pwhash_STRBYTES>;

[[nodiscard]] hash_buffer to_c_string(std::string_view stored) noexcept {
  hash_buffer buf{};
  stored.copy(buf.data(), buf.size() - 1);
  return buf;
}

}  // namespace

pwhash_cost cost_of(pwhash_preset preset) noexcept {
  switch (preset) {
    case pwhash_preset::interactive:
      return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
    case pwhash_preset::moderate:
      return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
    case pwhash_preset::test:
      return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
  }
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

std::optional<pwhash_preset> pwhash_preset_from_string(std::string_view s) noexcept {
  if (s == "interactive") return pwhash_preset::interactive;
  if (s == "moderate") return pwhash_preset::moderate;
  if (s == "test") return pwhash_preset::test;
  return std::nullopt;
}

std::string_view to_string(pwhash_preset preset) noexcept {
  switch (preset) {
    case pwhash_preset::interactive:
      return "interactive";
    case pwhash_preset::moderate:
      return "moderate";
    case pwhash_preset::test:
      return "test";
  }
  return "interactive";
}

bool is_valid_password_hash(std::string_view stored) noexcept {
  if (stored.size() >= crypto_pwhash_STRBYTES) return false;
  // Printable ASCII only: an embedded NUL would let the C string libsodium sees differ
  // from the text we checked.
  for (char c : stored) {
    if (c < '!' || c > '~') return false;
  }
  const auto variant = variant_of(stored);
  if (!variant) return false;

  const hash_buffer c_str = to_c_string(stored);
  const pwhash_cost probe = cost_of(pwhash_preset::interactive);
  const int decoded =
      *variant == argon2_variant::id
          ? crypto_pwhash_argon2id_str_needs_rehash(c_str.data(), probe.opslimit, probe.memlimit)
          : crypto_pwhash_argon2i_str_needs_rehash(c_str.data(), probe.opslimit, probe.memlimit);
  if (decoded < 0) return false;

  const std::size_t prefix_size =
      *variant == argon2_variant::id ? argon2id_prefix.size() : argon2i_prefix.size();
  const auto cost = read_cost(stored.substr(prefix_size));
  if (!cost) return false;
  // The verify thread pool runs several of these at once; a hash asking for more than the
  // SENSITIVE cost (1 GiB) could exhaust memory with a handful of logins.
  const unsigned long long max_passes = *variant == argon2_variant::id
                                            ? crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE
                                            : crypto_pwhash_argon2i_OPSLIMIT_SENSITIVE;
  return cost->memory_kib <= crypto_pwhash_MEMLIMIT_SENSITIVE / 1024 && cost->passes <= max_passes;
}

std::string hash_password(std::string_view password, pwhash_cost cost) {
  if (password.size() > max_password_length) {
    throw std::invalid_argument("password longer than the maximum accepted length");
  }
  detail::ensure_sodium();
  hash_buffer out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(), cost.opslimit,
                        cost.memlimit) != 0) {
    throw std::runtime_error("crypto_pwhash_str failed (cost out of range or out of memory)");
  }
  return std::string(out.data());
}

bool verify_password(std::string_view stored, std::string_view password) noexcept {
  (void)detail::sodium_ready();
  if (password.size() > max_password_length || !is_valid_password_hash(stored)) return false;
  const hash_buffer c_str = to_c_string(stored);
  return crypto_pwhash_str_verify(c_str.data(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view stored, pwhash_cost cost) noexcept {
  // Migrating argon2i hashes to Argon2id is part of the point, hence the variant check.
  if (!is_valid_password_hash(stored) || variant_of(stored) != argon2_variant::id) return true;
  const hash_buffer c_str = to_c_string(stored);
  return crypto_pwhash_argon2id_str_needs_rehash(c_str.data(), cost.opslimit, cost.memlimit) != 0;
}

password_verifier::password_verifier(pwhash_cost cost) : cost_(cost) {
  detail::ensure_sodium();
  std::array<char, 32> decoy{};
  randombytes_buf(decoy.data(), decoy.size());
  decoy_hash_ = hash_password(std::string_view(decoy.data(), decoy.size()), cost);
  sodium_memzero(decoy.data(), decoy.size());
}

bool password_verifier::verify(std::optional<std::string_view> stored,
                               std::string_view password) const noexcept {
  (void)detail::sodium_ready();
  if (stored && password.size() <= max_password_length && is_valid_password_hash(*stored)) {
    return verify_password(*stored, password);
  }
  // Unknown member, unusable hash or over-long password: spend the same time as a real
  // verify and fail. The decoy's password is random, so this cannot succeed.
  const std::string_view bounded = password.substr(0, max_password_length);
  const hash_buffer c_str = to_c_string(decoy_hash_);
  [[maybe_unused]] const int decoy_result =
      crypto_pwhash_str_verify(c_str.data(), bounded.data(), bounded.size());
  return false;
}

std::string password_verifier::hash(std::string_view password) const {
  return hash_password(password, cost_);
}

bool password_verifier::needs_rehash(std::string_view stored) const noexcept {
  return gateway::needs_rehash(stored, cost_);
}

}  // namespace checkin::gateway
