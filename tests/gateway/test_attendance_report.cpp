// Organizer reports and keys as pure functions: CSV that Excel opens cleanly, JSON, credit
// totals, and API keys checked by digest.
#include "gateway/attendance_report.hpp"
#include "gateway/organizer_keys.hpp"

#include <gtest/gtest.h>

namespace {

using namespace checkin::gateway;
namespace store = checkin::store;
namespace tokens = checkin::tokens;
using namespace std::chrono;

TEST(CsvField, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(csv_field("00123"), "00123");
  EXPECT_EQ(csv_field("山田 太郎"), "山田 太郎");
  EXPECT_EQ(csv_field("Smith, John"), "\"Smith, John\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field(""), "");
}

TEST(CsvField, FormulasBecomeText) {
  EXPECT_EQ(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(csv_field("+81 3"), "'+81 3");
  EXPECT_EQ(csv_field("-1"), "'-1");
  EXPECT_EQ(csv_field("@SUM(A1)"), "'@SUM(A1)");
}

tokens::meeting_program program() {
  tokens::meeting_program p;
  p.id = "JSNM2026";
  p.name = "第66回 日本核医学会学術総会";
  p.utc_offset = hours{9};
  p.sessions.push_back({.id = "EL-1", .title = "教育講演 1", .room = "第1会場",
                        .starts_at = sys_seconds{hours{24 * 20000}},
                        .ends_at = sys_seconds{hours{24 * 20000 + 1}},
                        .kind = tokens::credit_kind::education, .units = {150}});
  return p;
}

store::scan_record scan(std::string member, std::string session, tokens::credit_kind kind,
                        std::uint16_t units, std::int64_t ms) {
  store::scan_record r;
  r.member = store::member_no{std::move(member)};
  r.meeting_id = "JSNM2026";
  r.session_id = std::move(session);
  r.kind = kind;
  r.units = {units};
  r.scanned_at = store::unix_millis{milliseconds{ms}};
  r.recorded_at = store::unix_millis{milliseconds{ms + 250}};
  r.sequence = static_cast<std::uint64_t>(ms);
  return r;
}

const name_lookup names = [](const store::member_no& m) -> std::string {
  if (m.value == "00123") return "山田 太郎";
  if (m.value == "456") return "=cmd|' /C calc'!A0";
  return {};
};

TEST(AttendanceCsv, BomHeaderCrlfAndExactValues) {
  const std::vector<store::scan_record> scans{
      scan("00123", "EL-1", tokens::credit_kind::education, 150, 1'000),
      scan("456", "EL-1", tokens::credit_kind::education, 150, 2'000)};
  const auto csv = attendance_csv(program(), "EL-1", scans, names);
  EXPECT_EQ(csv,
            "\xEF\xBB\xBF"
            "member_no,name,session_id,session_title,credit_kind,units,scanned_at,recorded_at,"
            "token_type\r\n"
            "00123,山田 太郎,EL-1,教育講演 1,education,1.5,1970-01-01T09:00:01.000+09:00,"
            "1970-01-01T09:00:01.250+09:00,poster\r\n"
            "456,'=cmd|' /C calc'!A0,EL-1,教育講演 1,education,1.5,1970-01-01T09:00:02.000+09:00,"
            "1970-01-01T09:00:02.250+09:00,poster\r\n");
}

TEST(AttendanceJson, CarriesTheSessionAndEveryAttendee) {
  const std::vector<store::scan_record> scans{
      scan("00123", "EL-1", tokens::credit_kind::education, 150, 1'000)};
  const auto j = attendance_json(program(), "EL-1", scans, names);
  EXPECT_EQ(j.at("session_title"), "教育講演 1");
  EXPECT_EQ(j.at("count"), 1);
  EXPECT_EQ(j.at("units").as_double(), 1.5);
  const auto& a = j.at("attendees").as_array()[0];
  EXPECT_EQ(a.at("member_no"), "00123");
  EXPECT_EQ(a.at("name"), "山田 太郎");
  EXPECT_EQ(a.at("scanned_at"), "1970-01-01T09:00:01.000+09:00");
}

TEST(Credits, SumsUnitsPerKindPerMember) {
  const std::vector<store::scan_record> scans{
      scan("00123", "EL-1", tokens::credit_kind::education, 150, 1),
      scan("00123", "EL-2", tokens::credit_kind::education, 25, 2),
      scan("00123", "ATT", tokens::credit_kind::attendance, 1000, 3),
      scan("456", "EL-1", tokens::credit_kind::education, 150, 4)};
  const auto summary = summarize_credits(scans, names);
  ASSERT_EQ(summary.size(), 2U);
  EXPECT_EQ(summary[0].member.value, "00123");
  EXPECT_EQ(summary[0].education_hundredths, 175U);
  EXPECT_EQ(summary[0].attendance_hundredths, 1000U);
  EXPECT_EQ(summary[0].sessions, (std::vector<std::string>{"EL-1", "EL-2", "ATT"}));
  EXPECT_EQ(credits_csv(summary),
            "\xEF\xBB\xBF"
            "member_no,name,attendance_units,education_units,sessions_attended,session_ids\r\n"
            "00123,山田 太郎,10,1.75,3,EL-1 EL-2 ATT\r\n"
            "456,'=cmd|' /C calc'!A0,0,1.5,1,EL-1\r\n");
  const auto j = credits_json(program(), summary);
  EXPECT_EQ(j.at("members").as_array()[0].at("education_units").as_double(), 1.75);
  EXPECT_EQ(j.at("members").as_array()[0].at("attendance_units"), 10);
}

TEST(OrganizerKeys, MatchByDigestOnly) {
  const auto key = new_organizer_key();
  EXPECT_EQ(key.rfind("org_", 0), 0U);
  EXPECT_EQ(key.size(), 4U + 52U);
  EXPECT_NE(new_organizer_key(), key);
  const auto digest = organizer_key_digest(key);
  EXPECT_EQ(digest.size(), 64U);
  // Known answer: SHA-256("abc").
  EXPECT_EQ(organizer_key_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const organizer_keys keys({{"committee", digest}, {"venue", organizer_key_digest("other")}});
  EXPECT_EQ(keys.match(key), "committee");
  EXPECT_EQ(keys.match("other"), "venue");
  EXPECT_FALSE(keys.match(digest).has_value()) << "the digest itself is not a key";
  EXPECT_FALSE(keys.match("").has_value());
  EXPECT_TRUE(organizer_keys({}).empty());
  const std::vector<organizer_key> bad{{"bad", "xyz"}};
  EXPECT_THROW(organizer_keys{bad}, std::invalid_argument);
}

}  // namespace
