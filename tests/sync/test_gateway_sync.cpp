// The whole sync path through real processes: phones post scans to a running gateway; it seals
// ended sessions and delivers the batches to a real webhook receiver that injects faults, or to
// a real PostgreSQL server. At the end the receiver holds exactly the recorded scans, each once.
#include "gateway/gateway_process.hpp"
#include "gateway/organizer_keys.hpp"
#include "postgres_server.hpp"
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

const std::string organizer_key = "org_TESTKEYTESTKEYTESTKEYTESTKEYTESTKEYTESTKEYTESTKEY";

// Four sessions that ended an hour ago: offline uploads for them are still accepted (poster
// tokens: 7 days), and with no grace they are sealed at once.
std::vector<test_session> ended_sessions() {
  const auto now = floor<seconds>(system_clock::now());
  std::vector<test_session> s;
  for (int i = 1; i <= 4; ++i) {
    s.push_back({"C" + std::to_string(i), "終了講演 " + std::to_string(i), now - hours{2},
                 now - hours{1}, "education", 1.5});
  }
  return s;
}

std::string fast_sync_config(const std::string& sinks) {
  return "[sync]\nseal_grace_seconds = 0\nsupplementary_period_seconds = 0\n"
         "retry_initial_ms = 50\nretry_max_ms = 300\npoll_interval_ms = 50\n" +
         sinks +
         "[scans]\nmember_rate_per_second = 0\n"
         "[[organizers.keys]]\nname = \"committee\"\nsha256 = \"" +
         checkin::gateway::organizer_key_digest(organizer_key) + "\"\n";
}

// The gateway refuses a secret file others can read (docs/configuration.md).
void write_secret(const std::filesystem::path& file, const std::string& text) {
  write_text(file, text);
  std::filesystem::permissions(file, std::filesystem::perms(0600));
}

std::string http_sink_config(const receiver_process& r, const std::filesystem::path& secret,
                             int request_timeout_seconds) {
  return "[[sync.http]]\nname = \"hook\"\nurl = \"" + r.url() + "\"\nsecret_file = \"" +
         secret.string() + "\"\nconnect_timeout_seconds = 1\nrequest_timeout_seconds = " +
         std::to_string(request_timeout_seconds) + "\n";
}

// Members upload offline scans of `sessions`, scanned ten minutes before each ended. Returns the
// (member, session) pairs the gateway answered "recorded".
std::set<scan_key> upload(gateway_process& gw, int first_member, int last_member,
                          const std::vector<std::string>& sessions) {
  std::set<scan_key> recorded;
  http_client c(gw.port());
  for (int m = first_member; m <= last_member; ++m) {
    const auto no = std::to_string(m);
    const auto token = gw.login(no);
    json::array scans;
    for (const auto& s : sessions) {
      const auto* info = gw.meeting().program.find(s);
      scans.push_back(json::object{
          {"qr", gw.meeting().poster(s)},
          {"scanned_at", tokens::format_rfc3339(info->ends_at - minutes{10}, hours{9})}});
    }
    const auto a = c.post_json("/v1/scans/batch", json::object{{"scans", scans}}, token);
    EXPECT_EQ(a.status, 200u) << a.body;
    const auto body = a.json();
    const auto& results = body.at("results").as_array();
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i].at("status") == "recorded") recorded.insert({no, sessions[i]});
    }
  }
  return recorded;
}

json::object sync_status(gateway_process& gw) {
  http_client c(gw.port());
  const auto a = c.get("/v1/sync/status", organizer_key);
  EXPECT_EQ(a.status, 200u) << a.body;
  return a.json().as_object();
}

// Waits until every sealed batch is delivered to `sink` and nothing is left unsealed.
bool all_delivered(gateway_process& gw, const std::string& sink, std::uint64_t min_batches,
                   seconds limit = seconds{40}) {
  const auto deadline = steady_clock::now() + limit;
  while (steady_clock::now() < deadline) {
    const auto s = sync_status(gw);
    const auto& t = s.at("totals").as_object();
    const auto& k = t.at("sinks").at(sink).as_object();
    if (t.at("unsealed_scans").as_int64() == 0 && t.at("batches").as_int64() >= static_cast<std::int64_t>(min_batches) &&
        k.at("pending").as_int64() == 0 && k.at("failed").as_int64() == 0) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds{100});
  }
  return false;
}

// Every entry of every stored batch, checking that none repeats.
std::set<scan_key> delivered_entries(const std::map<std::string, std::string>& batches) {
  std::set<scan_key> out;
  for (const auto& [id, body] : batches) {
    const auto b = json::parse(body).as_object();
    EXPECT_EQ(std::string(b.at("batch_id").as_string()), id);
    const std::string session(b.at("session").at("id").as_string());
    for (const auto& e : b.at("entries").as_array()) {
      const scan_key k{std::string(e.at("member_no").as_string()), session};
      EXPECT_TRUE(out.insert(k).second) << k.first << "/" << k.second << " delivered twice";
    }
  }
  return out;
}

TEST(GatewaySync, WebhookReceivesEveryRecordedScanOnceThroughFaultsAndARestart) {
  temp_dir scratch("gw-sync");
  receiver_process receiver(scratch.path() / "receiver");
  write_secret(scratch.path() / "hook.secret", receiver.secret() + "\n");
  // Each fault answers one delivery attempt, in order; the gateway must ride through all of
  // them. "slow" outlasts the 1 s request timeout but the receiver stores the batch anyway, as
  // does accept_then_drop: both retries must turn into duplicates, not second copies.
  receiver.fail_next(500, 2);
  receiver.drop_next();
  receiver.slow_next(milliseconds{1500});
  receiver.accept_then_drop_next();
  receiver.hang_next();
  receiver.fail_next(503);

  gateway_process gw("sync-hook",
                     fast_sync_config(http_sink_config(receiver, scratch.path() / "hook.secret", 1)),
                     make_test_meeting(ended_sessions()));
  auto recorded = upload(gw, 1000, 1014, {"C1", "C2", "C3", "C4"});
  ASSERT_EQ(recorded.size(), 60u);
  ASSERT_TRUE(all_delivered(gw, "hook", 4)) << json::serialize(sync_status(gw));
  EXPECT_GE(receiver.stats().at("faults").as_int64(), 7);

  // The receiver dies and comes back (its store is on disk); more phones upload, including
  // scans already recorded (duplicates, not delivered again) and late ones (supplementary).
  receiver.restart();
  receiver.fail_next(502);
  const auto more = upload(gw, 1010, 1029, {"C1", "C3"});
  ASSERT_EQ(more.size(), 30u) << "members 1015..1029 are new for C1 and C3";
  recorded.insert(more.begin(), more.end());
  ASSERT_TRUE(all_delivered(gw, "hook", 5)) << json::serialize(sync_status(gw));

  const auto stored = receiver.stored_batches();
  EXPECT_EQ(delivered_entries(stored), recorded);
  EXPECT_GE(stored.size(), 5u);
  EXPECT_TRUE(stored.contains("TEST2026/C1/2")) << "late scans went into a supplementary batch";
  EXPECT_GE(receiver.stats().at("duplicates").as_int64(), 2)
      << "the slow and accept-then-drop deliveries were sent again, with the same id";
  const auto status = sync_status(gw);
  EXPECT_EQ(status.at("totals").at("sinks").at("hook").at("delivered"),
            static_cast<std::int64_t>(stored.size()));
  EXPECT_EQ(gw.stop(), 0);
}

TEST(GatewaySync, AGatewayKilledBeforeTheAckRedeliversTheSameBatchAfterRestart) {
  temp_dir scratch("gw-sync-kill");
  receiver_process receiver(scratch.path() / "receiver");
  write_secret(scratch.path() / "hook.secret", receiver.secret());
  // The receiver stores the batch three seconds after it arrives; by then the gateway that
  // sent it is dead and never saw the answer.
  receiver.slow_next(milliseconds{3000});
  gateway_process gw("sync-kill",
                     fast_sync_config(http_sink_config(receiver, scratch.path() / "hook.secret", 30)),
                     make_test_meeting(ended_sessions()));
  // One scan, so there is one batch: with no grace, scans uploaded one by one could be sealed
  // into several parts while the first delivery hangs.
  const auto recorded = upload(gw, 1000, 1000, {"C2"});
  ASSERT_EQ(recorded.size(), 1u);

  const auto deadline = steady_clock::now() + seconds{20};
  while (receiver.stats().at("requests").as_int64() < 1 && steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds{20});
  }
  ASSERT_GE(receiver.stats().at("requests").as_int64(), 1) << "no delivery started";
  const auto before = sync_status(gw);
  ASSERT_EQ(before.at("batches").as_array().size(), 1u);
  const std::string batch_id(before.at("batches").as_array()[0].at("batch_id").as_string());
  EXPECT_EQ(before.at("batches").as_array()[0].at("deliveries").at("hook").at("state"), "pending");
  gw.kill9();  // sealed, sent, not acknowledged
  // The receiver stores the batch; its answer goes to a dead connection.
  const auto stored_by = steady_clock::now() + seconds{10};
  while (receiver.stats().at("accepted").as_int64() < 1 && steady_clock::now() < stored_by) {
    std::this_thread::sleep_for(milliseconds{50});
  }
  ASSERT_EQ(receiver.stats().at("accepted").as_int64(), 1);

  gw.start();
  ASSERT_TRUE(all_delivered(gw, "hook", 1)) << json::serialize(sync_status(gw));
  const auto after = sync_status(gw);
  ASSERT_EQ(after.at("batches").as_array().size(), 1u) << "the batch was not sealed again";
  EXPECT_EQ(std::string(after.at("batches").as_array()[0].at("batch_id").as_string()), batch_id);
  const auto stored = receiver.stored_batches();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_TRUE(stored.contains(batch_id));
  EXPECT_EQ(delivered_entries(stored), recorded);
  EXPECT_EQ(std::string(receiver.last_request().at("headers").at("idempotency-key").as_string()), batch_id);
  EXPECT_EQ(receiver.stats().at("duplicates").as_int64(), 1) << "redelivered with the same id";
  EXPECT_EQ(gw.stop(), 0);
}

TEST(GatewaySync, ARefusedBatchIsParkedUntilAnOperatorRetriesIt) {
  temp_dir scratch("gw-sync-park");
  receiver_process receiver(scratch.path() / "receiver");
  write_secret(scratch.path() / "hook.secret", receiver.secret());
  receiver.fail_next(422);
  gateway_process gw("sync-park",
                     fast_sync_config(http_sink_config(receiver, scratch.path() / "hook.secret", 5)),
                     make_test_meeting(ended_sessions()));
  // One scan, one batch (uploads one by one could be sealed into several parts).
  ASSERT_EQ(upload(gw, 1000, 1000, {"C3"}).size(), 1u);

  const auto deadline = steady_clock::now() + seconds{20};
  json::object status;
  while (steady_clock::now() < deadline) {
    status = sync_status(gw);
    if (status.at("totals").at("sinks").at("hook").at("failed") == 1) break;
    std::this_thread::sleep_for(milliseconds{50});
  }
  ASSERT_EQ(status.at("totals").at("sinks").at("hook").at("failed"), 1) << json::serialize(status);
  const auto& session = status.at("sessions").as_array();
  bool shown = false;
  for (const auto& s : session) {
    if (s.at("session_id") != "C3") continue;
    shown = true;
    EXPECT_EQ(s.at("sinks").at("hook").at("failed"), 1);
    EXPECT_NE(std::string(s.at("sinks").at("hook").at("last_error").as_string()).find("422"),
              std::string::npos);
  }
  EXPECT_TRUE(shown);
  std::this_thread::sleep_for(milliseconds{300});
  EXPECT_EQ(receiver.stats().at("requests").as_int64(), 1) << "parked: not retried by itself";

  std::string out;
  const std::vector<std::string> files{"--data-dir", gw.dir().string(), "--program",
                                       (gw.dir() / "program.json").string(), "--config",
                                       (gw.dir() / "gateway.toml").string()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), files.begin(), files.end());
    return args;
  };
  ASSERT_EQ(run_cli(with({"sync", "status"}), &out), 0) << out;
  EXPECT_NE(out.find("FAILED TEST2026/C3/1 -> hook"), std::string::npos) << out;
  ASSERT_EQ(run_cli(with({"sync", "retry", "--batch", "TEST2026/C3/1"}), &out), 0) << out;
  EXPECT_NE(out.find("1 deliveries set to pending"), std::string::npos) << out;
  ASSERT_TRUE(all_delivered(gw, "hook", 1)) << json::serialize(sync_status(gw));
  EXPECT_EQ(receiver.stored_batches().size(), 1u);
  EXPECT_NE(run_cli(with({"sync", "retry"}), &out), 0) << "says which batches to retry";
  EXPECT_EQ(gw.stop(), 0);
}

TEST(GatewaySync, PostgresSinkHoldsEveryScanOnceAndRidesThroughAnOutage) {
  postgres_server pg;
  gateway_process gw("sync-pg",
                     fast_sync_config("[[sync.postgresql]]\nname = \"db\"\nconninfo = \"" +
                                      pg.conninfo() + "\"\n"),
                     make_test_meeting(ended_sessions()));
  auto recorded = upload(gw, 1000, 1009, {"C1", "C2"});
  ASSERT_EQ(recorded.size(), 20u);
  ASSERT_TRUE(all_delivered(gw, "db", 2)) << json::serialize(sync_status(gw));

  pg.stop();
  const auto late = upload(gw, 1010, 1014, {"C1"});
  recorded.insert(late.begin(), late.end());
  // While the database is down the supplementary batch waits, with the reason shown.
  const auto deadline = steady_clock::now() + seconds{20};
  json::object status;
  while (steady_clock::now() < deadline) {
    status = sync_status(gw);
    const auto& db = status.at("totals").at("sinks").at("db").as_object();
    if (db.at("pending").as_int64() >= 1 && !db.at("last_error").is_null()) break;
    std::this_thread::sleep_for(milliseconds{50});
  }
  ASSERT_FALSE(status.at("totals").at("sinks").at("db").at("last_error").is_null())
      << json::serialize(status);
  pg.start();
  ASSERT_TRUE(all_delivered(gw, "db", 3)) << json::serialize(sync_status(gw));

  sql_session sql(pg.conninfo());
  std::set<scan_key> rows;
  for (const auto& r : sql.rows("SELECT member_no, session_id FROM checkin_attendance")) {
    EXPECT_TRUE(rows.insert({r[0], r[1]}).second);
  }
  EXPECT_EQ(rows, recorded);
  // Uploads and seals interleave (no grace in this test), so a session may have several parts.
  const auto batches = sync_status(gw).at("totals").at("batches").as_int64();
  EXPECT_EQ(sql.scalar("SELECT count(*) FROM checkin_delivered_batches"), std::to_string(batches));
  EXPECT_EQ(sql.scalar("SELECT units FROM checkin_attendance LIMIT 1"), "1.50");
  EXPECT_EQ(gw.stop(), 0);
}

TEST(GatewaySync, WithoutASinkBatchesAreExportedAsFiles) {
  gateway_process gw("sync-export", fast_sync_config(""), make_test_meeting(ended_sessions()));
  const auto recorded = upload(gw, 1000, 1003, {"C4"});
  ASSERT_EQ(recorded.size(), 4u);
  // With no grace, the uploads may be sealed into several parts: wait until all are sealed.
  const auto deadline = steady_clock::now() + seconds{20};
  while (steady_clock::now() < deadline &&
         sync_status(gw).at("totals").at("unsealed_scans").as_int64() != 0) {
    std::this_thread::sleep_for(milliseconds{50});
  }
  const auto batches = sync_status(gw).at("totals").at("batches").as_int64();
  ASSERT_GE(batches, 1);
  temp_dir out("export");
  std::string text;
  const std::vector<std::string> args{"sync", "export", "--out", out.path().string(),
                                      "--data-dir", gw.dir().string()};
  ASSERT_EQ(run_cli(args, &text), 0) << text;
  EXPECT_NE(text.find("exported " + std::to_string(batches) + " batches (4 scans)"),
            std::string::npos)
      << text;
  std::map<std::string, std::string> files;
  for (const auto& f : std::filesystem::directory_iterator(out.path())) {
    const auto body = read_text(f.path());
    files[std::string(json::parse(body).at("batch_id").as_string())] = body;
    EXPECT_EQ(f.path().extension(), ".json");
  }
  EXPECT_EQ(files.size(), static_cast<std::size_t>(batches));
  EXPECT_TRUE(files.contains("TEST2026/C4/1"));
  EXPECT_EQ(delivered_entries(files), recorded);
  ASSERT_EQ(run_cli(args, &text), 0) << text;
  EXPECT_NE(text.find("0 written, " + std::to_string(batches) + " unchanged"), std::string::npos)
      << text;
  EXPECT_EQ(gw.stop(), 0);
}

}  // namespace
