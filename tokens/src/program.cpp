#include "tokens/program.hpp"

#include "tokens/rfc3339.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

namespace checkin::tokens {
namespace {

namespace json = boost::json;
using namespace std::chrono;

// Characters QR alphanumeric mode can hold; a prefix outside them would force byte mode
// and roughly double the QR's size.
bool is_qr_alphanumeric(std::string_view s) noexcept {
  for (const char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == ' ' || c == '$' ||
                    c == '%' || c == '*' || c == '+' || c == '-' || c == '.' || c == '/' ||
                    c == ':';
    if (!ok) return false;
  }
  return true;
}

// Walks one JSON object, remembering its path for messages and rejecting unknown keys
// (a typo such as "stars_at" must not silently fall back to a default).
class object_reader {
 public:
  object_reader(const json::value& v, std::string path, std::string_view origin)
      : path_(std::move(path)), origin_(origin) {
    if (!v.is_object()) fail(path_, "must be an object");
    obj_ = &v.as_object();
  }

  [[noreturn]] void fail(const std::string& where, std::string_view problem) const {
    throw program_error(std::string(origin_) + ": " + where + ": " + std::string(problem));
  }
  std::string field_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  const json::value* optional(std::string_view key) {
    seen_.insert(std::string(key));
    return obj_->if_contains(key);
  }
  const json::value& required(std::string_view key) {
    const auto* v = optional(key);
    if (!v) fail(field_path(key), "is required");
    return *v;
  }

  std::string string(std::string_view key) {
    const auto& v = required(key);
    if (!v.is_string() || v.as_string().empty())
      fail(field_path(key), "must be a non-empty string");
    return std::string(v.as_string());
  }
  std::string id(std::string_view key) {
    auto s = string(key);
    if (!is_valid_id(s)) fail(field_path(key), "must be 1-32 characters of A-Z a-z 0-9 . _ -");
    return s;
  }
  sys_seconds time(std::string_view key) {
    const auto s = string(key);
    const auto t = parse_rfc3339(s);
    if (!t)
      fail(field_path(key), "must be an RFC 3339 time with offset, e.g. 2026-11-26T09:00:00+09:00");
    if (t->utc < sys_seconds{} || t->utc.time_since_epoch().count() > 0xFFFFFFFFLL) {
      fail(field_path(key), "must lie between 1970 and 2106");
    }
    return t->utc;
  }
  minutes whole_minutes(std::string_view key, minutes fallback) {
    const auto* v = optional(key);
    if (!v) return fallback;
    if (!v->is_int64() || v->as_int64() < 0 || v->as_int64() > 24 * 60) {
      fail(field_path(key), "must be a whole number of minutes between 0 and 1440");
    }
    return minutes{v->as_int64()};
  }

  // Call last: any key never asked for is a mistake in the file.
  void reject_unknown_keys() const {
    for (const auto& kv : *obj_) {
      if (!seen_.contains(std::string(kv.key()))) fail(field_path(kv.key()), "unknown field");
    }
  }

 private:
  const json::object* obj_ = nullptr;
  std::string path_;
  std::string_view origin_;
  std::set<std::string> seen_;
};

session_info read_session(const json::value& v, std::string path, std::string_view origin) {
  object_reader r(v, std::move(path), origin);
  session_info s;
  s.id = r.id("id");
  s.title = r.string("title");
  s.room = r.string("room");
  s.starts_at = r.time("starts_at");
  s.ends_at = r.time("ends_at");
  if (s.ends_at <= s.starts_at) r.fail(r.field_path("ends_at"), "must be after starts_at");

  const auto kind_text = r.string("credit_kind");
  const auto kind = credit_kind_from_string(kind_text);
  if (!kind) r.fail(r.field_path("credit_kind"), "must be \"attendance\" or \"education\"");
  s.kind = *kind;

  const auto& units = r.required("units");
  const auto units_value =
      units.is_number() ? credit_units_from_double(units.to_number<double>()) : std::nullopt;
  if (!units_value) {
    r.fail(r.field_path("units"), "must be a number from 0 to 655.35 with at most two decimals");
  }
  s.units = *units_value;
  r.reject_unknown_keys();
  return s;
}

json::value parse_json(std::string_view text, std::string_view origin) {
  json::stream_parser parser;
  boost::system::error_code ec;
  const auto consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    const auto at = std::min(consumed, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < at; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw program_error(std::string(origin) + ":" + std::to_string(line) + ":" +
                        std::to_string(column) + ": invalid JSON: " + ec.message());
  }
  return parser.release();
}

}  // namespace

const session_info* meeting_program::find(std::string_view session_id) const noexcept {
  if (by_id_.size() == sessions.size()) {
    const auto it = std::lower_bound(by_id_.begin(), by_id_.end(), session_id,
                                     [](const auto& entry, std::string_view wanted) {
                                       return std::string_view(entry.first) < wanted;
                                     });
    if (it == by_id_.end() || it->first != session_id) return nullptr;
    // A hit is checked against the session itself, so a stale index never returns the wrong one.
    if (it->second < sessions.size() && sessions[it->second].id == session_id) {
      return &sessions[it->second];
    }
  }
  for (const auto& s : sessions) {
    if (s.id == session_id) return &s;
  }
  return nullptr;
}

void meeting_program::index_sessions() {
  by_id_.clear();
  by_id_.reserve(sessions.size());
  for (std::size_t i = 0; i < sessions.size(); ++i) by_id_.emplace_back(sessions[i].id, i);
  std::sort(by_id_.begin(), by_id_.end());
}

meeting_program parse_program(std::string_view text, std::string_view origin) {
  const auto root_value = parse_json(text, origin);
  object_reader root(root_value, "", origin);
  meeting_program p;

  object_reader meeting(root.required("meeting"), "meeting", origin);
  p.id = meeting.id("id");
  p.name = meeting.string("name");
  const auto offset_text = meeting.string("utc_offset");
  const auto offset = parse_utc_offset(offset_text);
  if (!offset) meeting.fail("meeting.utc_offset", "must look like +09:00");
  p.utc_offset = *offset;
  if (const auto* prefix = meeting.optional("qr_prefix")) {
    if (!prefix->is_string() || !is_qr_alphanumeric(prefix->as_string()) ||
        prefix->as_string().size() > 64) {
      meeting.fail("meeting.qr_prefix",
                   "must be at most 64 characters of 0-9 A-Z space $ % * + - . / : "
                   "(QR alphanumeric mode), e.g. HTTPS://CHECKIN.EXAMPLE.ORG/Q/");
    }
    p.qr_prefix = std::string(prefix->as_string());
  }
  p.opens_before = meeting.whole_minutes("scan_opens_before_minutes", p.opens_before);
  p.closes_after = meeting.whole_minutes("scan_closes_after_minutes", p.closes_after);
  meeting.reject_unknown_keys();

  const auto& sessions = root.required("sessions");
  if (!sessions.is_array() || sessions.as_array().empty()) {
    root.fail("sessions", "must be a non-empty array");
  }
  std::set<std::string> ids;
  std::size_t index = 0;
  for (const auto& v : sessions.as_array()) {
    const std::string path = "sessions[" + std::to_string(index++) + "]";
    auto s = read_session(v, path, origin);
    if (!ids.insert(s.id).second) root.fail(path + ".id", "duplicate session id \"" + s.id + "\"");
    // The poster window, widened by the meeting's margins, must fit a token (32-bit Unix time),
    // or the session's posters and projector codes could not be made.
    const auto window = poster_claims(p, s);
    if (window.valid_from < sys_seconds{}) {
      root.fail(path + ".starts_at", "less scan_opens_before_minutes must not be before 1970");
    }
    if (window.valid_until.time_since_epoch().count() > 0xFFFFFFFFLL) {
      root.fail(path + ".ends_at",
                "plus scan_closes_after_minutes must not be after 2106-02-07T06:28:15Z");
    }
    p.sessions.push_back(std::move(s));
  }
  root.reject_unknown_keys();
  p.index_sessions();
  return p;
}

meeting_program load_program(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw program_error(file.string() + ": cannot open the program file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_program(text.str(), file.string());
}

session_claims poster_claims(const meeting_program& p, const session_info& s) {
  session_claims c;
  c.type = token_type::poster;
  c.meeting_id = p.id;
  c.session_id = s.id;
  c.kind = s.kind;
  c.units = s.units;
  c.valid_from = s.starts_at - p.opens_before;
  c.valid_until = s.ends_at + p.closes_after;
  return c;
}

std::optional<session_claims> slot_claims(const meeting_program& p, const session_info& s,
                                          sys_seconds at, seconds slot_seconds) {
  auto c = poster_claims(p, s);
  if (slot_seconds <= seconds{0} || at < c.valid_from || at >= c.valid_until) return std::nullopt;
  const auto slot = at.time_since_epoch().count() / slot_seconds.count();
  const sys_seconds start{seconds{slot * slot_seconds.count()}};
  c.type = token_type::slot;
  c.valid_from = start;
  c.valid_until = start + slot_seconds;
  return c;
}

}  // namespace checkin::tokens
