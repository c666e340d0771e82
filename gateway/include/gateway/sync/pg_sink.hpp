#pragma once
// The PostgreSQL sink: writes each sealed batch straight into the membership database, one
// transaction per batch. The batch id goes into checkin_delivered_batches in the same
// transaction as the rows, so a replay (after a lost reply, or an operator's resend) changes
// nothing and reports `delivered`. Table layout in docs/sync.md ("PostgreSQL sink").

#include "gateway/sync/sink.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace checkin::gateway::sync {

struct pg_sink_options {
  std::string name = "membership-db";
  // libpq key=value string or URI, e.g. "host=/run/postgresql dbname=members". Its own
  // connect_timeout and client_encoding are overridden by the fields below (always UTF8).
  std::string conninfo;
  std::string schema = "public";  // where the checkin_* tables live; must exist already
  // CREATE TABLE IF NOT EXISTS on every new connection. Needs CREATE on the schema even when
  // the tables exist: turn it off for a role that may only insert.
  bool create_tables = true;
  std::chrono::seconds connect_timeout{10};    // >= 1s
  std::chrono::seconds statement_timeout{30};  // >= 1s; SET LOCAL, per statement
};

// Throws std::invalid_argument when the options cannot work (empty or unparseable conninfo, a
// schema that is not 1-63 of [A-Za-z0-9_] without a leading digit, a zero timeout). Connects
// lazily, on the first delivery, and again after any `retry` outcome. Connection errors and
// SQLSTATE classes 08, 40, 53, 57, 58 (and 55P03) are `retry`; other SQL errors are `failed`,
// with the SQLSTATE and the server's message in the detail.
[[nodiscard]] std::unique_ptr<sink> make_pg_sink(pg_sink_options options);

}  // namespace checkin::gateway::sync
