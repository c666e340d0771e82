// config_problem: the rules between keys and on whole values, as a pure function over a
// gateway_config; and the same rules reached through load_config, naming the file and key.
#include "gateway/config.hpp"
#include "support/test_files.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace checkin::gateway {
namespace {

using namespace std::chrono;
using checkin::testing::temp_dir;
using checkin::testing::write_text;

std::string problem_of(const gateway_config& c) { return config_problem(c).value_or("(none)"); }

TEST(ConfigCheck, DefaultsPass) { EXPECT_EQ(config_problem(gateway_config{}), std::nullopt); }

TEST(ConfigCheck, BearerTtlMustBePositive) {
  gateway_config c;
  c.bearer_ttl = seconds{0};
  EXPECT_EQ(problem_of(c), "auth.bearer_ttl_seconds: must be at least 1");
}

TEST(ConfigCheck, RatesMustBeFiniteAndMakeAUsableBucket) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const double bad : {nan, inf, -1.0}) {
    gateway_config c;
    c.member_scan_rate_per_second = bad;
    EXPECT_EQ(problem_of(c), "scans.member_rate_per_second: must be a finite number >= 0 (0: off)");
    gateway_config s;
    s.client_rate_per_second = bad;
    EXPECT_EQ(problem_of(s), "server.client_rate_per_second: must be a finite number >= 0 (0: off)");
    gateway_config b;
    b.client_burst = bad;
    EXPECT_EQ(problem_of(b), "server.client_burst: must be a finite number >= 0");
  }
  // So slow that an empty bucket takes longer than 10^7 s to refill: the limiter refuses it.
  gateway_config slow;
  slow.client_rate_per_second = 1e-9;
  slow.client_burst = 10;
  EXPECT_EQ(problem_of(slow), "server.client_rate_per_second: must be 0 (off) or at least burst / 10^7 = 1e-06");
  gateway_config off;
  off.client_rate_per_second = 0;
  off.client_burst = 1e300;
  EXPECT_EQ(config_problem(off), std::nullopt) << "a rate of 0 is off, whatever the burst";
}

TEST(ConfigCheck, MapLimitNotBelowTheMap) {
  gateway_config c;
  c.map_size_mib = 2048;
  c.map_size_limit_mib = 1024;
  EXPECT_EQ(problem_of(c), "storage.map_size_limit_mib: must be >= storage.map_size_mib (2048)");
  c.map_size_limit_mib = 2048;
  EXPECT_EQ(config_problem(c), std::nullopt);
}

TEST(ConfigCheck, LockoutTimeoutsAndRetries) {
  const auto first = [](auto change) {
    gateway_config c;
    change(c);
    return problem_of(c);
  };
  EXPECT_EQ(first([](auto& c) { c.login_lockout = seconds{0}; }),
            "auth.login_lockout_seconds: must be at least 1");
  EXPECT_EQ(first([](auto& c) { c.login_failure_window = seconds{0}; }),
            "auth.login_failure_window_seconds: must be at least 1");
  EXPECT_EQ(first([](auto& c) { c.limits.idle_timeout = seconds{0}; }),
            "server.idle_timeout_seconds: must be at least 1");
  EXPECT_EQ(first([](auto& c) { c.limits.read_timeout = seconds{0}; }),
            "server.read_timeout_seconds: must be at least 1");
  EXPECT_EQ(first([](auto& c) { c.limits.write_timeout = seconds{0}; }),
            "server.write_timeout_seconds: must be at least 1");
  EXPECT_EQ(first([](auto& c) { c.threads = 1000; }), "server.threads: must be an integer from 0 to 256");
  EXPECT_EQ(first([](auto& c) {
              c.retry.initial = milliseconds{5000};
              c.retry.max = milliseconds{1000};
            }),
            "sync.retry_max_ms: must be >= sync.retry_initial_ms");
  EXPECT_EQ(first([](auto& c) { c.log_level = "verbose"; }),
            "log.level: must be one of trace, debug, info, warn, error, off");
  EXPECT_EQ(first([](auto& c) { http_sink_config sink;
    sink.url = "ftp://x/";
    sink.secret_file = "s";
    c.http_sinks.push_back(sink); }),
            "sync.http[0].url: must be an http:// or https:// URL (webhook URL: must start with "
            "http:// or https://)");
  EXPECT_EQ(first([](auto& c) {
              pg_sink_config sink;
              sink.conninfo = "host=x";
              sink.statement_timeout = seconds{0};
              c.pg_sinks.push_back(sink);
            }),
            "sync.postgresql[0].statement_timeout_seconds: must be at least 1");
}

// Through the TOML reader: nan and inf are TOML floats, and each refusal names file and key.
TEST(ConfigCheck, LoadConfigRefusesWithFileAndKey) {
  temp_dir dir;
  const auto file = dir.path() / "gateway.toml";
  const auto error_of = [&](const std::string& toml) -> std::string {
    write_text(file, toml);
    try {
      (void)load_config(file);
    } catch (const config_error& e) {
      return e.what();
    }
    return "(no error)";
  };
  const auto f = file.string();
  EXPECT_EQ(error_of("[scans]\nmember_rate_per_second = nan\n"),
            f + ": scans.member_rate_per_second: must be a finite number >= 0");
  EXPECT_EQ(error_of("[server]\nclient_burst = inf\n"), f + ": server.client_burst: must be a finite number >= 0");
  EXPECT_EQ(error_of("[server]\nclient_rate_per_second = -2.5\n"),
            f + ": server.client_rate_per_second: must be a finite number >= 0");
  EXPECT_EQ(error_of("[auth]\nbearer_ttl_seconds = 0\n"), f + ": auth.bearer_ttl_seconds: must be at least 1");
  EXPECT_EQ(error_of("[storage]\nmap_size_mib = 4096\nmap_size_limit_mib = 1024\n"),
            f + ": storage.map_size_limit_mib: must be >= storage.map_size_mib (4096)");
}

}  // namespace
}  // namespace checkin::gateway
