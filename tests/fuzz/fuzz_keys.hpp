#pragma once
// Fixed keys for the fuzz targets, so that tokens written into the seed corpora stay valid:
// Ed25519 signing is deterministic, and the bearer secret is a constant. Never used outside
// tests/fuzz.

#include "tokens/signing_key.hpp"

#include <array>
#include <cstdint>

namespace checkin::fuzz {

// The signing key of the fuzz meeting's posters (seed bytes 0x01 .. 0x20).
[[nodiscard]] inline tokens::signing_key fuzz_signing_key() {
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i + 1);
  return tokens::signing_key::from_seed(seed);
}

// A second key, retired in the fuzz key ring (seed bytes 0x21 .. 0x40).
[[nodiscard]] inline tokens::signing_key fuzz_retired_key() {
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i + 0x21);
  return tokens::signing_key::from_seed(seed);
}

// The bearer MAC secret (bytes 0xB0 .. 0xCF).
[[nodiscard]] inline std::array<std::uint8_t, 32> fuzz_bearer_secret() {
  std::array<std::uint8_t, 32> s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i + 0xB0);
  return s;
}

}  // namespace checkin::fuzz
