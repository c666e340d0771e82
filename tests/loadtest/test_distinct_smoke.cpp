// Distinct tokens end to end: every scan carries a token the gateway has never seen, checked
// once by re-signing (the gateway holds the signing key) and once by verifying (public key
// only). Both must record every scan they acknowledge, exactly once, and take none from the memo.
#include "loadtest/gateway_process.hpp"
#include "support/test_files.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <filesystem>

namespace checkin::loadtest {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

json::object run_distinct(const fs::path& scratch, bool public_key_only) {
  const fs::path bin = fs::path(CHECKIN_BINARY_DIR) / "bin";
  const auto report = scratch / (public_key_only ? "public.json" : "signing.json");
  std::vector<std::string> args{"--gateway",         (bin / "checkin-gateway").string(),
                                "--work-dir",        scratch.string(),
                                "--scenario",        "distinct",
                                "--members",         "100",
                                "--sessions",        "4",
                                "--connections",     "20",
                                "--rate",            "300",
                                "--duration",        "2",
                                "--healthz-seconds", "0",
                                "--verify",          "--json",
                                report.string()};
  if (public_key_only) args.emplace_back("--public-key-only");
  std::string output;
  const int rc = run_to_completion(bin / "checkin-loadtest", args, output);
  EXPECT_EQ(rc, 0) << output;
  if (rc != 0) return {};
  return json::parse(testing::read_text(report)).as_object();
}

TEST(LoadtestDistinct, EveryNewTokenIsCheckedAndRecordedWithAndWithoutTheSigningKey) {
  testing::temp_dir scratch("checkin-loadtest-distinct");
  for (const bool public_key_only : {false, true}) {
    SCOPED_TRACE(public_key_only ? "public key only" : "signing key held");
    const auto doc = run_distinct(scratch.path(), public_key_only);
    ASSERT_FALSE(doc.empty());
    EXPECT_EQ(doc.at("config").at("gateway_signing_key").as_bool(), !public_key_only);
    const auto& verify = doc.at("verify").as_object();
    EXPECT_TRUE(verify.at("ok").as_bool());
    EXPECT_EQ(verify.at("lost").to_number<std::int64_t>(), 0);
    EXPECT_EQ(verify.at("duplicated").to_number<std::int64_t>(), 0);
    const auto recorded = verify.at("answered_201").to_number<std::int64_t>();
    EXPECT_GT(recorded, 300);  // 600 planned; a slow machine may leave some unsent
    const auto& counters = doc.at("gateway_counters").as_object();
    EXPECT_EQ(counters.at("token_memo_hits").to_number<std::int64_t>(), 0);
    EXPECT_GE(counters.at("token_memo_misses").to_number<std::int64_t>(), recorded);
    // The managed gateway's CPU is accounted per answer (each scan costs it a signature check
    // of tens of microseconds at least, so a few hundred add up to whole clock ticks).
    const auto& cpu = doc.at("scans").at("cpu_us_per_answer").as_object();
    EXPECT_GT(cpu.at("gateway").to_number<double>(), 0.0);
    EXPECT_GT(cpu.at("generator").to_number<double>(), 0.0);
    EXPECT_NEAR(cpu.at("gateway").to_number<double>(),
                cpu.at("gateway_io").to_number<double>() +
                    cpu.at("gateway_writer").to_number<double>() +
                    cpu.at("gateway_other").to_number<double>(),
                0.01);
    EXPECT_TRUE(doc.at("passed").as_bool());
  }
}

}  // namespace
}  // namespace checkin::loadtest
