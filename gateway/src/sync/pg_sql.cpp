#include "pg_sql.hpp"

#include <tokens/claims.hpp>
#include <tokens/rfc3339.hpp>

#include <algorithm>
#include <chrono>

namespace checkin::gateway::sync::pg {

namespace {

std::string qualified(std::string_view schema, std::string_view table) {
  std::string out;
  out.reserve(schema.size() + table.size() + 5);
  out.append("\"").append(schema).append("\".\"").append(table).append("\"");
  return out;
}

}  // namespace

// With an explicit "Z" the server parses it without looking at its own TimeZone setting.
std::string utc_text(store::unix_millis t) {
  return tokens::format_rfc3339_ms(t, std::chrono::minutes{0});
}

bool is_plain_identifier(std::string_view name) noexcept {
  if (name.empty() || name.size() > 63) return false;
  if (name.front() >= '0' && name.front() <= '9') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

table_names::table_names(std::string_view schema)
    : attendance(qualified(schema, "checkin_attendance")),
      batches(qualified(schema, "checkin_delivered_batches")),
      sessions(qualified(schema, "checkin_sessions")) {}

std::string create_tables_sql(const table_names& tables) {
  return "CREATE TABLE IF NOT EXISTS " + tables.attendance +
         " ("
         "member_no text NOT NULL, "
         "session_id text NOT NULL, "
         "meeting_id text NOT NULL, "
         "credit_kind text NOT NULL, "
         "units numeric(6,2) NOT NULL, "
         "scanned_at timestamptz NOT NULL, "
         "recorded_at timestamptz NOT NULL, "
         "batch_id text NOT NULL, "
         "PRIMARY KEY (member_no, session_id));\n"
         "CREATE TABLE IF NOT EXISTS " +
         tables.batches +
         " ("
         "batch_id text PRIMARY KEY, "
         "meeting_id text NOT NULL, "
         "session_id text NOT NULL, "
         "part integer NOT NULL, "
         "entry_count integer NOT NULL, "
         "sealed_at timestamptz NOT NULL, "
         "delivered_at timestamptz NOT NULL DEFAULT now());\n"
         "CREATE TABLE IF NOT EXISTS " +
         tables.sessions +
         " ("
         "meeting_id text NOT NULL, "
         "session_id text NOT NULL, "
         "meeting_name text NOT NULL, "
         "session_title text NOT NULL, "
         "starts_at timestamptz, "
         "ends_at timestamptz, "
         "credit_kind text NOT NULL, "
         "units numeric(6,2) NOT NULL, "
         "updated_at timestamptz NOT NULL DEFAULT now(), "
         "PRIMARY KEY (meeting_id, session_id));\n";
}

// $1 batch_id, $2 meeting_id, $3 session_id, $4 part, $5 entry_count, $6 sealed_at.
// No row back means another transaction delivered this batch id before: the caller rolls back.
std::string insert_batch_sql(const table_names& tables) {
  return "INSERT INTO " + tables.batches +
         " (batch_id, meeting_id, session_id, part, entry_count, sealed_at)"
         " VALUES ($1, $2, $3, $4::integer, $5::integer, $6::timestamptz)"
         " ON CONFLICT (batch_id) DO NOTHING";
}

// $1 meeting_id, $2 session_id, $3 meeting_name, $4 session_title, $5 starts_at (NULL when
// unknown), $6 ends_at, $7 credit_kind, $8 units. The titles are informational, so the most
// recently delivered batch's copy wins.
std::string upsert_session_sql(const table_names& tables) {
  return "INSERT INTO " + tables.sessions +
         " (meeting_id, session_id, meeting_name, session_title, starts_at, ends_at,"
         " credit_kind, units)"
         " VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz, $7, $8::numeric)"
         " ON CONFLICT (meeting_id, session_id) DO UPDATE SET"
         " meeting_name = EXCLUDED.meeting_name, session_title = EXCLUDED.session_title,"
         " starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,"
         " credit_kind = EXCLUDED.credit_kind, units = EXCLUDED.units, updated_at = now()";
}

// A per-transaction staging table: COPY is one round trip for the whole batch, and the typed
// columns make the server validate every value before anything reaches the real table.
std::string create_incoming_sql() {
  return "CREATE TEMP TABLE checkin_incoming ("
         "member_no text NOT NULL, session_id text NOT NULL, meeting_id text NOT NULL, "
         "credit_kind text NOT NULL, units numeric(6,2) NOT NULL, "
         "scanned_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL) ON COMMIT DROP";
}

std::string copy_incoming_sql() {
  return "COPY pg_temp.checkin_incoming (member_no, session_id, meeting_id, credit_kind, units,"
         " scanned_at, recorded_at) FROM STDIN";
}

// $1 batch_id. A (member, session) already present, from any batch, keeps its first row.
std::string insert_attendance_sql(const table_names& tables) {
  return "INSERT INTO " + tables.attendance +
         " (member_no, session_id, meeting_id, credit_kind, units, scanned_at, recorded_at,"
         " batch_id)"
         " SELECT member_no, session_id, meeting_id, credit_kind, units, scanned_at,"
         " recorded_at, $1 FROM pg_temp.checkin_incoming"
         " ON CONFLICT (member_no, session_id) DO NOTHING";
}

void append_copy_field(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

std::string copy_rows(std::span<const store::scan_record> entries) {
  std::string out;
  out.reserve(entries.size() * 128);
  for (const store::scan_record& e : entries) {
    append_copy_field(out, e.member.value);
    out += '\t';
    append_copy_field(out, e.session_id);
    out += '\t';
    append_copy_field(out, e.meeting_id);
    out += '\t';
    out += tokens::to_string(e.kind);
    out += '\t';
    out += tokens::to_string(e.units);
    out += '\t';
    out += utc_text(e.scanned_at);
    out += '\t';
    out += utc_text(e.recorded_at);
    out += '\n';
  }
  return out;
}

delivery_status classify_sqlstate(std::string_view sqlstate) noexcept {
  if (sqlstate.size() != 5) return delivery_status::failed;
  const std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "08" || cls == "40" || cls == "53" || cls == "57" || cls == "58") {
    return delivery_status::retry;
  }
  // lock_not_available: a lock_timeout set by the DBA ran out behind someone else's lock.
  if (sqlstate == "55P03") return delivery_status::retry;
  return delivery_status::failed;
}

}  // namespace checkin::gateway::sync::pg
