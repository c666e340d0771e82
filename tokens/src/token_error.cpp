#include "tokens/token_error.hpp"

#include <stdexcept>
#include <string>

namespace checkin::tokens {

std::string_view code(token_error e) noexcept {
  switch (e) {
    case token_error::wrong_prefix:
      return "wrong_prefix";
    case token_error::bad_encoding:
      return "bad_encoding";
    case token_error::oversize:
      return "oversize";
    case token_error::truncated:
      return "truncated";
    case token_error::trailing_bytes:
      return "trailing_bytes";
    case token_error::unknown_version:
      return "unknown_version";
    case token_error::bad_field:
      return "bad_field";
    case token_error::unknown_key:
      return "unknown_key";
    case token_error::retired_key:
      return "retired_key";
    case token_error::bad_signature:
      return "bad_signature";
    case token_error::outside_window:
      return "outside_window";
  }
  return "unknown_error";
}

std::string_view message(token_error e) noexcept {
  switch (e) {
    case token_error::wrong_prefix:
      return "the code does not start with the expected prefix";
    case token_error::bad_encoding:
      return "the code is not canonical upper-case base32";
    case token_error::oversize:
      return "the code is longer than any valid token";
    case token_error::truncated:
      return "the token ends before its fields or signature do";
    case token_error::trailing_bytes:
      return "the token has bytes after its signature";
    case token_error::unknown_version:
      return "the token format version is not supported";
    case token_error::bad_field:
      return "a token field has an invalid value";
    case token_error::unknown_key:
      return "the token was signed by a key this server does not know";
    case token_error::retired_key:
      return "the token was signed by a retired key";
    case token_error::bad_signature:
      return "the token signature does not verify";
    case token_error::outside_window:
      return "the scan is outside the token's validity window";
  }
  return "unknown token error";
}

// what() carries the stable code first so a log line is greppable without the type.
token_exception::token_exception(token_error e)
    : std::runtime_error(std::string(code(e)) + ": " + std::string(message(e))), error_(e) {}

void throw_exception_from_error(token_error e, boost::source_location const& /*loc*/) {
  throw token_exception(e);
}

}  // namespace checkin::tokens
