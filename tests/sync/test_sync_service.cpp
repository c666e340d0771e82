// The sync service over a real store and group committer. The sink here is a scripted test
// double: what is under test is the service's bookkeeping (seal once, retry with backoff, park,
// redeliver after a restart); the real sinks are tested against real receivers elsewhere.
#include "gateway/sync/sync_service.hpp"
#include "support/test_files.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <thread>

namespace {

using namespace checkin::gateway::sync;
using namespace std::chrono;
namespace store = checkin::store;
namespace tokens = checkin::tokens;
using checkin::testing::temp_dir;

// Answers with the scripted results in order, then `otherwise`; remembers every batch it saw.
class scripted_sink : public sink {
 public:
  explicit scripted_sink(std::string name, std::deque<delivery_result> script = {},
                         delivery_result otherwise = {delivery_status::delivered, "ok"})
      : name_(std::move(name)), script_(std::move(script)), otherwise_(std::move(otherwise)) {}
  const std::string& name() const noexcept override { return name_; }
  delivery_result deliver(const store::sealed_batch& batch) override {
    std::lock_guard lock(mutex_);
    seen_.push_back(batch);
    if (script_.empty()) return otherwise_;
    auto r = script_.front();
    script_.pop_front();
    return r;
  }
  std::vector<store::sealed_batch> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::string name_;
  mutable std::mutex mutex_;
  std::deque<delivery_result> script_;
  delivery_result otherwise_;
  std::vector<store::sealed_batch> seen_;
};

tokens::meeting_program ended_program() {
  tokens::meeting_program p;
  p.id = "M";
  p.name = "学会";
  const auto now = floor<seconds>(system_clock::now());
  p.sessions.push_back({.id = "S1", .title = "講演1", .room = "1", .starts_at = now - hours{2},
                        .ends_at = now - hours{1}, .kind = tokens::credit_kind::education,
                        .units = {100}});
  return p;
}

store::scan_draft draft(int member) {
  store::scan_draft d;
  d.member = store::member_no{std::to_string(member)};
  d.meeting_id = "M";
  d.session_id = "S1";
  d.kind = tokens::credit_kind::education;
  d.units = {100};
  return d;
}

class SyncServiceTest : public ::testing::Test {
 protected:
  SyncServiceTest()
      : dir_("checkin-sync"),
        store_(store::scan_store::open({.directory = dir_.path() / "db",
                                        .map_size = std::size_t{64} << 20})
                   .value()) {}

  void record(std::initializer_list<int> members) {
    store::write_batch w;
    for (int m : members) w.scans.push_back(draft(m));
    ASSERT_TRUE(store_.commit_batch(w, store::unix_millis{}));
  }

  static sync_options fast() {
    return sync_options{.sealing = {.grace = seconds{0}, .supplementary_period = seconds{0}},
                        .retry = {.initial = milliseconds{20}, .max = milliseconds{50},
                                  .jitter = 0.0},
                        .poll_interval = milliseconds{20},
                        .clock = {}};
  }

  // Polls `done` for up to five seconds.
  template <class Pred>
  static bool eventually(Pred done) {
    for (int i = 0; i < 500; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(milliseconds{10});
    }
    return done();
  }

  store::delivery_state state_of(std::uint64_t batch, const std::string& sink) {
    auto r = store_.find_delivery(batch, sink).value();
    return r ? r->state : store::delivery_state::pending;
  }

  temp_dir dir_;
  store::scan_store store_;
  tokens::meeting_program program_ = ended_program();
};

TEST_F(SyncServiceTest, SealsAnEndedSessionOnceAndDeliversItToEverySink) {
  record({1, 2, 3});
  auto hook = std::make_unique<scripted_sink>("hook");
  auto db = std::make_unique<scripted_sink>("db");
  auto* hook_p = hook.get();
  auto* db_p = db.get();
  store::group_committer committer{store_};
  std::vector<std::unique_ptr<sink>> sinks;
  sinks.push_back(std::move(hook));
  sinks.push_back(std::move(db));
  sync_service service{store_, committer, program_, std::move(sinks), fast()};

  ASSERT_TRUE(eventually([&] {
    return state_of(1, "hook") == store::delivery_state::delivered &&
           state_of(1, "db") == store::delivery_state::delivered;
  }));
  std::this_thread::sleep_for(milliseconds{100});  // several more passes
  service.stop();
  ASSERT_EQ(hook_p->seen().size(), 1U) << "a delivered batch is not sent again";
  ASSERT_EQ(db_p->seen().size(), 1U);
  const auto seen = hook_p->seen();
  const auto& batch = seen[0];
  EXPECT_EQ(batch.header.batch_id, "M/S1/1");
  EXPECT_EQ(batch.header.session_title, "講演1");
  ASSERT_EQ(batch.entries.size(), 3U);
  EXPECT_EQ(batch.entries[2].member.value, "3");
  EXPECT_EQ(store_.batches().value().size(), 1U) << "sealed once";
  EXPECT_EQ(service.counters().delivered.load(), 2U);
}

TEST_F(SyncServiceTest, RetriesTransientFailuresAndParksRefusals) {
  record({1});
  auto hook = std::make_unique<scripted_sink>(
      "hook", std::deque<delivery_result>{{delivery_status::retry, "HTTP 503"},
                                          {delivery_status::retry, "timed out"}});
  auto strict = std::make_unique<scripted_sink>(
      "strict", std::deque<delivery_result>{{delivery_status::failed, "HTTP 422 bad member"}});
  auto* strict_p = strict.get();
  store::group_committer committer{store_};
  std::vector<std::unique_ptr<sink>> sinks;
  sinks.push_back(std::move(hook));
  sinks.push_back(std::move(strict));
  {
    sync_service service{store_, committer, program_, std::move(sinks), fast()};
    ASSERT_TRUE(eventually([&] { return state_of(1, "hook") == store::delivery_state::delivered; }));
    ASSERT_TRUE(eventually([&] { return state_of(1, "strict") == store::delivery_state::failed; }));
    std::this_thread::sleep_for(milliseconds{100});
    EXPECT_EQ(strict_p->seen().size(), 1U) << "a parked batch waits for an operator";
  }
  const auto hook_record = store_.find_delivery(1, "hook").value().value();
  EXPECT_EQ(hook_record.attempts, 3U);
  const auto parked = store_.find_delivery(1, "strict").value().value();
  EXPECT_EQ(parked.last_error, "HTTP 422 bad member");

  // The operator retries it (what `sync retry` does); a new service delivers it.
  store::write_batch w;
  w.deliveries = {retried(parked)};
  ASSERT_TRUE(store_.commit_batch(w, store::unix_millis{}));
  auto again = std::make_unique<scripted_sink>("strict");
  auto* again_p = again.get();
  std::vector<std::unique_ptr<sink>> second;
  second.push_back(std::move(again));
  sync_service service{store_, committer, program_, std::move(second), fast()};
  ASSERT_TRUE(eventually([&] { return state_of(1, "strict") == store::delivery_state::delivered; }));
  service.stop();
  EXPECT_EQ(again_p->seen().size(), 1U);
  EXPECT_EQ(store_.find_delivery(1, "strict").value()->attempts, 2U);
}

TEST_F(SyncServiceTest, LateScansGoIntoASupplementaryBatch) {
  record({1, 2});
  auto hook = std::make_unique<scripted_sink>("hook");
  auto* hook_p = hook.get();
  store::group_committer committer{store_};
  std::vector<std::unique_ptr<sink>> sinks;
  sinks.push_back(std::move(hook));
  sync_service service{store_, committer, program_, std::move(sinks), fast()};
  ASSERT_TRUE(eventually([&] { return state_of(1, "hook") == store::delivery_state::delivered; }));
  record({3, 1});  // 1 is a duplicate and stays out
  ASSERT_TRUE(eventually([&] { return state_of(2, "hook") == store::delivery_state::delivered; }));
  service.stop();
  const auto seen = hook_p->seen();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[1].header.batch_id, "M/S1/2");
  EXPECT_EQ(seen[1].header.part_kind(), store::batch_part_kind::supplementary);
  ASSERT_EQ(seen[1].entries.size(), 1U);
  EXPECT_EQ(seen[1].entries[0].member.value, "3");
}

TEST_F(SyncServiceTest, NothingIsSealedBeforeTheGraceEnds) {
  record({1});
  auto hook = std::make_unique<scripted_sink>("hook");
  auto* hook_p = hook.get();
  store::group_committer committer{store_};
  std::vector<std::unique_ptr<sink>> sinks;
  sinks.push_back(std::move(hook));
  auto options = fast();
  options.sealing.grace = hours{2};  // ended an hour ago; due in an hour
  sync_service service{store_, committer, program_, std::move(sinks), options};
  std::this_thread::sleep_for(milliseconds{200});
  service.stop();
  EXPECT_TRUE(store_.batches().value().empty());
  EXPECT_TRUE(hook_p->seen().empty());
  EXPECT_EQ(store_.outbox_from(0, 10).value().size(), 1U);
}

}  // namespace
