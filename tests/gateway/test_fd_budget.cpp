// The open-file budget's decisions without sockets: the connection cap from the limit, and the
// accept loop's back-off and log rate on EMFILE.
#include "gateway/fd_budget.hpp"

#include <gtest/gtest.h>

namespace checkin::gateway {
namespace {

using namespace std::chrono;

TEST(FdBudget, CapIsTheLimitLessTheReserve) {
  EXPECT_EQ(reserved_descriptors(2, 0), 72u);
  EXPECT_EQ(reserved_descriptors(2, 3), 78u);
  EXPECT_EQ(reserved_descriptors(0, 0), 68u) << "no threads is read as one";

  const auto low = cap_connections(20'000, 1024, 72);
  EXPECT_EQ(low.max_connections, 952u);
  EXPECT_TRUE(low.lowered);
  const auto roomy = cap_connections(20'000, 1'048'576, 72);
  EXPECT_EQ(roomy.max_connections, 20'000u);
  EXPECT_FALSE(roomy.lowered);
  const auto unlimited = cap_connections(20'000, open_file_limit::unlimited, 72);
  EXPECT_EQ(unlimited.max_connections, 20'000u);
  EXPECT_FALSE(unlimited.lowered);
  const auto exact = cap_connections(952, 1024, 72);
  EXPECT_EQ(exact.max_connections, 952u);
  EXPECT_FALSE(exact.lowered);
  const auto starved = cap_connections(20'000, 50, 72);
  EXPECT_EQ(starved.max_connections, 1u) << "never zero: the server still answers someone";
  EXPECT_TRUE(starved.lowered);
}

TEST(FdBudget, AcceptPauseDoublesToOneSecondAndResets) {
  accept_failures s;
  const auto t0 = steady_clock::time_point{} + hours{1};
  std::vector<long> pauses;
  for (int i = 0; i < 10; ++i) pauses.push_back(on_accept_failure(s, t0).pause.count());
  EXPECT_EQ(pauses, (std::vector<long>{10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000}));
  on_accept_success(s);
  EXPECT_EQ(on_accept_failure(s, t0).pause, milliseconds{10});
}

TEST(FdBudget, AcceptFailuresLogOneLinePerIntervalWithTheCount) {
  accept_failures s;
  const auto t0 = steady_clock::time_point{} + hours{1};
  const auto first = on_accept_failure(s, t0);
  EXPECT_TRUE(first.log);
  EXPECT_EQ(first.suppressed, 0u);
  // A flood: 230 failures over 12 s, as seen with ulimit -n below max_connections.
  int lines = 1;
  std::uint64_t reported = 0;
  for (int i = 1; i < 230; ++i) {
    const auto a = on_accept_failure(s, t0 + milliseconds{i * 12'000 / 230});
    if (a.log) {
      ++lines;
      reported += a.suppressed;
    }
  }
  EXPECT_EQ(lines, 2) << "the first line, then one after 10 s";
  EXPECT_GT(reported, 180u) << "the second line counts the failures it stands for";
  // A success does not reopen the log: a flapping limit still writes one line per interval.
  on_accept_success(s);
  EXPECT_FALSE(on_accept_failure(s, t0 + seconds{12}).log);
  EXPECT_TRUE(on_accept_failure(s, t0 + seconds{25}).log);
}

}  // namespace
}  // namespace checkin::gateway
