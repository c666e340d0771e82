#include "loadtest/scenario.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <utility>

namespace checkin::loadtest {
namespace {

scenario_shape shape_of(scenario_kind kind, std::uint32_t members = 37,
                        std::uint32_t sessions = 11) {
  scenario_shape s;
  s.kind = kind;
  s.members = members;
  s.sessions = sessions;
  s.batch_size = 5;
  s.repeats = 3;
  return s;
}

TEST(Scenario, NamesRoundTrip) {
  for (const auto k : {scenario_kind::burst, scenario_kind::steady, scenario_kind::distinct,
                       scenario_kind::backlog, scenario_kind::duplicates, scenario_kind::mixed}) {
    EXPECT_EQ(scenario_from_string(to_string(k)), k);
  }
  EXPECT_FALSE(scenario_from_string("bogus"));
}

TEST(Scenario, SteadyVisitsEveryPairOnceAndSpreadsOverSessions) {
  const auto s = shape_of(scenario_kind::steady);
  ASSERT_EQ(plan_capacity(s), 37u * 11u);
  std::set<std::pair<std::uint32_t, std::uint32_t>> seen;
  for (std::uint64_t i = 0; i < plan_capacity(s); ++i) {
    const auto r = plan_request(s, i);
    EXPECT_EQ(r.kind, request_kind::scan);
    ASSERT_LT(r.member, s.members);
    ASSERT_LT(r.session, s.sessions);
    EXPECT_TRUE(seen.emplace(r.member, r.session).second) << i;
  }
  // Consecutive requests go to different sessions.
  EXPECT_NE(plan_request(s, 0).session, plan_request(s, 1).session);
}

TEST(Scenario, BurstFillsOneHallBeforeTheNext) {
  const auto s = shape_of(scenario_kind::burst);
  std::set<std::pair<std::uint32_t, std::uint32_t>> seen;
  for (std::uint64_t i = 0; i < plan_capacity(s); ++i) {
    const auto r = plan_request(s, i);
    EXPECT_EQ(r.session, i / s.members);
    EXPECT_TRUE(seen.emplace(r.member, r.session).second);
  }
  std::set<std::uint32_t> first_hall;
  for (std::uint64_t i = 0; i < s.members; ++i) first_hall.insert(plan_request(s, i).member);
  EXPECT_EQ(first_hall.size(), s.members);
}

TEST(Scenario, DistinctGivesEveryRequestItsOwnToken) {
  const auto s = shape_of(scenario_kind::distinct);
  std::set<std::uint64_t> tokens;
  for (std::uint64_t i = 0; i < plan_capacity(s); ++i) {
    EXPECT_TRUE(tokens.insert(plan_request(s, i).token).second);
  }
}

TEST(Scenario, BacklogBatchesCoverDistinctSessionsInRange) {
  const auto s = shape_of(scenario_kind::backlog);
  ASSERT_EQ(plan_capacity(s), 37u * (11u / 5u));
  std::set<std::pair<std::uint32_t, std::uint32_t>> seen;
  for (std::uint64_t i = 0; i < plan_capacity(s); ++i) {
    const auto r = plan_request(s, i);
    EXPECT_EQ(r.kind, request_kind::batch);
    ASSERT_LE(r.session + s.batch_size, s.sessions);
    for (std::uint32_t k = 0; k < s.batch_size; ++k) {
      EXPECT_TRUE(seen.emplace(r.member, r.session + k).second) << i;
    }
  }
}

TEST(Scenario, DuplicatesSendEveryPairRepeatsTimesBackToBack) {
  const auto s = shape_of(scenario_kind::duplicates);
  ASSERT_EQ(plan_capacity(s), 37u * 11u * 3u);
  std::map<std::pair<std::uint32_t, std::uint32_t>, int> sent;
  for (std::uint64_t i = 0; i < plan_capacity(s); ++i) {
    const auto r = plan_request(s, i);
    ++sent[{r.member, r.session}];
    if (i % s.repeats != 0) {
      const auto prev = plan_request(s, i - 1);
      EXPECT_EQ(std::make_pair(r.member, r.session), std::make_pair(prev.member, prev.session));
    }
  }
  EXPECT_EQ(sent.size(), 37u * 11u);
  for (const auto& [pair, n] : sent) EXPECT_EQ(n, 3);
}

TEST(Scenario, MixedHonoursItsSharesAndIsReproducible) {
  auto s = shape_of(scenario_kind::mixed, 1000, 100);
  std::map<request_kind, int> kinds;
  for (std::uint64_t i = 0; i < 100'000; ++i) {
    const auto r = plan_request(s, i);
    ++kinds[r.kind];
    EXPECT_EQ(r.kind, plan_request(s, i).kind);
  }
  EXPECT_NEAR(kinds[request_kind::invalid_token], 10'000, 600);
  EXPECT_NEAR(kinds[request_kind::bad_bearer], 5'000, 450);
  EXPECT_NEAR(kinds[request_kind::bad_login], 2'000, 300);
  EXPECT_NEAR(kinds[request_kind::scan], 83'000, 900);
}

TEST(Scenario, ShapesThatCannotRunAreNamed) {
  auto s = shape_of(scenario_kind::steady);
  EXPECT_FALSE(check_shape(s));
  s.members = 0;
  EXPECT_TRUE(check_shape(s));
  s = shape_of(scenario_kind::backlog);
  s.batch_size = 12;  // more than the 11 sessions
  EXPECT_TRUE(check_shape(s));
  s = shape_of(scenario_kind::mixed);
  s.invalid_token_permille = 990;
  EXPECT_TRUE(check_shape(s));
}

}  // namespace
}  // namespace checkin::loadtest
