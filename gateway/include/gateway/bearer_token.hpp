#pragma once
// The gateway's own bearer tokens, given to the phone app at login and checked on every
// scan. A keyed MAC (HMAC-SHA-256) rather than a signature: only this gateway issues and
// checks them, and a MAC check costs about a microsecond.
//   token   = base64url(payload) "." base64url(mac)          (RFC 4648 §5, no padding)
//   payload = version (1 byte, = 1) || len(member_no) (1 byte) || member_no
//             || issued_at || expires_at (Unix seconds, u64 big-endian) || nonce (8 random bytes)
//   mac     = HMAC-SHA-256(secret, the base64url payload text)
// Tokens cannot be revoked one by one; replacing the secret file revokes them all.

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace checkin::gateway {

// Why a bearer token was refused. code() is stable (logs, JSON errors); every value maps
// to 401 at the HTTP layer.
enum class bearer_error {
  malformed,  // wrong length, charset, layout or version
  bad_mac,    // not made with this gateway's secret, or altered
  expired,    // now is at or past expires_at
};
[[nodiscard]] std::string_view code(bearer_error e) noexcept;
[[nodiscard]] std::string_view message(bearer_error e) noexcept;

class bearer_exception : public std::runtime_error {
 public:
  explicit bearer_exception(bearer_error e);
  [[nodiscard]] bearer_error error() const noexcept { return error_; }

 private:
  bearer_error error_;
};
// Lets boost::system::result<T, bearer_error>::value() throw bearer_exception.
[[noreturn]] void throw_exception_from_error(bearer_error e, boost::source_location const& loc);

struct bearer_claims {
  std::string member_no;
  std::chrono::sys_seconds issued_at;
  std::chrono::sys_seconds expires_at;
};

inline constexpr std::size_t bearer_secret_size = 32;
// The longest token issue() can produce (a 32-character member number); check() refuses
// longer input before decoding anything.
inline constexpr std::size_t max_bearer_token_length = 122;

// Problems with the secret file, at start-up. what() names the file.
struct bearer_secret_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Holds the MAC secret (wiped when dropped). Move-only; issue() and check() are const and
// safe to call from many threads at once.
class bearer_issuer {
 public:
  [[nodiscard]] static bearer_issuer generate();
  [[nodiscard]] static bearer_issuer from_secret(std::span<const std::uint8_t, bearer_secret_size>);
  // Reads the secret file: one line "checkin-gateway bearer-secret v1 <64 hex digits>".
  // Refuses a file that group or others may read, or that is not a regular file.
  [[nodiscard]] static bearer_issuer load(const std::filesystem::path& file);
  // load(), or when `file` does not exist, a new secret written there with mode 0600
  // (O_CREAT|O_EXCL, so two gateways starting together end up sharing one secret).
  [[nodiscard]] static bearer_issuer load_or_create(const std::filesystem::path& file);

  bearer_issuer(bearer_issuer&& other) noexcept;
  bearer_issuer& operator=(bearer_issuer&& other) noexcept;
  bearer_issuer(const bearer_issuer&) = delete;
  bearer_issuer& operator=(const bearer_issuer&) = delete;
  ~bearer_issuer();

  // A token for `member_no` valid from `now` until now + ttl. Throws std::invalid_argument
  // for an invalid member number (is_valid_member_no), a ttl <= 0 or a time before 1970.
  [[nodiscard]] std::string issue(std::string_view member_no, std::chrono::sys_seconds now,
                                  std::chrono::seconds ttl) const;

  // The MAC is checked (in constant time) before the payload is parsed.
  [[nodiscard]] boost::system::result<bearer_claims, bearer_error> check(
      std::string_view token, std::chrono::sys_seconds now) const;

 private:
  bearer_issuer() = default;
  enum class save_outcome { created, already_exists };
  [[nodiscard]] save_outcome save_new(const std::filesystem::path& file) const;
  // Derives keyed_mac_ from secret_; called wherever secret_ is set.
  void key_mac() noexcept;
  void wipe() noexcept;
  std::array<std::uint8_t, bearer_secret_size> secret_{};
  // libsodium's HMAC-SHA-256 state after hashing the padded key: two of the five SHA-256
  // blocks a token's MAC takes, done once here instead of on every request. As secret as
  // secret_ (it can make MACs), so wiped with it. Opaque bytes, to keep <sodium.h> out of
  // this header; bearer_token.cpp checks the size and alignment.
  alignas(16) std::array<unsigned char, 208> keyed_mac_{};
};

}  // namespace checkin::gateway
