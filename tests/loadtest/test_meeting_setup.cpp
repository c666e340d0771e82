#include "loadtest/meeting_setup.hpp"

#include "tokens/program.hpp"

#include <gtest/gtest.h>

namespace checkin::loadtest {
namespace {

using namespace std::chrono;

TEST(MeetingSetup, ProgramSessionsAreAllInProgress) {
  const auto now = floor<seconds>(system_clock::now());
  const auto program = tokens::parse_program(make_program_json(120, now), "test");
  EXPECT_EQ(program.id, load_meeting_id);
  ASSERT_EQ(program.sessions.size(), 120u);
  EXPECT_EQ(program.sessions.front().id, "L-00001");
  EXPECT_EQ(program.sessions.back().id, session_id_of(119));
  for (const auto& s : program.sessions) {
    const auto claims = tokens::poster_claims(program, s);
    EXPECT_LE(claims.valid_from, now - minutes{30});
    EXPECT_GT(claims.valid_until, now + hours{4});
  }
}

TEST(MeetingSetup, RosterListsActiveMembersWithThePassword) {
  EXPECT_EQ(member_no_of(700000, 5), "700005");
  const auto csv = make_roster_csv(700000, 3, "pw");
  EXPECT_EQ(csv.rfind("member_no,name,status,initial_password\n", 0), 0u);
  EXPECT_NE(csv.find("\n700002,"), std::string::npos);
  EXPECT_NE(csv.find(",active,pw\n"), std::string::npos);
  EXPECT_EQ(csv.find("700003"), std::string::npos);
}

TEST(MeetingSetup, GatewayConfigLiftsScanLimitsAndNamesTheOrganizerKey) {
  const auto toml = make_gateway_toml({12'000, 16, std::string(64, 'a'), 1500});
  EXPECT_NE(toml.find("max_connections = 12000"), std::string::npos);
  EXPECT_NE(toml.find("member_rate_per_second = 0"), std::string::npos);
  EXPECT_NE(toml.find("token_memo_entries = 16"), std::string::npos);
  EXPECT_NE(toml.find("[[organizers.keys]]"), std::string::npos);
  EXPECT_NE(toml.find("[storage]\ncommit_gather_us = 1500\n"), std::string::npos);
  const auto defaults = make_gateway_toml({100, std::nullopt, {}, std::nullopt});
  EXPECT_EQ(defaults.find("token_memo_entries"), std::string::npos);
  EXPECT_EQ(defaults.find("commit_gather_us"), std::string::npos);
}

}  // namespace
}  // namespace checkin::loadtest
