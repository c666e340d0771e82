// Crashes at each step of sealing and delivery, through the real binary and a real webhook
// receiver. CHECKIN_TEST_CRASH_AT (test only, gateway/sync/crash_point.hpp) ends the gateway at
// the step; it is restarted without it, and docs/sync.md's promise is checked: every recorded
// scan reaches the receiver exactly once in effect — each batch is sealed once, keeps its id,
// a redelivery of an id the receiver has is acknowledged (409) without a second copy, and no
// scan is missing.
#include "gateway/gateway_process.hpp"
#include "gateway/organizer_keys.hpp"
#include "receiver_process.hpp"
#include "support/test_files.hpp"
#include "tokens/rfc3339.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace {

using namespace checkin::testing;
using namespace std::chrono;
namespace tokens = checkin::tokens;

using scan_key = std::pair<std::string, std::string>;  // member, session

const std::string organizer_key = "org_CRASHTESTKEYCRASHTESTKEYCRASHTESTKEYCRASHTESTKEY";

// Two sessions that ended an hour ago (offline uploads of their posters are still accepted).
std::vector<test_session> ended_sessions() {
  const auto now = floor<seconds>(system_clock::now());
  return {{"K1", "終了講演 1", now - hours{2}, now - hours{1}, "education", 1},
          {"K2", "終了講演 2", now - hours{2}, now - hours{1}, "education", 1}};
}

// `grace` holds sealing off while the scans arrive (one batch per session, whatever the
// upload order), then 0 seals them at the next start.
std::string config(const receiver_process& r, const std::filesystem::path& secret, int grace) {
  return "[sync]\nseal_grace_seconds = " + std::to_string(grace) +
         "\nsupplementary_period_seconds = 0\nretry_initial_ms = 50\nretry_max_ms = 300\n"
         "poll_interval_ms = 50\n"
         "[[sync.http]]\nname = \"hook\"\nurl = \"" + r.url() + "\"\nsecret_file = \"" +
         secret.string() + "\"\nconnect_timeout_seconds = 1\nrequest_timeout_seconds = 5\n"
         "[scans]\nmember_rate_per_second = 0\n"
         "[[organizers.keys]]\nname = \"committee\"\nsha256 = \"" +
         checkin::gateway::organizer_key_digest(organizer_key) + "\"\n";
}

std::set<scan_key> upload(gateway_process& gw, int first, int last) {
  std::set<scan_key> recorded;
  http_client c(gw.port());
  for (int m = first; m <= last; ++m) {
    const auto no = std::to_string(m);
    json::array scans;
    for (const char* s : {"K1", "K2"}) {
      const auto* info = gw.meeting().program.find(s);
      scans.push_back(json::object{{"qr", gw.meeting().poster(s)},
                                   {"scanned_at", tokens::format_rfc3339(info->ends_at - minutes{10}, hours{9})}});
    }
    const auto a = c.post_json("/v1/scans/batch", json::object{{"scans", scans}}, gw.login(no));
    EXPECT_EQ(a.status, 200u) << a.body;
    const auto results = a.json().at("results").as_array();
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i].at("status") == "recorded") recorded.insert({no, i == 0 ? "K1" : "K2"});
    }
  }
  return recorded;
}

json::object sync_status(gateway_process& gw) {
  http_client c(gw.port());
  return c.get("/v1/sync/status", organizer_key).json().as_object();
}

bool all_delivered(gateway_process& gw, std::int64_t batches) {
  const auto deadline = steady_clock::now() + seconds{30};
  while (steady_clock::now() < deadline) {
    const auto s = sync_status(gw);
    const auto& t = s.at("totals").as_object();
    const auto& hook = t.at("sinks").at("hook").as_object();
    if (t.at("unsealed_scans").as_int64() == 0 && t.at("batches").as_int64() == batches &&
        hook.at("delivered").as_int64() == batches) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds{100});
  }
  return false;
}

// What the receiver holds: every entry of every batch, failing on any entry stored twice.
std::set<scan_key> stored_entries(const std::map<std::string, std::string>& batches) {
  std::set<scan_key> out;
  for (const auto& [id, body] : batches) {
    const auto b = json::parse(body).as_object();
    const std::string session(b.at("session").at("id").as_string());
    for (const auto& e : b.at("entries").as_array()) {
      const scan_key k{std::string(e.at("member_no").as_string()), session};
      EXPECT_TRUE(out.insert(k).second) << k.first << "/" << k.second << " stored twice";
    }
  }
  return out;
}

struct crash_case {
  std::string step;
  std::int64_t requests_before_restart;  // deliveries the receiver saw from the crashed process
  std::int64_t duplicates;               // redeliveries of an id it already had
};

class SyncCrash : public ::testing::TestWithParam<crash_case> {};

TEST_P(SyncCrash, EveryBatchReachesTheReceiverOnceInEffect) {
  const auto& param = GetParam();
  temp_dir scratch("gw-crash-" + param.step);
  receiver_process receiver(scratch.path() / "receiver");
  const auto secret = scratch.path() / "hook.secret";
  write_text(secret, receiver.secret());
  std::filesystem::permissions(secret, std::filesystem::perms(0600));
  const auto log = scratch.path() / "gateway.err";

  // Scans recorded with sealing held off, then a clean stop.
  gateway_process gw("crash-" + param.step, config(receiver, secret, 7 * 24 * 3600),
                     make_test_meeting(ended_sessions()));
  const auto recorded = upload(gw, 1000, 1009);
  ASSERT_EQ(recorded.size(), 20u);
  ASSERT_EQ(gw.stop(), 0);

  // Sealing due at once; the gateway ends itself at the step.
  gw.set_config(config(receiver, secret, 0));
  gw.set_launch({.env = {"CHECKIN_TEST_CRASH_AT=" + param.step}, .open_file_limit = {}, .stderr_file = log});
  gw.start();
  const auto status = gw.wait_exit(seconds{30});
  ASSERT_TRUE(status.has_value()) << "the gateway did not crash at " << param.step;
  EXPECT_EQ(*status, 86);
  EXPECT_NE(read_text(log).find("CHECKIN_TEST_CRASH_AT=" + param.step + ": exiting now"), std::string::npos)
      << read_text(log);
  EXPECT_EQ(receiver.stats().at("requests").as_int64(), param.requests_before_restart);

  // Restarted as in production: it finishes what the crashed process left.
  gw.set_launch({.env = {}, .open_file_limit = {}, .stderr_file = log});
  gw.start();
  ASSERT_TRUE(all_delivered(gw, 2)) << json::serialize(sync_status(gw)) << read_text(log);
  const auto after = sync_status(gw);
  std::set<std::string> ids;
  for (const auto& b : after.at("batches").as_array()) ids.insert(std::string(b.at("batch_id").as_string()));
  EXPECT_EQ(ids, (std::set<std::string>{"TEST2026/K1/1", "TEST2026/K2/1"}))
      << "each session sealed once, into part 1";

  const auto stored = receiver.stored_batches();
  EXPECT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored_entries(stored), recorded) << "no scan missing, none twice";
  const auto stats = receiver.stats();
  EXPECT_EQ(stats.at("accepted").as_int64(), 2);
  EXPECT_EQ(stats.at("duplicates").as_int64(), param.duplicates);
  EXPECT_EQ(gw.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    AtEachStep, SyncCrash,
    ::testing::Values(
        // The seal of the first batch is committed; nothing sent. It is not sealed again.
        crash_case{"after_seal", 0, 0},
        // Both sealed, the first about to be sent: nothing reached the receiver.
        crash_case{"before_send", 0, 0},
        // The receiver stored the first batch and said so; the gateway died before writing
        // that down. It sends the same batch id again; the receiver answers 409, one copy.
        crash_case{"after_send_before_ack", 1, 1}),
    [](const auto& test) { return test.param.step; });

}  // namespace
