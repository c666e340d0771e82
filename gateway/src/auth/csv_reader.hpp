#pragma once
// RFC 4180 records, one at a time: comma-separated fields, double-quoted fields that may
// hold commas, doubled quotes and line breaks, records ended by CRLF or LF. Strict where
// the RFC is: a quote inside an unquoted field, text after a closing quote, a bare CR
// outside quotes and an unterminated quote are errors, not guesses.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace checkin::gateway::detail {

struct csv_record {
  std::size_t line = 0;  // 1-based line on which the record starts
  std::vector<std::string> fields;
};

struct csv_syntax_error {
  std::size_t line = 0;
  std::string message;
};

class csv_reader {
 public:
  explicit csv_reader(std::string_view text) noexcept : text_(text) {}

  enum class step { record, end, error };
  // Reads the next record into `out` (reusing its strings). After step::error, error()
  // says what and where, and the reader stays at the error.
  [[nodiscard]] step next(csv_record& out);
  [[nodiscard]] const csv_syntax_error& error() const noexcept { return error_; }

 private:
  [[nodiscard]] step fail(std::size_t line, std::string message);
  [[nodiscard]] bool read_quoted(std::string& field);
  [[nodiscard]] bool read_unquoted(std::string& field);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  csv_syntax_error error_;
  bool failed_ = false;
};

}  // namespace checkin::gateway::detail
