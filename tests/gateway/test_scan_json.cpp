// The JSON of a scan: the request body parsed into a caller's arena, the view built in one, and
// the single-scan answer written as text directly, which must be the view's exact bytes.
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

// What the scan route answered before it wrote the text itself: the view, "status" added last.
std::string answer_via_dom(const store::scan_record& record, const tokens::meeting_program& program,
                           std::string_view status) {
  json::object view = scan_view(record, program);
  view.emplace("status", status);
  return json::serialize(view);
}

TEST(ScanJson, AnswerTextIsTheViewsSerialization) {
  const auto program = long_program();
  const auto record = long_record(program);
  const std::string text = scan_answer_json(record, program, "recorded");
  EXPECT_EQ(text, answer_via_dom(record, program, "recorded"));
  // And it reads back as the app expects.
  const auto back = json::parse(text).as_object();
  EXPECT_EQ(back.size(), 13u);
  EXPECT_EQ(back.at("session_title").as_string(), program.sessions.front().title);
  EXPECT_EQ(back.at("units").as_double(), 1.5);
  EXPECT_EQ(back.at("recorded_at").as_string(), "2026-11-21T09:15:12.789+09:00");
  EXPECT_EQ(back.at("status").as_string(), "recorded");
}

TEST(ScanJson, AnswerTextMatchesTheViewInEveryShape) {
  auto program = long_program();
  // Every byte that needs an escape, in the strings the answer copies from the program.
  program.name = std::string("quote \" back\\slash \b\t\n\f\r \x01\x1f\x7f ") + "\xe6\x97\xa5";
  program.sessions.front().room = std::string("nul \0 here", 10);
  auto record = long_record(program);
  for (const std::uint16_t hundredths : {0, 100, 250, 1, 12345, 300}) {
    record.units = tokens::credit_units{hundredths};
    for (const bool with_scan_id : {true, false}) {
      record.scan_id = with_scan_id ? std::optional<std::string>("id \"1\"") : std::nullopt;
      for (const std::string_view status : {"recorded", "duplicate"}) {
        SCOPED_TRACE(std::to_string(hundredths) + " " + std::string(status));
        EXPECT_EQ(scan_answer_json(record, program, status),
                  answer_via_dom(record, program, status));
      }
    }
  }
  // A session the program no longer lists, of another meeting: the empty strings.
  record.session_id = "GONE";
  record.meeting_id = "OTHER";
  EXPECT_EQ(scan_answer_json(record, program, "duplicate"),
            answer_via_dom(record, program, "duplicate"));
  const auto back = json::parse(scan_answer_json(record, program, "duplicate")).as_object();
  EXPECT_EQ(back.at("meeting_name").as_string(), "");
  EXPECT_EQ(back.at("room").as_string(), "");
}

TEST(ScanJson, StringsAreEscapedAsBoostJsonEscapesThem) {
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);
  std::string out;
  append_json_string(out, every_byte);
  EXPECT_EQ(out, json::serialize(json::string_view(every_byte)));
  out.clear();
  append_json_string(out, "a\"b\\c\n\x02");
  EXPECT_EQ(out, R"("a\"b\\c\n\u0002")");
  out.clear();
  append_json_string(out, "");
  EXPECT_EQ(out, R"("")");
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
