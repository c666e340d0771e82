// Writes the seeds that carry signed tokens (QR codes, bearer tokens) with the fuzz keys
// (fuzz_keys.hpp), so they are made by the project's own code and stay valid until 2096:
//   fuzz_make_seeds <tests/fuzz>
// writes corpus/http/*, corpus/session_token/*, corpus/bearer/*, corpus/record_codec/* (values
// as the store's encoders write them) and regressions/http/*, and prints the tokens as
// dictionary lines. Run it again when the token formats change; the other
// seeds are written by hand.
#include "fuzz_http_rig.hpp"
#include "fuzz_keys.hpp"

#include "gateway/bearer_token.hpp"
#include "store/record_codec.hpp"
#include "tokens/program.hpp"
#include "tokens/rfc3339.hpp"
#include "tokens/session_token.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace {

namespace fs = std::filesystem;
using namespace checkin;
using namespace std::chrono;

void write(const fs::path& file, std::string_view bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string post(std::string_view target, std::string_view body, std::string_view bearer,
                 std::string_view extra = {}) {
  std::string r = "POST " + std::string(target) + " HTTP/1.1\r\nHost: checkin.example.org\r\n";
  if (!bearer.empty()) r += "Authorization: Bearer " + std::string(bearer) + "\r\n";
  r += "Content-Type: application/json\r\n";
  r += extra;
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return r;
}

std::string get(std::string_view target, std::string_view bearer = {},
                std::string_view connection = {}) {
  std::string r = "GET " + std::string(target) + " HTTP/1.1\r\nHost: checkin.example.org\r\n";
  if (!bearer.empty()) r += "Authorization: Bearer " + std::string(bearer) + "\r\n";
  if (!connection.empty()) r += "Connection: " + std::string(connection) + "\r\n";
  return r + "\r\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds <tests/fuzz directory>\n");
    return 2;
  }
  const fs::path dir = argv[1];
  const auto key = fuzz::fuzz_signing_key();
  const auto retired = fuzz::fuzz_retired_key();
  const auto program = tokens::parse_program(R"({"meeting":{"id":"JSCNM2026","name":"x",
      "utc_offset":"+09:00"},"sessions":[{"id":"FUZZ-OPEN","title":"t","room":"r",
      "starts_at":"2026-01-01T00:00:00+09:00","ends_at":"2099-01-01T00:00:00+09:00",
      "credit_kind":"education","units":1.5},{"id":"A-0101","title":"t","room":"r",
      "starts_at":"2026-11-26T09:00:00+09:00","ends_at":"2026-11-26T10:00:00+09:00",
      "credit_kind":"education","units":1}]})",
                                             "seed program");
  // The same claims as the rig's program gives these sessions (fuzz_http_rig.cpp).
  const auto open_qr = tokens::mint(tokens::poster_claims(program, program.sessions[0]), key);
  const auto past_qr = tokens::mint(tokens::poster_claims(program, program.sessions[1]), key);
  const auto retired_qr =
      tokens::mint(tokens::poster_claims(program, program.sessions[0]), retired);
  auto slot =
      *tokens::slot_claims(program, program.sessions[0],
                           tokens::parse_rfc3339("2026-12-07T10:00:00+09:00")->utc, seconds{30});
  const auto slot_qr = tokens::mint(slot, key);

  const auto issuer = gateway::bearer_issuer::from_secret(fuzz::fuzz_bearer_secret());
  const auto issued = tokens::parse_rfc3339("2026-01-01T00:00:00Z")->utc;
  const auto ttl = hours{24 * 365 * 70};  // until 2096
  const auto bearer = issuer.issue("100001", issued, ttl);
  const auto bearer2 = issuer.issue("100002", issued, ttl);
  const auto inactive = issuer.issue("100010", issued, ttl);
  const auto expired = issuer.issue("100003", issued, hours{1});
  const std::string org{fuzz::fuzz_organizer_key};
  const std::string dsp{fuzz::fuzz_display_key};

  // session_token: QR texts.
  write(dir / "corpus/session_token/poster-open", open_qr);
  write(dir / "corpus/session_token/poster-past", past_qr);
  write(dir / "corpus/session_token/poster-retired-key", retired_qr);
  write(dir / "corpus/session_token/slot", slot_qr);
  // bearer: tokens, and a payload (version 1, member "100001", issued, expires, nonce).
  write(dir / "corpus/bearer/token", bearer);
  write(dir / "corpus/bearer/token-expired", expired);
  write(dir / "corpus/bearer/payload", std::string_view("\x01\x06"
                                                        "100001"
                                                        "\0\0\0\0\x69\x55\xb9\x00"
                                                        "\0\0\0\0\xe8\x10\x0b\x00"
                                                        "noncenon",
                                                        2 + 6 + 8 + 8 + 8));

  // http: one request per route, the scan paths with valid tokens.
  const fs::path http = dir / "corpus/http";
  write(http / "healthz", get("/healthz"));
  write(http / "login", post("/v1/login", R"({"member_no":"100001","password":"demo-pass"})", {}));
  write(http / "login-wrong", post("/v1/login", R"({"member_no":"100002","password":"nope"})", {}));
  write(http / "scan-open", post("/v1/scans", R"({"qr":")" + open_qr + R"("})", bearer));
  write(
      http / "scan-full",
      post(
          "/v1/scans",
          R"({"qr":")" + open_qr +
              R"(","scanned_at":"2026-12-07T10:00:00.123+09:00","scan_id":"s-1","device_id":"ios-17"})",
          bearer2));
  write(http / "scan-past", post("/v1/scans", R"({"qr":")" + past_qr + R"("})", bearer));
  write(http / "scan-slot", post("/v1/scans", R"({"qr":")" + slot_qr + R"("})", bearer));
  write(http / "scan-inactive", post("/v1/scans", R"({"qr":")" + open_qr + R"("})", inactive));
  write(http / "scan-expired-bearer", post("/v1/scans", R"({"qr":")" + open_qr + R"("})", expired));
  write(http / "batch",
        post("/v1/scans/batch",
             R"({"scans":[{"qr":")" + open_qr +
                 R"(","scanned_at":"2026-12-07T10:00:00+09:00","scan_id":"b-1"},{"qr":")" +
                 past_qr + R"(","scanned_at":"2026-11-26T09:30:00+09:00"},{"qr":")" + retired_qr +
                 R"("},{"qr":"HELLO"},{"scan_id":"x"}]})",
             bearer));
  {
    const std::string body = R"({"scans":[{"qr":")" + open_qr + R"("}]})";
    char size[16];
    std::snprintf(size, sizeof size, "%zx", body.size());
    write(http / "batch-chunked",
          "POST /v1/scans/batch HTTP/1.1\r\nHost: checkin.example.org\r\nAuthorization: Bearer " +
              bearer + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
              size + "\r\n" + body + "\r\n0\r\n\r\n");
  }
  write(http / "attendance", get("/v1/me/attendance", bearer));
  write(http / "sessions", get("/v1/sessions", org));
  write(http / "session-attendance", get("/v1/sessions/FUZZ-OPEN/attendance?format=csv", org));
  write(http / "credits", get("/v1/credits?format=json", org));
  write(http / "sync-status", get("/v1/sync/status", org));
  write(http / "display-slots", get("/v1/display/FUZZ-OPEN/slots", dsp));
  write(http / "display-page", get("/display/A-0101"));
  write(http / "dashboard", get("/dashboard"));
  write(http / "asset", get("/assets/venue.css"));
  write(http / "metrics", get("/metrics"));
  write(http / "keep-alive-pipelined",
        get("/healthz", {}, "keep-alive") +
            post("/v1/scans", R"({"qr":")" + open_qr + R"("})", bearer) +
            get("/v1/me/attendance", bearer, "close"));
  write(http / "expect-100-continue",
        post("/v1/scans", R"({"qr":")" + open_qr + R"("})", bearer, "Expect: 100-continue\r\n"));
  write(http / "http10", "GET /healthz HTTP/1.0\r\n\r\n");

  // Known: a chunked batch whose body is "00\r\n" and then nothing (the peer closes). The
  // server's read loop fed the leftover bytes to put() again after need_more and hit
  // BOOST_ASSERT(n >= 5) in basic_parser (the lead's fix in server.cpp).
  write(dir / "regressions/http/chunked-batch-00-crlf",
        "POST /v1/scans/batch HTTP/1.1\r\nHost: checkin.example.org\r\nAuthorization: Bearer " +
            bearer +
            "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n00\r\n");

  // record_codec: one value of each kind, from the encoders.
  const fs::path codec = dir / "corpus/record_codec";
  const auto ms = [](std::int64_t v) { return store::unix_millis{milliseconds{v}}; };
  store::scan_record scan;
  scan.member = store::member_no{"100001"};
  scan.meeting_id = "JSCNM2026";
  scan.session_id = "A-0101";
  scan.kind = tokens::credit_kind::education;
  scan.units = tokens::credit_units{150};
  scan.key = key.id();
  scan.scanned_at = ms(1'795'000'000'123);
  scan.recorded_at = ms(1'795'000'001'000);
  scan.sequence = 42;
  write(codec / "scan", store::encode(scan).value());
  scan.scan_id = "6f1c2a4e-9b3d";
  scan.device_id = "ios-17.2";
  write(codec / "scan-ids", store::encode(scan).value());
  store::member_record member{store::member_no{"100001"}, "山田 太郎", store::member_status::active,
                              "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
                              ms(1'795'000'000'000)};
  write(codec / "member", store::encode(member).value());
  store::batch_header batch;
  batch.number = 7;
  batch.batch_id = "JSCNM2026/A-0101/1";
  batch.meeting_id = "JSCNM2026";
  batch.meeting_name = "第42回";
  batch.session_id = "A-0101";
  batch.session_title = "教育講演1";
  batch.session_starts_at = ms(1'795'000'000'000);
  batch.session_ends_at = ms(1'795'003'600'000);
  batch.entry_count = 3;
  batch.first_sequence = 1;
  batch.last_sequence = 3;
  write(codec / "batch-header", store::encode(batch).value());
  write(codec / "seal-state", store::encode(store::seal_state{2, 10, 42, ms(1'795'000'000'000)}));
  store::delivery_record delivery;
  delivery.batch_number = 7;
  delivery.sink = "membership";
  delivery.attempts = 3;
  delivery.last_attempt_at = ms(1'795'000'000'000);
  delivery.next_attempt_at = ms(1'795'000'060'000);
  delivery.last_error = "HTTP 503";
  write(codec / "delivery", store::encode(delivery).value());

  std::printf("# tokens made by fuzz_make_seeds with the fuzz keys\n");
  std::printf("\"%s\"\n\"%s\"\n\"%s\"\n\"%s\"\n", open_qr.c_str(), past_qr.c_str(), slot_qr.c_str(),
              bearer.c_str());
  std::printf("\"%s\"\n\"%s\"\n", org.c_str(), dsp.c_str());
  return 0;
}
