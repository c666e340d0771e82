#include "tokens/base32.hpp"

namespace checkin::tokens {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// -1 for anything outside the upper-case alphabet: lower case and '=' are rejected so
// that one byte string has exactly one text (a signature over bytes then pins the text).
int symbol_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

// A final group of k characters (k = length mod 8) carries this many whole bytes;
// 1, 3 and 6 characters are produced by no byte count.
constexpr int bytes_for_tail[8] = {0, -1, 1, -1, 2, 3, -1, 4};

}  // namespace

std::string base32_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(buffer >> bits) & 0x1F];
    }
    buffer &= (1u << bits) - 1;  // keep only the unconsumed bits
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 0x1F];
  return out;
}

std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text) {
  const int tail_bytes = bytes_for_tail[text.size() % 8];
  if (tail_bytes < 0) return std::nullopt;
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 8 * 5 + static_cast<std::size_t>(tail_bytes));
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = symbol_value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> bits));
      buffer &= (1u << bits) - 1;
    }
  }
  // Leftover bits are padding; non-zero padding would give a second text for the same bytes.
  if (buffer != 0) return std::nullopt;
  return out;
}

}  // namespace checkin::tokens
