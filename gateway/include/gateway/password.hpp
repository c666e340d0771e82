#pragma once
// Member passwords: libsodium crypto_pwhash_str (Argon2id) strings, the same format the
// member portal stores, so a roster export can carry hashes across unchanged.
// Every function here that hashes or verifies is slow on purpose (tens of milliseconds and
// tens of MiB at the interactive cost): call them from the verify thread pool, never from
// an I/O thread. All are safe to call from several threads at once.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace checkin::gateway {

// Named cost presets. `interactive` is the production setting (libsodium's INTERACTIVE:
// 2 passes, 64 MiB). `test` is the cheapest cost libsodium allows (OPSLIMIT_MIN /
// MEMLIMIT_MIN): for load tests with thousands of members, never for real passwords.
enum class pwhash_preset { interactive, moderate, test };

struct pwhash_cost {
  unsigned long long opslimit = 0;
  std::size_t memlimit = 0;  // bytes
  friend bool operator==(const pwhash_cost&, const pwhash_cost&) = default;
};

[[nodiscard]] pwhash_cost cost_of(pwhash_preset preset) noexcept;
// "interactive", "moderate", "test"; nullopt for anything else (config files use these).
[[nodiscard]] std::optional<pwhash_preset> pwhash_preset_from_string(std::string_view s) noexcept;
[[nodiscard]] std::string_view to_string(pwhash_preset preset) noexcept;

// Longest password accepted, in bytes. Argon2 pre-hashes the password, so length barely
// changes the cost; the bound only keeps absurd inputs out.
inline constexpr std::size_t max_password_length = 1024;

// Is `stored` a hash this module can verify: a libsodium "$argon2id$..." or "$argon2i$..."
// string that libsodium decodes, with costs no larger than the `sensitive` preset (so a
// corrupt or hostile roster cannot make one login allocate gigabytes)?
[[nodiscard]] bool is_valid_password_hash(std::string_view stored) noexcept;

// Hashes `password` with a fresh random salt. Throws std::invalid_argument when the
// password is longer than max_password_length, std::runtime_error when libsodium fails
// (out of memory).
[[nodiscard]] std::string hash_password(std::string_view password, pwhash_cost cost);

// True only when `stored` is a valid hash (is_valid_password_hash) of `password`.
// Malformed hashes and over-long passwords give false, never an exception.
[[nodiscard]] bool verify_password(std::string_view stored, std::string_view password) noexcept;

// True when `stored` was not made with exactly `cost` and Argon2id (or is not a valid hash
// at all): after a successful login the caller re-hashes and saves the password.
[[nodiscard]] bool needs_rehash(std::string_view stored, pwhash_cost cost) noexcept;

// Login-time verification that costs the same whether or not the member exists.
// Constructing it hashes a random decoy password once at `cost` (so construct it at
// start-up, not per request); verify() with no stored hash then runs a full verify
// against the decoy and returns false, so the response time does not tell an attacker
// which member numbers exist. A stored hash that is malformed takes the decoy path too.
class password_verifier {
 public:
  explicit password_verifier(pwhash_cost cost);

  [[nodiscard]] pwhash_cost cost() const noexcept { return cost_; }

  // `stored` is the member's hash, or nullopt for an unknown member number. Callers should
  // run this for inactive members too and reject them only afterwards, for the same reason.
  [[nodiscard]] bool verify(std::optional<std::string_view> stored,
                            std::string_view password) const noexcept;

  // hash_password / needs_rehash at this verifier's cost.
  [[nodiscard]] std::string hash(std::string_view password) const;
  [[nodiscard]] bool needs_rehash(std::string_view stored) const noexcept;

 private:
  pwhash_cost cost_;
  std::string decoy_hash_;
};

}  // namespace checkin::gateway
