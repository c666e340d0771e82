// The poster and verify subcommands, run in-process on the embedded demo program: what
// `poster` prints, `verify` accepts, and what it rejects with which code.
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"

#include "tokens/qr_code.hpp"
#include "tokens/session_token.hpp"
#include "tokens/signing_key.hpp"

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include <unistd.h>
#include <array>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

namespace checkin::cli {
namespace {

namespace fs = std::filesystem;

constexpr int rejected = static_cast<int>(exit_status::rejected);

struct cli_result {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// Parses and runs like main(): the exit status and message as report_failure gives them.
cli_result run_cli(const std::vector<std::string>& args) {
  CLI::App app{"checkin-gateway (test)"};
  app.require_subcommand(1);
  add_poster_command(app);
  add_verify_command(app);
  std::vector<const char*> argv{"checkin-gateway"};
  for (const auto& a : args) argv.push_back(a.c_str());

  cli_result r;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (...) {
    r.exit_code = report_failure(app, std::current_exception());
  }
  r.out = ::testing::internal::GetCapturedStdout();
  r.err = ::testing::internal::GetCapturedStderr();
  return r;
}

tokens::signing_key seeded_key(std::uint8_t first) {
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(first + i);
  return tokens::signing_key::from_seed(seed);
}

class CliPoster : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("checkin-cli-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    tokens::write_key_pair(seeded_key(1), dir_ / "keys");
    tokens::write_key_pair(seeded_key(100), dir_ / "other");
    key_ = (dir_ / "keys" / "signing.key").string();
    pub_ = (dir_ / "keys" / "signing.pub").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
  std::string key_;
  std::string pub_;
};

TEST_F(CliPoster, PngPosterVerifiesFromTheImage) {
  const auto png = path("A-0301.png");
  const auto made = run_cli({"poster", "--session", "A-0301", "--key", key_, "--out", png});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ASSERT_TRUE(fs::exists(png));

  const auto checked = run_cli({"verify", "--pub", pub_, png});
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_NE(checked.out.find("signature valid"), std::string::npos) << checked.out;
  EXPECT_NE(checked.out.find("A-0301"), std::string::npos) << checked.out;
}

TEST_F(CliPoster, WindowIsCheckedOnlyWhenAsked) {
  const auto png = path("A-0301.png");
  ASSERT_EQ(run_cli({"poster", "--session", "A-0301", "--key", key_, "--out", png}).exit_code, 0);
  const auto text = tokens::decode_qr_png(png).at(0);

  const auto long_ago = run_cli({"verify", "--pub", pub_, "--at", "2001-01-01T00:00:00Z", text});
  EXPECT_EQ(long_ago.exit_code, rejected);
  EXPECT_NE(long_ago.err.find("outside_window"), std::string::npos) << long_ago.err;

  EXPECT_EQ(run_cli({"verify", "--pub", pub_, text}).exit_code, 0);
  EXPECT_NE(run_cli({"verify", "--pub", pub_, "--at", "yesterday", text}).exit_code, 0);
}

TEST_F(CliPoster, RejectionsNameTheTokenErrorCode) {
  const auto png = path("A-0301.png");
  ASSERT_EQ(run_cli({"poster", "--session", "A-0301", "--key", key_, "--out", png}).exit_code, 0);
  const auto text = tokens::decode_qr_png(png).at(0);
  const auto other_pub = path("other/signing.pub");

  const auto unknown = run_cli({"verify", "--pub", other_pub, text});
  EXPECT_EQ(unknown.exit_code, rejected);
  EXPECT_NE(unknown.err.find("unknown_key"), std::string::npos) << unknown.err;

  const auto key_id = tokens::to_hex(seeded_key(1).id());
  const auto retired = run_cli({"verify", "--pub", pub_, "--retired", key_id, text});
  EXPECT_EQ(retired.exit_code, rejected);
  EXPECT_NE(retired.err.find("retired_key"), std::string::npos) << retired.err;

  auto tampered = text;  // one base32 character of the signature changed
  tampered[tampered.size() - 10] = tampered[tampered.size() - 10] == 'A' ? 'B' : 'A';
  const auto bad = run_cli({"verify", "--pub", pub_, tampered});
  EXPECT_EQ(bad.exit_code, rejected);
  EXPECT_NE(bad.err.find("bad_signature"), std::string::npos) << bad.err;

  const auto wrong_prefix = run_cli({"verify", "--pub", pub_, "HELLO"});
  EXPECT_EQ(wrong_prefix.exit_code, rejected);
  EXPECT_NE(wrong_prefix.err.find("wrong_prefix"), std::string::npos) << wrong_prefix.err;
}

// An 8x8 white grayscale PNG.
constexpr std::array<unsigned char, 71> white_png{
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x08, 0x00, 0x00, 0x00, 0x00, 0xe1,
    0x64, 0xe1, 0x57, 0x00, 0x00, 0x00, 0x0e, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8,
    0x0f, 0x05, 0x0c, 0x94, 0x31, 0x00, 0xf7, 0xc0, 0x3f, 0xc1, 0xaf, 0x5c, 0x0f, 0xcd, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

void write_bytes(const fs::path& file, std::span<const unsigned char> bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

TEST_F(CliPoster, ImageWithoutQrIsRejectedAndUnreadableImageIsAnError) {
  const auto blank = path("blank.png");
  write_bytes(blank, white_png);
  const auto none = run_cli({"verify", "--pub", pub_, blank});
  EXPECT_EQ(none.exit_code, rejected);
  EXPECT_NE(none.err.find("no QR code found"), std::string::npos) << none.err;

  const auto broken = path("broken.png");
  write_bytes(broken, std::span(white_png).first(20));
  const auto unreadable = run_cli({"verify", "--pub", pub_, broken});
  EXPECT_EQ(unreadable.exit_code, 1);
  EXPECT_NE(unreadable.err.find("broken.png"), std::string::npos) << unreadable.err;
}

TEST_F(CliPoster, AllWritesOnePosterPerSession) {
  const auto out = path("all");
  const auto r = run_cli({"poster", "--all", "--key", key_, "--format", "svg", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(out)) {
    EXPECT_EQ(entry.path().extension(), ".svg");
    ++files;
  }
  EXPECT_GT(files, 1u);
  EXPECT_TRUE(fs::exists(fs::path(out) / "A-0301.svg"));
  // stderr is not a terminal here: one progress line per poster, no carriage returns.
  EXPECT_EQ(r.err.find('\r'), std::string::npos);
  EXPECT_NE(r.err.find("A-0301 -> "), std::string::npos) << r.err;
}

TEST_F(CliPoster, UsageErrors) {
  constexpr int usage = static_cast<int>(exit_status::usage);
  EXPECT_EQ(run_cli({"poster", "--key", key_, "--out", path("x.pdf")}).exit_code, usage);
  EXPECT_EQ(run_cli({"poster", "--session", "A-0301", "--all", "--key", key_, "--out", path("x")})
                .exit_code,
            usage);
  const auto no_ext = run_cli({"poster", "--session", "A-0301", "--key", key_, "--out", path("x")});
  EXPECT_EQ(no_ext.exit_code, usage);
  EXPECT_NE(no_ext.err.find("--format"), std::string::npos) << no_ext.err;
  EXPECT_NE(
      run_cli({"poster", "--session", "NOPE", "--key", key_, "--out", path("x.pdf")}).exit_code, 0);
  EXPECT_NE(run_cli({"poster", "--session", "A-0301", "--format", "gif", "--key", key_, "--out",
                     path("x.gif")})
                .exit_code,
            0);
}

}  // namespace
}  // namespace checkin::cli
