#include "gateway/sync/pg_sink.hpp"

#include "pg_sql.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace checkin::gateway::sync {

namespace {

struct connection_closer {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct result_clearer {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using connection_ptr = std::unique_ptr<PGconn, connection_closer>;
using result_ptr = std::unique_ptr<PGresult, result_clearer>;

// nullopt when a step worked; otherwise what deliver() reports.
using step_failure = std::optional<delivery_result>;

// libpq messages end in a newline and may carry an indented hint line; a detail is one line.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// CREATE TABLE IF NOT EXISTS answers with a NOTICE each time; libpq's default prints those to
// stderr, which is noise in the gateway's log.
void ignore_notice(void* /*arg*/, const char* /*message*/) {}

class pg_sink final : public sink {
 public:
  explicit pg_sink(pg_sink_options options)
      : options_(std::move(options)),
        tables_(options_.schema),
        insert_batch_sql_(pg::insert_batch_sql(tables_)),
        upsert_session_sql_(pg::upsert_session_sql(tables_)),
        insert_attendance_sql_(pg::insert_attendance_sql(tables_)),
        statement_timeout_sql_(
            "SET LOCAL statement_timeout = " +
            std::to_string(std::chrono::milliseconds(options_.statement_timeout).count())) {}

  [[nodiscard]] const std::string& name() const noexcept override { return options_.name; }

  [[nodiscard]] delivery_result deliver(const store::sealed_batch& batch) override {
    if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
      if (step_failure failure = connect()) return *std::move(failure);
    }
    delivery_result result = write_batch(batch);
    // A retry starts over on a fresh connection: reconnecting is cheap next to a batch, and
    // a session in an unknown state (broken, mid-COPY, mid-transaction) is never reused.
    if (result.status == delivery_status::retry) conn_.reset();
    return result;
  }

 private:
  step_failure connect();
  delivery_result write_batch(const store::sealed_batch& batch);
  step_failure copy_entries(std::span<const store::scan_record> entries);
  step_failure run(std::string_view what, const std::string& sql,
                   std::span<const char* const> params = {},
                   ExecStatusType expected = PGRES_COMMAND_OK, result_ptr* out = nullptr);
  [[nodiscard]] delivery_result failure_of(std::string_view what, const PGresult* result) const;
  // Ends an open transaction after a failed step; drops the connection when even that fails.
  void rollback() noexcept;

  pg_sink_options options_;
  pg::table_names tables_;
  std::string insert_batch_sql_;
  std::string upsert_session_sql_;
  std::string insert_attendance_sql_;
  std::string statement_timeout_sql_;
  connection_ptr conn_;
};

step_failure pg_sink::connect() {
  conn_.reset();
  const std::string connect_timeout = std::to_string(options_.connect_timeout.count());
  // Keywords are applied in order, and "dbname" expands to the whole conninfo: what comes
  // before it are defaults the operator may override, what comes after is the sink's own.
  // Keepalives notice a peer that vanished mid-query (statement_timeout cannot: the server
  // that enforces it is the thing that is gone).
  const std::array<std::pair<const char*, const char*>, 8> params{{
      {"application_name", "checkin-gateway"},
      {"keepalives", "1"},
      {"keepalives_idle", "10"},
      {"keepalives_interval", "5"},
      {"keepalives_count", "3"},
      {"dbname", options_.conninfo.c_str()},
      {"connect_timeout", connect_timeout.c_str()},
      {"client_encoding", "UTF8"},
  }};
  std::array<const char*, params.size() + 1> keywords{};  // null-terminated
  std::array<const char*, params.size() + 1> values{};
  for (std::size_t i = 0; i < params.size(); ++i) {
    keywords[i] = params[i].first;
    values[i] = params[i].second;
  }
  connection_ptr conn{PQconnectdbParams(keywords.data(), values.data(), 1)};
  if (!conn) return delivery_result{delivery_status::retry, "cannot connect: out of memory"};
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    // libpq's connection messages name the host, socket and user, never the password.
    return delivery_result{delivery_status::retry,
                           "cannot connect: " + one_line(PQerrorMessage(conn.get()))};
  }
  PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
  conn_ = std::move(conn);
  if (options_.create_tables) {
    // In a transaction so that the statement timeout bounds it too (a CREATE can wait on a
    // lock like anything else). The advisory lock keeps two gateways that meet an empty
    // database at once from racing on the catalog (unique_violation, which would be `failed`).
    const std::string ddl =
        "BEGIN;\n" + statement_timeout_sql_ +
        ";\nSELECT pg_advisory_xact_lock(hashtext('checkin-gateway tables'));\n" +
        pg::create_tables_sql(tables_) + "COMMIT;";
    if (step_failure failure = run("create tables", ddl)) {
      conn_.reset();  // so the next delivery tries the tables again
      return failure;
    }
  }
  return std::nullopt;
}

delivery_result pg_sink::write_batch(const store::sealed_batch& batch) {
  const store::batch_header& h = batch.header;
  if (step_failure failure = run("begin", "BEGIN")) return *std::move(failure);
  const auto abandon = [this](delivery_result failure) {
    rollback();
    return failure;
  };
  // SET LOCAL: the limit ends with this transaction and never leaks into the session.
  if (step_failure failure = run("set statement_timeout", statement_timeout_sql_)) {
    return abandon(*std::move(failure));
  }

  const std::string part = std::to_string(h.part);
  const std::string entry_count = std::to_string(batch.entries.size());
  const std::string sealed_at = pg::utc_text(h.sealed_at);
  const std::array<const char*, 6> batch_params{h.batch_id.c_str(),   h.meeting_id.c_str(),
                                                h.session_id.c_str(), part.c_str(),
                                                entry_count.c_str(),  sealed_at.c_str()};
  result_ptr inserted;
  if (step_failure failure = run("record delivered batch", insert_batch_sql_, batch_params,
                                 PGRES_COMMAND_OK, &inserted)) {
    return abandon(*std::move(failure));
  }
  // The batch id is already there: an earlier attempt committed (perhaps one whose COMMIT
  // reply was lost). Nothing of this attempt may change the tables.
  if (std::string_view(PQcmdTuples(inserted.get())) != "1") {
    rollback();
    return {delivery_status::delivered, "already delivered (batch " + h.batch_id + ")"};
  }

  const std::optional<std::string> starts_at =
      h.session_starts_at ? std::optional(pg::utc_text(*h.session_starts_at)) : std::nullopt;
  const std::optional<std::string> ends_at =
      h.session_ends_at ? std::optional(pg::utc_text(*h.session_ends_at)) : std::nullopt;
  const std::string kind(tokens::to_string(h.kind));
  const std::string units = tokens::to_string(h.units);
  const std::array<const char*, 8> session_params{
      h.meeting_id.c_str(),
      h.session_id.c_str(),
      h.meeting_name.c_str(),
      h.session_title.c_str(),
      starts_at ? starts_at->c_str() : nullptr,  // NULL: the program did not say
      ends_at ? ends_at->c_str() : nullptr,
      kind.c_str(),
      units.c_str()};
  if (step_failure failure = run("record session", upsert_session_sql_, session_params)) {
    return abandon(*std::move(failure));
  }

  std::string added = "0";
  if (!batch.entries.empty()) {
    if (step_failure failure = run("create staging table", pg::create_incoming_sql())) {
      return abandon(*std::move(failure));
    }
    if (step_failure failure = copy_entries(batch.entries)) return abandon(*std::move(failure));
    const std::array<const char*, 1> attendance_params{h.batch_id.c_str()};
    result_ptr rows;
    if (step_failure failure = run("record attendance", insert_attendance_sql_, attendance_params,
                                   PGRES_COMMAND_OK, &rows)) {
      return abandon(*std::move(failure));
    }
    added = PQcmdTuples(rows.get());
  }

  // A COMMIT that fails because the connection broke may or may not have committed. `retry`
  // is right either way: a replay of a committed batch finds its id in
  // checkin_delivered_batches and is rolled back as "already delivered".
  if (step_failure failure = run("commit", "COMMIT")) return abandon(*std::move(failure));

  std::string detail = "delivered " + added + " of " + entry_count + " entries";
  if (added != entry_count) detail += " (the rest were already recorded by other batches)";
  return {delivery_status::delivered, std::move(detail)};
}

step_failure pg_sink::copy_entries(std::span<const store::scan_record> entries) {
  if (step_failure failure = run("copy entries", pg::copy_incoming_sql(), {}, PGRES_COPY_IN)) {
    return failure;
  }
  const std::string rows = pg::copy_rows(entries);
  constexpr std::size_t chunk = std::size_t{1} << 20;  // PQputCopyData takes an int length
  bool sent = true;
  for (std::size_t at = 0; sent && at < rows.size(); at += chunk) {
    const std::size_t n = std::min(chunk, rows.size() - at);
    sent = PQputCopyData(conn_.get(), rows.data() + at, static_cast<int>(n)) == 1;
  }
  // End the COPY even after a failed send, so that the server and libpq leave COPY mode.
  PQputCopyEnd(conn_.get(), sent ? nullptr : "checkin-gateway could not send the rows");
  result_ptr result{PQgetResult(conn_.get())};
  // Drain to the terminating null before the next command; bounded, because a connection that
  // broke mid-COPY is dropped anyway.
  for (int i = 0; i < 8 && result_ptr{PQgetResult(conn_.get())}; ++i) {
  }
  if (result && PQresultStatus(result.get()) == PGRES_COMMAND_OK) return std::nullopt;
  return failure_of("copy entries", result.get());
}

step_failure pg_sink::run(std::string_view what, const std::string& sql,
                          std::span<const char* const> params, ExecStatusType expected,
                          result_ptr* out) {
  // PQexec when there are no parameters: create_tables_sql() is several statements.
  result_ptr result{params.empty()
                        ? PQexec(conn_.get(), sql.c_str())
                        : PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()),
                                       nullptr, params.data(), nullptr, nullptr, 0)};
  if (result && PQresultStatus(result.get()) == expected) {
    if (out != nullptr) *out = std::move(result);
    return std::nullopt;
  }
  return failure_of(what, result.get());
}

delivery_result pg_sink::failure_of(std::string_view what, const PGresult* result) const {
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_FATAL_ERROR && status != PGRES_BAD_RESPONSE) {
    return {delivery_status::failed,
            std::string(what) + ": unexpected result " + PQresStatus(status)};
  }
  const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (PQstatus(conn_.get()) != CONNECTION_OK || sqlstate == nullptr) {
    // The server went away, or libpq gave up on the connection: the open transaction died
    // with it, so a later attempt starts clean.
    std::string message = one_line(result ? PQresultErrorMessage(result) : "");
    if (message.empty()) message = one_line(PQerrorMessage(conn_.get()));
    return {delivery_status::retry, std::string(what) + ": connection lost: " + message};
  }
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  return {pg::classify_sqlstate(sqlstate), std::string(what) + ": SQLSTATE " + sqlstate + " " +
                                               one_line(primary != nullptr ? primary : "")};
}

void pg_sink::rollback() noexcept {
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) return;
  if (PQtransactionStatus(conn_.get()) == PQTRANS_IDLE) return;
  const result_ptr result{PQexec(conn_.get(), "ROLLBACK")};
  if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) conn_.reset();
}

// Does the string parse as libpq connection parameters (key=value pairs or a URI)?
bool is_valid_conninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  if (parsed == nullptr) return false;
  PQconninfoFree(parsed);
  return true;
}

}  // namespace

std::unique_ptr<sink> make_pg_sink(pg_sink_options options) {
  if (options.name.empty()) throw std::invalid_argument("pg sink: the name is empty");
  if (options.conninfo.empty()) throw std::invalid_argument("pg sink: conninfo is empty");
  // libpq's parse error quotes the offending text, which may be a password: leave it out.
  if (!is_valid_conninfo(options.conninfo)) {
    throw std::invalid_argument("pg sink: conninfo is not a libpq connection string or URI");
  }
  if (!pg::is_plain_identifier(options.schema)) {
    throw std::invalid_argument("pg sink: schema \"" + options.schema +
                                "\" is not a plain identifier (1-63 of [A-Za-z0-9_], no "
                                "leading digit)");
  }
  if (options.connect_timeout < std::chrono::seconds{1} ||
      options.statement_timeout < std::chrono::seconds{1}) {
    // Zero means "wait forever" to libpq and PostgreSQL; a sink must return in bounded time.
    throw std::invalid_argument("pg sink: connect_timeout and statement_timeout must be >= 1s");
  }
  return std::make_unique<pg_sink>(std::move(options));
}

}  // namespace checkin::gateway::sync
