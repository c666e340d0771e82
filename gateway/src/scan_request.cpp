#include "gateway/scan_request.hpp"

#include "tokens/rfc3339.hpp"
#include "tokens/session_token.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

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

namespace {

// Credit units as the number the JSON carries: whole units as an integer, else a decimal. The
// one rule behind units_json and the scan answer's text.
std::variant<std::int64_t, double> units_number(std::int64_t hundredths) {
  if (hundredths % 100 == 0) return hundredths / 100;
  return static_cast<double>(hundredths) / 100.0;
}

}  // namespace

json::value units_json(std::int64_t hundredths) {
  return std::visit([](auto v) { return json::value(v); }, units_number(hundredths));
}

namespace {

// A scan's fields in answer order, each handed to emit(key, value) with a std::string_view,
// a std::int64_t (whole units) or a double: the one list both encoders below follow.
template <class Emit>
void for_each_scan_field(const store::scan_record& rec, const tokens::meeting_program& program,
                         Emit&& emit) {
  emit("meeting_id", std::string_view(rec.meeting_id));
  emit("meeting_name",
       program.id == rec.meeting_id ? std::string_view(program.name) : std::string_view{});
  emit("session_id", std::string_view(rec.session_id));
  const auto* session = program.find(rec.session_id);
  emit("session_title", session ? std::string_view(session->title) : std::string_view{});
  emit("room", session ? std::string_view(session->room) : std::string_view{});
  emit("credit_kind", std::string_view(tokens::to_string(rec.kind)));
  emit("credit_kind_label", std::string_view(tokens::japanese_label(rec.kind)));
  std::visit([&emit](auto units) { emit("units", units); }, units_number(rec.units.hundredths));
  emit("token_type", std::string_view(tokens::to_string(rec.type)));
  emit("scanned_at", tokens::rfc3339_ms_text(rec.scanned_at, program.utc_offset).view());
  emit("recorded_at", tokens::rfc3339_ms_text(rec.recorded_at, program.utc_offset).view());
  if (rec.scan_id) emit("scan_id", std::string_view(*rec.scan_id));
}

// An emitter that writes `{"key":value,...` into a string; the caller closes the brace.
class object_text {
 public:
  explicit object_text(std::string& out) : out_(out) {}
  void operator()(std::string_view key, std::string_view value) {
    put_key(key);
    append_json_string(out_, value);
  }
  void operator()(std::string_view key, std::int64_t value) {
    put_key(key);
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
    out_.append(digits.data(), end);
  }
  // Rare (fractional units), so Boost.JSON's own number format is reused as it is.
  void operator()(std::string_view key, double value) {
    put_key(key);
    out_ += json::serialize(json::value(value));
  }

 private:
  // The keys are this file's own ASCII literals: nothing to escape.
  void put_key(std::string_view key) {
    out_.append(first_ ? "{\"" : ",\"");
    first_ = false;
    out_.append(key);
    out_.append("\":");
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace

json::object scan_view(const store::scan_record& rec, const tokens::meeting_program& program,
                       json::storage_ptr sp) {
  json::object o(14, std::move(sp));  // 12 fields, plus "status" in a scan answer
  for_each_scan_field(rec, program, [&o](std::string_view key, auto value) { o[key] = value; });
  return o;
}

std::string scan_answer_json(const store::scan_record& rec, const tokens::meeting_program& program,
                             std::string_view status) {
  std::string out;
  out.reserve(512);
  object_text fields(out);
  for_each_scan_field(rec, program, fields);
  fields("status", status);
  out += '}';
  return out;
}

namespace {

// Whether any of the 8 bytes in `w` needs an escape: below 0x20, '"' or '\\'. The classic
// "has a zero byte" test (exact when it says no; a yes is confirmed byte by byte).
[[nodiscard]] constexpr bool word_needs_escape(std::uint64_t w) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
  const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
  return (below_space | has_zero(w ^ (ones * '"')) | has_zero(w ^ (ones * '\\'))) != 0;
}

[[nodiscard]] constexpr bool byte_needs_escape(unsigned char c) noexcept {
  return c < 0x20 || c == '"' || c == '\\';
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  const char* const data = text.data();
  const std::size_t size = text.size();
  std::size_t plain_from = 0;  // runs of bytes needing no escape are appended whole
  std::size_t i = 0;
  while (i < size) {
    // Titles and names are long runs of UTF-8 with nothing to escape: 8 bytes at a time.
    if (size - i >= 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, data + i, 8);
      if (!word_needs_escape(w)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(data[i]);
    if (!byte_needs_escape(c)) {
      ++i;
      continue;
    }
    out.append(data + plain_from, i - plain_from);
    plain_from = ++i;
    out += '\\';
    switch (c) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '\b':
        out += 'b';
        break;
      case '\t':
        out += 't';
        break;
      case '\n':
        out += 'n';
        break;
      case '\f':
        out += 'f';
        break;
      case '\r':
        out += 'r';
        break;
      default:
        out += "u00";
        out += hex[c >> 4];
        out += hex[c & 0xF];
    }
  }
  out.append(data + plain_from, size - plain_from);
  out += '"';
}

}  // namespace checkin::gateway
