// The single writer: batching, exactly-once completions, failure and shutdown.

#include "store_test_support.hpp"

#include <store/group_committer.hpp>
#include <store/scan_store.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <latch>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace checkin::store {
namespace {

using testing::at_ms;
using testing::make_draft;
using testing::temp_dir;

class GroupCommitterTest : public ::testing::Test {
 protected:
  scan_store open_store(std::size_t map_size = std::size_t{256} << 20,
                        std::size_t limit = std::size_t{256} << 20) {
    return scan_store::open(
               {.directory = dir_.path() / "db", .map_size = map_size, .map_size_limit = limit})
        .value();
  }
  temp_dir dir_;
};

// Blocks until a completion arrives.
scan_result submit_and_wait(group_committer& c, scan_draft d) {
  std::promise<scan_result> p;
  auto f = p.get_future();
  c.submit_scan(std::move(d), [&p](scan_result r) { p.set_value(std::move(r)); });
  return f.get();
}

// The names of this process's threads, from /proc (what top -H and perf show).
std::multiset<std::string> thread_names() {
  std::multiset<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    if (std::getline(comm, name)) names.insert(name);
  }
  return names;
}

TEST_F(GroupCommitterTest, TheWriterThreadIsNamed) {
  EXPECT_EQ(thread_names().count("checkin-writer"), 0u);
  {
    auto store = open_store();
    group_committer c(store);
    ASSERT_EQ(submit_and_wait(c, make_draft(100001, "A-0101")).value().status,
              scan_status::recorded);  // the writer has run, so it has named itself
    EXPECT_EQ(thread_names().count("checkin-writer"), 1u);
  }
  EXPECT_EQ(thread_names().count("checkin-writer"), 0u);  // joined
}

TEST_F(GroupCommitterTest, ManyThreadsEachCompletionOnceEachScanOnce) {
  auto store = open_store();
  constexpr int threads = 8;
  constexpr int per_thread = 2000;
  constexpr int total = threads * per_thread;
  std::vector<std::atomic<int>> calls(total);
  std::atomic<int> recorded{0};
  std::atomic<int> failed{0};
  std::atomic<int> done{0};
  std::promise<void> all_done;
  {
    group_committer committer{store};
    std::latch start{threads};
    std::vector<std::jthread> submitters;
    for (int t = 0; t < threads; ++t) {
      submitters.emplace_back([&, t] {
        start.arrive_and_wait();  // all threads hit the queue at once, like a hall at 9:00
        for (int i = 0; i < per_thread; ++i) {
          const int id = t * per_thread + i;
          committer.submit_scan(make_draft(static_cast<std::uint64_t>(id) + 1, "S-hall"),
                                [&, id](scan_result r) {
                                  calls[static_cast<std::size_t>(id)].fetch_add(1);
                                  if (r && r->status == scan_status::recorded) {
                                    recorded.fetch_add(1);
                                  } else {
                                    failed.fetch_add(1);
                                  }
                                  if (done.fetch_add(1) + 1 == total) all_done.set_value();
                                });
        }
      });
    }
    submitters.clear();  // joins
    all_done.get_future().wait();

    auto stats = committer.stats();
    EXPECT_EQ(stats.items, static_cast<std::uint64_t>(total));
    EXPECT_EQ(stats.scans_recorded, static_cast<std::uint64_t>(total));
    EXPECT_EQ(stats.failed_batches, 0U);
    EXPECT_LT(stats.batches, static_cast<std::uint64_t>(total)) << "group commit must batch";
    EXPECT_GT(stats.total_commit_latency.count(), 0);
    RecordProperty("batches", static_cast<int>(stats.batches));
  }
  for (int i = 0; i < total; ++i) ASSERT_EQ(calls[static_cast<std::size_t>(i)].load(), 1) << i;
  EXPECT_EQ(recorded.load(), total);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(store.session_count("S-hall").value(), static_cast<std::uint64_t>(total));
  auto attendance = store.session_attendance("S-hall").value();
  ASSERT_EQ(attendance.size(), static_cast<std::size_t>(total));
  std::set<std::string> members;
  for (const auto& r : attendance) members.insert(r.member.value);
  EXPECT_EQ(members.size(), static_cast<std::size_t>(total));
  EXPECT_EQ(store.next_sequence().value(), static_cast<std::uint64_t>(total) + 1);
}

TEST_F(GroupCommitterTest, ConcurrentDuplicatesResolveToOneRecordedEach) {
  auto store = open_store();
  constexpr int threads = 8;
  constexpr int members = 300;
  std::mutex m;
  std::map<std::uint64_t, std::vector<scan_result>> seen;
  {
    group_committer committer{store};
    std::latch start{threads};
    std::vector<std::jthread> submitters;
    for (int t = 0; t < threads; ++t) {
      submitters.emplace_back([&, t] {
        start.arrive_and_wait();
        for (std::uint64_t id = 1; id <= members; ++id) {
          scan_draft d = make_draft(id, "S-dup");
          d.device_id = "phone-" + std::to_string(t);
          committer.submit_scan(std::move(d), [&, id](scan_result r) {
            std::lock_guard lock(m);
            seen[id].push_back(std::move(r));
          });
        }
      });
    }
    submitters.clear();
    committer.stop();
  }
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(members));
  for (const auto& [id, results] : seen) {
    ASSERT_EQ(results.size(), static_cast<std::size_t>(threads));
    int recorded = 0;
    const auto stored = store.find_scan(member_no{std::to_string(id)}, "S-dup").value().value();
    for (const auto& r : results) {
      ASSERT_TRUE(r);
      recorded += r->status == scan_status::recorded ? 1 : 0;
      EXPECT_EQ(r->record, stored) << "every answer carries the one stored record";
    }
    EXPECT_EQ(recorded, 1) << "member " << id;
  }
  EXPECT_EQ(store.session_count("S-dup").value(), static_cast<std::uint64_t>(members));
}

TEST_F(GroupCommitterTest, OnCommitSeesEveryCommittedTransactionBeforeItsCompletions) {
  auto store = open_store();
  std::atomic<std::size_t> calls{0}, requests{0};
  std::atomic<bool> reported_before_completion{true};
  committer_options options;
  options.on_commit = [&](std::size_t n, std::chrono::microseconds t) {
    ++calls;
    requests += n;
    EXPECT_GE(t.count(), 0);
  };
  {
    group_committer committer{store, options};
    for (std::uint64_t m = 1; m <= 50; ++m) {
      const auto before = requests.load();
      const auto r = submit_and_wait(committer, make_draft(m, "S-hook"));
      ASSERT_TRUE(r);
      if (requests.load() <= before) reported_before_completion = false;
    }
    committer.stop();
    const auto st = committer.stats();
    EXPECT_EQ(calls.load(), st.batches);
    EXPECT_EQ(requests.load(), st.items);
  }
  EXPECT_EQ(requests.load(), 50u);
  EXPECT_TRUE(reported_before_completion.load());
}

TEST_F(GroupCommitterTest, RecordedAtIsStampedPerBatchFromTheClock) {
  auto store = open_store();
  group_committer committer{store, {.clock = [] { return at_ms(1'700'000'000'000); }}};
  auto r = submit_and_wait(committer, make_draft(1, "S1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->record.recorded_at, at_ms(1'700'000'000'000));
  EXPECT_EQ(r->record.scanned_at, at_ms(1'700'000'000'000));
}

TEST_F(GroupCommitterTest, MembersSealsAndDeliveriesGoThroughTheWriter) {
  auto store = open_store();
  group_committer committer{store};
  std::promise<status> member_done;
  committer.submit_member(member_record{.member = member_no{"9"}, .name = "X"},
                          [&](status s) { member_done.set_value(s); });
  EXPECT_TRUE(member_done.get_future().get());
  EXPECT_TRUE(store.find_member(member_no{"9"}).value().has_value());

  ASSERT_TRUE(submit_and_wait(committer, make_draft(1, "S1")));
  ASSERT_TRUE(submit_and_wait(committer, make_draft(2, "S1")));
  std::promise<result<std::optional<batch_header>>> seal_done;
  committer.submit_seal(seal_request{.session_id = "S1"},
                        [&](result<std::optional<batch_header>> h) { seal_done.set_value(h); });
  auto sealed = seal_done.get_future().get();
  ASSERT_TRUE(sealed && sealed->has_value());
  EXPECT_EQ((*sealed)->entry_count, 2U);
  EXPECT_TRUE(store.outbox_from(0, 10).value().empty());

  std::promise<status> delivery_done;
  committer.submit_delivery(
      delivery_record{.batch_number = (*sealed)->number, .sink = "webhook",
                      .state = delivery_state::delivered},
      [&](status s) { delivery_done.set_value(s); });
  EXPECT_TRUE(delivery_done.get_future().get());
  EXPECT_EQ(store.find_delivery((*sealed)->number, "webhook").value()->state,
            delivery_state::delivered);

  // Requests that cannot be stored are refused before they are queued.
  std::promise<status> bad_delivery;
  committer.submit_delivery(delivery_record{.batch_number = 1, .sink = ""},
                            [&](status s) { bad_delivery.set_value(s); });
  EXPECT_EQ(bad_delivery.get_future().get().error(), store_error::invalid_record);
  std::promise<result<std::optional<batch_header>>> bad_seal;
  committer.submit_seal(seal_request{.session_id = ""},
                        [&](result<std::optional<batch_header>> h) { bad_seal.set_value(h); });
  EXPECT_EQ(bad_seal.get_future().get().error(), store_error::invalid_record);
}

TEST_F(GroupCommitterTest, StopDrainsTheQueueThenRefuses) {
  auto store = open_store();
  std::atomic<int> recorded{0};
  group_committer committer{store};
  for (std::uint64_t id = 1; id <= 500; ++id) {
    committer.submit_scan(make_draft(id, "S1"), [&](scan_result r) {
      if (r && r->status == scan_status::recorded) recorded.fetch_add(1);
    });
  }
  committer.stop();
  EXPECT_EQ(recorded.load(), 500) << "stop() commits everything already queued";
  EXPECT_EQ(store.session_count("S1").value(), 500U);

  std::optional<scan_result> late;
  committer.submit_scan(make_draft(9999, "S1"), [&](scan_result r) { late = std::move(r); });
  ASSERT_TRUE(late.has_value()) << "a refused request is answered before submit returns";
  EXPECT_EQ(late->error(), store_error::shutting_down);
  EXPECT_EQ(committer.stats().rejected, 1U);
  committer.stop();  // idempotent
}

TEST_F(GroupCommitterTest, InvalidRequestsAreAnsweredWithoutFailingOthers) {
  auto store = open_store();
  group_committer committer{store};
  std::optional<scan_result> bad_scan;
  committer.submit_scan(make_draft(1, ""), [&](scan_result r) { bad_scan = std::move(r); });
  ASSERT_TRUE(bad_scan.has_value());
  EXPECT_EQ(bad_scan->error(), store_error::invalid_record);
  std::optional<status> bad_member;
  committer.submit_member(member_record{.member = member_no{""}},
                          [&](status s) { bad_member = s; });
  ASSERT_TRUE(bad_member.has_value());
  EXPECT_EQ(bad_member->error(), store_error::invalid_record);
  EXPECT_EQ(committer.stats().rejected, 2U);
  auto good = submit_and_wait(committer, make_draft(2, "S1"));
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, scan_status::recorded);
}

TEST_F(GroupCommitterTest, FullQueueAnswersOverloaded) {
  auto store = open_store();
  group_committer committer{store, {.max_queued = 0}};
  std::optional<scan_result> answer;
  committer.submit_scan(make_draft(1, "S1"), [&](scan_result r) { answer = std::move(r); });
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->error(), store_error::overloaded);
}

TEST_F(GroupCommitterTest, MapFullFailsBatchesAndTheWriterRecovers) {
  constexpr std::size_t small = std::size_t{256} << 10;
  auto store = open_store(small, small);
  // Written on the writer thread, read here after completions: the promises order them.
  std::vector<std::optional<store_error>> outcomes;
  group_committer committer{
      store, {.max_batch = 64, .on_outcome_change = [&outcomes](std::optional<store_error> o) {
                outcomes.push_back(o);
              }}};

  std::uint64_t next_member = 1;
  std::vector<scan_draft> failed;
  std::size_t recorded = 0;
  // Rounds of 64 concurrent submissions until some of them fail.
  for (int round = 0; round < 200 && failed.empty(); ++round) {
    std::vector<std::promise<scan_result>> promises(64);
    std::vector<scan_draft> drafts;
    for (auto& p : promises) {
      scan_draft d = make_draft(next_member++, "S-full");
      d.device_id = std::string(100, 'd');
      drafts.push_back(d);
      committer.submit_scan(std::move(d), [&p](scan_result r) { p.set_value(std::move(r)); });
    }
    for (std::size_t i = 0; i < promises.size(); ++i) {
      auto r = promises[i].get_future().get();
      if (r) {
        ++recorded;
      } else {
        EXPECT_EQ(r.error(), store_error::map_full);
        failed.push_back(drafts[i]);
      }
    }
  }
  ASSERT_FALSE(failed.empty());
  const auto stats = committer.stats();
  EXPECT_GT(stats.failed_batches, 0U);
  EXPECT_EQ(stats.failed_items, failed.size());
  for (const auto& d : failed) EXPECT_FALSE(store.find_scan(d.member, d.session_id).value());
  EXPECT_EQ(store.session_count("S-full").value(), recorded);

  store.set_map_size_limit(std::size_t{64} << 20);
  for (auto& d : failed) {
    auto r = submit_and_wait(committer, d);
    ASSERT_TRUE(r) << to_string(r.error());
    EXPECT_EQ(r->status, scan_status::recorded);
  }
  EXPECT_EQ(store.session_count("S-full").value(), recorded + failed.size());
  // Reported when commits start failing and when they pass again, not per batch. While the
  // map fills, a smaller batch may still fit after a larger one failed, so the outcome may
  // change more than twice; it is never reported twice in a row.
  ASSERT_GE(outcomes.size(), 2U);
  EXPECT_EQ(outcomes.front(), std::optional<store_error>{store_error::map_full});
  EXPECT_EQ(outcomes.back(), std::nullopt);
  for (std::size_t i = 1; i < outcomes.size(); ++i) {
    EXPECT_NE(outcomes[i], outcomes[i - 1]) << "the same outcome reported twice, at " << i;
  }
  const auto after = committer.stats();
  EXPECT_LT(outcomes.size(), after.failed_batches + after.batches) << "an outcome per batch";
  // A full map is not a failed write: writes were never stopped.
  EXPECT_FALSE(store.poisoned_by());
}

// With a gather time, requests that trickle in one by one (each submitted only after a short
// pause) share one transaction instead of one each; without it they would not.
TEST_F(GroupCommitterTest, GatherTurnsATrickleIntoOneTransaction) {
  auto store = open_store();
  group_committer committer{store, {.gather = std::chrono::milliseconds{400}}};
  std::vector<std::future<scan_result>> results;
  std::vector<std::promise<scan_result>> promises(5);
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < promises.size(); ++i) {
    results.push_back(promises[i].get_future());
    committer.submit_scan(make_draft(i + 1, "S-gather"),
                          [&p = promises[i]](scan_result r) { p.set_value(std::move(r)); });
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  for (auto& f : results) {
    const auto r = f.get();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, scan_status::recorded);
  }
  // The first request waited for the gather time (less the scheduler's slack), not longer
  // than it plus the commit.
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, std::chrono::milliseconds{390});
  EXPECT_LT(waited, std::chrono::seconds{10});
  EXPECT_EQ(committer.stats().batches, 1u);
  EXPECT_EQ(committer.stats().last_batch_size, 5u);
}

// A full batch does not wait out the gather time; stop() does not either.
TEST_F(GroupCommitterTest, GatherEndsEarlyForAFullBatchAndForStop) {
  auto store = open_store();
  {
    group_committer committer{store, {.max_batch = 3, .gather = std::chrono::seconds{30}}};
    std::vector<std::promise<scan_result>> promises(3);
    for (std::size_t i = 0; i < promises.size(); ++i) {
      committer.submit_scan(make_draft(i + 1, "S-full-batch"),
                            [&p = promises[i]](scan_result r) { p.set_value(std::move(r)); });
    }
    for (auto& p : promises) {
      auto f = p.get_future();
      ASSERT_EQ(f.wait_for(std::chrono::seconds{10}), std::future_status::ready);
      EXPECT_TRUE(f.get());
    }
    EXPECT_EQ(committer.stats().batches, 1u);
    std::promise<scan_result> last;
    committer.submit_scan(make_draft(9, "S-full-batch"),
                          [&last](scan_result r) { last.set_value(std::move(r)); });
    committer.stop();  // commits what is queued now, not 30 s from now
    auto f = last.get_future();
    ASSERT_EQ(f.wait_for(std::chrono::seconds{0}), std::future_status::ready);
    EXPECT_TRUE(f.get());
  }
  EXPECT_EQ(store.session_count("S-full-batch").value(), 4u);
}

}  // namespace
}  // namespace checkin::store
