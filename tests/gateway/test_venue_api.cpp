// Venue screens through a real socket: the page shells and their policy, display keys, the
// projector's slot codes (they verify, record, and expire), posters for organizers, and a
// gateway without a signing key.
#include "gateway/organizer_keys.hpp"
#include "gateway_process.hpp"
#include "tokens/key_ring.hpp"
#include "tokens/rfc3339.hpp"

#include <gtest/gtest.h>

namespace {

using namespace checkin::testing;
using namespace std::chrono;
namespace tokens = checkin::tokens;

const std::string organizer = "org_VENUETESTORGANIZERKEYVENUETESTORGANIZERKEYVENUETE";
const std::string display = "dsp_VENUETESTDISPLAYKEYVENUETESTDISPLAYKEYVENUETESTDI";

std::string venue_config() {
  using checkin::gateway::organizer_key_digest;
  return "[[organizers.keys]]\nname = \"committee\"\nsha256 = \"" +
         organizer_key_digest(organizer) + "\"\n[[display.keys]]\nname = \"hall-A\"\nsha256 = \"" +
         organizer_key_digest(display) + "\"\n";
}

json::object scan(const std::string& qr) { return json::object{{"qr", qr}}; }

sys_seconds time_of(const json::value& v) {
  return tokens::parse_rfc3339(std::string(v.as_string())).value().utc;
}

TEST(VenueApi, PagesAreStaticShellsUnderAStrictPolicy) {
  gateway_process gw("venue-pages", venue_config());
  http_client c(gw.port());
  for (const std::string page : {"/dashboard", "/display/OPEN"}) {
    const auto a = c.get(page);
    ASSERT_EQ(a.status, 200u) << page;
    EXPECT_EQ(a.headers.at("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(a.headers.at("content-security-policy").rfind("default-src 'self'; ", 0), 0u);
    EXPECT_EQ(a.headers.at("x-content-type-options"), "nosniff");
    EXPECT_EQ(a.headers.at("referrer-policy"), "no-referrer");
    EXPECT_EQ(a.body.find("<script>"), std::string::npos) << "no inline script";
    EXPECT_EQ(a.body.find("style="), std::string::npos) << "no inline style";
    EXPECT_EQ(a.body.find("http"), std::string::npos) << "no external resource";
  }
  EXPECT_NE(c.get("/dashboard").body.find("src=\"/assets/dashboard.js\""), std::string::npos);
  EXPECT_EQ(c.get("/display/NOPE").status, 404u);
  for (const std::string asset : {"venue.js", "dashboard.js", "display.js"}) {
    const auto a = c.get("/assets/" + asset);
    EXPECT_EQ(a.status, 200u) << asset;
    EXPECT_EQ(a.headers.at("content-type"), "text/javascript; charset=utf-8") << asset;
  }
  EXPECT_EQ(c.get("/assets/venue.css").headers.at("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(c.get("/assets/nope.js").status, 404u);
  EXPECT_EQ(c.request(http::verb::post, "/dashboard").status, 405u);
}

TEST(VenueApi, DisplayKeysOpenOnlyTheDisplayRoute) {
  gateway_process gw("venue-keys", venue_config());
  http_client c(gw.port());
  const std::string slots = "/v1/display/OPEN/slots";
  EXPECT_EQ(c.get(slots).status, 401u);
  EXPECT_EQ(c.get(slots, gw.login("1001")).status, 401u) << "a member token is not a key";
  EXPECT_EQ(c.get(slots, display + "x").status, 401u);
  EXPECT_EQ(c.get(slots, display).status, 200u);
  EXPECT_EQ(c.get(slots, organizer).status, 200u) << "organizers may run a projector too";
  EXPECT_EQ(c.get("/v1/sessions", display).status, 401u);
  EXPECT_EQ(c.get("/v1/sessions/OPEN/poster.pdf", display).status, 401u);
  EXPECT_EQ(c.get("/v1/display/NOPE/slots", display).status, 404u);
}

TEST(VenueApi, SlotCodesVerifyRecordAndKeepTheirWindow) {
  gateway_process gw("venue-slots", venue_config());
  http_client c(gw.port());
  const auto before = floor<seconds>(system_clock::now());
  const auto a = c.get("/v1/display/OPEN/slots", display);
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_EQ(a.headers.at("cache-control"), "no-store");
  const auto body = a.json();
  EXPECT_EQ(body.at("slot_seconds"), 30);
  EXPECT_EQ(body.at("grace_seconds"), 10);
  EXPECT_EQ(body.at("session").at("title"), "教育講演 テスト");
  EXPECT_EQ(body.at("meeting").at("id"), "TEST2026");
  const auto server_time = time_of(body.at("server_time"));
  EXPECT_GE(server_time, before);
  const auto& slots = body.at("slots").as_array();
  ASSERT_EQ(slots.size(), 5u) << "the current slot and [display] slots_ahead = 4";

  tokens::key_ring ring;
  ring.add(gw.meeting().key.public_part());
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const auto from = time_of(slots[i].at("valid_from"));
    EXPECT_EQ(time_of(slots[i].at("valid_until")) - from, seconds{30});
    if (i == 0) {
      EXPECT_LE(from, server_time);
      EXPECT_GT(from + seconds{30}, server_time);
    } else {
      EXPECT_EQ(from, time_of(slots[i - 1].at("valid_until")));
    }
    const auto claims = tokens::parse_and_verify(slots[i].at("qr_text").as_string(), ring,
                                                 gw.meeting().program.qr_prefix);
    ASSERT_TRUE(claims) << i;
    EXPECT_EQ(claims->type, tokens::token_type::slot);
    EXPECT_EQ(claims->session_id, "OPEN");
    EXPECT_EQ(claims->valid_from, from);
    EXPECT_EQ(std::string(slots[i].at("svg").as_string()).rfind("<svg ", 0), 0u);
  }

  const auto member = gw.login("1001");
  const auto current =
      c.post_json("/v1/scans", scan(std::string(slots[0].at("qr_text").as_string())), member);
  EXPECT_EQ(current.status, 201u) << current.body;
  EXPECT_EQ(current.json().at("token_type"), "slot");
  // A code held for later is not valid yet.
  const auto early = c.post_json("/v1/scans", scan(std::string(slots[2].at("qr_text").as_string())),
                                 gw.login("1002"));
  EXPECT_EQ(early.status, 422u);
  EXPECT_EQ(early.error(), "outside_window");

  // Sessions whose scan window is closed get no codes.
  for (const std::string closed : {"CLOSED", "FUTURE"}) {
    const auto none = c.get("/v1/display/" + closed + "/slots", display);
    ASSERT_EQ(none.status, 200u);
    EXPECT_TRUE(none.json().at("slots").as_array().empty()) << closed;
  }
}

TEST(VenueApi, ASlotCodeIsAcceptedWithinGraceAndRejectedAfter) {
  gateway_process gw("venue-grace", venue_config());  // [scans] slot_grace_seconds = 10
  http_client c(gw.port());
  const auto& m = gw.meeting();
  const auto* open = m.program.find("OPEN");
  const auto mint_slot = [&](sys_seconds at) {
    return tokens::mint(*tokens::slot_claims(m.program, *open, at, seconds{5}), m.key,
                        m.program.qr_prefix);
  };
  const auto now = floor<seconds>(system_clock::now());
  // Ended at most 5 s ago: inside the 10 s grace.
  const auto recent = c.post_json("/v1/scans", scan(mint_slot(now - seconds{5})), gw.login("1003"));
  EXPECT_EQ(recent.status, 201u) << recent.body;
  // Ended at least 11 s ago: beyond the grace.
  const auto expired =
      c.post_json("/v1/scans", scan(mint_slot(now - seconds{16})), gw.login("1004"));
  EXPECT_EQ(expired.status, 422u) << expired.body;
  EXPECT_EQ(expired.error(), "outside_window");
  EXPECT_NE(expired.body.find("expired"), std::string::npos) << expired.body;
}

TEST(VenueApi, PostersForOrganizers) {
  gateway_process gw("venue-poster", venue_config());
  http_client c(gw.port());
  EXPECT_EQ(c.get("/v1/sessions/OPEN/poster.pdf").status, 401u);
  const auto pdf = c.get("/v1/sessions/OPEN/poster.pdf", organizer);
  ASSERT_EQ(pdf.status, 200u) << pdf.body;
  EXPECT_EQ(pdf.headers.at("content-type"), "application/pdf");
  EXPECT_NE(pdf.headers.at("content-disposition").find("filename=\"TEST2026_OPEN_poster.pdf\""),
            std::string::npos);
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  EXPECT_GT(pdf.body.size(), 10'000u);
  EXPECT_EQ(c.get("/v1/sessions/NOPE/poster.pdf", organizer).status, 404u);
}

TEST(VenueApi, WithoutASigningKeyCodesAreUnavailable) {
  gateway_process gw("venue-nokey", venue_config());
  ASSERT_EQ(gw.stop(), 0);
  std::filesystem::remove(gw.dir() / "keys" / "signing.key");
  gw.start();
  http_client c(gw.port());
  for (const auto& [route, key] : {std::pair{"/v1/display/OPEN/slots", display},
                                   std::pair{"/v1/sessions/OPEN/poster.pdf", organizer}}) {
    const auto a = c.get(route, key);
    EXPECT_EQ(a.status, 503u) << route;
    EXPECT_EQ(a.error(), "unavailable") << route;
    EXPECT_NE(a.body.find("no signing key"), std::string::npos) << a.body;
  }
  EXPECT_EQ(c.get("/dashboard").status, 200u);
  EXPECT_EQ(c.get("/v1/sessions", organizer).status, 200u);
  ASSERT_EQ(gw.stop(), 0);

  // A signing key whose codes this gateway would reject stops the start.
  tokens::write_key_pair(tokens::signing_key::generate(), gw.dir() / "other");
  gw.set_config(venue_config() + "[keys]\nsigning = \"" +
                (gw.dir() / "other" / "signing.key").string() + "\"\n");
  EXPECT_THROW(gw.start(), std::runtime_error);
}

TEST(VenueApi, DisplayKeyCommandPrintsTheConfigLines) {
  std::string out;
  ASSERT_EQ(run_cli({"display-key", "--name", "hall-A"}, &out), 0) << out;
  ASSERT_EQ(out.rfind("key: dsp_", 0), 0u) << out;
  const auto key = out.substr(5, out.find('\n') - 5);
  EXPECT_EQ(key.size(), 56u);
  EXPECT_NE(out.find("[[display.keys]]\nname = \"hall-A\"\nsha256 = \"" +
                     checkin::gateway::organizer_key_digest(key) + "\"\n"),
            std::string::npos)
      << out;
}

}  // namespace
