#include "gateway/roster_csv.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace checkin::gateway;

// A real libsodium hash (from libsodium's test suite; password "password").
const std::string hash =
    "$argon2id$v=19$m=256,t=3,p=1$MDEyMzQ1Njc$G5ajKFCoUzaXRLdz7UJb5wGkb2Xt+X5/GQjUYtS2+TE";

std::vector<roster_row> parse_ok(std::string_view text) {
  auto r = parse_roster_csv(text);
  if (!r) {
    std::string all;
    for (const auto& e : r.error().items) all += to_string(e) + "\n";
    ADD_FAILURE() << "unexpected errors:\n" << all;
    return {};
  }
  return std::move(*r);
}

// The errors as "line N: field: message" strings, for compact expectations.
std::vector<std::string> errors_of(std::string_view text) {
  const auto r = parse_roster_csv(text);
  if (r) {
    ADD_FAILURE() << "parsed without errors";
    return {};
  }
  std::vector<std::string> out;
  for (const auto& e : r.error().items) out.push_back(to_string(e));
  return out;
}

// The hash holds commas ("m=256,t=3,p=1"), so a correct export quotes it.
const std::string quoted_hash = '"' + hash + '"';

std::string_view hash_of(const roster_row& row) {
  return std::get<hashed_password>(row.password).hash;
}
std::string_view initial_of(const roster_row& row) {
  return std::get<initial_password>(row.password).text();
}

// ---- accepted input --------------------------------------------------------------------

TEST(RosterCsv, ParsesRowsWithEitherPasswordColumn) {
  const auto rows = parse_ok(
      "member_no,name,status,password_hash,initial_password\n"
      "A-001,山田 太郎,active," +
      quoted_hash +
      ",\n"
      "B-002,佐藤 花子,inactive,,first-pass\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 2u);
  EXPECT_EQ(rows[0].member_no, "A-001");
  EXPECT_EQ(rows[0].name, "山田 太郎");
  EXPECT_EQ(rows[0].status, member_status::active);
  EXPECT_EQ(hash_of(rows[0]), hash);
  EXPECT_EQ(rows[1].line, 3u);
  EXPECT_EQ(rows[1].status, member_status::inactive);
  EXPECT_EQ(initial_of(rows[1]), "first-pass");
}

TEST(RosterCsv, OnlyOnePasswordColumnIsEnough) {
  const auto hashed =
      parse_ok("member_no,name,status,password_hash\nA1,N,active," + quoted_hash + "\n");
  ASSERT_EQ(hashed.size(), 1u);
  EXPECT_EQ(hash_of(hashed[0]), hash);
  const auto initial = parse_ok("member_no,name,status,initial_password\nA1,N,active,pw\n");
  ASSERT_EQ(initial.size(), 1u);
  EXPECT_EQ(initial_of(initial[0]), "pw");
}

TEST(RosterCsv, ColumnOrderIsFreeAndUnknownColumnsAreIgnored) {
  const auto rows = parse_ok(
      "email,Status, Member_No ,initial_password,name,joined\n"
      "a@example.jp,active,A1,pw,Name One,2020-04-01\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].member_no, "A1");
  EXPECT_EQ(rows[0].name, "Name One");
  EXPECT_EQ(initial_of(rows[0]), "pw");
}

TEST(RosterCsv, QuotedFields) {
  const auto rows = parse_ok(
      "member_no,name,status,initial_password,note\n"
      "A1,\"Yamada, Taro\",active,\"p,w\",plain\n"
      "A2,\"The \"\"Doc\"\" Smith\",\"active\",\"\"\"\",\"\"\n"
      "\"A3\",\"鈴木 一郎\",inactive,pw,\"two\nlines, and \"\"quotes\"\"\"\n"
      "A4,Last,active,pw,\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].name, "Yamada, Taro");
  EXPECT_EQ(initial_of(rows[0]), "p,w");
  EXPECT_EQ(rows[1].name, "The \"Doc\" Smith");
  EXPECT_EQ(initial_of(rows[1]), "\"");
  EXPECT_EQ(rows[2].member_no, "A3");
  EXPECT_EQ(rows[2].name, "鈴木 一郎");
  // The line break inside the quoted note moves the next record down a line.
  EXPECT_EQ(rows[2].line, 4u);
  EXPECT_EQ(rows[3].line, 6u);
}

TEST(RosterCsv, ByteOrderMarkAndCrlf) {
  const auto rows = parse_ok(
      "\xEF\xBB\xBFmember_no,name,status,initial_password,note\r\n"
      "A1,高橋,active,pw,\r\n"
      "A2,伊藤,inactive,pw2,\"a\r\nb\"\r\n"
      "A3,渡辺,active,pw3,x");  // no line end on the last record
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].member_no, "A1");    // the BOM is not part of the first column name
  EXPECT_EQ(initial_of(rows[0]), "pw");  // no stray CR
  EXPECT_EQ(initial_of(rows[1]), "pw2");
  EXPECT_EQ(rows[2].line, 5u);
  EXPECT_EQ(initial_of(rows[2]), "pw3");
}

TEST(RosterCsv, BlankTrailingLinesAreIgnored) {
  const std::string body = "member_no,name,status,initial_password\nA1,N,active,pw\n";
  EXPECT_EQ(parse_ok(body + "\n\n\n").size(), 1u);
  EXPECT_EQ(parse_ok(body + "\r\n\r\n").size(), 1u);
  EXPECT_EQ(parse_ok(body + ",,,\n,,,").size(), 1u);  // spreadsheet "empty" rows
  EXPECT_EQ(parse_ok("member_no,name,status,initial_password\n").size(), 0u);
}

TEST(RosterCsv, InitialPasswordIsWipedOnMove) {
  initial_password a("secret");
  initial_password b(std::move(a));
  EXPECT_EQ(b.text(), "secret");
  EXPECT_EQ(a.text(), "");  // NOLINT(bugprone-use-after-move): checking the wipe
  initial_password c("other");
  c = std::move(b);
  EXPECT_EQ(c.text(), "secret");
  EXPECT_EQ(b.text(), "");  // NOLINT(bugprone-use-after-move)
}

// ---- validation errors -----------------------------------------------------------------

const std::string header = "member_no,name,status,password_hash,initial_password\n";

TEST(RosterCsv, ErrorFormat) {
  EXPECT_EQ(to_string(roster_error{7, "status", "must be active or inactive"}),
            "line 7: status: must be active or inactive");
  EXPECT_EQ(to_string(roster_error{3, "", "blank line inside the roster"}),
            "line 3: blank line inside the roster");
}

TEST(RosterCsv, MissingColumns) {
  EXPECT_EQ(errors_of("member_no,name,password_hash\nA1,N," + hash + "\n"),
            std::vector<std::string>{"line 1: header: missing column status"});
  EXPECT_EQ(errors_of("name,status\n"),
            (std::vector<std::string>{
                "line 1: header: missing column member_no",
                "line 1: header: missing column password_hash or initial_password"}));
  EXPECT_EQ(errors_of("member_no,name,status,name,initial_password\n"),
            std::vector<std::string>{"line 1: header: column name appears twice"});
}

TEST(RosterCsv, MissingOrBlankHeader) {
  EXPECT_EQ(errors_of(""),
            std::vector<std::string>{"line 1: header: the first line must be the header row"});
  EXPECT_EQ(errors_of("\xEF\xBB\xBF"),
            std::vector<std::string>{"line 1: header: the first line must be the header row"});
  EXPECT_EQ(errors_of("\nmember_no,name,status,initial_password\n"),
            std::vector<std::string>{"line 1: header: the first line must be the header row"});
  // A data row where the header should be.
  EXPECT_EQ(errors_of("A1,N,active,pw\n").size(), 4u);
}

TEST(RosterCsv, EachFieldRuleWithItsLineNumber) {
  const std::string text = header + "A1,Good,active,," + "pw\n" +        // line 2: fine
                           ",Empty No,active,,pw\n" +                    // 3
                           "A 2,Space,active,,pw\n" +                    // 4
                           "A3,Bad Status,Active,,pw\n" +                // 5
                           "A4,Both,active," + quoted_hash + ",pw\n" +   // 6
                           "A5,Neither,inactive,,\n" +                   // 7
                           "A6,Bad Hash,active,$2y$10$abc,\n" +          // 8
                           "A1,Duplicate,active,,pw\n" +                 // 9
                           "A7,,active,,pw\n" +                          // 10
                           "A8,Short,active\n" +                         // 11
                           std::string(33, '9') + ",Long,active,,pw\n";  // 12
  EXPECT_EQ(errors_of(text),
            (std::vector<std::string>{
                "line 3: member_no: must not be empty",
                "line 4: member_no: must be 1 to 32 characters of A-Z, a-z, 0-9 and -",
                "line 5: status: must be active or inactive",
                "line 6: password_hash, initial_password: fill exactly one, not both",
                "line 7: password_hash, initial_password: one of them must be filled",
                "line 8: password_hash: not a libsodium Argon2 hash ($argon2id$... or "
                "$argon2i$...) within cost limits",
                "line 9: member_no: duplicate of line 2",
                "line 10: name: must not be empty",
                "line 11: has 3 fields but the header has 5",
                "line 12: member_no: must be 1 to 32 characters of A-Z, a-z, 0-9 and -",
            }));
}

TEST(RosterCsv, UnquotedHashGetsAHint) {
  EXPECT_EQ(errors_of(header + "A1,N,active," + hash + ",\n"),
            std::vector<std::string>{"line 2: has 7 fields but the header has 5 (password "
                                     "hashes contain commas: the field must be quoted)"});
}

TEST(RosterCsv, OneRowCanHaveSeveralErrors) {
  EXPECT_EQ(errors_of(header + "A-1,,retired,,\n"),
            (std::vector<std::string>{
                "line 2: name: must not be empty", "line 2: status: must be active or inactive",
                "line 2: password_hash, initial_password: one of them must be filled"}));
}

TEST(RosterCsv, SinglePasswordColumnNamesItself) {
  EXPECT_EQ(errors_of("member_no,name,status,password_hash\nA1,N,active,\n"),
            std::vector<std::string>{"line 2: password_hash: must not be empty"});
  EXPECT_EQ(errors_of("member_no,name,status,initial_password\nA1,N,active,\n"),
            std::vector<std::string>{"line 2: initial_password: must not be empty"});
}

TEST(RosterCsv, NameRules) {
  EXPECT_EQ(
      errors_of(header + "A1,\"two\nlines\",active,,pw\n"),
      std::vector<std::string>{"line 2: name: must not contain control characters or line breaks"});
  EXPECT_EQ(errors_of(header + "A1," + std::string(max_name_length + 1, 'n') + ",active,,pw\n"),
            std::vector<std::string>{"line 2: name: longer than 200 bytes"});
}

TEST(RosterCsv, InitialPasswordLengthIsBounded) {
  EXPECT_EQ(errors_of(header + "A1,N,active,," + std::string(1025, 'p') + "\n"),
            std::vector<std::string>{"line 2: initial_password: longer than 1024 bytes"});
}

TEST(RosterCsv, BlankLineInTheMiddleIsAnError) {
  EXPECT_EQ(errors_of(header + "A1,N,active,,pw\n\nA2,N,active,,pw\n"),
            std::vector<std::string>{"line 3: blank line inside the roster"});
}

TEST(RosterCsv, InvalidUtf8IsRejectedWithItsLine) {
  // "山田" in Shift_JIS, the usual mistake when exporting from a Japanese spreadsheet.
  EXPECT_EQ(errors_of(header + "A1,N,active,,pw\nA2,\x8E\x52\x93\x63,active,,pw\n"),
            std::vector<std::string>{
                "line 3: invalid UTF-8 (export the roster as UTF-8, not Shift_JIS)"});
  for (const std::string bad :
       {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE5\xB1", "\xFF", "\x80"}) {
    EXPECT_EQ(errors_of(header + "A1," + bad + ",active,,pw\n").size(), 1u)
        << "bytes " << ::testing::PrintToString(bad);
  }
  // Four-byte characters (outside the BMP) are fine.
  EXPECT_EQ(parse_ok(header + "A1,𠮷野家,active,,pw\n").size(), 1u);
}

TEST(RosterCsv, CsvSyntaxErrors) {
  EXPECT_EQ(errors_of(header + "A1,\"unterminated,active,,pw\n"),
            std::vector<std::string>{"line 2: csv: quoted field is never closed"});
  EXPECT_EQ(errors_of(header + "A1,Na\"me,active,,pw\n"),
            std::vector<std::string>{
                "line 2: csv: quote inside an unquoted field (quote the whole field)"});
  EXPECT_EQ(errors_of(header + "A1,\"Name\"x,active,,pw\n"),
            std::vector<std::string>{"line 2: csv: text after the closing quote of a field"});
  EXPECT_EQ(errors_of(header + "A1,N,active,,pw\rA2,N,active,,pw\n"),
            std::vector<std::string>{"line 2: csv: carriage return without a line feed"});
}

TEST(RosterCsv, ErrorsStopAfterTheLimit) {
  std::string text = header;
  for (int i = 0; i < 500; ++i) text += "A" + std::to_string(i) + ",N,bogus,,pw\n";
  const auto errors = errors_of(text);
  ASSERT_EQ(errors.size(), max_roster_errors + 1);
  EXPECT_EQ(errors.back(), "line 101: too many errors; stopped reading the roster");
}

TEST(RosterCsv, ValueThrowsWithASummary) {
  try {
    (void)parse_roster_csv(header + "A1,N,bogus,,pw\n").value();
    FAIL() << "value() should throw";
  } catch (const roster_exception& e) {
    ASSERT_EQ(e.errors().items.size(), 1u);
    EXPECT_NE(std::string_view(e.what()).find("line 2: status: must be active or inactive"),
              std::string_view::npos);
  }
}

}  // namespace
