// `checkin-gateway serve --config bad.toml` through the real binary: each bad value stops the
// start with a non-zero exit and a message naming the key, before anything listens.
#include "gateway_process.hpp"

#include <gtest/gtest.h>

namespace checkin::testing {
namespace {

struct bad_config {
  std::string toml;
  std::string named;  // what the message must contain
};

TEST(CliConfig, ServeRefusesABadValueNamingTheKey) {
  const std::vector<bad_config> cases{
      {"[auth]\nbearer_ttl_seconds = 0\n", "auth.bearer_ttl_seconds: must be at least 1"},
      {"[scans]\nmember_rate_per_second = nan\n", "scans.member_rate_per_second: must be a finite"},
      {"[server]\nclient_rate_per_second = inf\n", "server.client_rate_per_second: must be a finite"},
      {"[server]\nclient_rate_per_second = -1\n", "server.client_rate_per_second: must be a finite"},
      {"[server]\nclient_rate_per_second = 1e-9\n", "server.client_rate_per_second: must be 0 (off)"},
      {"[storage]\nmap_size_mib = 64\nmap_size_limit_mib = 32\n",
       "storage.map_size_limit_mib: must be >= storage.map_size_mib"},
      {"[auth]\nlogin_lockout_seconds = 0\n", "auth.login_lockout_seconds: must be at least 1"},
      {"[log]\nlevel = \"verbose\"\n", "log.level: must be one of"},
  };
  // A data folder serve could start from, so that only the bad value can stop it.
  temp_dir dir("checkin-cli-config");
  std::string made;
  ASSERT_EQ(run_cli({"keygen", "--out", (dir.path() / "data" / "keys").string()}, &made), 0) << made;
  for (const auto& c : cases) {
    write_text(dir.path() / "bad.toml", c.toml);
    std::string out;
    const int rc = run_cli({"serve", "--config", (dir.path() / "bad.toml").string(), "--listen",
                            "127.0.0.1:0", "--data-dir", (dir.path() / "data").string()},
                           &out, std::chrono::seconds{10});
    EXPECT_NE(rc, -1) << c.toml << "serve started instead of refusing the configuration";
    EXPECT_NE(rc, 0) << c.toml << out;
    EXPECT_NE(out.find(c.named), std::string::npos) << c.toml << out;
    EXPECT_EQ(out.find("listening"), std::string::npos) << c.toml << out;
  }
}

// Every secret file the gateway reads follows one rule; keygen writes its secret 0600.
TEST(CliConfig, ServeRefusesSecretFilesOthersCanRead) {
  namespace fs = std::filesystem;
  temp_dir dir("checkin-cli-secrets");
  const auto data = dir.path() / "data";
  std::string out;
  ASSERT_EQ(run_cli({"keygen", "--out", (data / "keys").string()}, &out), 0) << out;
  const auto key = data / "keys" / "signing.key";
  EXPECT_EQ(mode_of(key), 0600u);
  const auto serve = [&](const fs::path& config) {
    std::string text;
    const int rc = run_cli({"serve", "--config", config.string(), "--listen", "127.0.0.1:0",
                            "--data-dir", data.string()},
                           &text, std::chrono::seconds{15});
    return std::pair{rc, text};
  };
  write_text(dir.path() / "plain.toml", "");

  fs::permissions(key, fs::perms(0644));
  auto [rc, text] = serve(dir.path() / "plain.toml");
  EXPECT_NE(rc, -1) << "serve started with a world-readable signing key";
  EXPECT_NE(rc, 0) << text;
  EXPECT_NE(text.find(key.string() + ": signing key is readable by group or others (mode 0644); chmod 600 " +
                      key.string()),
            std::string::npos)
      << text;
  fs::permissions(key, fs::perms(0600));

  const auto secret = dir.path() / "hook.secret";
  write_text(secret, "shared-secret\n");
  fs::permissions(secret, fs::perms(0640));
  write_text(dir.path() / "hook.toml", "[[sync.http]]\nname = \"hook\"\nurl = \"http://127.0.0.1:9/hook\"\n"
                                       "secret_file = \"" + secret.string() + "\"\n");
  std::tie(rc, text) = serve(dir.path() / "hook.toml");
  EXPECT_NE(rc, -1) << "serve started with a group-readable webhook secret";
  EXPECT_NE(rc, 0) << text;
  EXPECT_NE(text.find(secret.string() + ": secret file is readable by group or others (mode 0640); chmod 600"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace checkin::testing
