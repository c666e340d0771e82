#pragma once
// Typed outcomes of parsing and verifying a session token. Each value has a stable
// snake_case code (the string the gateway puts in its JSON errors and logs).

#include <boost/assert/source_location.hpp>
#include <stdexcept>
#include <string_view>

namespace checkin::tokens {

enum class token_error {
  wrong_prefix,     // text does not start with the expected URL/marker prefix
  bad_encoding,     // body is not canonical upper-case base32 (RFC 4648, no padding)
  oversize,         // text or payload longer than any valid token can be
  truncated,        // payload ends before its fields (or the signature) do
  trailing_bytes,   // bytes left over after the signature
  unknown_version,  // format version this build does not understand
  bad_field,        // a field has an invalid value (token type, credit kind, window, id)
  unknown_key,      // key id not in the key ring
  retired_key,      // key id known but retired
  bad_signature,    // Ed25519 signature does not verify
  outside_window,   // the time of the scan is outside the token's validity window
};

// Stable machine-readable code, e.g. "bad_signature".
[[nodiscard]] std::string_view code(token_error e) noexcept;
// One-line human explanation.
[[nodiscard]] std::string_view message(token_error e) noexcept;

// What result<T, token_error>::value() throws on an error; what() is "<code>: <message>".
class token_exception : public std::runtime_error {
 public:
  explicit token_exception(token_error e);
  [[nodiscard]] token_error error() const noexcept { return error_; }

 private:
  token_error error_;
};

// Lets boost::system::result<T, token_error>::value() throw on an error (token_exception).
[[noreturn]] void throw_exception_from_error(token_error e, boost::source_location const& loc);

}  // namespace checkin::tokens
