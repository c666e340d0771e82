#pragma once
// The member roster as the membership system exports it: CSV (RFC 4180) in UTF-8, with a
// header row. Columns, in any order, unknown ones ignored:
//   member_no         1..32 of [A-Za-z0-9-], unique in the file
//   name              the member's name (Japanese text welcome), no control characters
//   status            active | inactive
//   password_hash     a libsodium crypto_pwhash_str string (it contains commas, so the
//                     exporter must quote it), or
//   initial_password  a plaintext first password, hashed by the importer
// Column names match ignoring ASCII case and surrounding spaces. At least one of the two
// password columns must be present, and each row fills exactly one. A UTF-8 BOM, CRLF or
// LF line ends and blank lines at the end are tolerated. Parsing is pure: text in, rows or
// every error out, each with the line on which its record starts.

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace checkin::gateway {

enum class member_status { active, inactive };

struct hashed_password {
  std::string hash;  // passed is_valid_password_hash
};

// A plaintext password from the file, held only until the importer hashes it. Wiped when
// dropped; a move copies and wipes the source, so no stray copy is left behind.
class initial_password {
 public:
  explicit initial_password(std::string_view text) : text_(text) {}
  initial_password(initial_password&& other);
  initial_password& operator=(initial_password&& other);
  initial_password(const initial_password&) = delete;
  initial_password& operator=(const initial_password&) = delete;
  ~initial_password();

  [[nodiscard]] std::string_view text() const noexcept { return text_; }

 private:
  void wipe() noexcept;
  std::string text_;
};

struct roster_row {
  std::size_t line = 0;  // where the record starts in the file (the header is line 1)
  std::string member_no;
  std::string name;
  member_status status = member_status::active;
  std::variant<hashed_password, initial_password> password;
};

struct roster_error {
  std::size_t line = 0;
  std::string field;  // a column name, "header", or empty for the record as a whole
  std::string message;
  friend bool operator==(const roster_error&, const roster_error&) = default;
};
// "line 7: status: must be active or inactive" (no "field: " part when field is empty).
[[nodiscard]] std::string to_string(const roster_error& e);

struct roster_errors {
  std::vector<roster_error> items;
};
// After this many errors parsing stops (the last item says so).
inline constexpr std::size_t max_roster_errors = 100;
inline constexpr std::size_t max_name_length = 200;  // bytes of UTF-8

// What result::value() throws on errors; what() lists the first few.
class roster_exception : public std::runtime_error {
 public:
  explicit roster_exception(roster_errors errors);
  [[nodiscard]] const roster_errors& errors() const noexcept { return errors_; }

 private:
  roster_errors errors_;
};
[[noreturn]] void throw_exception_from_error(const roster_errors& e,
                                             boost::source_location const& loc);

// All rows, in file order, or all errors found (never a partial roster).
[[nodiscard]] boost::system::result<std::vector<roster_row>, roster_errors> parse_roster_csv(
    std::string_view text);

}  // namespace checkin::gateway
