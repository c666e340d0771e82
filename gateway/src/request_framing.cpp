#include "gateway/request_framing.hpp"

#include <boost/beast/core/string.hpp>

namespace checkin::gateway {
namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when the fields, taken as one comma-separated list, name exactly one coding: chunked.
bool exactly_chunked(std::span<const std::string_view> values) noexcept {
  int chunked = 0;
  for (auto value : values) {
    while (true) {
      const auto comma = value.find(',');
      const auto element = trim(value.substr(0, comma));
      if (!element.empty()) {
        if (!boost::beast::iequals(element, "chunked")) return false;
        ++chunked;
      }
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return chunked == 1;
}

}  // namespace

framing_problem check_framing(std::span<const std::string_view> transfer_encodings,
                              bool has_content_length, unsigned version) noexcept {
  if (transfer_encodings.empty()) return framing_problem::none;
  if (has_content_length) return framing_problem::length_and_coding;
  if (version < 11) return framing_problem::coding_in_http10;
  if (!exactly_chunked(transfer_encodings)) return framing_problem::unsupported_coding;
  return framing_problem::none;
}

std::string_view describe(framing_problem p) noexcept {
  switch (p) {
    case framing_problem::none: return "";
    case framing_problem::length_and_coding:
      return "a request may not carry both Content-Length and Transfer-Encoding";
    case framing_problem::coding_in_http10: return "Transfer-Encoding is not allowed in HTTP/1.0";
    case framing_problem::unsupported_coding:
      return "the only Transfer-Encoding accepted is \"chunked\"";
  }
  return "";
}

}  // namespace checkin::gateway
