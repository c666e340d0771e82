// Durability of acknowledged writes: a child process records scans and reports each one whose
// completion said `recorded`; the parent SIGKILLs it mid-stream, reopens the store and checks
// that every acknowledged scan is there.

#include "store_test_support.hpp"

#include <store/group_committer.hpp>
#include <store/scan_store.hpp>

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <thread>
#include <vector>

namespace checkin::store {
namespace {

using testing::make_draft;
using testing::temp_dir;

constexpr const char* session = "S-crash";

// Runs in the child; never returns. Records members first_member, first_member + 1, ... and
// writes each acknowledged member number (8 bytes, one write() each, atomic on a pipe) to ack_fd.
[[noreturn]] void record_until_killed(const std::filesystem::path& dir, std::uint64_t first_member,
                                      int ack_fd) {
  // A small index batch, so kills also land while by_session is being written.
  auto store = scan_store::open(
      {.directory = dir, .map_size = std::size_t{256} << 20, .session_index_batch = 64});
  if (!store) ::_exit(2);
  group_committer committer{*store};
  constexpr std::uint64_t threads = 4;
  std::vector<std::thread> submitters;
  for (std::uint64_t t = 0; t < threads; ++t) {
    submitters.emplace_back([&committer, ack_fd, first_member, t] {
      for (std::uint64_t member = first_member + t;; member += threads) {
        committer.submit_scan(make_draft(member, session), [ack_fd, member](scan_result r) {
          if (!r || r->status != scan_status::recorded) return;
          char bytes[sizeof member];
          std::memcpy(bytes, &member, sizeof member);
          if (::write(ack_fd, bytes, sizeof bytes) != static_cast<ssize_t>(sizeof bytes)) {
            ::_exit(3);
          }
        });
        // Keep the queue short so the kill lands among committed, in-flight and queued scans.
        while (committer.stats().queued > 2000) std::this_thread::yield();
      }
    });
  }
  for (auto& s : submitters) s.join();
  ::_exit(0);
}

// Forks a recording child, lets it acknowledge about `kill_after` scans, SIGKILLs it and returns
// every member number it acknowledged (read to EOF, so none is missed).
std::vector<std::uint64_t> run_and_kill(const std::filesystem::path& db, std::uint64_t first_member,
                                        std::size_t kill_after) {
  std::vector<std::uint64_t> acked;
  int fds[2];
  if (::pipe(fds) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return acked;
  }
  const pid_t child = ::fork();
  if (child < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    return acked;
  }
  if (child == 0) {
    ::close(fds[0]);
    record_until_killed(db, first_member, fds[1]);
  }
  ::close(fds[1]);

  std::string pending;
  auto drain = [&](int timeout_ms) -> bool {  // false at EOF
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return true;
    char buf[4096];
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) return false;
    pending.append(buf, static_cast<std::size_t>(n));
    while (pending.size() >= 8) {
      std::uint64_t member = 0;
      std::memcpy(&member, pending.data(), 8);
      acked.push_back(member);
      pending.erase(0, 8);
    }
    return true;
  };

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (acked.size() < kill_after && std::chrono::steady_clock::now() < deadline) {
    if (!drain(20)) break;
  }
  EXPECT_EQ(::kill(child, SIGKILL), 0);
  int wstatus = 0;
  EXPECT_EQ(::waitpid(child, &wstatus, 0), child);
  EXPECT_TRUE(WIFSIGNALED(wstatus)) << "child exited early with " << WEXITSTATUS(wstatus);
  while (drain(1000)) {
  }
  ::close(fds[0]);
  return acked;
}

TEST(StoreCrash, EveryAcknowledgedScanSurvivesSigkill) {
  temp_dir dir;
  const auto db = dir.path() / "db";
  std::vector<std::uint64_t> acked;
  // Several kills at different points; each round starts from what the last crash left.
  for (std::uint64_t round = 0; round < 4; ++round) {
    auto more = run_and_kill(db, 1 + round * 1'000'000, 500 + round * 1500);
    ASSERT_FALSE(::testing::Test::HasFailure());
    ASSERT_GT(more.size(), 0U) << "round " << round << ": nothing acknowledged before the kill";
    acked.insert(acked.end(), more.begin(), more.end());
  }

  auto store = scan_store::open(
      {.directory = db, .map_size = std::size_t{256} << 20, .session_index_batch = 64});
  ASSERT_TRUE(store) << to_string(store.error());
  for (std::uint64_t member : acked) {
    auto found = store->find_scan(member_no{std::to_string(member)}, session);
    ASSERT_TRUE(found);
    ASSERT_TRUE(found->has_value()) << "acknowledged scan of member " << member << " was lost";
  }
  const auto count = store->session_count(session).value();
  EXPECT_GE(count, acked.size());
  EXPECT_EQ(store->session_attendance(session).value().size(), count)
      << "index and counter agree after the crashes";
  EXPECT_EQ(store->outbox_from(0, count + 10).value().size(), count);
  RecordProperty("acknowledged", static_cast<int>(acked.size()));
  RecordProperty("stored", static_cast<int>(count));

  // The killed writers left no lock behind: the store takes new writes.
  group_committer committer{*store};
  std::promise<scan_result> p;
  committer.submit_scan(make_draft(1ULL << 40, session),
                        [&p](scan_result r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, scan_status::recorded);
}

}  // namespace
}  // namespace checkin::store
