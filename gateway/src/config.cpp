#include "gateway/config.hpp"

#include <charconv>
#include <cmath>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace checkin::gateway {
namespace {

using namespace std::chrono;

// Reads one table, remembering which keys were used so unknown ones can be reported.
class table_reader {
 public:
  table_reader(const toml::table& root, std::string name, std::string origin)
      : name_(std::move(name)), origin_(std::move(origin)) {
    if (const auto* node = root.get(name_)) {
      table_ = node->as_table();
      if (!table_) fail("", "must be a table");
    }
  }
  // One table of an array of tables, e.g. sync.http[0].
  table_reader(const toml::table* table, std::string name, std::string origin)
      : table_(table), name_(std::move(name)), origin_(std::move(origin)) {}

  // The tables of the array `key`, e.g. [[sync.http]]; empty when absent.
  std::vector<const toml::table*> tables(std::string_view key) {
    std::vector<const toml::table*> out;
    const auto* node = get(key);
    if (!node) return out;
    const auto* arr = node->as_array();
    if (!arr) fail(key, "must be an array of tables ([[" + name_ + "." + std::string(key) + "]])");
    for (const auto& item : *arr) {
      if (!item.is_table()) fail(key, "must be an array of tables");
      out.push_back(item.as_table());
    }
    return out;
  }
  void millis_value(std::string_view key, milliseconds& out, long long max) {
    long long v = out.count();
    integer(key, v, 0, max);
    out = milliseconds{v};
  }

  [[noreturn]] void fail(std::string_view key, std::string_view problem) const {
    std::string where = name_;
    if (!key.empty()) where += "." + std::string(key);
    throw config_error(origin_ + ": " + where + ": " + std::string(problem));
  }

  template <typename T>
  void integer(std::string_view key, T& out, long long min, long long max) {
    const auto* node = get(key);
    if (!node) return;
    // Only an integer node is asked for its value: toml++ casts a float such as 1e308 to
    // long long unchecked (undefined behaviour, found by fuzz_config_toml).
    const auto v = node->is_integer() ? node->value<long long>() : std::nullopt;
    if (!v || *v < min || *v > max) {
      fail(key, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    out = static_cast<T>(*v);
  }
  void seconds_value(std::string_view key, seconds& out, long long max = 365LL * 24 * 3600) {
    long long v = out.count();
    integer(key, v, 0, max);
    out = seconds{v};
  }
  void number(std::string_view key, double& out) {
    const auto* node = get(key);
    if (!node) return;
    const auto v = node->value<double>();
    // nan and inf parse as TOML floats; nan would pass a "< 0" test and switch a limit off.
    if (!(node->is_floating_point() || node->is_integer()) || !v || !std::isfinite(*v) || *v < 0) {
      fail(key, "must be a finite number >= 0");
    }
    out = *v;
  }
  void string(std::string_view key, std::string& out) {
    const auto* node = get(key);
    if (!node) return;
    if (!node->is_string()) fail(key, "must be a string");
    out = *node->value<std::string>();
  }
  void path(std::string_view key, std::filesystem::path& out) {
    std::string s = out.string();
    string(key, s);
    out = s;
  }
  void boolean(std::string_view key, bool& out) {
    const auto* node = get(key);
    if (!node) return;
    if (!node->is_boolean()) fail(key, "must be true or false");
    out = *node->value<bool>();
  }
  void strings(std::string_view key, std::vector<std::string>& out) {
    const auto* node = get(key);
    if (!node) return;
    const auto* arr = node->as_array();
    if (!arr) fail(key, "must be an array of strings");
    out.clear();
    for (const auto& item : *arr) {
      if (!item.is_string()) fail(key, "must be an array of strings");
      out.push_back(*item.value<std::string>());
    }
  }

  void reject_unknown_keys() const {
    if (!table_) return;
    for (const auto& [k, v] : *table_) {
      if (!seen_.contains(std::string(k.str()))) fail(k.str(), "unknown key");
    }
  }

 private:
  const toml::node* get(std::string_view key) {
    seen_.insert(std::string(key));
    return table_ ? table_->get(key) : nullptr;
  }

  const toml::table* table_ = nullptr;
  std::string name_;
  std::string origin_;
  std::set<std::string> seen_;
};

bool is_sink_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
             std::string_view::npos;
}

void read_sync(const toml::table& root, const std::string& origin, gateway_config& c) {
  table_reader sync(root, "sync", origin);
  sync.seconds_value("seal_grace_seconds", c.sealing.grace, 7 * 24 * 3600);
  sync.seconds_value("supplementary_period_seconds", c.sealing.supplementary_period, 24 * 3600);
  sync.millis_value("retry_initial_ms", c.retry.initial, 24LL * 3600 * 1000);
  sync.millis_value("retry_max_ms", c.retry.max, 7LL * 24 * 3600 * 1000);
  sync.millis_value("poll_interval_ms", c.sync_poll_interval, 3600LL * 1000);
  if (c.sync_poll_interval.count() == 0) sync.fail("poll_interval_ms", "must be at least 1");
  if (c.retry.initial.count() == 0) sync.fail("retry_initial_ms", "must be at least 1");
  std::set<std::string> names;
  const auto unique_name = [&](table_reader& t, const std::string& name) {
    if (!is_sink_name(name)) t.fail("name", "must be 1 to 64 of [A-Za-z0-9._-]");
    if (!names.insert(name).second) t.fail("name", "another sink has the name " + name);
  };
  const auto http = sync.tables("http");
  for (std::size_t i = 0; i < http.size(); ++i) {
    table_reader t(http[i], "sync.http[" + std::to_string(i) + "]", origin);
    http_sink_config h;
    t.string("name", h.name);
    t.string("url", h.url);
    t.path("secret_file", h.secret_file);
    t.seconds_value("connect_timeout_seconds", h.connect_timeout, 600);
    t.seconds_value("request_timeout_seconds", h.request_timeout, 3600);
    t.path("ca_file", h.ca_file);
    t.reject_unknown_keys();
    if (h.url.empty()) t.fail("url", "is required");
    if (h.secret_file.empty()) t.fail("secret_file", "is required (the shared HMAC secret)");
    if (h.connect_timeout.count() == 0) t.fail("connect_timeout_seconds", "must be at least 1");
    if (h.request_timeout.count() == 0) t.fail("request_timeout_seconds", "must be at least 1");
    unique_name(t, h.name);
    c.http_sinks.push_back(std::move(h));
  }
  const auto pg = sync.tables("postgresql");
  for (std::size_t i = 0; i < pg.size(); ++i) {
    table_reader t(pg[i], "sync.postgresql[" + std::to_string(i) + "]", origin);
    pg_sink_config p;
    t.string("name", p.name);
    t.string("conninfo", p.conninfo);
    t.path("conninfo_file", p.conninfo_file);
    t.string("schema", p.schema);
    t.boolean("create_tables", p.create_tables);
    t.seconds_value("connect_timeout_seconds", p.connect_timeout, 600);
    t.seconds_value("statement_timeout_seconds", p.statement_timeout, 3600);
    t.reject_unknown_keys();
    if (p.conninfo.empty() == p.conninfo_file.empty()) {
      t.fail("conninfo", "give exactly one of conninfo and conninfo_file");
    }
    unique_name(t, p.name);
    c.pg_sinks.push_back(std::move(p));
  }
  sync.reject_unknown_keys();
}

// [[<table>.keys]]: name and SHA-256 of an API key, for organizers and for projector displays.
void read_api_keys(table_reader& table, const std::string& table_name, const std::string& origin,
                   std::string_view maker, std::vector<organizer_key>& out) {
  const auto keys = table.tables("keys");
  for (std::size_t i = 0; i < keys.size(); ++i) {
    table_reader t(keys[i], table_name + ".keys[" + std::to_string(i) + "]", origin);
    organizer_key k;
    t.string("name", k.name);
    t.string("sha256", k.sha256_hex);
    t.reject_unknown_keys();
    if (k.name.empty()) t.fail("name", "is required");
    if (k.sha256_hex.size() != 64 ||
        k.sha256_hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
      t.fail("sha256", "must be 64 lower-case hex digits (checkin-gateway " + std::string(maker) +
                           " makes it)");
    }
    out.push_back(std::move(k));
  }
}

void read_organizers(const toml::table& root, const std::string& origin, gateway_config& c) {
  table_reader organizers(root, "organizers", origin);
  read_api_keys(organizers, "organizers", origin, "organizer-key", c.organizer_keys);
  organizers.reject_unknown_keys();
}

void read_display(const toml::table& root, const std::string& origin, gateway_config& c) {
  table_reader display(root, "display", origin);
  long long slot = c.display_slot_seconds.count();
  display.integer("slot_seconds", slot, 5, 3600);
  c.display_slot_seconds = seconds{slot};
  display.integer("slots_ahead", c.display_slots_ahead, 0, 100);
  read_api_keys(display, "display", origin, "display-key", c.display_keys);
  display.reject_unknown_keys();
}

}  // namespace

bool set_listen(gateway_config& c, std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const auto digits = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || port > 65535) {
    return false;
  }
  auto host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  c.listen_address = std::string(host);
  c.listen_port = static_cast<std::uint16_t>(port);
  return true;
}

gateway_config load_config(const std::filesystem::path& file, gateway_config c) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << file.string() << ":" << e.source().begin.line << ":" << e.source().begin.column
        << ": " << e.description();
    throw config_error(msg.str());
  }
  const std::string origin = file.string();
  const std::set<std::string> known_tables{"server", "storage", "meeting", "keys", "scans",
                                           "auth", "sync", "organizers", "display",
                                           "log"};
  for (const auto& [k, v] : root) {
    if (!known_tables.contains(std::string(k.str()))) {
      throw config_error(origin + ": " + std::string(k.str()) + ": unknown table");
    }
  }

  table_reader server(root, "server", origin);
  std::string listen;
  server.string("listen", listen);
  if (!listen.empty() && !set_listen(c, listen)) {
    server.fail("listen", "must look like 127.0.0.1:8080 or [::1]:8080 (port 0 to 65535)");
  }
  server.integer("threads", c.threads, 0, 256);
  server.integer("max_connections", c.limits.max_connections, 1, 1'000'000);
  server.integer("header_limit_bytes", c.limits.header_limit, 1024, 1 << 20);
  server.integer("body_limit_bytes", c.limits.body_limit, 1024, 64 << 20);
  server.seconds_value("idle_timeout_seconds", c.limits.idle_timeout, 3600);
  server.seconds_value("read_timeout_seconds", c.limits.read_timeout, 3600);
  server.seconds_value("write_timeout_seconds", c.limits.write_timeout, 3600);
  server.seconds_value("drain_timeout_seconds", c.limits.drain_timeout, 3600);
  server.number("client_rate_per_second", c.client_rate_per_second);
  server.number("client_burst", c.client_burst);
  server.reject_unknown_keys();

  table_reader storage(root, "storage", origin);
  storage.path("data_dir", c.data_dir);
  storage.integer("map_size_mib", c.map_size_mib, 1, 1 << 22);
  storage.integer("map_size_limit_mib", c.map_size_limit_mib, 1, 1 << 22);
  storage.integer("commit_max_batch", c.commit_max_batch, 1, 1 << 16);
  storage.integer("commit_gather_us", c.commit_gather_us, 0, 100'000);
  storage.reject_unknown_keys();

  table_reader meeting(root, "meeting", origin);
  meeting.path("program", c.program);
  meeting.reject_unknown_keys();

  table_reader keys(root, "keys", origin);
  std::vector<std::string> pubs;
  keys.strings("public", pubs);
  if (!pubs.empty()) c.public_keys.assign(pubs.begin(), pubs.end());
  keys.strings("retired", c.retired_keys);
  keys.path("signing", c.signing_key);
  keys.reject_unknown_keys();

  table_reader scans(root, "scans", origin);
  scans.seconds_value("slot_grace_seconds", c.scans.slot_grace, 3600);
  scans.seconds_value("clock_skew_seconds", c.scans.clock_skew, 24 * 3600);
  scans.seconds_value("upload_period_seconds", c.scans.upload_period);
  scans.seconds_value("slot_upload_period_seconds", c.scans.slot_upload_period);
  scans.integer("batch_max_items", c.batch_max_items, 1, 10'000);
  scans.integer("token_memo_entries", c.token_memo_entries, 16, 10'000'000);
  scans.number("member_rate_per_second", c.member_scan_rate_per_second);
  scans.number("member_burst", c.member_scan_burst);
  scans.reject_unknown_keys();

  table_reader auth(root, "auth", origin);
  auth.seconds_value("bearer_ttl_seconds", c.bearer_ttl);
  auth.integer("login_max_failures", c.login_max_failures, 1, 1'000'000);
  auth.seconds_value("login_failure_window_seconds", c.login_failure_window);
  auth.seconds_value("login_lockout_seconds", c.login_lockout);
  auth.integer("address_login_max_failures", c.address_login_max_failures, 1, 1'000'000);
  auth.integer("address_login_max_in_flight", c.address_login_max_in_flight, 1, 1'000'000);
  auth.integer("password_threads", c.password_threads, 0, 256);
  auth.reject_unknown_keys();

  read_sync(root, origin, c);
  read_organizers(root, origin, c);
  read_display(root, origin, c);

  table_reader log(root, "log", origin);
  log.string("level", c.log_level);
  log.boolean("access_log", c.access_log);
  log.reject_unknown_keys();
  if (auto problem = config_problem(c)) throw config_error(origin + ": " + *problem);
  return c;
}

}  // namespace checkin::gateway
