#pragma once
// The PostgreSQL sink's SQL text and its pure decisions: identifier checks, the table layout,
// the COPY rows for a batch, and how a SQLSTATE maps to a delivery status. No libpq here, so
// the sink's I/O file stays about connections and transactions.

#include "gateway/sync/sink.hpp"
#include "store/records.hpp"

#include <span>
#include <string>
#include <string_view>

namespace checkin::gateway::sync::pg {

// True for 1..63 bytes of [A-Za-z0-9_] not starting with a digit: a name that needs no
// escaping inside double quotes and is never truncated by the server (NAMEDATALEN - 1).
[[nodiscard]] bool is_plain_identifier(std::string_view name) noexcept;

// The qualified, quoted table names in one schema. `schema` must be a plain identifier; it is
// quoted, so its case is kept exactly as written.
struct table_names {
  explicit table_names(std::string_view schema);
  std::string attendance;  // "schema"."checkin_attendance"
  std::string batches;     // "schema"."checkin_delivered_batches"
  std::string sessions;    // "schema"."checkin_sessions"
};

// CREATE TABLE IF NOT EXISTS for the three tables: several statements, for one simple query
// (the sink wraps them in its own transaction). The layout is documented in docs/sync.md.
[[nodiscard]] std::string create_tables_sql(const table_names& tables);

// Statements of one delivery, in the order the sink runs them. Parameters are described
// next to each in pg_sql.cpp.
[[nodiscard]] std::string insert_batch_sql(const table_names& tables);
[[nodiscard]] std::string upsert_session_sql(const table_names& tables);
[[nodiscard]] std::string create_incoming_sql();
[[nodiscard]] std::string copy_incoming_sql();
[[nodiscard]] std::string insert_attendance_sql(const table_names& tables);

// The batch's entries in COPY text format, one line per entry, in the column order of
// copy_incoming_sql(). Times are RFC 3339 UTC with milliseconds, so they survive exactly.
[[nodiscard]] std::string copy_rows(std::span<const store::scan_record> entries);

// "2026-11-21T00:30:00.125Z": RFC 3339, UTC, milliseconds, exact as a timestamptz literal.
[[nodiscard]] std::string utc_text(store::unix_millis t);

// A field escaped for COPY text format (backslash, tab, newline, carriage return).
void append_copy_field(std::string& out, std::string_view value);

// `retry` for states that a later attempt can clear (connection, rollback/serialization/
// deadlock, resources, operator intervention, system errors, lock timeouts); `failed` for the
// rest, which another attempt would only repeat.
[[nodiscard]] delivery_status classify_sqlstate(std::string_view sqlstate) noexcept;

}  // namespace checkin::gateway::sync::pg
