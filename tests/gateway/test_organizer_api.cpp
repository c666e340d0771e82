// Organizer routes through a real socket: API keys, live counts, attendance and credits as JSON
// and Excel-ready CSV; the CLI gives the same reports from the same store.
#include "gateway/organizer_keys.hpp"
#include "gateway_process.hpp"

#include <gtest/gtest.h>

namespace {

using namespace checkin::testing;

const std::string key = "org_ORGANIZERKEYFORTESTSORGANIZERKEYFORTESTSORGANIZE";

std::string organizer_config() {
  return "[[organizers.keys]]\nname = \"committee\"\nsha256 = \"" +
         checkin::gateway::organizer_key_digest(key) + "\"\n";
}

TEST(OrganizerApi, KeysAreRequiredAndScopedToOrganizerRoutes) {
  gateway_process gw("organizer-keys", organizer_config());
  http_client c(gw.port());
  const auto member = gw.login("1001");
  for (const std::string route : {"/v1/sessions", "/v1/sessions/OPEN/attendance",
                                  "/v1/sync/status", "/v1/credits"}) {
    EXPECT_EQ(c.get(route).status, 401u) << route;
    EXPECT_EQ(c.get(route).error(), "unauthorized") << route;
    EXPECT_EQ(c.get(route, member).status, 401u) << route << ": a member token is not a key";
    EXPECT_EQ(c.get(route, key + "x").status, 401u) << route;
    EXPECT_EQ(c.get(route, key).status, 200u) << route;
  }
  // The key opens nothing on the member side.
  const auto scan = c.post_json("/v1/scans", json::object{{"qr", gw.meeting().poster("OPEN")}}, key);
  EXPECT_EQ(scan.status, 401u);
  EXPECT_EQ(gw.stop(), 0);
}

TEST(OrganizerApi, LiveCountsAttendanceAndCredits) {
  gateway_process gw("organizer-reports", organizer_config());
  http_client c(gw.port());
  for (const std::string m : {"1001", "1002", "1003"}) {
    const auto token = gw.login(m);
    ASSERT_EQ(c.post_json("/v1/scans", json::object{{"qr", gw.meeting().poster("OPEN")}}, token).status, 201u);
  }
  const auto t4 = gw.login("1004");
  ASSERT_EQ(c.post_json("/v1/scans", json::object{{"qr", gw.meeting().poster("ATT")}}, t4).status, 201u);

  const auto sessions = c.get("/v1/sessions", key);
  ASSERT_EQ(sessions.status, 200u);
  const auto sj = sessions.json();
  EXPECT_EQ(sj.at("recorded_total"), 4);
  std::map<std::string, std::int64_t> counts;
  std::map<std::string, std::string> phases;
  for (const auto& s : sj.at("sessions").as_array()) {
    counts[std::string(s.at("id").as_string())] = s.at("recorded").as_int64();
    phases[std::string(s.at("id").as_string())] = std::string(s.at("phase").as_string());
  }
  EXPECT_EQ(counts["OPEN"], 3);
  EXPECT_EQ(counts["ATT"], 1);
  EXPECT_EQ(counts["FUTURE"], 0);
  EXPECT_EQ(phases["OPEN"], "in_progress");
  EXPECT_EQ(phases["FUTURE"], "upcoming");
  EXPECT_EQ(phases["CLOSED"], "ended");

  const auto json_report = c.get("/v1/sessions/OPEN/attendance", key);
  ASSERT_EQ(json_report.status, 200u);
  const auto aj = json_report.json();
  EXPECT_EQ(aj.at("count"), 3);
  EXPECT_EQ(aj.at("attendees").as_array()[0].at("member_no"), "1001");
  EXPECT_EQ(aj.at("attendees").as_array()[0].at("name"), "会員 1001");

  const auto csv = c.get("/v1/sessions/OPEN/attendance?format=csv", key);
  ASSERT_EQ(csv.status, 200u);
  EXPECT_EQ(csv.headers.at("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv.headers.at("content-disposition").find("TEST2026_OPEN_attendance.csv"),
            std::string::npos);
  ASSERT_EQ(csv.body.rfind("\xEF\xBB\xBFmember_no,name,", 0), 0u) << "UTF-8 BOM, then the header";
  EXPECT_NE(csv.body.find("\r\n1001,会員 1001,OPEN,教育講演 テスト,education,1.5,"), std::string::npos)
      << csv.body;
  std::size_t rows = 0;
  for (std::size_t p = 0; (p = csv.body.find("\r\n", p)) != std::string::npos; p += 2) ++rows;
  EXPECT_EQ(rows, 4u) << "header and three attendees, CRLF line ends";

  EXPECT_EQ(c.get("/v1/sessions/OPEN/attendance?format=xml", key).status, 400u);
  EXPECT_EQ(c.get("/v1/sessions/NOPE/attendance", key).status, 404u);

  const auto credits = c.get("/v1/credits", key);
  ASSERT_EQ(credits.status, 200u);
  const auto cj = credits.json();
  EXPECT_EQ(cj.at("count"), 4);
  for (const auto& m : cj.at("members").as_array()) {
    if (m.at("member_no") == "1004") {
      EXPECT_EQ(m.at("attendance_units"), 10);
      EXPECT_EQ(m.at("education_units"), 0);
    } else {
      EXPECT_EQ(m.at("education_units").as_double(), 1.5);
    }
  }
  const auto credits_csv = c.get("/v1/credits?format=csv", key);
  EXPECT_NE(credits_csv.body.find("\r\n1004,会員 1004,10,0,1,ATT\r\n"), std::string::npos)
      << credits_csv.body;

  // The CLI reads the same store while the server runs and gives the same bytes.
  std::string out;
  const std::vector<std::string> where{"--data-dir", gw.dir().string(), "--program",
                                       (gw.dir() / "program.json").string()};
  std::vector<std::string> args{"attendance", "--session", "OPEN"};
  args.insert(args.end(), where.begin(), where.end());
  ASSERT_EQ(run_cli(args, &out), 0) << out;
  EXPECT_EQ(out, csv.body);
  args = {"credits", "--format", "csv"};
  args.insert(args.end(), where.begin(), where.end());
  ASSERT_EQ(run_cli(args, &out), 0) << out;
  EXPECT_EQ(out, credits_csv.body);
  args = {"attendance", "--session", "NOPE"};
  args.insert(args.end(), where.begin(), where.end());
  EXPECT_NE(run_cli(args, &out), 0);
  EXPECT_NE(out.find("NOPE"), std::string::npos);
  EXPECT_EQ(gw.stop(), 0);
}

}  // namespace
