// The rules a key's own range cannot state: bounds between keys, usable limiter and lockout
// policies, a known log level, a webhook URL the sink can use. Checked once at load, so a
// bad value stops the start with the key's name instead of surfacing later as a 500, an
// unnamed exception, or a limiter that is silently off.
#include "gateway/config.hpp"
#include "gateway/login_throttle.hpp"
#include "gateway/rate_limiter.hpp"
#include "sync/http_url.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace checkin::gateway {
namespace {

using problem = std::optional<std::string>;

problem at(std::string_view key, std::string_view rule) {
  return std::string(key) + ": " + std::string(rule);
}

// A rate of 0 turns the limiter off; any other value must make a bucket the limiter accepts.
// The burst is read as at least 1, as app.cpp builds the bucket.
problem check_rate(std::string_view rate_key, double rate, std::string_view burst_key,
                   double burst) {
  if (!std::isfinite(rate) || rate < 0) return at(rate_key, "must be a finite number >= 0 (0: off)");
  if (!std::isfinite(burst) || burst < 0) return at(burst_key, "must be a finite number >= 0");
  if (rate > 0 && !is_valid(bucket_policy{std::max(1.0, burst), rate})) {
    char least[32];
    std::snprintf(least, sizeof least, "%g", std::max(1.0, burst) / 1e7);
    return at(rate_key, std::string("must be 0 (off) or at least burst / 10^7 = ") + least);
  }
  return std::nullopt;
}

problem check_sync(const gateway_config& c) {
  if (c.retry.max < c.retry.initial) return at("sync.retry_max_ms", "must be >= sync.retry_initial_ms");
  for (std::size_t i = 0; i < c.http_sinks.size(); ++i) {
    const auto& h = c.http_sinks[i];
    const std::string table = "sync.http[" + std::to_string(i) + "]";
    try {
      (void)sync::detail::parse_http_url(h.url);
    } catch (const std::invalid_argument& e) {
      return at(table + ".url", std::string("must be an http:// or https:// URL (") + e.what() + ")");
    }
  }
  for (std::size_t i = 0; i < c.pg_sinks.size(); ++i) {
    const auto& p = c.pg_sinks[i];
    const std::string table = "sync.postgresql[" + std::to_string(i) + "]";
    // libpq and PostgreSQL read 0 as "no timeout": a hung database would hold delivery forever.
    if (p.connect_timeout.count() < 1) return at(table + ".connect_timeout_seconds", "must be at least 1");
    if (p.statement_timeout.count() < 1) return at(table + ".statement_timeout_seconds", "must be at least 1");
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> config_problem(const gateway_config& c) {
  // [server]
  if (c.limits.idle_timeout.count() < 1) return at("server.idle_timeout_seconds", "must be at least 1");
  if (c.limits.read_timeout.count() < 1) return at("server.read_timeout_seconds", "must be at least 1");
  if (c.limits.write_timeout.count() < 1) return at("server.write_timeout_seconds", "must be at least 1");
  if (c.limits.max_connections < 1) return at("server.max_connections", "must be at least 1");
  if (c.threads > 256) return at("server.threads", "must be an integer from 0 to 256");
  if (auto p = check_rate("server.client_rate_per_second", c.client_rate_per_second,
                          "server.client_burst", c.client_burst)) {
    return p;
  }
  // [storage]
  if (c.map_size_mib < 1) return at("storage.map_size_mib", "must be at least 1");
  if (c.map_size_limit_mib < c.map_size_mib) {
    return at("storage.map_size_limit_mib",
              "must be >= storage.map_size_mib (" + std::to_string(c.map_size_mib) + ")");
  }
  // [scans]
  if (auto p = check_rate("scans.member_rate_per_second", c.member_scan_rate_per_second,
                          "scans.member_burst", c.member_scan_burst)) {
    return p;
  }
  // [auth]: a zero lifetime makes every login fail to issue its token.
  if (c.bearer_ttl.count() < 1) return at("auth.bearer_ttl_seconds", "must be at least 1");
  if (c.login_failure_window.count() < 1) {
    return at("auth.login_failure_window_seconds", "must be at least 1");
  }
  if (c.login_lockout.count() < 1) return at("auth.login_lockout_seconds", "must be at least 1");
  if (c.login_max_failures < 1) return at("auth.login_max_failures", "must be at least 1");
  if (c.address_login_max_failures < 1) return at("auth.address_login_max_failures", "must be at least 1");
  if (c.address_login_max_in_flight < 1) {
    return at("auth.address_login_max_in_flight", "must be at least 1");
  }
  // [sync]
  if (c.sync_poll_interval.count() < 1) return at("sync.poll_interval_ms", "must be at least 1");
  if (c.retry.initial.count() < 1) return at("sync.retry_initial_ms", "must be at least 1");
  if (auto p = check_sync(c)) return p;
  // [display]
  if (c.display_slot_seconds.count() < 5 || c.display_slot_seconds.count() > 3600) {
    return at("display.slot_seconds", "must be an integer from 5 to 3600");
  }
  // [log]: spdlog reads an unknown level as "off", which would silence every error.
  constexpr std::array<std::string_view, 6> levels{"trace", "debug", "info", "warn", "error", "off"};
  if (std::find(levels.begin(), levels.end(), c.log_level) == levels.end()) {
    return at("log.level", "must be one of trace, debug, info, warn, error, off");
  }
  return std::nullopt;
}

}  // namespace checkin::gateway
