// A short crash-mode run: checkin-loadtest starts its own gateway, SIGKILLs it three times
// under load, restarts it, and checks the attendance export against every acknowledged scan.
#include "loadtest/gateway_process.hpp"
#include "support/test_files.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <filesystem>

namespace checkin::loadtest {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

TEST(LoadtestCrash, NoAcknowledgedScanIsLostOrDuplicatedAcrossKills) {
  testing::temp_dir scratch("checkin-loadtest-crash");
  const fs::path bin = fs::path(CHECKIN_BINARY_DIR) / "bin";
  const auto report = scratch.path() / "crash.json";
  std::string output;
  // Open loop at 500/s for 6 s: 3,000 scans of 4,000 (member, session) pairs, so the plan
  // lasts the whole run and every kill lands in the middle of traffic.
  const int rc = run_to_completion(bin / "checkin-loadtest",
                                   {"--gateway",
                                    (bin / "checkin-gateway").string(),
                                    "--work-dir",
                                    scratch.path().string(),
                                    "--scenario",
                                    "steady",
                                    "--members",
                                    "200",
                                    "--sessions",
                                    "20",
                                    "--connections",
                                    "50",
                                    "--rate",
                                    "500",
                                    "--duration",
                                    "6",
                                    "--healthz-seconds",
                                    "0",
                                    "--kills",
                                    "3",
                                    "--json",
                                    report.string()},
                                   output);
  ASSERT_EQ(rc, 0) << output;

  const auto doc = json::parse(testing::read_text(report)).as_object();
  const auto& verify = doc.at("verify").as_object();
  EXPECT_EQ(verify.at("lost").to_number<std::int64_t>(), 0) << output;
  EXPECT_EQ(verify.at("duplicated").to_number<std::int64_t>(), 0) << output;
  EXPECT_TRUE(verify.at("ok").as_bool());
  EXPECT_EQ(doc.at("crash").at("kills").to_number<std::int64_t>(), 3);
  EXPECT_GT(verify.at("answered_201").to_number<std::int64_t>(), 1000) << output;
  EXPECT_TRUE(doc.at("passed").as_bool());
}

}  // namespace
}  // namespace checkin::loadtest
