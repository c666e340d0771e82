// The exit statuses every command shares (README.md, "Exit status"), through the real binary:
// usage errors are 2 whatever CLI11's own code, a missing data folder is 3 and is not created,
// a missing file given to verify is not judged as QR text, and a taken port is one line and 5.
#include "gateway_process.hpp"

#include <gtest/gtest.h>

namespace checkin::testing {
namespace {

namespace fs = std::filesystem;

constexpr int usage = 2;
constexpr int data_problem = 3;
constexpr int cannot_listen = 5;

TEST(CliExitStatus, ArgumentErrorsAreUsage) {
  const std::vector<std::vector<std::string>> cases{
      {"attendance"},                                             // a required option missing
      {"token", "--session", "A-0101", "--slot-seconds", "1"},    // a value out of range
      {"frobnicate"},                                             // an unknown command
      {"credits", "--format", "xml"},                             // not one of the choices
      {"serve", "--listen", "127.0.0.1:0", "--threads", "many"},  // not a number
  };
  for (const auto& args : cases) {
    std::string out;
    EXPECT_EQ(run_cli(args, &out, std::chrono::seconds{10}), usage) << args.front() << ": " << out;
  }
  std::string help;
  EXPECT_EQ(run_cli({"--help"}, &help), 0);
  EXPECT_NE(help.find("Exit status: 0 ok, 1 runtime failure, 2 usage error"), std::string::npos)
      << help;
}

// Commands that read what `serve` wrote refuse a folder that holds none of it, and create
// nothing there: a mistyped --data-dir must not look like an empty meeting.
TEST(CliExitStatus, ReadersRefuseAMissingDataFolder) {
  temp_dir dir("checkin-cli-datadir");
  const auto missing = dir.path() / "dta";
  const auto empty = dir.path() / "empty";
  fs::create_directories(empty);
  const std::vector<std::vector<std::string>> commands{
      {"attendance", "--session", "A-0101"},
      {"credits"},
      {"sync", "status"},
      {"sync", "export", "--out", (dir.path() / "export").string()},
      {"sync", "retry", "--failed"},
  };
  for (auto args : commands) {
    const auto name = args.front() + (args.size() > 1 && args[1][0] != '-' ? " " + args[1] : "");
    auto with_missing = args;
    with_missing.insert(with_missing.end(), {"--data-dir", missing.string()});
    std::string out;
    EXPECT_EQ(run_cli(with_missing, &out), data_problem) << name << ": " << out;
    EXPECT_NE(out.find("data folder " + missing.string() + " does not exist"), std::string::npos)
        << name << ": " << out;
    EXPECT_EQ(out.find("member_no"), std::string::npos) << name << " printed a report: " << out;
    EXPECT_FALSE(fs::exists(missing)) << name << " created " << missing;

    args.insert(args.end(), {"--data-dir", empty.string()});
    EXPECT_EQ(run_cli(args, &out), data_problem) << name << ": " << out;
    EXPECT_NE(out.find("holds no gateway data"), std::string::npos) << name << ": " << out;
    EXPECT_TRUE(fs::is_empty(empty)) << name << " wrote into " << empty;
  }
  EXPECT_FALSE(fs::exists(dir.path() / "export"));
}

TEST(CliExitStatus, VerifyOfAMissingFileSaysSo) {
  std::string out;
  EXPECT_EQ(run_cli({"verify", "nofile.png"}, &out), usage) << out;
  EXPECT_NE(out.find("nofile.png: no such file"), std::string::npos) << out;
  EXPECT_EQ(out.find("wrong_prefix"), std::string::npos) << out;
}

TEST(CliExitStatus, ServeOnATakenPortIsOneLine) {
  net::io_context ctx;
  net::ip::tcp::acceptor taken(ctx, {net::ip::make_address("127.0.0.1"), 0});
  const auto port = std::to_string(taken.local_endpoint().port());
  temp_dir dir("checkin-cli-port");
  std::string out;
  ASSERT_EQ(run_cli({"keygen", "--out", (dir.path() / "data" / "keys").string()}, &out), 0) << out;
  const int rc = run_cli({"serve", "--listen", "127.0.0.1:" + port, "--data-dir",
                          (dir.path() / "data").string(), "--log-level", "error"},
                         &out, std::chrono::seconds{20});
  EXPECT_EQ(rc, cannot_listen) << out;
  EXPECT_EQ(out,
            "checkin-gateway: cannot listen on 127.0.0.1:" + port + ": address already in use\n");
}

}  // namespace
}  // namespace checkin::testing
