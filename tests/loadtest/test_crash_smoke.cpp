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
  // Resident memory with its parts: the gateway's own and its mapped files (the LMDB map).
  const auto& memory = doc.at("gateway_memory_mb").as_object();
  const double rss = memory.at("rss").to_number<double>();
  const double anon = memory.at("rss_anon").to_number<double>();
  const double file = memory.at("rss_file").to_number<double>();
  EXPECT_GT(anon, 1.0);
  EXPECT_GT(file, 0.0) << "the gateway maps its LMDB file";
  EXPECT_LE(anon + file, rss + 0.01) << "VmRSS is RssAnon + RssFile + RssShmem";
  EXPECT_GT(anon + file, rss * 0.9);
}

}  // namespace
}  // namespace checkin::loadtest
