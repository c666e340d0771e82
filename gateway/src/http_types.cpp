#include "gateway/http_types.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>

namespace checkin::gateway {

std::string_view request_context::param(std::string_view name) const noexcept {
  for (const auto& [k, v] : path_params) {
    if (k == name) return v;
  }
  return {};
}

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded value: '+' is a space, %XX a byte; a broken escape
// is kept literally rather than failing the whole request.
std::string decode_query_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '+') {
      out += ' ';
    } else if (v[i] == '%' && i + 2 < v.size() && hex_value(v[i + 1]) >= 0 && hex_value(v[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(v[i + 1]) * 16 + hex_value(v[i + 2]));
      i += 2;
    } else {
      out += v[i];
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> request_context::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    return eq == std::string_view::npos ? std::string{} : decode_query_value(pair.substr(eq + 1));
  }
  return std::nullopt;
}

response text_response(http::status status, std::string body, std::string_view content_type) {
  response res{status, 11};
  res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

response json_response(http::status status, const boost::json::value& body) {
  return text_response(status, boost::json::serialize(body), "application/json");
}

response error_response(api_error e, std::string_view message) {
  boost::json::object body;
  body["error"] = code(e);
  body["message"] = message;
  return json_response(status_of(e), body);
}

void drop_body_for_head(response& res) {
  const auto status = res.result_int();
  if (status < 200 || status == 204 || status == 304) return;  // no body, no length
  res.content_length(res.body().size());
  res.body().clear();
}

void serialize_response(const response& res, std::string& out) {
  const unsigned status = res.result_int();
  const auto& body = res.body();
  out.clear();
  out.reserve(256 + body.size());
  out += res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  char digits[24];  // any std::size_t
  const auto printed = std::to_chars(digits, digits + sizeof digits, status);
  out.append(digits, printed.ptr);
  out += ' ';
  out += res.reason();
  out += "\r\n";
  bool has_length = false;
  for (const auto& f : res) {
    has_length = has_length || f.name() == http::field::content_length;
    out += f.name_string();
    out += ": ";
    out += f.value();
    out += "\r\n";
  }
  // 1xx, 204 and 304 answers carry no body and no length.
  const bool bodiless = status < 200 || status == 204 || status == 304;
  if (!has_length && !bodiless) {
    out += "Content-Length: ";
    const auto length = std::to_chars(digits, digits + sizeof digits, body.size());
    out.append(digits, length.ptr);
    out += "\r\n";
  }
  out += "\r\n";
  if (!bodiless) out += body;
}

response error_response(api_error e, std::string_view message, std::chrono::seconds retry_after) {
  auto res = error_response(e, message);
  res.set(http::field::retry_after, std::to_string(std::max<long long>(1, retry_after.count())));
  return res;
}

}  // namespace checkin::gateway
