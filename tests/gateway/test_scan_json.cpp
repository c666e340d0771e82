// The JSON of a scan: the request body parsed into a caller's arena, and the answer's view built
// in one. The scan route uses a 2 KiB stack arena for the answer; these tests pin that size.
#include "gateway/scan_request.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <array>
#include <string>

namespace checkin::gateway {
namespace {

namespace json = boost::json;
using namespace std::chrono;

tokens::meeting_program long_program() {
  tokens::meeting_program p;
  p.id = "JSNM2026";
  p.name = "第66回日本核医学会学術総会・第46回日本核医学技術学会総会学術大会（京都）";
  p.utc_offset = minutes{9 * 60};
  tokens::session_info s;
  s.id = "EDU-2026-A-0301-SPECIAL";
  // A long title, as medical societies write them: 90 characters, 270 bytes of UTF-8.
  s.title = "教育講演：核医学診療における放射性医薬品の適正使用と被ばく管理の実際―"
            "新しいガイドラインと多施設共同研究の成果を踏まえて、明日からの臨床に生かす";
  s.room = "第1会場（国立京都国際会館 メインホール 1階）";
  s.kind = tokens::credit_kind::education;
  s.units = tokens::credit_units{150};
  p.sessions.push_back(s);
  return p;
}

store::scan_record long_record(const tokens::meeting_program& p) {
  store::scan_record r;
  r.member = store::member_no{"123456789012"};
  r.meeting_id = p.id;
  r.session_id = p.sessions.front().id;
  r.kind = tokens::credit_kind::education;
  r.units = tokens::credit_units{150};
  r.type = tokens::token_type::slot;
  r.scanned_at = store::unix_millis{milliseconds{1795220112345}};
  r.recorded_at = store::unix_millis{milliseconds{1795220112789}};
  r.scan_id = std::string(64, 's');  // the longest client id is 128; a UUID is 36
  r.device_id = std::string(64, 'd');
  return r;
}

TEST(ScanJson, ViewInAnArenaIsTheSameAsOnTheHeap) {
  const auto program = long_program();
  const auto record = long_record(program);
  const auto on_heap = scan_view(record, program);
  std::array<unsigned char, 2048> arena;
  json::monotonic_resource memory(arena.data(), arena.size());
  const auto in_arena = scan_view(record, program, &memory);
  EXPECT_EQ(json::serialize(in_arena), json::serialize(on_heap));
  EXPECT_EQ(in_arena.at("session_title").as_string(), program.sessions.front().title);
  EXPECT_EQ(in_arena.at("recorded_at").as_string(), "2026-11-21T09:15:12.789+09:00");
}

TEST(ScanJson, ALongAnswerFitsTheTwoKilobyteArena) {
  const auto program = long_program();
  const auto record = long_record(program);
  std::array<unsigned char, 2048> arena;
  // No upstream: needing more than the arena would throw std::bad_alloc.
  json::monotonic_resource memory(arena.data(), arena.size(), json::get_null_resource());
  json::object view = scan_view(record, program, &memory);
  EXPECT_NO_THROW(view.emplace("status", "recorded"));  // what the scan route adds
  EXPECT_EQ(view.size(), 13u);
  EXPECT_GT(json::serialize(view).size(), 750u);  // really a long answer
}

TEST(ScanJson, BodyParsedIntoTheGivenStorage) {
  auto storage = json::make_shared_resource<json::monotonic_resource>();
  const std::string body = R"({"qr":"HTTPS://CHECKIN.EXAMPLE/Q/ABC","scan_id":")" +
                           std::string(40, 'x') + R"("})";
  auto parsed = parse_json_body(body, storage);
  ASSERT_TRUE(std::holds_alternative<json::value>(parsed));
  const auto& value = std::get<json::value>(parsed);
  EXPECT_EQ(value.storage().get(), storage.get());
  EXPECT_EQ(value.at("scan_id").as_string().size(), 40u);

  auto bad = parse_json_body(R"({"qr": )", storage);
  ASSERT_TRUE(std::holds_alternative<request_problem>(bad));
  EXPECT_EQ(std::get<request_problem>(bad).error, api_error::malformed_request);
}

}  // namespace
}  // namespace checkin::gateway
