#include "loadtest/http_wire.hpp"

#include <charconv>

namespace checkin::loadtest {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view v) noexcept {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

bool parse_size(std::string_view v, std::size_t& out) noexcept {
  const auto* end = v.data() + v.size();
  const auto r = std::from_chars(v.data(), end, out);
  return r.ec == std::errc{} && r.ptr == end && !v.empty();
}

}  // namespace

void append_request(std::string& out, std::string_view method, std::string_view target,
                    std::string_view bearer, std::string_view json_body) {
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  if (!bearer.empty()) out.append("Authorization: Bearer ").append(bearer).append("\r\n");
  if (!json_body.empty()) {
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, json_body.size());
    out.append("Content-Type: application/json\r\nContent-Length: ")
        .append(digits, static_cast<std::size_t>(r.ptr - digits))
        .append("\r\n");
  }
  out.append("\r\n").append(json_body);
}

parsed_head parse_response_head(std::string_view bytes) noexcept {
  parsed_head r;
  const auto end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    // A head larger than this is not coming from the gateway.
    if (bytes.size() > 64 * 1024) r.state = parse_state::malformed;
    return r;
  }
  r.head.header_bytes = end + 4;
  std::string_view head = bytes.substr(0, end + 2);
  const auto line_end = head.find("\r\n");
  const auto status_line = head.substr(0, line_end);
  // "HTTP/1.1 201 Created"
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
    r.state = parse_state::malformed;
    return r;
  }
  unsigned status = 0;
  const auto code = status_line.substr(9, 3);
  if (std::from_chars(code.data(), code.data() + 3, status).ec != std::errc{} || status < 100) {
    r.state = parse_state::malformed;
    return r;
  }
  r.head.status = status;
  head.remove_prefix(line_end + 2);
  while (!head.empty()) {
    const auto eol = head.find("\r\n");
    const auto line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      r.state = parse_state::malformed;
      return r;
    }
    const auto name = line.substr(0, colon);
    const auto value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      if (!parse_size(value, r.head.content_length)) {
        r.state = parse_state::malformed;
        return r;
      }
    } else if (iequals(name, "connection")) {
      r.head.close = iequals(value, "close");
    } else if (iequals(name, "transfer-encoding")) {
      r.state = parse_state::malformed;
      return r;
    }
  }
  r.state = parse_state::complete;
  return r;
}

std::optional<double> metric_value(std::string_view exposition, std::string_view name) noexcept {
  while (!exposition.empty()) {
    const auto eol = exposition.find('\n');
    const auto line = exposition.substr(0, eol);
    exposition.remove_prefix(eol == std::string_view::npos ? exposition.size() : eol + 1);
    if (line.size() > name.size() && line.substr(0, name.size()) == name &&
        line[name.size()] == ' ') {
      const auto value = trim(line.substr(name.size() + 1));
      double v = 0;
      if (std::from_chars(value.data(), value.data() + value.size(), v).ec == std::errc{}) return v;
    }
  }
  return std::nullopt;
}

}  // namespace checkin::loadtest
