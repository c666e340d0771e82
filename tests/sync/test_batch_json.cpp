// The batch JSON is a contract with the membership system (docs/sync.md, "Webhook sink"): these are
// known-answer tests on exact bytes, so any change to the wire format shows up here first.

#include "gateway/sync/batch_json.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>

namespace checkin::gateway::sync {
namespace {

using namespace std::chrono;
namespace json = boost::json;

store::unix_millis at(int h, int m, int s, int ms) {
  return sys_days{2026y / November / 21} + hours{h} + minutes{m} + seconds{s} + milliseconds{ms};
}

store::sealed_batch main_batch() {
  store::sealed_batch b;
  auto& h = b.header;
  h.number = 7;
  h.batch_id = "JSCNM2026/S01/1";
  h.meeting_id = "JSCNM2026";
  h.meeting_name = "第30回 日本テスト医学会 \"総会\"";
  h.session_id = "S01";
  h.session_title = "教育講演 1: 心不全";
  h.session_starts_at = at(1, 0, 0, 0);
  h.session_ends_at = at(2, 0, 0, 0);
  h.kind = tokens::credit_kind::education;
  h.units = tokens::credit_units{150};
  h.part = 1;
  h.sealed_at = at(2, 15, 0, 250);
  h.entry_count = 2;
  h.first_sequence = 41;
  h.last_sequence = 42;

  store::scan_record first;
  first.member = {"00123"};
  first.meeting_id = h.meeting_id;
  first.session_id = h.session_id;
  first.scanned_at = at(1, 2, 3, 456);
  first.recorded_at = at(1, 2, 4, 1);
  first.scan_id = "a1b2";
  first.device_id = "dev-9";
  first.sequence = 41;
  store::scan_record second = first;
  second.member = {"A-77"};
  second.scanned_at = second.recorded_at = at(1, 30, 0, 0);
  second.scan_id.reset();
  second.device_id.reset();
  second.sequence = 42;
  b.entries = {first, second};
  return b;
}

TEST(BatchJson, KnownAnswerMainBatch) {
  EXPECT_EQ(batch_to_json(main_batch()),
            R"({"batch_id":"JSCNM2026/S01/1","part":1,"part_kind":"main",)"
            R"("meeting":{"id":"JSCNM2026","name":"第30回 日本テスト医学会 \"総会\""},)"
            R"("session":{"id":"S01","title":"教育講演 1: 心不全",)"
            R"("starts_at":"2026-11-21T01:00:00.000Z","ends_at":"2026-11-21T02:00:00.000Z"},)"
            R"("credit":{"kind":"education","units":1.5},)"
            R"("sealed_at":"2026-11-21T02:15:00.250Z","count":2,"entries":[)"
            R"({"member_no":"00123","scanned_at":"2026-11-21T01:02:03.456Z",)"
            R"("recorded_at":"2026-11-21T01:02:04.001Z","sequence":41,"scan_id":"a1b2",)"
            R"("device_id":"dev-9"},)"
            R"({"member_no":"A-77","scanned_at":"2026-11-21T01:30:00.000Z",)"
            R"("recorded_at":"2026-11-21T01:30:00.000Z","sequence":42}]})");
}

TEST(BatchJson, KnownAnswerSupplementaryWithoutTimesOrEntries) {
  auto b = main_batch();
  b.header.batch_id = "JSCNM2026/ATT/2";
  b.header.part = 2;
  b.header.kind = tokens::credit_kind::attendance;
  b.header.units = tokens::credit_units{1000};
  b.header.session_starts_at.reset();
  b.header.session_ends_at.reset();
  b.header.session_title = "tab\there\nline";
  b.entries.clear();
  EXPECT_EQ(batch_to_json(b),
            R"({"batch_id":"JSCNM2026/ATT/2","part":2,"part_kind":"supplementary",)"
            R"("meeting":{"id":"JSCNM2026","name":"第30回 日本テスト医学会 \"総会\""},)"
            R"("session":{"id":"S01","title":"tab\there\nline","starts_at":null,"ends_at":null},)"
            R"("credit":{"kind":"attendance","units":10},)"
            R"("sealed_at":"2026-11-21T02:15:00.250Z","count":0,"entries":[]})");
}

TEST(BatchJson, UnitsAreExactDecimalNumbers) {
  auto b = main_batch();
  for (const auto& [hundredths, text] : std::vector<std::pair<std::uint16_t, std::string>>{
           {25, "0.25"}, {150, "1.5"}, {1000, "10"}, {0, "0"}, {1, "0.01"}, {65535, "655.35"}}) {
    b.header.units = tokens::credit_units{hundredths};
    const std::string out = batch_to_json(b);
    EXPECT_NE(out.find(R"("units":)" + text + "}"), std::string::npos) << out;
    // And it is a JSON number a consumer reads back as that value.
    const auto units = json::parse(out).at("credit").at("units");
    EXPECT_TRUE(units.is_number());
    EXPECT_DOUBLE_EQ(units.to_number<double>(), hundredths / 100.0);
  }
}

TEST(BatchJson, SameBatchSameBytesAndValidJson) {
  const auto b = main_batch();
  const std::string once = batch_to_json(b);
  EXPECT_EQ(once, batch_to_json(b));
  const auto doc = json::parse(once).as_object();
  EXPECT_EQ(doc.at("count").as_int64(), 2);
  EXPECT_EQ(doc.at("entries").as_array().size(), 2u);
  EXPECT_EQ(doc.at("meeting").at("name").as_string(), "第30回 日本テスト医学会 \"総会\"");
  EXPECT_FALSE(doc.at("entries").as_array()[1].as_object().contains("scan_id"));
}

}  // namespace
}  // namespace checkin::gateway::sync
