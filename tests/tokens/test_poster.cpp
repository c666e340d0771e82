#include "tokens/poster.hpp"

#include "tokens/key_ring.hpp"
#include "tokens/qr_code.hpp"
#include "tokens/session_token.hpp"
#include "tokens/signing_key.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace checkin::tokens {
namespace {

using namespace std::chrono;
namespace fs = std::filesystem;

signing_key test_key() {
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(0xa0 + i);
  return signing_key::from_seed(seed);
}

// 2026-11-28 09:00-10:00 at +09:00, as in the program of a real meeting.
meeting_program test_program() {
  meeting_program p;
  p.id = "JSNM2026";
  p.name = "第42回 日本臨床核医学会学術総会";
  p.utc_offset = minutes{9 * 60};
  session_info s;
  s.id = "A-0301";
  s.title = "教育講演7 核医学における AI 画像診断";
  s.room = "第1会場（国際会議場 メインホール）";
  s.starts_at = sys_days{2026y / 11 / 28} + hours{0};  // 09:00 +09:00
  s.ends_at = s.starts_at + hours{1};
  s.kind = credit_kind::education;
  s.units = credit_units{150};
  p.sessions.push_back(s);

  session_info att;
  att.id = "ATT";
  att.title = "学術総会 出席（参加登録）";
  att.room = "総合受付";
  att.starts_at = sys_days{2026y / 11 / 25} + hours{23};  // 11-26 08:00 +09:00
  att.ends_at = sys_days{2026y / 11 / 28} + hours{9};     // 11-28 18:00 +09:00
  att.kind = credit_kind::attendance;
  att.units = credit_units{1000};
  p.sessions.push_back(att);
  return p;
}

std::string as_text(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string bytes(fs::file_size(file), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

// A unique scratch folder per test, removed afterwards.
class PosterFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("checkin-poster-" + std::to_string(::getpid()) + "-" + info->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// Tags open and close in order and the root is <svg>: enough to catch a truncated or
// garbled document without an XML library.
bool svg_is_well_formed(const std::string& doc) {
  std::vector<std::string> open;
  std::string root;
  for (std::size_t pos = doc.find('<'); pos != std::string::npos; pos = doc.find('<', pos)) {
    const auto end = doc.find('>', pos);
    if (end == std::string::npos) return false;
    const auto tag = doc.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    if (tag.starts_with('?') || tag.starts_with('!')) continue;
    if (tag.starts_with('/')) {
      if (open.empty() || open.back() != tag.substr(1)) return false;
      open.pop_back();
      continue;
    }
    const auto name = tag.substr(0, tag.find_first_of(" \t\r\n/"));
    if (root.empty()) root = name;
    if (!tag.ends_with('/')) open.push_back(name);
  }
  return open.empty() && root == "svg";
}

TEST(Poster, ContentUsesLocalTimeAndJapaneseLabels) {
  const auto p = test_program();
  const auto c = make_poster_content(p, p.sessions[0], "QR");
  EXPECT_EQ(c.meeting_name, p.name);
  EXPECT_EQ(c.session_title, p.sessions[0].title);
  EXPECT_EQ(c.session_id, "A-0301");
  EXPECT_EQ(c.when_text, "2026年11月28日（土）9:00 – 10:00");
  EXPECT_EQ(c.scan_window_text, "スキャン受付 Scan window: 8:45 – 10:15 (UTC+09:00)");
  EXPECT_EQ(c.credit_text, "教育講演単位 1.5 単位");
  EXPECT_EQ(c.credit_text_en, "Education credit: 1.5 units");
  EXPECT_EQ(c.qr_text, "QR");
}

TEST(Poster, ContentOfMultiDaySessionShowsBothDates) {
  const auto p = test_program();
  const auto c = make_poster_content(p, p.sessions[1], "QR");
  EXPECT_EQ(c.when_text, "2026年11月26日（木）8:00 – 11月28日（土）18:00");
  EXPECT_EQ(c.scan_window_text,
            "スキャン受付 Scan window: 11月26日（木）7:45 – 11月28日（土）18:15 (UTC+09:00)");
  EXPECT_EQ(c.credit_text, "出席単位 10 単位");
  EXPECT_EQ(c.credit_text_en, "Attendance credit: 10 units");
}

TEST(Poster, FormatFromFileName) {
  EXPECT_EQ(poster_format_for("out/A-0301.pdf"), poster_format::pdf);
  EXPECT_EQ(poster_format_for("A.PNG"), poster_format::png);
  EXPECT_EQ(poster_format_for("a.b.svg"), poster_format::svg);
  EXPECT_EQ(poster_format_for("posters"), std::nullopt);
  EXPECT_EQ(poster_format_for("notes.txt"), std::nullopt);
  EXPECT_EQ(poster_format_from_string("pdf"), poster_format::pdf);
  EXPECT_EQ(poster_format_from_string("PDF"), std::nullopt);
  EXPECT_EQ(media_type(poster_format::pdf), "application/pdf");
}

// The required round trip: what is printed scans back to the claims that were signed.
TEST_F(PosterFiles, PngPosterScansBackToTheSignedClaims) {
  const auto p = test_program();
  const auto& session = p.sessions[0];
  const auto key = test_key();
  auto expected = poster_claims(p, session);
  const auto text = mint(expected, key, p.qr_prefix);
  expected.key = key.id();

  const auto file = dir_ / "A-0301.png";
  render_poster(make_poster_content(p, session, text), poster_format::png, file);
  const auto image = load_png_gray(file);
  EXPECT_EQ(image.width, 1240);  // A4 at 150 dpi
  EXPECT_EQ(image.height, 1754);

  const auto texts = decode_qr(image);
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(texts[0], text);

  key_ring ring;
  ring.add(key.public_part());
  const auto verified = parse_and_verify(texts[0], ring, p.qr_prefix);
  ASSERT_TRUE(verified.has_value()) << code(verified.error());
  EXPECT_EQ(*verified, expected);
}

TEST(Poster, PngBytesDecodeLikeTheFile) {
  const auto p = test_program();
  const auto text = mint(poster_claims(p, p.sessions[1]), test_key(), p.qr_prefix);
  const auto png =
      render_poster_bytes(make_poster_content(p, p.sessions[1], text), poster_format::png);
  ASSERT_GT(png.size(), 8u);
  EXPECT_EQ(as_text({png.begin(), png.begin() + 8}), "\x89PNG\r\n\x1a\n");
  const auto texts = decode_qr(png_to_gray(png));
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(texts[0], text);
}

// A title far too long for the page is shrunk and cut, never drawn over the QR.
TEST(Poster, LongTitleStillLeavesTheQrReadable) {
  auto p = test_program();
  auto& s = p.sessions[0];
  s.title.clear();
  for (int i = 0; i < 12; ++i) s.title += "核医学における人工知能を用いた画像診断支援の現状と課題 ";
  const auto text = mint(poster_claims(p, s), test_key(), p.qr_prefix);
  const auto png = render_poster_bytes(make_poster_content(p, s, text), poster_format::png);
  const auto texts = decode_qr(png_to_gray(png));
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(texts[0], text);
}

TEST_F(PosterFiles, PdfIsCompleteInMemoryAndOnDisk) {
  const auto p = test_program();
  const auto text = mint(poster_claims(p, p.sessions[0]), test_key(), p.qr_prefix);
  const auto content = make_poster_content(p, p.sessions[0], text);

  const auto bytes = as_text(render_poster_bytes(content, poster_format::pdf));
  EXPECT_TRUE(bytes.starts_with("%PDF-"));
  EXPECT_TRUE(bytes.ends_with("%%EOF\n") || bytes.ends_with("%%EOF"));
  EXPECT_NE(bytes.find("/MediaBox [ 0 0 595.275591 841.889764 ]"), std::string::npos);

  const auto file = dir_ / "A-0301.pdf";
  render_poster(content, poster_format::pdf, file);
  const auto on_disk = read_file(file);
  EXPECT_TRUE(on_disk.starts_with("%PDF-"));
  EXPECT_TRUE(on_disk.ends_with("%%EOF\n") || on_disk.ends_with("%%EOF"));
}

TEST(Poster, SvgIsWellFormedA4) {
  const auto p = test_program();
  const auto text = mint(poster_claims(p, p.sessions[0]), test_key(), p.qr_prefix);
  const auto svg =
      as_text(render_poster_bytes(make_poster_content(p, p.sessions[0], text), poster_format::svg));
  EXPECT_TRUE(svg.starts_with("<?xml"));
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("width=\"595.275591pt\" height=\"841.889764pt\""), std::string::npos);
  EXPECT_TRUE(svg_is_well_formed(svg));
}

TEST_F(PosterFiles, UnwritableDestinationThrowsAndLeavesNothing) {
  const auto p = test_program();
  const auto content = make_poster_content(p, p.sessions[0], "HTTPS://CHECKIN.EXAMPLE/Q/AB");
  const auto missing_dir = dir_ / "no-such-dir" / "A.pdf";
  EXPECT_THROW(render_poster(content, poster_format::pdf, missing_dir), poster_error);
  EXPECT_FALSE(fs::exists(missing_dir));
}

TEST(Poster, UnencodableQrTextIsRejected) {
  const auto p = test_program();
  const auto content = make_poster_content(p, p.sessions[0], "");
  EXPECT_THROW((void)render_poster_bytes(content, poster_format::pdf), std::invalid_argument);
}

}  // namespace
}  // namespace checkin::tokens
