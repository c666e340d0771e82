// The load generator's CPU accounting: /proc stat lines, thread roles, per-answer figures.
#include "loadtest/gateway_process.hpp"
#include "loadtest/report.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace checkin::loadtest {
namespace {

TEST(ThreadStat, ReadsTheNameAndUserPlusSystemTicks) {
  // Fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt
  // cmajflt utime(14) stime(15) ...
  const auto t = parse_thread_stat(
      "4242 (checkin-io-0) R 1 4242 4242 0 -1 4194560 1500 0 0 0 731 219 0 0 20 0 5 0 1 2 3");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->name, "checkin-io-0");
  EXPECT_EQ(t->ticks, 731u + 219u);
}

TEST(ThreadStat, ANameWithSpacesAndParenthesesEndsAtTheLastParenthesis) {
  const auto t = parse_thread_stat("7 (a (b) c) S 1 1 1 0 -1 0 0 0 0 0 5 6 0 0 20 0");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->name, "a (b) c");
  EXPECT_EQ(t->ticks, 11u);
}

TEST(ThreadStat, MalformedLinesAreRefused) {
  EXPECT_FALSE(parse_thread_stat(""));
  EXPECT_FALSE(parse_thread_stat("12 no-parentheses S 1 1"));
  EXPECT_FALSE(parse_thread_stat("12 (short) S 1 1 1 0 -1 0 0 0 0 0"));       // ends at field 12
  EXPECT_FALSE(parse_thread_stat("12 (bad) S 1 1 1 0 -1 0 0 0 0 0 x7 6 0"));  // utime not a number
}

TEST(ThreadStat, ParsesALiveThreadOfThisProcess) {
  // A thread that burns CPU under a known name: its line in /proc parses, with the name the
  // kernel reports in comm and a tick count that grows.
  std::atomic<bool> stop{false};
  std::atomic<pid_t> tid{0};
  std::thread busy([&] {
    (void)pthread_setname_np(pthread_self(), "checkin-writer");
    tid = static_cast<pid_t>(::syscall(SYS_gettid));
    volatile std::uint64_t x = 0;
    while (!stop) x = x + 1;
  });
  while (tid == 0) std::this_thread::yield();
  const auto stat_of = [&] {
    std::ifstream in("/proc/self/task/" + std::to_string(tid.load()) + "/stat");
    std::string line;
    std::getline(in, line);
    return parse_thread_stat(line);
  };
  const auto first = stat_of();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  auto later = stat_of();
  while (later && later->ticks <= (first ? first->ticks : 0) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
    later = stat_of();
  }
  stop = true;
  busy.join();
  ASSERT_TRUE(first);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->name, "checkin-writer");
  EXPECT_GT(later->ticks, first->ticks);
}

TEST(CpuUsage, ThreadsAreGroupedByTheGatewaysNames) {
  cpu_usage u;
  add_thread_cpu(u, "checkin-io-0", 1.5);
  add_thread_cpu(u, "checkin-io-1", 2.0);
  add_thread_cpu(u, "checkin-writer", 0.75);
  add_thread_cpu(u, "checkin-gateway", 0.25);  // the main thread keeps the process name
  add_thread_cpu(u, "checkin-seal", 0.125);
  EXPECT_DOUBLE_EQ(u.io_seconds, 3.5);
  EXPECT_DOUBLE_EQ(u.writer_seconds, 0.75);
  EXPECT_DOUBLE_EQ(u.other_seconds, 0.375);

  cpu_usage earlier;
  add_thread_cpu(earlier, "checkin-io-0", 0.5);
  add_thread_cpu(earlier, "checkin-writer", 0.25);
  const auto d = u - earlier;
  EXPECT_DOUBLE_EQ(d.io_seconds, 3.0);
  EXPECT_DOUBLE_EQ(d.writer_seconds, 0.5);
  EXPECT_DOUBLE_EQ(d.other_seconds, 0.375);
}

TEST(CpuUsage, PerAnswerIsMicrosecondsOverTheAnswers) {
  cpu_usage phase{3.0, 1.0, 0.5};
  const auto per = cpu_per_answer(phase, 2.0, 100'000);
  ASSERT_TRUE(per);
  EXPECT_DOUBLE_EQ(per->gateway_io_us, 30.0);
  EXPECT_DOUBLE_EQ(per->gateway_writer_us, 10.0);
  EXPECT_DOUBLE_EQ(per->gateway_other_us, 5.0);
  EXPECT_DOUBLE_EQ(per->gateway_us(), 45.0);
  EXPECT_DOUBLE_EQ(per->generator_us, 20.0);
  EXPECT_FALSE(cpu_per_answer(phase, 2.0, 0));
}

TEST(CpuUsage, TheGeneratorsOwnCpuTimeGrowsWithWork) {
  const double before = own_cpu_seconds();
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds{50};
  volatile std::uint64_t x = 0;
  while (std::chrono::steady_clock::now() < until) x = x + 1;
  EXPECT_GT(own_cpu_seconds(), before);
}

}  // namespace
}  // namespace checkin::loadtest
