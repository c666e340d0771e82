#include "gateway/roster_csv.hpp"

#include "csv_reader.hpp"
#include "gateway/member_no.hpp"
#include "gateway/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>
#include <utility>

namespace checkin::gateway {

namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
// Returns the offset of the first bad byte, or nullopt when all is well.
[[nodiscard]] std::optional<std::size_t> first_invalid_utf8(std::string_view s) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = byte(i);
    std::size_t extra = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      extra = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      extra = 2;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      extra = 3;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + extra >= s.size()) return i;  // sequence cut off by the end of the text
    if (byte(i + 1) < lo || byte(i + 1) > hi) return i;
    for (std::size_t k = 2; k <= extra; ++k) {
      if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return i;
    }
    i += extra + 1;
  }
  return std::nullopt;
}

[[nodiscard]] std::string normalised_header(std::string_view name) {
  const auto not_space = [](char c) { return c != ' ' && c != '\t'; };
  const auto first = std::find_if(name.begin(), name.end(), not_space);
  const auto last = std::find_if(name.rbegin(), name.rend(), not_space).base();
  std::string out(first, first < last ? last : first);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

enum column : std::size_t { col_member_no, col_name, col_status, col_hash, col_initial, col_count };
constexpr std::array<std::string_view, col_count> column_names = {
    "member_no", "name", "status", "password_hash", "initial_password"};
constexpr std::size_t absent = static_cast<std::size_t>(-1);

// Where each known column sits in the record, or `absent`.
using column_map = std::array<std::size_t, col_count>;

class error_list {
 public:
  void add(std::size_t line, std::string_view field, std::string message) {
    if (full()) return;
    items_.push_back({line, std::string(field), std::move(message)});
    if (items_.size() == max_roster_errors) {
      items_.push_back({line, "", "too many errors; stopped reading the roster"});
    }
  }
  [[nodiscard]] bool full() const noexcept { return items_.size() > max_roster_errors; }
  [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
  [[nodiscard]] roster_errors take() { return {std::move(items_)}; }

 private:
  std::vector<roster_error> items_;
};

[[nodiscard]] std::optional<column_map> read_header(const detail::csv_record& header,
                                                    error_list& errors) {
  column_map where;
  where.fill(absent);
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    const std::string name = normalised_header(header.fields[i]);
    const auto known = std::find(column_names.begin(), column_names.end(), name);
    if (known == column_names.end()) continue;  // extra columns are the exporter's business
    auto& slot = where[static_cast<std::size_t>(known - column_names.begin())];
    if (slot != absent) errors.add(header.line, "header", "column " + name + " appears twice");
    slot = i;
  }
  for (std::size_t c : {col_member_no, col_name, col_status}) {
    if (where[c] == absent) {
      errors.add(header.line, "header", "missing column " + std::string(column_names[c]));
    }
  }
  if (where[col_hash] == absent && where[col_initial] == absent) {
    errors.add(header.line, "header", "missing column password_hash or initial_password");
  }
  if (!errors.empty()) return std::nullopt;
  return where;
}

[[nodiscard]] bool is_blank(const detail::csv_record& r) noexcept {
  return std::all_of(r.fields.begin(), r.fields.end(), [](const auto& f) { return f.empty(); });
}

[[nodiscard]] bool has_control_character(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

// Validates one data record; appends the row, or the record's errors.
void read_row(detail::csv_record& r, const column_map& where, std::size_t header_width,
              std::unordered_map<std::string, std::size_t>& seen, std::vector<roster_row>& rows,
              error_list& errors) {
  const std::size_t before = errors.size();
  if (r.fields.size() != header_width) {
    std::string message = "has " + std::to_string(r.fields.size()) + " fields but the header has " +
                          std::to_string(header_width);
    // The likeliest cause: an exporter that did not quote "$argon2id$v=19$m=...,t=...,p=...".
    const bool split_hash = std::any_of(r.fields.begin(), r.fields.end(),
                                        [](const auto& f) { return f.starts_with("$argon2"); });
    if (split_hash) message += " (password hashes contain commas: the field must be quoted)";
    errors.add(r.line, "", std::move(message));
    return;
  }
  const auto field = [&](column c) -> std::string& { return r.fields[where[c]]; };
  const auto optional_field = [&](column c) -> std::string_view {
    return where[c] == absent ? std::string_view() : std::string_view(r.fields[where[c]]);
  };

  const std::string& member_no = field(col_member_no);
  if (member_no.empty()) {
    errors.add(r.line, "member_no", "must not be empty");
  } else if (!is_valid_member_no(member_no)) {
    errors.add(r.line, "member_no", "must be 1 to 32 characters of A-Z, a-z, 0-9 and -");
  } else if (const auto [it, inserted] = seen.try_emplace(member_no, r.line); !inserted) {
    errors.add(r.line, "member_no", "duplicate of line " + std::to_string(it->second));
  }

  const std::string& name = field(col_name);
  if (name.empty()) {
    errors.add(r.line, "name", "must not be empty");
  } else if (name.size() > max_name_length) {
    errors.add(r.line, "name", "longer than " + std::to_string(max_name_length) + " bytes");
  } else if (has_control_character(name)) {
    errors.add(r.line, "name", "must not contain control characters or line breaks");
  }

  const std::string& status_text = field(col_status);
  const bool active = status_text == "active";
  if (!active && status_text != "inactive") {
    errors.add(r.line, "status", "must be active or inactive");
  }

  const std::string_view hash = optional_field(col_hash);
  const std::string_view initial = optional_field(col_initial);
  const std::string both = "password_hash, initial_password";
  if (!hash.empty() && !initial.empty()) {
    errors.add(r.line, both, "fill exactly one, not both");
  } else if (hash.empty() && initial.empty()) {
    // Name the one column the file has, or both when it has both.
    const std::string_view column = where[col_hash] == absent      ? "initial_password"
                                    : where[col_initial] == absent ? "password_hash"
                                                                   : std::string_view(both);
    errors.add(r.line, column, column == both ? "one of them must be filled" : "must not be empty");
  } else if (!hash.empty() && !is_valid_password_hash(hash)) {
    errors.add(r.line, "password_hash",
               "not a libsodium Argon2 hash ($argon2id$... or $argon2i$...) within cost limits");
  } else if (initial.size() > max_password_length) {
    errors.add(r.line, "initial_password",
               "longer than " + std::to_string(max_password_length) + " bytes");
  }

  if (errors.size() != before) return;
  roster_row row{r.line, member_no, name, active ? member_status::active : member_status::inactive,
                 hashed_password{std::string(hash)}};
  if (!initial.empty()) {
    row.password = initial_password(initial);
    std::string& source = field(col_initial);
    sodium_memzero(source.data(), source.size());
  }
  rows.push_back(std::move(row));
}

// Best effort: the reader reuses these strings record after record.
void wipe_fields(detail::csv_record& r) noexcept {
  for (auto& f : r.fields) sodium_memzero(f.data(), f.size());
}

}  // namespace

// ---- initial_password ------------------------------------------------------------------

initial_password::initial_password(initial_password&& other) : text_(other.text_) { other.wipe(); }

initial_password& initial_password::operator=(initial_password&& other) {
  if (this != &other) {
    wipe();
    text_ = other.text_;
    other.wipe();
  }
  return *this;
}

initial_password::~initial_password() { wipe(); }

void initial_password::wipe() noexcept {
  sodium_memzero(text_.data(), text_.size());
  text_.clear();
}

// ---- errors ----------------------------------------------------------------------------

std::string to_string(const roster_error& e) {
  std::string out = "line " + std::to_string(e.line) + ": ";
  if (!e.field.empty()) out += e.field + ": ";
  return out + e.message;
}

namespace {
[[nodiscard]] std::string summary(const roster_errors& errors) {
  std::string out = "roster has " + std::to_string(errors.items.size()) + " error(s)";
  constexpr std::size_t shown = 5;
  for (std::size_t i = 0; i < errors.items.size() && i < shown; ++i) {
    out += "\n  " + to_string(errors.items[i]);
  }
  return out;
}
}  // namespace

roster_exception::roster_exception(roster_errors errors)
    : std::runtime_error(summary(errors)), errors_(std::move(errors)) {}

void throw_exception_from_error(const roster_errors& e, boost::source_location const& /*loc*/) {
  throw roster_exception(e);
}

// ---- parsing ---------------------------------------------------------------------------

boost::system::result<std::vector<roster_row>, roster_errors> parse_roster_csv(
    std::string_view text) {
  if (text.starts_with(utf8_bom)) text.remove_prefix(utf8_bom.size());
  error_list errors;
  // Checked up front for the whole file: a Shift_JIS export fails here, with a hint,
  // instead of as a string of odd-looking field errors.
  if (const auto bad = first_invalid_utf8(text)) {
    const auto line =
        1 + static_cast<std::size_t>(
                std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n'));
    errors.add(line, "", "invalid UTF-8 (export the roster as UTF-8, not Shift_JIS)");
    return errors.take();
  }

  detail::csv_reader reader(text);
  detail::csv_record record;
  const auto syntax_error = [&] {
    errors.add(reader.error().line, "csv", reader.error().message);
    wipe_fields(record);
    return errors.take();
  };

  auto step = reader.next(record);
  if (step == detail::csv_reader::step::error) return syntax_error();
  if (step == detail::csv_reader::step::end || is_blank(record)) {
    errors.add(1, "header", "the first line must be the header row");
    return errors.take();
  }
  const auto where = read_header(record, errors);
  if (!where) return errors.take();
  const std::size_t header_width = record.fields.size();

  std::vector<roster_row> rows;
  std::unordered_map<std::string, std::size_t> seen;
  std::vector<std::size_t> blank_lines;  // reported only if a record follows them
  while (!errors.full()) {
    step = reader.next(record);
    if (step == detail::csv_reader::step::end) break;
    if (step == detail::csv_reader::step::error) return syntax_error();
    if (is_blank(record)) {
      blank_lines.push_back(record.line);
      continue;
    }
    for (std::size_t line : blank_lines) errors.add(line, "", "blank line inside the roster");
    blank_lines.clear();
    read_row(record, *where, header_width, seen, rows, errors);
  }
  wipe_fields(record);
  if (!errors.empty()) return errors.take();
  return rows;
}

}  // namespace checkin::gateway
