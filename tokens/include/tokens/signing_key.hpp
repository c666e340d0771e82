#pragma once
// Ed25519 keys (libsodium). The secret key is move-only and wiped when dropped.

#include "tokens/claims.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>

namespace checkin::tokens {

using signature = std::array<std::uint8_t, 64>;

struct public_key {
  std::array<std::uint8_t, 32> bytes{};
  friend bool operator==(const public_key&, const public_key&) = default;
};

[[nodiscard]] key_id key_id_of(const public_key& pk) noexcept;

class signing_key {
 public:
  [[nodiscard]] static signing_key generate();
  [[nodiscard]] static signing_key from_seed(std::span<const std::uint8_t, 32> seed);

  signing_key(signing_key&& other) noexcept;
  signing_key& operator=(signing_key&& other) noexcept;
  signing_key(const signing_key&) = delete;
  signing_key& operator=(const signing_key&) = delete;
  ~signing_key();

  [[nodiscard]] const public_key& public_part() const noexcept { return public_; }
  [[nodiscard]] key_id id() const noexcept { return key_id_of(public_); }
  [[nodiscard]] signature sign(std::span<const std::uint8_t> message) const noexcept;
  // The 32-byte seed, for writing the key file.
  [[nodiscard]] std::span<const std::uint8_t, 32> seed() const noexcept;

 private:
  signing_key() = default;
  std::array<std::uint8_t, 64> secret_{};  // libsodium layout: seed || public key
  public_key public_;
};

[[nodiscard]] bool verify_signature(const public_key& pk, std::span<const std::uint8_t> message,
                                    const signature& sig) noexcept;

// Always the same answer as verify_signature(key.public_part(), message, sig), cheaper when
// `key` made `sig`. Ed25519 signing is deterministic (RFC 8032 5.1.6): any conforming signer
// holding this key signs `message` with exactly the signature key.sign(message) returns. So the
// signature is recomputed (one fixed-base scalar multiplication, about a third of the cost of
// verification's double-base one) and compared in constant time. Only a mismatch (a forgery, a
// damaged code, or a valid signature from a non-deterministic signer) pays the full check.
// For a verifier that holds the secret key anyway (the gateway minting projector codes).
[[nodiscard]] bool verify_own_signature(const signing_key& key,
                                        std::span<const std::uint8_t> message,
                                        const signature& sig) noexcept;

// Key files are one text line each (documented in docs/token-format.md):
//   secret: "checkin-gateway ed25519 secret <keyid hex> <seed hex>"
//   public: "checkin-gateway ed25519 public <keyid hex> <public key hex>"
// Loading checks the marker, the hex, and that the key id matches the key. Errors throw
// key_file_error with a message naming the file.
struct key_file_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class overwrite { refuse, allow };

// Writes DIR/signing.key (mode 0600) and DIR/signing.pub. Creates DIR (0700) if missing.
// Refuses (key_file_error) when either file exists.
void write_key_pair(const signing_key& key, const std::filesystem::path& dir);
// The secret file must also pass the secret-file rule (posix_file.hpp: open_secret_file).
[[nodiscard]] signing_key load_signing_key(const std::filesystem::path& file);
[[nodiscard]] public_key load_public_key(const std::filesystem::path& file);

}  // namespace checkin::tokens
