#include "gateway/sync/configured_sinks.hpp"

#include "gateway/sync/http_sink.hpp"
#include "gateway/sync/pg_sink.hpp"

#include "tokens/posix_file.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace checkin::gateway::sync {

namespace {

// A webhook secret or a conninfo (which may hold a password): the rule for every secret file.
std::string read_secret(const std::filesystem::path& file, const std::string& what) {
  auto opened = tokens::open_secret_file(file, "secret file", tokens::secret_links::follow);
  if (!opened.problem.empty()) throw std::runtime_error(what + ": " + opened.problem);
  std::string s(64 * 1024 + 1, '\0');  // one spare byte detects an over-long file
  const auto used = tokens::read_up_to(opened.fd.get(), s);
  if (!used) throw std::runtime_error(what + ": cannot read " + file.string() + ": " + std::strerror(errno));
  if (*used == s.size()) throw std::runtime_error(what + ": " + file.string() + " is over 64 KiB");
  s.resize(*used);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.empty()) throw std::runtime_error(what + ": " + file.string() + " is empty");
  return s;
}

}  // namespace

std::vector<std::unique_ptr<sink>> configured_sinks(const gateway_config& config) {
  std::vector<std::unique_ptr<sink>> sinks;
  for (const auto& h : config.http_sinks) {
    const std::string what = "sync sink " + h.name;
    http_sink_options o;
    o.name = h.name;
    o.url = h.url;
    o.secret = read_secret(h.secret_file, what);
    o.connect_timeout = h.connect_timeout;
    o.request_timeout = h.request_timeout;
    if (!h.ca_file.empty()) o.ca_file = h.ca_file;
    try {
      sinks.push_back(make_http_sink(std::move(o)));
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(what + ": " + e.what());
    }
  }
  for (const auto& p : config.pg_sinks) {
    const std::string what = "sync sink " + p.name;
    pg_sink_options o;
    o.name = p.name;
    o.conninfo = p.conninfo.empty() ? read_secret(p.conninfo_file, what) : p.conninfo;
    o.schema = p.schema;
    o.create_tables = p.create_tables;
    o.connect_timeout = p.connect_timeout;
    o.statement_timeout = p.statement_timeout;
    try {
      sinks.push_back(make_pg_sink(std::move(o)));
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(what + ": " + e.what());
    }
  }
  return sinks;
}

std::vector<std::string> configured_sink_names(const gateway_config& config) {
  std::vector<std::string> names;
  for (const auto& h : config.http_sinks) names.push_back(h.name);
  for (const auto& p : config.pg_sinks) names.push_back(p.name);
  return names;
}

}  // namespace checkin::gateway::sync
