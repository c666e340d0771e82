#include "http_url.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace checkin::gateway::sync::detail {
namespace {

[[noreturn]] void reject(const std::string& why) {
  throw std::invalid_argument("webhook URL: " + why);
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(), [](char lower, char c) {
           return std::tolower(static_cast<unsigned char>(c)) == lower;
         });
}

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

// Visible ASCII only: a request target with spaces or control bytes would be split or refused
// by the receiver, so it must arrive percent-encoded.
bool is_target_char(char c) { return c > 0x20 && c < 0x7f; }

}  // namespace

std::string http_url::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (explicit_port) h += ":" + port;
  return h;
}

bool http_url::host_is_address() const {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  return !ec;
}

http_url parse_http_url(std::string_view text) {
  http_url url;
  if (starts_with_nocase(text, "https://")) {
    url.scheme = url_scheme::https;
    text.remove_prefix(8);
  } else if (starts_with_nocase(text, "http://")) {
    text.remove_prefix(7);
  } else {
    reject("must start with http:// or https://");
  }
  if (text.find('#') != std::string_view::npos) reject("must not have a #fragment");

  const auto authority_end = std::min(text.find('/'), text.find('?'));
  const std::string_view authority = text.substr(0, authority_end);
  const std::string_view rest =
      authority_end == std::string_view::npos ? std::string_view{} : text.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    reject("must not carry user:password@ (the shared secret authenticates the sender)");
  }

  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) reject("unclosed [ in the host");
    url.host = std::string(authority.substr(1, close - 1));
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address_v6(url.host, ec);
    if (ec) reject("bad IPv6 address [" + url.host + "]");
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') reject("unexpected text after ]");
    if (!after.empty()) port = after.substr(1);
    if (after.size() == 1) reject("empty port");
  } else {
    const auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) reject("empty port");
    }
    if (!std::all_of(url.host.begin(), url.host.end(), is_host_char)) {
      reject("bad character in host '" + url.host + "'");
    }
  }
  if (url.host.empty()) reject("no host");

  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) != 0;
        })) {
      reject("bad port '" + std::string(port) + "'");
    }
    const int n = std::stoi(std::string(port));
    if (n < 1 || n > 65535) reject("port out of range: " + std::string(port));
    url.port = std::to_string(n);
    url.explicit_port = true;
  } else {
    url.port = url.scheme == url_scheme::https ? "443" : "80";
  }

  if (!std::all_of(rest.begin(), rest.end(), is_target_char)) {
    reject("spaces and control characters in the path must be percent-encoded");
  }
  // Appended rather than "/" + std::string(rest): GCC 12 warns falsely (-Wrestrict) at -O3.
  if (rest.empty() || rest.front() == '?') url.target = "/";
  url.target.append(rest);
  return url;
}

}  // namespace checkin::gateway::sync::detail
