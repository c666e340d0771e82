#pragma once
// Gateway configuration: embedded defaults, then a TOML file, then command-line flags.
// docs/configuration.md lists every key; `checkin-gateway serve --print-config` shows the
// effective values.

#include "gateway/scan_rules.hpp"
#include "gateway/server.hpp"
#include "gateway/sync/sync_policy.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace checkin::gateway {

// [[sync.http]]: a webhook sink. The secret is read from secret_file at start-up.
struct http_sink_config {
  std::string name = "membership-webhook";
  std::string url;
  std::filesystem::path secret_file;
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds request_timeout{30};
  std::filesystem::path ca_file;  // empty: the system's trusted CAs
};

// [[sync.postgresql]]: a PostgreSQL sink. conninfo_file keeps the password out of the config.
struct pg_sink_config {
  std::string name = "membership-db";
  std::string conninfo;
  std::filesystem::path conninfo_file;
  std::string schema = "public";
  bool create_tables = true;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds statement_timeout{30};
};

// [[organizers.keys]] and [[display.keys]]: an API key, stored as the SHA-256 of the key
// (`checkin-gateway organizer-key` / `display-key` make one).
struct organizer_key {
  std::string name;
  std::string sha256_hex;  // 64 lower-case hex digits
};

struct gateway_config {
  // [server]
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  unsigned threads = 0;  // 0: one per core
  server_limits limits;
  double client_rate_per_second = 0;  // requests per client address; 0: no limit
  double client_burst = 0;

  // [storage]
  std::filesystem::path data_dir = "data";
  std::size_t map_size_mib = 1024;
  std::size_t map_size_limit_mib = 16 * 1024;
  std::size_t commit_max_batch = 1024;
  std::size_t commit_gather_us = 1000;  // see store::committer_options::gather

  // [meeting]
  std::filesystem::path program;  // empty: the embedded demo program

  // [keys]
  std::vector<std::filesystem::path> public_keys;  // empty: data_dir/keys/signing.pub
  std::vector<std::string> retired_keys;           // key ids (hex)
  // The secret key `serve` signs projector slot codes and posters with. Empty: the default
  // data_dir/keys/signing.key when that file exists, else none (those routes answer 503).
  std::filesystem::path signing_key;

  // [scans]
  scan_policy scans;
  std::size_t batch_max_items = 500;
  std::size_t token_memo_entries = 100'000;
  double member_scan_rate_per_second = 5;  // per member; 0: no limit
  double member_scan_burst = 20;

  // [auth]
  std::chrono::seconds bearer_ttl{std::chrono::hours{24 * 7}};
  unsigned login_max_failures = 5;
  std::chrono::seconds login_failure_window{std::chrono::minutes{15}};
  std::chrono::seconds login_lockout{std::chrono::minutes{15}};
  unsigned address_login_max_failures = 200;  // a venue NAT puts thousands behind one address
  unsigned address_login_max_in_flight = 1000;  // logins from one address being checked at once
  unsigned password_threads = 0;              // 0: one per core

  // [sync]
  sync::seal_timing sealing;
  sync::retry_policy retry;
  std::chrono::milliseconds sync_poll_interval{std::chrono::seconds{2}};
  std::vector<http_sink_config> http_sinks;
  std::vector<pg_sink_config> pg_sinks;

  // [organizers]
  std::vector<organizer_key> organizer_keys;

  // [display]: the projector page's rotating slot codes.
  std::chrono::seconds display_slot_seconds{30};
  unsigned display_slots_ahead = 4;  // slots handed out beyond the current one
  std::vector<organizer_key> display_keys;

  // [log]
  std::string log_level = "info";
  bool access_log = true;
};

struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads a TOML file over `base`. Unknown keys and wrong types are config_error naming the
// key, e.g. "gateway.toml: scans.clock_skew_seconds: must be a non-negative integer".
[[nodiscard]] gateway_config load_config(const std::filesystem::path& file, gateway_config base = {});
// What the key ranges cannot say on their own (bounds between keys, a usable rate limiter,
// a known log level, ...): the first problem as "section.key: must be ...", or nullopt.
// load_config applies it; call it again after command-line flags change the values.
[[nodiscard]] std::optional<std::string> config_problem(const gateway_config& c);
// Sets listen_address/listen_port from "127.0.0.1:8080" or "[::1]:8080"; false (and no
// change) when the text is not of that form or the port is over 65535.
[[nodiscard]] bool set_listen(gateway_config& c, std::string_view text);

// The effective configuration as TOML, for --print-config.
[[nodiscard]] std::string to_toml(const gateway_config& c);

}  // namespace checkin::gateway
