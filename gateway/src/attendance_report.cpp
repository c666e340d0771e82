#include "gateway/attendance_report.hpp"

#include "gateway/scan_request.hpp"
#include "tokens/rfc3339.hpp"

#include <boost/json/array.hpp>
#include <map>

namespace checkin::gateway {

namespace json = boost::json;

namespace {

// "1.5", "10", "0.25": the exact decimal, as CSV text.
std::string units_text(std::uint32_t hundredths) {
  std::string s = std::to_string(hundredths / 100);
  if (const auto frac = hundredths % 100; frac != 0) {
    s += '.';
    s += static_cast<char>('0' + frac / 10);
    if (frac % 10 != 0) s += static_cast<char>('0' + frac % 10);
  }
  return s;
}

void csv_row(std::string& out, std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (const auto f : fields) {
    if (!first) out += ',';
    first = false;
    out += csv_field(f);
  }
  out += "\r\n";
}

}  // namespace

name_lookup roster_names(const store::scan_store& store) {
  return [&store](const store::member_no& m) {
    const auto found = store.find_member(m);
    return found && *found ? (*found)->name : std::string{};
  };
}

store::result<std::vector<store::scan_record>> meeting_scans(const store::scan_store& store,
                                                             const tokens::meeting_program& program) {
  std::vector<store::scan_record> all;
  for (const auto& s : program.sessions) {
    auto scans = store.session_attendance(s.id);
    if (!scans) return scans.error();
    all.insert(all.end(), std::make_move_iterator(scans->begin()),
               std::make_move_iterator(scans->end()));
  }
  return all;
}

std::string csv_field(std::string_view text) {
  std::string value;
  // Formula injection: Excel runs =cmd|... from a cell. A leading apostrophe makes it text.
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                        text[0] == '\t' || text[0] == '\r')) {
    value.push_back('\'');  // (not `value = "'"`: GCC 12 with ASan warns a false -Wrestrict)
  }
  value += text;
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (const char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

json::object attendance_json(const tokens::meeting_program& program, std::string_view session_id,
                             std::span<const store::scan_record> scans,
                             const name_lookup& name_of) {
  const auto* session = program.find(session_id);
  json::object out;
  out["meeting_id"] = program.id;
  out["meeting_name"] = program.name;
  out["session_id"] = session_id;
  out["session_title"] = session ? session->title : std::string{};
  out["room"] = session ? session->room : std::string{};
  if (session) {
    out["starts_at"] = tokens::format_rfc3339(session->starts_at, program.utc_offset);
    out["ends_at"] = tokens::format_rfc3339(session->ends_at, program.utc_offset);
    out["credit_kind"] = tokens::to_string(session->kind);
    out["units"] = units_json(session->units.hundredths);
  }
  out["count"] = scans.size();
  json::array rows;
  for (const auto& s : scans) {
    json::object r;
    r["member_no"] = s.member.value;
    r["name"] = name_of(s.member);
    r["scanned_at"] = tokens::format_rfc3339_ms(s.scanned_at, program.utc_offset);
    r["recorded_at"] = tokens::format_rfc3339_ms(s.recorded_at, program.utc_offset);
    r["credit_kind"] = tokens::to_string(s.kind);
    r["units"] = units_json(s.units.hundredths);
    r["token_type"] = tokens::to_string(s.type);
    r["sequence"] = s.sequence;
    rows.emplace_back(std::move(r));
  }
  out["attendees"] = std::move(rows);
  return out;
}

std::string attendance_csv(const tokens::meeting_program& program, std::string_view session_id,
                           std::span<const store::scan_record> scans, const name_lookup& name_of) {
  const auto* session = program.find(session_id);
  const std::string title = session ? session->title : std::string{};
  std::string out{utf8_bom};
  csv_row(out, {"member_no", "name", "session_id", "session_title", "credit_kind", "units",
                "scanned_at", "recorded_at", "token_type"});
  for (const auto& s : scans) {
    const auto name = name_of(s.member);
    const auto scanned = tokens::format_rfc3339_ms(s.scanned_at, program.utc_offset);
    const auto recorded = tokens::format_rfc3339_ms(s.recorded_at, program.utc_offset);
    const auto units = units_text(s.units.hundredths);
    csv_row(out, {s.member.value, name, s.session_id, title, tokens::to_string(s.kind), units,
                  scanned, recorded, tokens::to_string(s.type)});
  }
  return out;
}

std::vector<member_credits> summarize_credits(std::span<const store::scan_record> scans,
                                              const name_lookup& name_of) {
  std::map<store::member_no, member_credits> by_member;
  for (const auto& s : scans) {
    auto [it, added] = by_member.try_emplace(s.member);
    auto& m = it->second;
    if (added) {
      m.member = s.member;
      m.name = name_of(s.member);
    }
    if (s.kind == tokens::credit_kind::attendance) m.attendance_hundredths += s.units.hundredths;
    if (s.kind == tokens::credit_kind::education) m.education_hundredths += s.units.hundredths;
    m.sessions.push_back(s.session_id);
  }
  std::vector<member_credits> out;
  out.reserve(by_member.size());
  for (auto& [no, m] : by_member) out.push_back(std::move(m));
  return out;
}

json::object credits_json(const tokens::meeting_program& program,
                          std::span<const member_credits> credits) {
  json::object out;
  out["meeting_id"] = program.id;
  out["meeting_name"] = program.name;
  out["count"] = credits.size();
  json::array members;
  for (const auto& m : credits) {
    json::object o;
    o["member_no"] = m.member.value;
    o["name"] = m.name;
    o["attendance_units"] = units_json(m.attendance_hundredths);
    o["education_units"] = units_json(m.education_hundredths);
    json::array sessions;
    for (const auto& s : m.sessions) sessions.emplace_back(s);
    o["sessions"] = std::move(sessions);
    members.emplace_back(std::move(o));
  }
  out["members"] = std::move(members);
  return out;
}

std::string credits_csv(std::span<const member_credits> credits) {
  std::string out{utf8_bom};
  csv_row(out, {"member_no", "name", "attendance_units", "education_units", "sessions_attended",
                "session_ids"});
  for (const auto& m : credits) {
    std::string ids;
    for (const auto& s : m.sessions) {
      if (!ids.empty()) ids += ' ';
      ids += s;
    }
    csv_row(out, {m.member.value, m.name, units_text(m.attendance_hundredths),
                  units_text(m.education_hundredths), std::to_string(m.sessions.size()), ids});
  }
  return out;
}

}  // namespace checkin::gateway
