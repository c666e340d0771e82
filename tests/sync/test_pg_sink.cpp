// The PostgreSQL sink against a real server that the suite starts itself (postgres_server).
// Each test writes into its own schema, so tests do not see each other's rows.

#include "gateway/sync/pg_sink.hpp"
#include "sync/postgres_server.hpp"

#include <tokens/rfc3339.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace sync = checkin::gateway::sync;
namespace store = checkin::store;
namespace tokens = checkin::tokens;
using checkin::testing::postgres_server;
using checkin::testing::sql_session;
using rows_t = std::vector<std::vector<std::string>>;

store::unix_millis at(const char* rfc3339) {
  const auto t = tokens::parse_rfc3339_ms(rfc3339);
  if (!t) throw std::invalid_argument(rfc3339);
  return *t;
}

std::string millis_text(store::unix_millis t) {
  return std::to_string(t.time_since_epoch().count());
}

// How numeric(6,2) prints credit units: 150 -> "1.50".
std::string units_text(tokens::credit_units u) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%02u", u.hundredths / 100U, u.hundredths % 100U);
  return buf;
}

store::scan_record scan(std::string member, const char* scanned, const char* recorded,
                        std::string session = "S01") {
  store::scan_record r;
  r.member = store::member_no{std::move(member)};
  r.meeting_id = "JSCNM2026";
  r.session_id = std::move(session);
  r.kind = tokens::credit_kind::education;
  r.units = tokens::credit_units{150};
  r.scanned_at = at(scanned);
  r.recorded_at = at(recorded);
  return r;
}

store::sealed_batch batch_of(std::uint32_t part, std::vector<store::scan_record> entries,
                             std::string session = "S01") {
  store::sealed_batch b;
  b.header.batch_id = "JSCNM2026/" + session + "/" + std::to_string(part);
  b.header.meeting_id = "JSCNM2026";
  b.header.meeting_name = "第42回日本臨床神経医学会学術集会";
  b.header.session_id = session;
  b.header.session_title = "教育講演1「脳卒中診療の最前線」";
  b.header.session_starts_at = at("2026-11-21T00:30:00Z");
  b.header.session_ends_at = at("2026-11-21T01:30:00Z");
  b.header.kind = tokens::credit_kind::education;
  b.header.units = tokens::credit_units{150};
  b.header.part = part;
  b.header.sealed_at = at("2026-11-21T01:45:00.250Z");
  b.header.entry_count = static_cast<std::uint32_t>(entries.size());
  b.entries = std::move(entries);
  return b;
}

// The attendance rows as stored, ordered by member: times as epoch milliseconds.
constexpr const char* attendance_columns =
    "member_no, session_id, meeting_id, credit_kind, units::text,"
    " (extract(epoch FROM scanned_at) * 1000)::bigint::text,"
    " (extract(epoch FROM recorded_at) * 1000)::bigint::text, batch_id";

std::vector<std::string> row_of(const store::scan_record& e, const std::string& batch_id) {
  return {e.member.value,
          e.session_id,
          e.meeting_id,
          std::string(tokens::to_string(e.kind)),
          units_text(e.units),
          millis_text(e.scanned_at),
          millis_text(e.recorded_at),
          batch_id};
}

class pg_sink_test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      server_ = std::make_unique<postgres_server>();
      // The sink sends UTC with "Z"; a server in another zone must store the same instants.
      sql_session(server_->conninfo()).exec("ALTER ROLE checkin SET timezone = 'Asia/Tokyo'");
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    ASSERT_TRUE(server_) << "cannot start PostgreSQL for the tests: " << setup_error_;
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    schema_ = "t_" + name;
    admin_.emplace(server_->conninfo());
    admin_->exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
  }

  [[nodiscard]] sync::pg_sink_options options() const {
    sync::pg_sink_options o;
    o.conninfo = server_->conninfo();
    o.schema = schema_;
    o.connect_timeout = std::chrono::seconds{2};
    o.statement_timeout = std::chrono::seconds{5};
    return o;
  }
  [[nodiscard]] std::unique_ptr<sync::sink> make_sink() const {
    return sync::make_pg_sink(options());
  }

  [[nodiscard]] std::string table(const char* name) const { return schema_ + "." + name; }
  [[nodiscard]] rows_t attendance() {
    return admin_->rows(std::string("SELECT ") + attendance_columns + " FROM " +
                        table("checkin_attendance") + " ORDER BY member_no");
  }
  [[nodiscard]] std::string count(const char* name) {
    return admin_->scalar("SELECT count(*) FROM " + table(name));
  }
  // Every column of the three tables plus each row's xmin, to prove that nothing was touched.
  [[nodiscard]] rows_t snapshot() {
    rows_t all;
    for (const char* t : {"checkin_attendance", "checkin_delivered_batches", "checkin_sessions"}) {
      for (auto& row :
           admin_->rows("SELECT xmin::text, t::text FROM " + table(t) + " t ORDER BY t::text")) {
        all.push_back(std::move(row));
      }
    }
    return all;
  }

  static inline std::unique_ptr<postgres_server> server_;
  static inline std::string setup_error_;
  std::string schema_;
  std::optional<sql_session> admin_;
};

TEST_F(pg_sink_test, CreatesTheTablesWithTheDocumentedKeys) {
  const auto result = make_sink()->deliver(batch_of(1, {}));
  ASSERT_EQ(result.status, sync::delivery_status::delivered) << result.detail;
  EXPECT_EQ(admin_->rows("SELECT table_name FROM information_schema.tables WHERE table_schema = '" +
                         schema_ + "' ORDER BY table_name"),
            (rows_t{{"checkin_attendance"}, {"checkin_delivered_batches"}, {"checkin_sessions"}}));
  const auto primary_key = [&](const char* t) {
    return admin_->scalar(
        "SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey::int2[], a.attnum))"
        " FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
        " AND a.attnum = ANY(i.indkey) WHERE i.indisprimary AND i.indrelid = '" +
        table(t) + "'::regclass");
  };
  EXPECT_EQ(primary_key("checkin_attendance"), "member_no,session_id");
  EXPECT_EQ(primary_key("checkin_delivered_batches"), "batch_id");
  EXPECT_EQ(primary_key("checkin_sessions"), "meeting_id,session_id");
}

TEST_F(pg_sink_test, DeliveredBatchRowsEqualTheEntries) {
  auto education = scan("00123", "2026-11-21T00:30:01.007Z", "2026-11-21T00:30:01.250Z");
  auto plain = scan("123", "2026-11-21T00:31:59.999Z", "2026-11-21T00:32:00.001Z");
  auto lettered = scan("A-0042", "2026-11-21T00:45:00.000Z", "2026-11-21T00:45:00.500Z");
  lettered.kind = tokens::credit_kind::attendance;
  lettered.units = tokens::credit_units{25};
  const auto batch = batch_of(1, {education, plain, lettered});

  const auto result = make_sink()->deliver(batch);
  ASSERT_EQ(result.status, sync::delivery_status::delivered) << result.detail;
  EXPECT_EQ(result.detail, "delivered 3 of 3 entries");
  // "00123" and "123" are different members; byte order puts "00123" first.
  EXPECT_EQ(attendance(),
            (rows_t{row_of(education, batch.header.batch_id), row_of(plain, batch.header.batch_id),
                    row_of(lettered, batch.header.batch_id)}));
  EXPECT_EQ(admin_->rows("SELECT batch_id, meeting_id, session_id, part::text, entry_count::text,"
                         " (extract(epoch FROM sealed_at) * 1000)::bigint::text,"
                         " delivered_at IS NOT NULL FROM " +
                         table("checkin_delivered_batches")),
            (rows_t{{"JSCNM2026/S01/1", "JSCNM2026", "S01", "1", "3",
                     millis_text(batch.header.sealed_at), "t"}}));
  EXPECT_EQ(admin_->rows("SELECT meeting_id, session_id, meeting_name, session_title,"
                         " (extract(epoch FROM starts_at) * 1000)::bigint::text,"
                         " (extract(epoch FROM ends_at) * 1000)::bigint::text, credit_kind,"
                         " units::text FROM " +
                         table("checkin_sessions")),
            (rows_t{{"JSCNM2026", "S01", batch.header.meeting_name, batch.header.session_title,
                     millis_text(*batch.header.session_starts_at),
                     millis_text(*batch.header.session_ends_at), "education", "1.50"}}));
}

TEST_F(pg_sink_test, MemberNumbersSurviveByteForByte) {
  // COPY text format gives tab, newline and backslash meanings; they must arrive as data.
  const std::vector<std::string> members{"tab\there",    "new\nline\r", "back\\slash\\N",
                                         "会員０１２３", "'quote\"",    "\\."};
  std::vector<store::scan_record> entries;
  for (const auto& m : members) {
    entries.push_back(scan(m, "2026-11-21T00:30:00.001Z", "2026-11-21T00:30:00.002Z"));
  }
  const auto result = make_sink()->deliver(batch_of(1, entries));
  ASSERT_EQ(result.status, sync::delivery_status::delivered) << result.detail;
  auto stored = admin_->rows("SELECT member_no FROM " + table("checkin_attendance"));
  std::vector<std::string> got;
  for (auto& row : stored) got.push_back(row[0]);
  std::vector<std::string> want = members;
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

TEST_F(pg_sink_test, ReplayIsAlreadyDeliveredAndChangesNothing) {
  const auto batch = batch_of(1, {scan("00123", "2026-11-21T00:30:01.007Z", "2026-11-21T00:30:02Z"),
                                  scan("00456", "2026-11-21T00:30:03Z", "2026-11-21T00:30:04Z")});
  auto sink = make_sink();
  ASSERT_EQ(sink->deliver(batch).status, sync::delivery_status::delivered);
  const rows_t before = snapshot();

  // The same sink and a fresh one (a restarted gateway) both see the batch as delivered.
  const auto fresh = make_sink();
  for (auto* s : {sink.get(), fresh.get()}) {
    const auto again = s->deliver(batch);
    EXPECT_EQ(again.status, sync::delivery_status::delivered);
    EXPECT_NE(again.detail.find("already delivered"), std::string::npos) << again.detail;
  }
  EXPECT_EQ(snapshot(), before);
}

TEST_F(pg_sink_test, SupplementaryPartAddsItsMembers) {
  auto sink = make_sink();
  const auto main_part =
      batch_of(1, {scan("00123", "2026-11-21T00:35:00Z", "2026-11-21T00:35:01Z")});
  const auto late = scan("00789", "2026-11-21T01:10:00.123Z", "2026-11-21T03:00:00.456Z");
  const auto supplementary = batch_of(2, {late});
  ASSERT_EQ(sink->deliver(main_part).status, sync::delivery_status::delivered);
  const auto result = sink->deliver(supplementary);
  ASSERT_EQ(result.status, sync::delivery_status::delivered) << result.detail;
  EXPECT_EQ(attendance(), (rows_t{row_of(main_part.entries[0], "JSCNM2026/S01/1"),
                                  row_of(late, "JSCNM2026/S01/2")}));
  EXPECT_EQ(admin_->rows("SELECT batch_id, part::text, entry_count::text FROM " +
                         table("checkin_delivered_batches") + " ORDER BY batch_id"),
            (rows_t{{"JSCNM2026/S01/1", "1", "1"}, {"JSCNM2026/S01/2", "2", "1"}}));
}

TEST_F(pg_sink_test, AttendanceAlreadyRecordedByAnotherBatchIsKept) {
  auto sink = make_sink();
  const auto first = scan("00456", "2026-11-21T00:40:00.100Z", "2026-11-21T00:40:00.200Z");
  ASSERT_EQ(sink->deliver(batch_of(1, {first})).status, sync::delivery_status::delivered);

  auto repeated = scan("00456", "2026-11-21T01:20:00.300Z", "2026-11-21T02:00:00.400Z");
  repeated.units = tokens::credit_units{300};
  const auto other = scan("00999", "2026-11-21T01:21:00Z", "2026-11-21T02:00:00.400Z");
  const auto result = sink->deliver(batch_of(2, {repeated, other}));
  ASSERT_EQ(result.status, sync::delivery_status::delivered) << result.detail;
  EXPECT_NE(result.detail.find("delivered 1 of 2 entries"), std::string::npos) << result.detail;
  // First wins: neither duplicated nor overwritten by the later batch.
  EXPECT_EQ(attendance(),
            (rows_t{row_of(first, "JSCNM2026/S01/1"), row_of(other, "JSCNM2026/S01/2")}));
  EXPECT_EQ(count("checkin_delivered_batches"), "2");
}

TEST_F(pg_sink_test, LargeBatchIsOneTransaction) {
  std::vector<store::scan_record> entries;
  for (int i = 0; i < 2000; ++i) {
    char member[16];
    std::snprintf(member, sizeof member, "M%05d", i);
    auto e = scan(member, "2026-11-21T00:30:00Z", "2026-11-21T00:30:00Z", "S02");
    e.scanned_at += std::chrono::milliseconds(i * 7);
    entries.push_back(std::move(e));
  }
  auto sink = make_sink();
  ASSERT_EQ(sink->deliver(batch_of(1, {})).status, sync::delivery_status::delivered);  // connect

  const auto started = std::chrono::steady_clock::now();
  const auto result = sink->deliver(batch_of(1, entries, "S02"));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(result.status, sync::delivery_status::delivered) << result.detail;
  EXPECT_EQ(result.detail, "delivered 2000 of 2000 entries");
  EXPECT_LT(elapsed, std::chrono::seconds{2}) << "goal: well under a second";
  std::printf("2000 entries delivered in %lld ms\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
  EXPECT_EQ(admin_->scalar("SELECT count(*) FROM " + table("checkin_attendance") +
                           " WHERE session_id = 'S02'"),
            "2000");
  // One transaction: every row, and the batch's own row, carry the same inserting xid.
  EXPECT_EQ(
      admin_->scalar("SELECT count(DISTINCT xmin::text) FROM (SELECT xmin FROM " +
                     table("checkin_attendance") +
                     " WHERE session_id = 'S02' UNION ALL "
                     "SELECT xmin FROM " +
                     table("checkin_delivered_batches") + " WHERE batch_id = 'JSCNM2026/S02/1') x"),
      "1");
  EXPECT_EQ(
      admin_->scalar("SELECT (extract(epoch FROM max(scanned_at)) * 1000)::bigint::text FROM " +
                     table("checkin_attendance")),
      millis_text(entries.back().scanned_at));
}

TEST_F(pg_sink_test, MissingTablesAreFailedAndLeaveTheConnectionUsable) {
  auto o = options();
  o.create_tables = false;
  auto sink = sync::make_pg_sink(o);
  const auto batch = batch_of(1, {scan("00123", "2026-11-21T00:30:00Z", "2026-11-21T00:30:00Z")});
  const auto result = sink->deliver(batch);
  EXPECT_EQ(result.status, sync::delivery_status::failed);
  EXPECT_NE(result.detail.find("SQLSTATE 42P01"), std::string::npos) << result.detail;
  EXPECT_NE(result.detail.find("checkin_delivered_batches"), std::string::npos) << result.detail;

  // An operator creates the tables; the same sink then delivers on its existing connection.
  ASSERT_EQ(make_sink()->deliver(batch_of(9, {})).status, sync::delivery_status::delivered);
  EXPECT_EQ(sink->deliver(batch).status, sync::delivery_status::delivered);
  EXPECT_EQ(count("checkin_attendance"), "1");
}

TEST_F(pg_sink_test, PermissionDeniedIsFailed) {
  ASSERT_EQ(make_sink()->deliver(batch_of(9, {})).status, sync::delivery_status::delivered);
  admin_->exec(
      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'clerk') THEN"
      " CREATE ROLE clerk LOGIN; END IF; END $$;"
      " GRANT USAGE ON SCHEMA " +
      schema_ + " TO clerk");
  auto o = options();
  o.conninfo += " user=clerk";
  // May not create tables in the schema (even IF NOT EXISTS checks that first) ...
  auto creating = sync::make_pg_sink(o);
  const auto denied = creating->deliver(batch_of(1, {}));
  EXPECT_EQ(denied.status, sync::delivery_status::failed);
  EXPECT_NE(denied.detail.find("SQLSTATE 42501"), std::string::npos) << denied.detail;
  // ... nor insert into the existing ones.
  o.create_tables = false;
  auto inserting = sync::make_pg_sink(o);
  const auto batch = batch_of(1, {scan("00123", "2026-11-21T00:30:00Z", "2026-11-21T00:30:00Z")});
  const auto result = inserting->deliver(batch);
  EXPECT_EQ(result.status, sync::delivery_status::failed);
  EXPECT_NE(result.detail.find("SQLSTATE 42501"), std::string::npos) << result.detail;
  EXPECT_EQ(count("checkin_delivered_batches"), "1");

  // The grants docs/sync.md lists for such a role are enough.
  admin_->exec("GRANT INSERT, SELECT ON ALL TABLES IN SCHEMA " + schema_ +
               " TO clerk; GRANT UPDATE ON " + table("checkin_sessions") + " TO clerk");
  const auto granted = inserting->deliver(batch);
  EXPECT_EQ(granted.status, sync::delivery_status::delivered) << granted.detail;
  EXPECT_EQ(count("checkin_attendance"), "1");
}

TEST_F(pg_sink_test, InvalidTextIsFailed) {
  const auto result = make_sink()->deliver(
      batch_of(1, {scan("\xff\xfe", "2026-11-21T00:30:00Z", "2026-11-21T00:30:00Z")}));
  EXPECT_EQ(result.status, sync::delivery_status::failed);
  EXPECT_NE(result.detail.find("SQLSTATE 22021"), std::string::npos) << result.detail;
  EXPECT_EQ(count("checkin_delivered_batches"), "0");  // the whole transaction rolled back
}

TEST_F(pg_sink_test, StatementTimeoutIsRetry) {
  auto o = options();
  o.statement_timeout = std::chrono::seconds{1};
  auto sink = sync::make_pg_sink(o);
  ASSERT_EQ(sink->deliver(batch_of(9, {})).status, sync::delivery_status::delivered);

  sql_session locker(server_->conninfo());
  locker.exec("BEGIN; LOCK TABLE " + table("checkin_delivered_batches") +
              " IN ACCESS EXCLUSIVE MODE");
  const auto batch = batch_of(1, {scan("00123", "2026-11-21T00:30:00Z", "2026-11-21T00:30:00Z")});
  const auto blocked = sink->deliver(batch);
  EXPECT_EQ(blocked.status, sync::delivery_status::retry);
  EXPECT_NE(blocked.detail.find("SQLSTATE 57014"), std::string::npos) << blocked.detail;
  locker.exec("ROLLBACK");
  EXPECT_EQ(sink->deliver(batch).status, sync::delivery_status::delivered);
  EXPECT_EQ(count("checkin_attendance"), "1");
}

TEST_F(pg_sink_test, ServerDownIsRetryAndTheSinkReconnects) {
  postgres_server own;  // stopping the shared server would disturb the other tests
  sql_session(own.conninfo()).exec("CREATE SCHEMA " + schema_);
  auto o = options();
  o.conninfo = own.conninfo() + " password=s3cret-pw";  // trust auth ignores it
  auto sink = sync::make_pg_sink(o);
  const auto first = batch_of(1, {scan("00123", "2026-11-21T00:30:00Z", "2026-11-21T00:30:00Z")});
  const auto second = batch_of(2, {scan("00456", "2026-11-21T01:00:00Z", "2026-11-21T01:00:00Z")});
  ASSERT_EQ(sink->deliver(first).status, sync::delivery_status::delivered);

  own.stop();
  const auto lost = sink->deliver(second);  // on the connection the shutdown broke
  EXPECT_EQ(lost.status, sync::delivery_status::retry);
  EXPECT_FALSE(lost.detail.empty());
  const auto refused = sink->deliver(second);  // a new connection, to no server
  EXPECT_EQ(refused.status, sync::delivery_status::retry);
  EXPECT_NE(refused.detail.find("cannot connect"), std::string::npos) << refused.detail;
  for (const auto* detail : {&lost.detail, &refused.detail}) {
    EXPECT_EQ(detail->find("s3cret"), std::string::npos) << *detail;
  }

  own.start();
  const auto result = sink->deliver(second);
  ASSERT_EQ(result.status, sync::delivery_status::delivered) << result.detail;
  EXPECT_EQ(sql_session(own.conninfo())
                .scalar("SELECT string_agg(member_no, ',' ORDER BY member_no) FROM " +
                        table("checkin_attendance")),
            "00123,00456");
}

TEST(pg_sink_options, UnworkableOptionsAreRejected) {
  const auto make = [](auto change) {
    sync::pg_sink_options o;
    o.conninfo = "host=/nonexistent dbname=members password=hunter2";
    change(o);
    return sync::make_pg_sink(o);
  };
  // Valid options do not connect yet: nothing listens at /nonexistent.
  EXPECT_EQ(make([](auto&) {})->name(), "membership-db");
  EXPECT_NO_THROW(make([](auto& o) { o.conninfo = "postgresql://gw@db.example/members"; }));
  EXPECT_NO_THROW(make([](auto& o) { o.schema = "Members_2026"; }));
  EXPECT_THROW(make([](auto& o) { o.conninfo.clear(); }), std::invalid_argument);
  EXPECT_THROW(make([](auto& o) { o.name.clear(); }), std::invalid_argument);
  EXPECT_THROW(make([](auto& o) { o.schema = "public; DROP TABLE x"; }), std::invalid_argument);
  EXPECT_THROW(make([](auto& o) { o.schema = "1st"; }), std::invalid_argument);
  EXPECT_THROW(make([](auto& o) { o.schema = "with\"quote"; }), std::invalid_argument);
  EXPECT_THROW(make([](auto& o) { o.schema = std::string(64, 's'); }), std::invalid_argument);
  EXPECT_THROW(make([](auto& o) { o.statement_timeout = std::chrono::seconds{0}; }),
               std::invalid_argument);
  EXPECT_THROW(make([](auto& o) { o.connect_timeout = std::chrono::seconds{0}; }),
               std::invalid_argument);
  try {
    make([](auto& o) { o.conninfo = "host=/tmp password hunter2"; });
    ADD_FAILURE() << "unparseable conninfo accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
}

}  // namespace
