#include "csv_reader.hpp"

#include <utility>

namespace checkin::gateway::detail {

csv_reader::step csv_reader::fail(std::size_t line, std::string message) {
  failed_ = true;
  error_ = {line, std::move(message)};
  return step::error;
}

// At the opening quote. Leaves pos_ just past the closing quote.
bool csv_reader::read_quoted(std::string& field) {
  const std::size_t start_line = line_;
  ++pos_;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '"') {
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
        field += '"';
        pos_ += 2;
        continue;
      }
      ++pos_;
      return true;
    }
    if (c == '\n') ++line_;
    field += c;
    ++pos_;
  }
  (void)fail(start_line, "quoted field is never closed");
  return false;
}

// Up to the next comma, line end or end of text.
bool csv_reader::read_unquoted(std::string& field) {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == ',' || c == '\n' || c == '\r') return true;
    if (c == '"') {
      (void)fail(line_, "quote inside an unquoted field (quote the whole field)");
      return false;
    }
    field += c;
    ++pos_;
  }
  return true;
}

csv_reader::step csv_reader::next(csv_record& out) {
  if (failed_) return step::error;
  if (pos_ >= text_.size()) return step::end;
  out.line = line_;
  std::size_t count = 0;
  for (;;) {
    if (out.fields.size() == count) out.fields.emplace_back();
    std::string& field = out.fields[count++];
    field.clear();
    const bool quoted = text_[pos_] == '"';
    if (!(quoted ? read_quoted(field) : read_unquoted(field))) return step::error;

    // After a field: a comma, a line end, or the end of the text.
    if (pos_ >= text_.size()) break;
    const char c = text_[pos_];
    if (c == ',') {
      ++pos_;
      if (pos_ < text_.size()) continue;
      // A comma at the very end of the text: one more, empty, field.
      if (out.fields.size() == count) out.fields.emplace_back();
      out.fields[count++].clear();
      break;
    }
    if (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    if (text_[pos_] == '\n') {
      ++pos_;
      ++line_;
      break;
    }
    if (c == '\r') return fail(line_, "carriage return without a line feed");
    return fail(line_, "text after the closing quote of a field");
  }
  out.fields.resize(count);
  return step::record;
}

}  // namespace checkin::gateway::detail
