#include "gateway/scan_request.hpp"

#include "tokens/rfc3339.hpp"
#include "tokens/session_token.hpp"

#include <boost/json/parse.hpp>

namespace checkin::gateway {
namespace {

namespace json = boost::json;

request_problem malformed(std::string message) {
  return {api_error::malformed_request, std::move(message)};
}

// A printable, bounded client id: these are echoed in exports, so no control characters.
bool is_client_id(std::string_view s) noexcept {
  if (s.empty() || s.size() > max_client_id_length) return false;
  for (const unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

std::variant<json::value, request_problem> parse_json_body(std::string_view body,
                                                           json::storage_ptr sp) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 16;
  auto v = json::parse(body, ec, std::move(sp), options);
  if (ec) return malformed("the body is not valid JSON: " + ec.message());
  return v;
}

std::variant<scan_request, request_problem> parse_scan_request(const json::value& body) {
  const auto* obj = body.if_object();
  if (!obj) return malformed("the scan must be a JSON object");
  scan_request r;
  for (const auto& [key, value] : *obj) {
    if (key == "qr") {
      if (!value.is_string() || value.as_string().empty()) {
        return malformed("qr must be the non-empty text of the QR code");
      }
      if (value.as_string().size() > tokens::max_text_length) {
        // Not malformed JSON: a QR text this long cannot be one of our tokens.
        return request_problem{api_error::invalid_token, "qr is longer than any valid code"};
      }
      r.qr = value.as_string();
    } else if (key == "scanned_at") {
      if (value.is_null()) continue;
      const auto t = value.is_string() ? tokens::parse_rfc3339_ms(value.as_string()) : std::nullopt;
      if (!t) return malformed("scanned_at must be an RFC 3339 time such as 2026-11-26T09:03:12+09:00");
      r.scanned_at = *t;
    } else if (key == "scan_id" || key == "device_id") {
      if (value.is_null()) continue;
      if (!value.is_string() || !is_client_id(value.as_string())) {
        return malformed(std::string(key) + " must be a string of 1-128 printable characters");
      }
      (key == "scan_id" ? r.scan_id : r.device_id) = std::string(value.as_string());
    }
    // Unknown fields are ignored: newer apps may send more than this gateway knows.
  }
  if (r.qr.empty()) return malformed("qr is required");
  return r;
}

json::value units_json(std::int64_t hundredths) {
  if (hundredths % 100 == 0) return json::value(hundredths / 100);
  return json::value(static_cast<double>(hundredths) / 100.0);
}

json::object scan_view(const store::scan_record& rec, const tokens::meeting_program& program,
                       json::storage_ptr sp) {
  json::object o(14, std::move(sp));  // 12 fields, plus "status" in a scan answer
  o["meeting_id"] = rec.meeting_id;
  o["meeting_name"] = program.id == rec.meeting_id ? std::string_view(program.name) : std::string_view{};
  o["session_id"] = rec.session_id;
  const auto* session = program.find(rec.session_id);
  o["session_title"] = session ? std::string_view(session->title) : std::string_view{};
  o["room"] = session ? std::string_view(session->room) : std::string_view{};
  o["credit_kind"] = tokens::to_string(rec.kind);
  o["credit_kind_label"] = tokens::japanese_label(rec.kind);
  o["units"] = units_json(rec.units.hundredths);
  o["token_type"] = tokens::to_string(rec.type);
  o["scanned_at"] = tokens::format_rfc3339_ms(rec.scanned_at, program.utc_offset);
  o["recorded_at"] = tokens::format_rfc3339_ms(rec.recorded_at, program.utc_offset);
  if (rec.scan_id) o["scan_id"] = *rec.scan_id;
  return o;
}

}  // namespace checkin::gateway
