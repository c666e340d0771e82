// The sync decisions as pure functions: when to seal, how long to back off, what an attempt
// leaves behind, which batches are due, and the status summary.
#include "gateway/sync/sync_policy.hpp"
#include "gateway/sync/sync_status.hpp"
#include "tokens/program.hpp"

#include <gtest/gtest.h>

namespace {

using namespace checkin::gateway::sync;
using namespace std::chrono;
namespace store = checkin::store;
namespace tokens = checkin::tokens;
using store::unix_millis;

unix_millis at(minutes m) { return unix_millis{m}; }

TEST(SealDueAt, MainBatchWaitsForTheGraceAfterTheEnd) {
  const seal_timing timing{.grace = minutes{15}, .supplementary_period = minutes{5}};
  EXPECT_EQ(seal_due_at(at(minutes{60}), {}, 10, timing), at(minutes{75}));
  EXPECT_EQ(seal_due_at(at(minutes{60}), {}, 0, timing), std::nullopt) << "nothing to seal";
  // A session the program no longer lists is due at once.
  EXPECT_EQ(seal_due_at(std::nullopt, {}, 3, timing), unix_millis{});
}

TEST(SealDueAt, SupplementaryBatchesAreRateLimitedPerSession) {
  const seal_timing timing{.grace = minutes{15}, .supplementary_period = minutes{5}};
  store::seal_state sealed{.parts = 1, .sealed_entries = 10, .last_sealed_sequence = 99,
                           .last_sealed_at = at(minutes{80})};
  EXPECT_EQ(seal_due_at(at(minutes{60}), sealed, 1, timing), at(minutes{85}));
  EXPECT_EQ(seal_due_at(at(minutes{60}), sealed, 0, timing), std::nullopt);
  // Sealed early by an operator (before the grace ran out): later scans still wait for it.
  sealed.last_sealed_at = at(minutes{50});
  EXPECT_EQ(seal_due_at(at(minutes{60}), sealed, 1, timing), at(minutes{75}));
}

tokens::meeting_program program() {
  tokens::meeting_program p;
  p.id = "M";
  p.name = "学会";
  p.sessions.push_back({.id = "A", .title = "講演A", .room = "1", .starts_at = sys_seconds{minutes{0}},
                        .ends_at = sys_seconds{minutes{60}}, .kind = tokens::credit_kind::education,
                        .units = {100}});
  p.sessions.push_back({.id = "B", .title = "講演B", .room = "1",
                        .starts_at = sys_seconds{minutes{60}}, .ends_at = sys_seconds{minutes{120}},
                        .kind = tokens::credit_kind::education, .units = {100}});
  return p;
}

TEST(PlanSeals, SealsDueSessionsAndReportsTheNextOne) {
  const seal_timing timing{.grace = minutes{15}, .supplementary_period = minutes{5}};
  std::vector<session_progress> progress{{"A", 5, {}}, {"B", 7, {}}, {"GONE", 1, {}}};
  const auto plan = plan_seals(program(), progress, at(minutes{80}), timing);
  ASSERT_EQ(plan.due.size(), 2U);
  EXPECT_EQ(plan.due[0].session_id, "A");
  EXPECT_EQ(plan.due[0].session_title, "講演A");
  EXPECT_EQ(plan.due[0].meeting_name, "学会");
  EXPECT_EQ(plan.due[0].session_ends_at, at(minutes{60}));
  EXPECT_EQ(plan.due[1].session_id, "GONE");
  EXPECT_EQ(plan.due[1].session_title, "GONE");
  EXPECT_EQ(plan.next_due, at(minutes{135}));  // B ends at 120, plus 15

  progress = {{"A", 5, {.parts = 1, .sealed_entries = 5, .last_sealed_sequence = 5,
                        .last_sealed_at = at(minutes{75})}}};
  const auto none = plan_seals(program(), progress, at(minutes{200}), timing);
  EXPECT_TRUE(none.due.empty());
  EXPECT_FALSE(none.next_due.has_value());
}

TEST(RetryDelay, DoublesFromTheInitialDelayUpToTheCapWithJitterBelow) {
  const retry_policy p{.initial = seconds{5}, .max = minutes{15}, .jitter = 0.5};
  EXPECT_EQ(retry_delay(1, p, 0.0), seconds{5});
  EXPECT_EQ(retry_delay(2, p, 0.0), seconds{10});
  EXPECT_EQ(retry_delay(3, p, 0.0), seconds{20});
  EXPECT_EQ(retry_delay(9, p, 0.0), minutes{15}) << "5 s · 2^8 is over the cap";
  EXPECT_EQ(retry_delay(4000, p, 0.0), minutes{15}) << "days of retries do not overflow";
  EXPECT_EQ(retry_delay(1, p, 0.5), milliseconds{3750});
  EXPECT_GT(retry_delay(1, p, 0.999), milliseconds{2500});
  EXPECT_EQ(retry_delay(0, p, 0.0), seconds{5});
}

TEST(AfterAttempt, RecordsEachOutcome) {
  const retry_policy p{.initial = seconds{5}, .max = minutes{15}, .jitter = 0.0};
  const auto t0 = at(minutes{100});
  auto first = after_attempt(std::nullopt, 3, "hook", {delivery_status::retry, "HTTP 503"}, t0, p, 0);
  EXPECT_EQ(first.batch_number, 3U);
  EXPECT_EQ(first.sink, "hook");
  EXPECT_EQ(first.state, store::delivery_state::pending);
  EXPECT_EQ(first.attempts, 1U);
  EXPECT_EQ(first.last_error, "HTTP 503");
  EXPECT_EQ(first.next_attempt_at, t0 + seconds{5});

  auto second = after_attempt(first, 3, "hook", {delivery_status::retry, "timed out"}, t0, p, 0);
  EXPECT_EQ(second.attempts, 2U);
  EXPECT_EQ(second.next_attempt_at, t0 + seconds{10});

  auto done = after_attempt(second, 3, "hook", {delivery_status::delivered, "HTTP 200"}, t0, p, 0);
  EXPECT_EQ(done.state, store::delivery_state::delivered);
  EXPECT_EQ(done.delivered_at, t0);
  EXPECT_FALSE(done.next_attempt_at.has_value());
  EXPECT_EQ(done.attempts, 3U);

  auto parked = after_attempt(std::nullopt, 4, "hook",
                              {delivery_status::failed, std::string(5000, 'x')}, t0, p, 0);
  EXPECT_EQ(parked.state, store::delivery_state::failed);
  EXPECT_FALSE(parked.next_attempt_at.has_value());
  EXPECT_EQ(parked.last_error.size(), 1000U) << "a long error page is cut";

  const auto again = retried(parked);
  EXPECT_EQ(again.state, store::delivery_state::pending);
  EXPECT_FALSE(again.next_attempt_at.has_value());
  EXPECT_EQ(again.attempts, 1U);
  EXPECT_EQ(retried(done), done) << "only failed batches are retried";
}

store::batch_header header(std::uint64_t number, std::string session = "A") {
  store::batch_header h;
  h.number = number;
  h.session_id = std::move(session);
  h.batch_id = "M/" + h.session_id + "/" + std::to_string(number);
  h.meeting_id = "M";
  h.entry_count = 2;
  return h;
}

TEST(DueBatches, NewAndDuePendingInNumberOrder) {
  const std::vector<store::batch_header> batches{header(4), header(1), header(2), header(3),
                                                 header(5)};
  const auto now = at(minutes{10});
  const std::vector<store::delivery_record> records{
      {.batch_number = 1, .sink = "h", .state = store::delivery_state::delivered},
      {.batch_number = 2, .sink = "h", .state = store::delivery_state::pending,
       .next_attempt_at = at(minutes{11})},
      {.batch_number = 3, .sink = "h", .state = store::delivery_state::pending,
       .next_attempt_at = at(minutes{10})},
      {.batch_number = 4, .sink = "h", .state = store::delivery_state::failed}};
  EXPECT_EQ(due_batches(batches, records, now), (std::vector<std::uint64_t>{3, 5}));
  EXPECT_EQ(next_retry_at(records), at(minutes{10}));
}

TEST(SyncStatus, CountsPerSessionAndSink) {
  const std::vector<session_progress> progress{
      {"A", 5, {.parts = 2, .sealed_entries = 4, .last_sealed_sequence = 9,
                .last_sealed_at = at(minutes{90})}}};
  const std::vector<store::batch_header> batches{header(1), header(2)};
  const std::vector<store::delivery_record> records{
      {.batch_number = 1, .sink = "hook", .state = store::delivery_state::delivered},
      {.batch_number = 2, .sink = "hook", .state = store::delivery_state::pending, .attempts = 2,
       .next_attempt_at = at(minutes{95}), .last_error = "HTTP 503"},
      {.batch_number = 2, .sink = "db", .state = store::delivery_state::failed, .attempts = 1,
       .last_error = "42P01 relation does not exist"}};
  const std::vector<std::string> sinks{"hook", "db"};
  const auto status = sync_status_json(program(), {progress, batches, records, sinks},
                                       seal_timing{}, at(minutes{91}));
  const auto& a = status.at("sessions").as_array()[0].as_object();
  EXPECT_EQ(a.at("session_id"), "A");
  EXPECT_EQ(a.at("recorded"), 5);
  EXPECT_EQ(a.at("unsealed"), 1);
  EXPECT_EQ(a.at("batches"), 2);
  EXPECT_EQ(a.at("seal_due_at"), "1970-01-01T01:35:00.000Z");  // last seal + 5 min
  const auto& hook = a.at("sinks").at("hook").as_object();
  EXPECT_EQ(hook.at("delivered"), 1);
  EXPECT_EQ(hook.at("pending"), 1);
  EXPECT_EQ(hook.at("last_error"), "HTTP 503");
  EXPECT_EQ(hook.at("next_retry_at"), "1970-01-01T01:35:00.000Z");
  const auto& db = a.at("sinks").at("db").as_object();
  EXPECT_EQ(db.at("pending"), 1) << "batch 1 has no record for db yet";
  EXPECT_EQ(db.at("failed"), 1);
  EXPECT_EQ(db.at("last_error"), "42P01 relation does not exist");
  const auto& b = status.at("sessions").as_array()[1].as_object();
  EXPECT_EQ(b.at("session_id"), "B");
  EXPECT_EQ(b.at("recorded"), 0);
  EXPECT_TRUE(b.at("seal_due_at").is_null());
  EXPECT_EQ(status.at("batches").as_array().size(), 2U);
  EXPECT_EQ(status.at("batches").as_array()[1].at("deliveries").at("db").at("state"), "failed");
  EXPECT_EQ(status.at("totals").at("unsealed_scans"), 1);
}

}  // namespace
