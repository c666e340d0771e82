#include "tokens/program.hpp"
#include "tokens/rfc3339.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

namespace {

using namespace std::chrono;
using checkin::tokens::credit_kind;
using checkin::tokens::parse_program;
using checkin::tokens::program_error;

const char* const demo_path = CHECKIN_SOURCE_DIR "/gateway/demo/program.json";

// A valid one-session program; tests mutate one field at a time.
boost::json::object valid_program() {
  return boost::json::parse(R"({
    "meeting": {"id": "M1", "name": "テスト学会", "utc_offset": "+09:00"},
    "sessions": [{"id": "S1", "title": "教育講演", "room": "第1会場",
                  "starts_at": "2026-11-26T09:00:00+09:00", "ends_at": "2026-11-26T10:00:00+09:00",
                  "credit_kind": "education", "units": 1.5}]})")
      .as_object();
}

std::string error_of(const boost::json::object& doc) {
  try {
    (void)parse_program(boost::json::serialize(doc), "p.json");
  } catch (const program_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Program, DemoProgramLoadsAsAThreeDayMultiRoomMeeting) {
  const auto p = checkin::tokens::load_program(demo_path);
  EXPECT_EQ(p.id, "JSCNM2026");
  EXPECT_EQ(p.utc_offset, hours{9});
  EXPECT_GE(p.sessions.size(), 10u);
  std::set<std::string> rooms;
  std::set<sys_days> local_days;
  bool has_attendance = false;
  for (const auto& s : p.sessions) {
    rooms.insert(s.room);
    local_days.insert(floor<days>(s.starts_at + p.utc_offset));
    has_attendance |= s.kind == credit_kind::attendance;
  }
  EXPECT_GE(rooms.size(), 3u);
  EXPECT_EQ(local_days.size(), 3u);
  EXPECT_TRUE(has_attendance);
  ASSERT_NE(p.find("A-0101"), nullptr);
  EXPECT_EQ(p.find("A-0101")->title.rfind("教育講演1", 0), 0u);
  EXPECT_EQ(p.find("nope"), nullptr);
}

checkin::tokens::session_info session_named(std::string id) {
  checkin::tokens::session_info s;
  s.id = std::move(id);
  return s;
}

TEST(Program, FindsEverySessionOfALargeProgram) {
  auto doc = valid_program();
  auto& sessions = doc["sessions"].as_array();
  const auto first = sessions[0].as_object();
  sessions.clear();
  // Written out of id order, ids of different lengths and shared prefixes.
  for (int i = 600; i >= 1; --i) {
    auto s = first;
    s["id"] = (i % 2 ? "R" : "S-") + std::to_string(i);
    sessions.push_back(s);
  }
  const auto p = parse_program(boost::json::serialize(doc), "p.json");
  ASSERT_EQ(p.sessions.size(), 600u);
  for (const auto& s : p.sessions) {
    const auto* found = p.find(s.id);
    ASSERT_NE(found, nullptr) << s.id;
    EXPECT_EQ(found, &s) << "the program's own element, not a copy";
  }
  for (const auto* missing : {"", "R", "S-", "S-1", "R2", "R601", "R1 ", "r1"}) {
    EXPECT_EQ(p.find(missing), nullptr) << missing;
  }
  const auto copy = p;
  ASSERT_NE(copy.find("R599"), nullptr);
  EXPECT_EQ(copy.find("R599"), &copy.sessions[1]) << "a copy finds its own sessions";
}

TEST(Program, FindWorksOnProgramsBuiltOrChangedByHand) {
  checkin::tokens::meeting_program p;
  p.sessions.push_back(session_named("B"));
  p.sessions.push_back(session_named("A"));
  EXPECT_EQ(p.find("A"), &p.sessions[1]) << "not indexed: a linear search";
  p.index_sessions();
  EXPECT_EQ(p.find("A"), &p.sessions[1]);
  p.sessions.push_back(session_named("C"));
  EXPECT_EQ(p.find("C"), &p.sessions[2]) << "a session added after indexing is still found";
  p.index_sessions();
  p.sessions[0].id = "D";  // an id changed in place: the stale entry for "B" is not trusted
  EXPECT_EQ(p.find("B"), nullptr);
  p.index_sessions();
  EXPECT_EQ(p.find("D"), &p.sessions[0]);
}

TEST(Program, ParsesEveryField) {
  const auto p = parse_program(boost::json::serialize(valid_program()), "p.json");
  ASSERT_EQ(p.sessions.size(), 1u);
  const auto& s = p.sessions[0];
  EXPECT_EQ(p.name, "テスト学会");
  EXPECT_EQ(s.title, "教育講演");
  EXPECT_EQ(s.starts_at, checkin::tokens::parse_rfc3339("2026-11-26T00:00:00Z")->utc);
  EXPECT_EQ(s.ends_at - s.starts_at, hours{1});
  EXPECT_EQ(s.kind, credit_kind::education);
  EXPECT_EQ(s.units.hundredths, 150);
  EXPECT_EQ(p.opens_before, minutes{15});
  EXPECT_EQ(p.qr_prefix, "HTTPS://CHECKIN.EXAMPLE/Q/");
}

TEST(Program, ErrorsPointAtTheBadField) {
  auto doc = valid_program();
  doc["sessions"].as_array()[0].as_object()["ends_at"] = "2026-11-26T08:00:00+09:00";
  EXPECT_EQ(error_of(doc), "p.json: sessions[0].ends_at: must be after starts_at");

  doc = valid_program();
  doc["sessions"].as_array()[0].as_object()["credit_kind"] = "bonus";
  EXPECT_NE(error_of(doc).find("sessions[0].credit_kind: must be"), std::string::npos);

  doc = valid_program();
  doc["sessions"].as_array()[0].as_object()["starts_at"] = "2026-11-26 09:00";
  EXPECT_NE(error_of(doc).find("sessions[0].starts_at: must be an RFC 3339"), std::string::npos);

  doc = valid_program();
  doc["sessions"].as_array()[0].as_object().erase("room");
  EXPECT_EQ(error_of(doc), "p.json: sessions[0].room: is required");

  doc = valid_program();
  doc["sessions"].as_array()[0].as_object()["stars_at"] = "typo";
  EXPECT_EQ(error_of(doc), "p.json: sessions[0].stars_at: unknown field");

  doc = valid_program();
  doc["sessions"].as_array()[0].as_object()["id"] = "S 1";
  EXPECT_NE(error_of(doc).find("sessions[0].id: must be 1-32"), std::string::npos);

  doc = valid_program();
  doc["sessions"].as_array()[0].as_object()["units"] = 1.234;
  EXPECT_NE(error_of(doc).find("sessions[0].units"), std::string::npos);

  doc = valid_program();
  doc["sessions"].as_array().push_back(doc["sessions"].as_array()[0]);
  EXPECT_EQ(error_of(doc), "p.json: sessions[1].id: duplicate session id \"S1\"");

  doc = valid_program();
  doc["meeting"].as_object()["utc_offset"] = "JST";
  EXPECT_EQ(error_of(doc), "p.json: meeting.utc_offset: must look like +09:00");

  doc = valid_program();
  doc["meeting"].as_object()["qr_prefix"] = "https://lower.case/";
  EXPECT_NE(error_of(doc).find("meeting.qr_prefix"), std::string::npos);

  doc = valid_program();
  doc["sessions"] = boost::json::array{};
  EXPECT_EQ(error_of(doc), "p.json: sessions: must be a non-empty array");
}

// Every session must be able to have a poster: its window, widened by the meeting's margins,
// fits a token's 32-bit times (fuzz_program found programs that loaded and could not mint).
TEST(Program, PosterWindowMustFitATokensTimes) {
  auto doc = valid_program();
  auto& s = doc["sessions"].as_array()[0].as_object();
  s["starts_at"] = "1970-01-01T00:10:00Z";  // 15 minutes open before: 1969
  EXPECT_EQ(error_of(doc),
            "p.json: sessions[0].starts_at: less scan_opens_before_minutes must "
            "not be before 1970");
  doc["meeting"].as_object()["scan_opens_before_minutes"] = 10;
  EXPECT_EQ(error_of(doc), "no error");

  doc = valid_program();
  doc["sessions"].as_array()[0].as_object()["ends_at"] = "2106-02-07T06:20:00Z";
  EXPECT_EQ(error_of(doc),
            "p.json: sessions[0].ends_at: plus scan_closes_after_minutes must "
            "not be after 2106-02-07T06:28:15Z");
  doc["meeting"].as_object()["scan_closes_after_minutes"] = 8;
  EXPECT_EQ(error_of(doc), "no error");
}

TEST(Program, MalformedJsonReportsLineAndColumn) {
  try {
    (void)parse_program("{\n  \"meeting\": {,\n}", "p.json");
    FAIL() << "expected program_error";
  } catch (const program_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("p.json:2:", 0), 0u) << e.what();
  }
  EXPECT_THROW((void)checkin::tokens::load_program("/nonexistent/program.json"), program_error);
}

TEST(Program, PosterClaimsWidenTheSessionWindow) {
  const auto p = parse_program(boost::json::serialize(valid_program()), "p.json");
  const auto c = checkin::tokens::poster_claims(p, p.sessions[0]);
  EXPECT_EQ(c.type, checkin::tokens::token_type::poster);
  EXPECT_EQ(c.meeting_id, "M1");
  EXPECT_EQ(c.session_id, "S1");
  EXPECT_EQ(c.valid_from, p.sessions[0].starts_at - minutes{15});
  EXPECT_EQ(c.valid_until, p.sessions[0].ends_at + minutes{15});
  EXPECT_EQ(c.units.hundredths, 150);
}

TEST(Program, SlotClaimsAreAlignedSlotsInsideTheWindow) {
  const auto p = parse_program(boost::json::serialize(valid_program()), "p.json");
  const auto& s = p.sessions[0];
  const auto at = s.starts_at + seconds{95};
  const auto c = checkin::tokens::slot_claims(p, s, at, seconds{30});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, checkin::tokens::token_type::slot);
  EXPECT_EQ(c->valid_from, s.starts_at + seconds{90});
  EXPECT_EQ(c->valid_until, s.starts_at + seconds{120});
  EXPECT_FALSE(checkin::tokens::slot_claims(p, s, s.ends_at + hours{1}, seconds{30}));
  EXPECT_FALSE(checkin::tokens::slot_claims(p, s, s.starts_at - hours{1}, seconds{30}));
}

}  // namespace
