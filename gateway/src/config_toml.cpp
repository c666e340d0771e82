// --print-config: the effective configuration written back as TOML, so a file can start from it.
#include "gateway/config.hpp"

#include <sstream>
#include <toml++/toml.h>

namespace checkin::gateway {

std::string to_toml(const gateway_config& c) {
  toml::array pubs;
  for (const auto& p : c.public_keys) pubs.push_back(p.string());
  toml::array retired;
  for (const auto& r : c.retired_keys) retired.push_back(r);
  const auto i = [](auto v) { return static_cast<std::int64_t>(v); };
  toml::table root{
      {"server", toml::table{{"listen", c.listen_address + ":" + std::to_string(c.listen_port)},
                             {"threads", i(c.threads)},
                             {"max_connections", i(c.limits.max_connections)},
                             {"header_limit_bytes", i(c.limits.header_limit)},
                             {"body_limit_bytes", i(c.limits.body_limit)},
                             {"idle_timeout_seconds", i(c.limits.idle_timeout.count())},
                             {"read_timeout_seconds", i(c.limits.read_timeout.count())},
                             {"write_timeout_seconds", i(c.limits.write_timeout.count())},
                             {"drain_timeout_seconds", i(c.limits.drain_timeout.count())},
                             {"client_rate_per_second", c.client_rate_per_second},
                             {"client_burst", c.client_burst}}},
      {"storage", toml::table{{"data_dir", c.data_dir.string()},
                              {"map_size_mib", i(c.map_size_mib)},
                              {"map_size_limit_mib", i(c.map_size_limit_mib)},
                              {"commit_max_batch", i(c.commit_max_batch)},
                              {"commit_gather_us", i(c.commit_gather_us)}}},
      {"meeting", toml::table{{"program", c.program.string()}}},
      {"keys", toml::table{{"public", pubs},
                           {"retired", retired},
                           {"signing", c.signing_key.string()}}},
      {"scans", toml::table{{"slot_grace_seconds", i(c.scans.slot_grace.count())},
                            {"clock_skew_seconds", i(c.scans.clock_skew.count())},
                            {"upload_period_seconds", i(c.scans.upload_period.count())},
                            {"slot_upload_period_seconds", i(c.scans.slot_upload_period.count())},
                            {"batch_max_items", i(c.batch_max_items)},
                            {"token_memo_entries", i(c.token_memo_entries)},
                            {"member_rate_per_second", c.member_scan_rate_per_second},
                            {"member_burst", c.member_scan_burst}}},
      {"auth", toml::table{{"bearer_ttl_seconds", i(c.bearer_ttl.count())},
                           {"login_max_failures", i(c.login_max_failures)},
                           {"login_failure_window_seconds", i(c.login_failure_window.count())},
                           {"login_lockout_seconds", i(c.login_lockout.count())},
                           {"address_login_max_failures", i(c.address_login_max_failures)},
                           {"address_login_max_in_flight", i(c.address_login_max_in_flight)},
                           {"password_threads", i(c.password_threads)}}},
      {"log", toml::table{{"level", c.log_level}, {"access_log", c.access_log}}},
  };
  toml::array http;
  for (const auto& h : c.http_sinks) {
    http.push_back(toml::table{{"name", h.name},
                               {"url", h.url},
                               {"secret_file", h.secret_file.string()},
                               {"connect_timeout_seconds", i(h.connect_timeout.count())},
                               {"request_timeout_seconds", i(h.request_timeout.count())},
                               {"ca_file", h.ca_file.string()}});
  }
  toml::array pg;
  for (const auto& p : c.pg_sinks) {
    // A conninfo may hold a password: shown only as set or not.
    pg.push_back(toml::table{{"name", p.name},
                             {"conninfo", p.conninfo.empty() ? "" : "(set)"},
                             {"conninfo_file", p.conninfo_file.string()},
                             {"schema", p.schema},
                             {"create_tables", p.create_tables},
                             {"connect_timeout_seconds", i(p.connect_timeout.count())},
                             {"statement_timeout_seconds", i(p.statement_timeout.count())}});
  }
  root.insert("sync", toml::table{{"seal_grace_seconds", i(c.sealing.grace.count())},
                                  {"supplementary_period_seconds",
                                   i(c.sealing.supplementary_period.count())},
                                  {"retry_initial_ms", i(c.retry.initial.count())},
                                  {"retry_max_ms", i(c.retry.max.count())},
                                  {"poll_interval_ms", i(c.sync_poll_interval.count())},
                                  {"http", http},
                                  {"postgresql", pg}});
  const auto key_tables = [](const std::vector<organizer_key>& keys) {
    toml::array out;
    for (const auto& k : keys) out.push_back(toml::table{{"name", k.name}, {"sha256", k.sha256_hex}});
    return out;
  };
  root.insert("organizers", toml::table{{"keys", key_tables(c.organizer_keys)}});
  root.insert("display", toml::table{{"slot_seconds", i(c.display_slot_seconds.count())},
                                     {"slots_ahead", i(c.display_slots_ahead)},
                                     {"keys", key_tables(c.display_keys)}});
  std::ostringstream out;
  out << root << '\n';
  return out.str();
}

}  // namespace checkin::gateway
