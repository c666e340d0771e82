#include "tokens/qr_code.hpp"

#include "tokens/session_token.hpp"
#include "tokens/signing_key.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>

namespace checkin::tokens {
namespace {

using namespace std::chrono;

// Draws the matrix as a scanner would see a clean print: `scale` pixels per module and a
// 4-module white quiet zone.
gray_image rasterize(const qr_matrix& qr, int scale = 4) {
  constexpr int quiet = 4;
  const int side = (qr.size + 2 * quiet) * scale;
  gray_image img{side, side, side,
                 std::vector<std::uint8_t>(static_cast<std::size_t>(side) * side, 255)};
  for (int y = 0; y < qr.size; ++y) {
    for (int x = 0; x < qr.size; ++x) {
      if (!qr.dark(x, y)) continue;
      for (int dy = 0; dy < scale; ++dy) {
        for (int dx = 0; dx < scale; ++dx) {
          const int px = (x + quiet) * scale + dx, py = (y + quiet) * scale + dy;
          img.pixels[static_cast<std::size_t>(py) * side + px] = 0;
        }
      }
    }
  }
  return img;
}

signing_key test_key() {
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i + 1);
  return signing_key::from_seed(seed);
}

session_claims typical_claims(token_type type, credit_kind kind) {
  session_claims c;
  c.type = type;
  c.meeting_id = "JSNM2026";
  c.session_id = "A-0301";
  c.kind = kind;
  c.units = credit_units{150};
  c.valid_from = sys_days{2026y / 11 / 27} + hours{23} + minutes{45};  // 08:45 at +09:00
  c.valid_until = c.valid_from + minutes{90};
  if (type == token_type::slot) c.valid_until = c.valid_from + seconds{30};
  return c;
}

constexpr std::string_view sample_text =
    "HTTPS://CHECKIN.EXAMPLE/Q/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

TEST(QrCode, MatrixHasOneEntryPerModuleAndFinderPatterns) {
  const auto qr = encode_qr(sample_text);
  EXPECT_EQ(qr.size, 17 + 4 * qr.version());
  EXPECT_EQ(qr.modules.size(), static_cast<std::size_t>(qr.size) * qr.size);
  // The three finder patterns start with a dark module in their outer corners.
  EXPECT_TRUE(qr.dark(0, 0));
  EXPECT_TRUE(qr.dark(qr.size - 1, 0));
  EXPECT_TRUE(qr.dark(0, qr.size - 1));
}

// Pins how ZXing 1.4's 0..8 writer level maps to QR levels (see zxing_ecc_level in
// qr_code.cpp): each level we ask for is the level a reader sees.
TEST(QrCode, EccLevelRoundTripsThroughZXing) {
  for (const auto ecc : {qr_ecc::low, qr_ecc::medium, qr_ecc::quartile, qr_ecc::high}) {
    SCOPED_TRACE(std::string(to_string(ecc)));
    const auto found = read_qr_codes(rasterize(encode_qr(sample_text, ecc)));
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].text, sample_text);
    EXPECT_EQ(found[0].ecc, ecc);
  }
}

TEST(QrCode, HigherEccNeedsNoSmallerSymbol) {
  const auto l = encode_qr(sample_text, qr_ecc::low);
  const auto m = encode_qr(sample_text, qr_ecc::medium);
  const auto h = encode_qr(sample_text, qr_ecc::high);
  EXPECT_LE(l.version(), m.version());
  EXPECT_LT(m.version(), h.version());
  EXPECT_EQ(encode_qr(sample_text).modules, m.modules);  // medium is the default
}

TEST(QrCode, TypicalPosterTokenIsVersion10OrLessAtLevelM) {
  const auto key = test_key();
  const auto text = mint(typical_claims(token_type::poster, credit_kind::education), key);
  ASSERT_TRUE(text.starts_with(default_prefix));
  const auto qr = encode_qr(text, qr_ecc::medium);
  EXPECT_LE(qr.version(), 10) << text.size() << " characters";
  RecordProperty("typical_token_chars", static_cast<int>(text.size()));
  RecordProperty("typical_token_qr_version", qr.version());
}

TEST(QrCode, EveryTokenTypeAndCreditKindDecodesExactly) {
  const auto key = test_key();
  for (const auto type : {token_type::poster, token_type::slot}) {
    for (const auto kind : {credit_kind::attendance, credit_kind::education}) {
      const auto text = mint(typical_claims(type, kind), key);
      SCOPED_TRACE(text);
      const auto texts = decode_qr(rasterize(encode_qr(text)));
      ASSERT_EQ(texts.size(), 1u);
      EXPECT_EQ(texts[0], text);
    }
  }
}

TEST(QrCode, ImageWithoutQrDecodesToNothing) {
  gray_image blank{300, 200, 300, std::vector<std::uint8_t>(300 * 200, 255)};
  EXPECT_TRUE(decode_qr(blank).empty());

  // Stripes and a gradient: structure, but no symbol.
  gray_image busy{256, 256, 256, std::vector<std::uint8_t>(256 * 256)};
  for (int y = 0; y < 256; ++y) {
    for (int x = 0; x < 256; ++x) {
      busy.pixels[static_cast<std::size_t>(y) * 256 + x] =
          ((x / 8) % 2) ? static_cast<std::uint8_t>(y) : 255;
    }
  }
  EXPECT_TRUE(decode_qr(busy).empty());
  EXPECT_TRUE(decode_qr(gray_image{}).empty());
}

TEST(QrCode, RejectsTextThatCannotBeEncoded) {
  EXPECT_THROW((void)encode_qr(""), std::invalid_argument);
  EXPECT_THROW((void)encode_qr(std::string(8000, 'A')), std::invalid_argument);
}

// An 8x8 white grayscale PNG: cairo loads it as RGB24, not ARGB32.
constexpr std::array<std::uint8_t, 71> white_gray_png{
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x08, 0x00, 0x00, 0x00, 0x00, 0xe1,
    0x64, 0xe1, 0x57, 0x00, 0x00, 0x00, 0x0e, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8,
    0x0f, 0x05, 0x0c, 0x94, 0x31, 0x00, 0xf7, 0xc0, 0x3f, 0xc1, 0xaf, 0x5c, 0x0f, 0xcd, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

TEST(QrCode, GrayscalePngLoadsAsLuminance) {
  const auto img = png_to_gray(white_gray_png);
  EXPECT_EQ(img.width, 8);
  EXPECT_EQ(img.height, 8);
  ASSERT_EQ(img.pixels.size(), 64u);
  for (const auto px : img.pixels) EXPECT_EQ(px, 255);
  EXPECT_TRUE(decode_qr(img).empty());
}

TEST(QrCode, PngInputErrorsNameTheSource) {
  try {
    (void)load_png_gray("/nonexistent/poster.png");
    FAIL() << "expected image_error";
  } catch (const image_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/poster.png"), std::string::npos);
  }
  const std::vector<std::uint8_t> not_png{'%', 'P', 'D', 'F', '-', '1', '.', '5'};
  EXPECT_THROW((void)png_to_gray(not_png), image_error);
  EXPECT_THROW((void)png_to_gray(std::span(white_gray_png).first(30)), image_error);
}

}  // namespace
}  // namespace checkin::tokens
