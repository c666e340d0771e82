#include "fuzz_http_rig.hpp"

#include "fuzz_keys.hpp"

#include "gateway/bearer_token.hpp"
#include "gateway/member_import.hpp"
#include "gateway/organizer_keys.hpp"
#include "gateway/roster_csv.hpp"
#include "store/group_committer.hpp"
#include "store/scan_store.hpp"
#include "tokens/key_ring.hpp"
#include "tokens/program.hpp"
#include "tokens/rfc3339.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <system_error>

namespace checkin::fuzz {
namespace detail {
extern const std::string_view demo_program_json;  // gateway/demo/, embedded by CMake
extern const std::string_view demo_members_csv;
}  // namespace detail
namespace {

namespace net = boost::asio;
using namespace std::chrono;

std::filesystem::path make_scratch_dir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "checkin-fuzz-http-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

tokens::meeting_program fuzz_program() {
  // The demo program as it is written (not moved to now, unlike serve --demo), plus FUZZ-OPEN.
  auto p = tokens::parse_program(detail::demo_program_json, "<embedded demo program>");
  tokens::session_info open;
  open.id = "FUZZ-OPEN";
  open.title = "Fuzz session (always open)";
  open.room = "Room 0";
  open.starts_at = tokens::parse_rfc3339("2026-01-01T00:00:00+09:00")->utc;
  open.ends_at = tokens::parse_rfc3339("2099-01-01T00:00:00+09:00")->utc;
  open.kind = tokens::credit_kind::education;
  open.units = tokens::credit_units{150};
  p.sessions.push_back(open);
  p.index_sessions();
  return p;
}

gateway::gateway_config fuzz_config(const std::filesystem::path& dir) {
  gateway::gateway_config c;
  c.data_dir = dir;
  c.access_log = false;
  c.member_scan_rate_per_second = 1e9;
  c.member_scan_burst = 1e9;
  c.client_rate_per_second = 1e9;
  c.client_burst = 1e9;
  c.login_max_failures = 1'000'000;
  c.address_login_max_failures = 1'000'000;
  c.login_failure_window = seconds{1};
  c.login_lockout = seconds{1};
  c.organizer_keys.push_back({"fuzz", gateway::organizer_key_digest(fuzz_organizer_key)});
  c.display_keys.push_back({"fuzz-display", gateway::organizer_key_digest(fuzz_display_key)});
  return c;
}

tokens::key_ring fuzz_ring(const tokens::signing_key& key) {
  tokens::key_ring ring;
  ring.add(key.public_part());
  ring.add(fuzz_retired_key().public_part(), tokens::key_status::retired);
  return ring;
}

}  // namespace

// In cmd_serve's order (and torn down in reverse: the app, then the committer, which commits
// what is queued, then the store).
struct http_rig::services {
  explicit services(const std::filesystem::path& dir) : config(fuzz_config(dir)) {
    auto rows = gateway::parse_roster_csv(detail::demo_members_csv).value();
    (void)gateway::import_roster(std::move(rows), store, passwords.cost(), 1);
  }

  gateway::gateway_config config;
  tokens::meeting_program program = fuzz_program();
  store::scan_store store =
      store::scan_store::open(store::store_options{.directory = config.data_dir / "db",
                                                   .map_size = 64ull << 20,
                                                   .map_size_limit = 1ull << 30})
          .value();
  tokens::signing_key key = fuzz_signing_key();
  tokens::key_ring ring = fuzz_ring(key);
  gateway::token_memo memo{ring, program.qr_prefix, config.token_memo_entries, &key};
  gateway::bearer_issuer bearer = gateway::bearer_issuer::from_secret(fuzz_bearer_secret());
  gateway::password_verifier passwords{gateway::cost_of(gateway::pwhash_preset::test)};
  net::thread_pool password_pool{1};
  gateway::metrics stats;
  store::group_committer committer{store, store::committer_options{}};
  gateway::organizer_keys organizers{config.organizer_keys};
  gateway::organizer_keys displays{config.display_keys};
  gateway::gateway_app app{gateway::gateway_services{.config = config,
                                                     .program = program,
                                                     .store = store,
                                                     .committer = committer,
                                                     .memo = memo,
                                                     .bearer = bearer,
                                                     .passwords = passwords,
                                                     .password_pool = password_pool,
                                                     .stats = stats,
                                                     .organizers = organizers,
                                                     .sink_names = {"fuzz-sink"},
                                                     .displays = displays,
                                                     .signing = &key}};
  net::io_context io{1};
};

http_rig& http_rig::instance() {
  static http_rig rig;
  return rig;
}

http_rig::http_rig()
    : dir_(make_scratch_dir()),
      s_(std::make_unique<services>(dir_)),
      config(s_->config),
      app(s_->app) {
  // Requests that throw are logged by the server, not here; the fuzzer's output stays readable.
  spdlog::set_level(spdlog::level::off);
}

http_rig::~http_rig() {
  s_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

http_rig::outcome http_rig::handle(gateway::request_context& ctx) {
  outcome out;
  auto& io = s_->io;
  // The guard keeps run() going while the answer waits on another thread (committer, pool).
  auto guard = net::make_work_guard(io);
  net::co_spawn(io, app.handle(ctx), [&](std::exception_ptr e, gateway::response r) {
    guard.reset();
    if (!e) {
      out.answer = std::move(r);
      return;
    }
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      out.failure = x.what();
    } catch (...) {
      out.failure = "a non-standard exception";
    }
  });
  io.restart();
  io.run();
  return out;
}

}  // namespace checkin::fuzz
