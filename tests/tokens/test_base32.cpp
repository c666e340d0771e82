#include "tokens/base32.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using checkin::tokens::base32_decode;
using checkin::tokens::base32_encode;

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

TEST(Base32, Rfc4648Vectors) {
  // RFC 4648 section 10, with the '=' padding removed.
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", ""},
      {"f", "MY"},
      {"fo", "MZXQ"},
      {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"},
      {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI"},
  };
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(base32_encode(bytes_of(plain)), encoded) << plain;
    const auto decoded = base32_decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, bytes_of(plain)) << encoded;
  }
}

TEST(Base32, RoundTripsEveryLengthUpTo70) {
  std::mt19937 rng(20261121);
  std::uniform_int_distribution<int> byte(0, 255);
  for (std::size_t n = 0; n <= 70; ++n) {
    std::vector<std::uint8_t> data(n);
    for (auto& b : data) b = static_cast<std::uint8_t>(byte(rng));
    const std::string text = base32_encode(data);
    EXPECT_EQ(text.size(), (n * 8 + 4) / 5) << n;
    EXPECT_EQ(text.find_first_not_of(alphabet), std::string::npos) << text;
    const auto back = base32_decode(text);
    ASSERT_TRUE(back.has_value()) << n;
    EXPECT_EQ(*back, data) << n;
  }
}

TEST(Base32, AllZeroAndAllOneBytes) {
  EXPECT_EQ(base32_encode(std::vector<std::uint8_t>(5, 0x00)), "AAAAAAAA");
  EXPECT_EQ(base32_encode(std::vector<std::uint8_t>(5, 0xFF)), "77777777");
}

TEST(Base32, RejectsLowerCase) {
  EXPECT_FALSE(base32_decode("mzxw6ytboi"));
  EXPECT_FALSE(base32_decode("MZXW6YTBOi"));
}

TEST(Base32, RejectsPaddingCharacters) {
  EXPECT_FALSE(base32_decode("MY======"));
  EXPECT_FALSE(base32_decode("MZXQ===="));
  EXPECT_FALSE(base32_decode("MZXW6YQ="));
  EXPECT_FALSE(base32_decode("========"));
}

TEST(Base32, RejectsCharactersOutsideTheAlphabet) {
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    if (alphabet.find(ch) != std::string_view::npos) continue;
    std::string text = "MZXW6YTB";
    text[3] = ch;
    EXPECT_FALSE(base32_decode(text)) << "character code " << c;
  }
}

TEST(Base32, RejectsImpossibleLengths) {
  // A final group of 1, 3 or 6 characters is produced by no byte count.
  for (std::size_t len = 0; len <= 40; ++len) {
    const std::string text(len, 'A');
    const bool possible = len % 8 != 1 && len % 8 != 3 && len % 8 != 6;
    EXPECT_EQ(base32_decode(text).has_value(), possible) << len;
  }
}

TEST(Base32, RejectsNonZeroPaddingBits) {
  // For each tail length, exactly the final characters whose unused low bits are zero
  // decode; "MZ" would otherwise be a second spelling of "f" (= "MY").
  EXPECT_FALSE(base32_decode("MZ"));
  for (std::size_t n = 1; n <= 4; ++n) {
    const std::string zeros = base32_encode(std::vector<std::uint8_t>(n, 0));
    const int padding_bits = static_cast<int>(zeros.size() * 5 - n * 8);
    int accepted = 0;
    for (std::size_t v = 0; v < alphabet.size(); ++v) {
      std::string text = zeros;
      text.back() = alphabet[v];
      const bool ok = base32_decode(text).has_value();
      EXPECT_EQ(ok, (v & ((1u << padding_bits) - 1)) == 0) << text;
      accepted += ok ? 1 : 0;
    }
    EXPECT_EQ(accepted, 32 >> padding_bits) << n;
  }
}

TEST(Base32, EveryAcceptedTextIsCanonical) {
  // decode(text) succeeding implies encode(decode(text)) == text: one text per byte string.
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<std::size_t> length(0, 40);
  int accepted = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string text(length(rng), 'A');
    for (auto& c : text) c = alphabet[pick(rng)];
    if (const auto bytes = base32_decode(text)) {
      ++accepted;
      EXPECT_EQ(base32_encode(*bytes), text);
    }
  }
  EXPECT_GT(accepted, 0);
}

}  // namespace
