// checkin-gateway serve: wiring only. Configuration → services → server; on SIGTERM the
// server drains, the committer commits what is queued, and the process exits 0.
#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "gateway/app.hpp"
#include "gateway/config.hpp"
#include "gateway/fd_budget.hpp"
#include "gateway/member_import.hpp"
#include "gateway/organizer_keys.hpp"
#include "gateway/store_faults.hpp"
#include "gateway/sync/configured_sinks.hpp"
#include "gateway/sync/sync_service.hpp"
#include "tokens/rfc3339.hpp"

#include <boost/asio/thread_pool.hpp>
#include <boost/system/system_error.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <cctype>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include "tokens/posix_file.hpp"
#include <filesystem>
#include <thread>

namespace checkin::cli {
namespace {

namespace fs = std::filesystem;

struct serve_options {
  config_options files;
  std::string listen;
  std::vector<std::string> public_keys;
  unsigned threads = 0;
  bool threads_set = false;
  bool demo = false;
  bool print_config = false;
  std::string log_level;
  bool no_access_log = false;
};

gateway::gateway_config effective_config(const serve_options& o) {
  auto c = load_config(o.files);
  if (!o.listen.empty() && !gateway::set_listen(c, o.listen)) {
    throw command_failure(exit_status::usage,
                          "--listen " + o.listen + ": must look like 127.0.0.1:8080 or [::1]:8080");
  }
  if (!o.public_keys.empty()) c.public_keys.assign(o.public_keys.begin(), o.public_keys.end());
  if (o.threads_set) c.threads = o.threads;
  if (!o.log_level.empty()) c.log_level = o.log_level;
  if (o.no_access_log) c.access_log = false;
  if (c.public_keys.empty()) c.public_keys.push_back(c.data_dir / "keys" / "signing.pub");
  // The file was checked as loaded; the flags above can still bring a bad value.
  if (auto problem = gateway::config_problem(c)) {
    throw gateway::config_error("command line: " + *problem);
  }
  return c;
}

// --demo: a signing key and the demo roster, created on first start only.
void prepare_demo(const gateway::gateway_config& c, store::scan_store& store) {
  const auto key_dir = c.data_dir / "keys";
  if (!fs::exists(key_dir / "signing.key") && !fs::exists(key_dir / "signing.pub")) {
    const auto key = tokens::signing_key::generate();
    tokens::write_key_pair(key, key_dir);
    spdlog::info("demo: created signing key {} in {}", tokens::to_hex(key.id()), key_dir.string());
  }
  const auto existing = store.members(std::nullopt, 1);
  if (existing && existing->empty()) {
    auto rows = gateway::parse_roster_csv(embedded_demo_members()).value();
    const auto n = gateway::import_roster(std::move(rows), store,
                                          gateway::cost_of(gateway::pwhash_preset::interactive),
                                          std::thread::hardware_concurrency());
    spdlog::info("demo: imported {} demo members (password \"demo-pass\")", n.members);
  }
}

// --demo without [[organizers.keys]]: one organizer key, made on first start and kept in
// data/demo-organizer.key (0600), so the dashboard and projector pages work out of the box.
std::string demo_organizer_key(const fs::path& file) {
  if (fs::exists(file)) {
    auto opened = tokens::open_secret_file(file, "demo organizer key", tokens::secret_links::refuse);
    if (!opened.problem.empty()) throw std::runtime_error(opened.problem);
    std::string key(256, '\0');
    const auto used = tokens::read_up_to(opened.fd.get(), key);
    key.resize(used ? *used : 0);
    key = key.substr(0, key.find('\n'));
    if (!key.empty()) return key;
  }
  const auto key = gateway::new_organizer_key();
  fs::create_directories(file.parent_path());
  tokens::unique_fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0 || !tokens::write_all(fd.get(), key + "\n") || fd.close() != 0) {
    throw std::runtime_error(file.string() + ": cannot write the demo organizer key");
  }
  return key;
}

// [keys] signing, or the default data_dir/keys/signing.key when that file exists. A configured
// key must load, and its tokens must be ones this gateway accepts: a projector showing codes
// that every scan rejects is worse than a 503 the staff can see.
std::optional<tokens::signing_key> load_signing(const gateway::gateway_config& c,
                                                const tokens::key_ring& ring) {
  auto file = c.signing_key;
  if (file.empty()) {
    file = c.data_dir / "keys" / "signing.key";
    if (!fs::exists(file)) {
      spdlog::info("no signing key ({} is missing): the projector page and posters are off",
                   file.string());
      return std::nullopt;
    }
  }
  auto key = tokens::load_signing_key(file);
  const auto id = tokens::to_hex(key.id());
  const auto known = ring.find(key.id());
  if (!known || *known != key.public_part()) {
    throw std::runtime_error(
        "keys.signing: " + file.string() + ": key " + id +
        " is not an active key of [keys] public, so its codes would be rejected");
  }
  spdlog::info("signing key {} loaded from {}: this gateway can mint codes (projector, posters)",
               id, file.string());
  return key;
}

// Each connection is a descriptor: a cap above `ulimit -n` would leave clients unanswered in
// the backlog while accept() fails, instead of answered 503 at the cap.
void bound_connections_by_open_files(gateway::gateway_config& c, unsigned io_threads) {
  const auto limit = gateway::raise_open_file_limit();
  if (limit.raised) spdlog::info("open-file limit raised to the hard limit, {}", limit.soft);
  const auto reserved =
      gateway::reserved_descriptors(io_threads, c.http_sinks.size() + c.pg_sinks.size());
  const auto cap = gateway::cap_connections(c.limits.max_connections, limit.soft, reserved);
  if (cap.lowered) {
    spdlog::warn("server.max_connections {} lowered to {}: the open-file limit (ulimit -n) is {} "
                 "and {} descriptors are kept for the store, logs and sync; raise the limit "
                 "(e.g. LimitNOFILE= in the systemd unit) to allow more",
                 c.limits.max_connections, cap.max_connections, limit.soft, reserved);
  }
  c.limits.max_connections = cap.max_connections;
}

// The demo session to show in the start-up hints: A-0101 while its posters scan, else the first
// lecture (then any session) whose poster window is open now. The demo program is kept in the
// data folder once made, so on a later day none may be open.
const tokens::session_info* open_demo_session(const tokens::meeting_program& program) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto open = [&](const tokens::session_info& s) {
    return tokens::within_window(tokens::poster_claims(program, s), now, std::chrono::seconds{0});
  };
  if (const auto* s = program.find("A-0101"); s && open(*s)) return s;
  for (const auto& s : program.sessions) {
    if (s.kind != tokens::credit_kind::attendance && open(s)) return &s;
  }
  for (const auto& s : program.sessions) {
    if (open(s)) return &s;
  }
  return nullptr;
}

// Lines that run as pasted into a POSIX shell: the login's token is captured (sed, no jq
// needed) and used by the scan of a real poster code of a session open now.
void print_demo_help(const gateway::gateway_config& c, const tokens::meeting_program& program,
                     std::uint16_t port, const std::string& organizer_key) {
  const auto key_file = c.data_dir / "keys" / "signing.key";
  const auto* session = open_demo_session(program);
  const std::string session_id = session ? session->id : "A-0101";
  if (!session) {
    std::fprintf(stderr,
                 "\nNo session of demo meeting %s is open for scans now: its program was moved "
                 "in time once and kept in %s. Delete that file and restart to move it to now.\n",
                 program.name.c_str(), (c.data_dir / "demo-program.json").c_str());
  } else if (fs::exists(key_file)) {
    const auto qr = tokens::mint(tokens::poster_claims(program, *session),
                                 tokens::load_signing_key(key_file), program.qr_prefix);
    std::fprintf(
        stderr,
        "\nDemo meeting %s is in progress. Try (member 100001 scans the poster of %s):\n"
        "  TOKEN=$(curl -s -X POST http://127.0.0.1:%u/v1/login -H 'Content-Type: "
        "application/json' \\\n"
        "       -d '{\"member_no\":\"100001\",\"password\":\"demo-pass\"}' \\\n"
        "       | sed -E 's/.*\"token\": *\"([^\"]+)\".*/\\1/')\n"
        "  curl -s -X POST http://127.0.0.1:%u/v1/scans -H \"Authorization: Bearer $TOKEN\" \\\n"
        "       -H 'Content-Type: application/json' -d '{\"qr\":\"%s\"}'\n",
        program.name.c_str(), session_id.c_str(), port, port, qr.c_str());
  }
  std::fprintf(stderr, "Posters: build/bin/checkin-gateway poster --all --out posters/\n");
  if (organizer_key.empty()) {
    std::fprintf(stderr,
                 "Venue screens: http://127.0.0.1:%u/dashboard and /display/%s with your "
                 "organizer or display key (docs/venue-screens.md)\n\n",
                 port, session_id.c_str());
  } else {
    std::fprintf(stderr,
                 "Organizer dashboard: http://127.0.0.1:%u/dashboard#key=%s\n"
                 "Projector page:      http://127.0.0.1:%u/display/%s#key=%s\n"
                 "(demo organizer key, kept in %s)\n\n",
                 port, organizer_key.c_str(), port, session_id.c_str(), organizer_key.c_str(),
                 (c.data_dir / "demo-organizer.key").c_str());
  }
}

// A taken or forbidden address is an operator's mistake, not a crash: one line naming it.
void listen_or_fail(gateway::http_server& server, const std::string& address, std::uint16_t port) {
  try {
    server.listen(address, port);
  } catch (const boost::system::system_error& e) {
    auto why = e.code().message();
    if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    const auto where = address.find(':') == std::string::npos ? address : "[" + address + "]";
    throw command_failure(exit_status::cannot_listen,
                          "cannot listen on " + where + ":" + std::to_string(port) + ": " + why);
  }
}

int run_serve(const serve_options& o) {
  auto c = effective_config(o);
  std::string demo_key;
  if (o.demo && c.organizer_keys.empty() && !o.print_config) {
    demo_key = demo_organizer_key(c.data_dir / "demo-organizer.key");
    c.organizer_keys.push_back({"demo", gateway::organizer_key_digest(demo_key)});
  }
  if (o.print_config) {
    std::printf("%s", gateway::to_toml(c).c_str());
    return 0;
  }
  const auto crash_at = gateway::sync::crash_step_from_environment();  // test only
  // Logs go to stderr; stdout carries only the "listening <port>" line for scripts.
  spdlog::set_default_logger(spdlog::stderr_color_mt("checkin-gateway"));
  spdlog::set_level(spdlog::level::from_str(c.log_level));
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());

  // The data folder first: a demo program made now is kept in it for every later command.
  fs::create_directories(c.data_dir);
  auto program = load_program_or_demo(c.program.string(), c.data_dir);
  auto store = open_store(c.data_dir, c.map_size_mib, c.map_size_limit_mib);
  if (o.demo) prepare_demo(c, store);

  std::vector<std::string> pub_files;
  for (const auto& p : c.public_keys) pub_files.push_back(p.string());
  const auto ring = load_key_ring(pub_files, c.retired_keys);
  const auto signing = load_signing(c, ring);
  // With the signing key at hand, its codes are checked by re-signing: same answers, ~3x cheaper.
  gateway::token_memo memo(ring, program.qr_prefix, c.token_memo_entries,
                           signing ? &*signing : nullptr);
  const auto bearer = gateway::bearer_issuer::load_or_create(c.data_dir / "bearer.secret");
  const gateway::password_verifier passwords(gateway::cost_of(gateway::pwhash_preset::interactive));
  boost::asio::thread_pool password_pool(c.password_threads ? c.password_threads : cores);
  gateway::metrics stats;

  store::committer_options committer_options;
  committer_options.max_batch = c.commit_max_batch;
  committer_options.gather = std::chrono::microseconds(c.commit_gather_us);
  committer_options.on_commit = [&stats](std::size_t requests, std::chrono::microseconds t) {
    stats.commit_batch_size.observe(static_cast<double>(requests));
    stats.commit_seconds.observe(static_cast<double>(t.count()) / 1e6);
  };
  committer_options.on_outcome_change =
      [&store, file = store::scan_store::data_file(gateway::store_directory(c.data_dir))](
          std::optional<store::store_error> outcome) {
        gateway::log_commit_outcome(outcome, store.poisoned_by(), file);
      };
  store::group_committer committer(store, committer_options);

  const gateway::organizer_keys organizers(c.organizer_keys);
  const gateway::organizer_keys displays(c.display_keys);
  auto sinks = gateway::sync::configured_sinks(c);
  gateway::gateway_app app({c, program, store, committer, memo, bearer, passwords, password_pool,
                            stats, organizers, gateway::sync::configured_sink_names(c), displays,
                            signing ? &*signing : nullptr});
  bound_connections_by_open_files(c, c.threads ? c.threads : cores);
  gateway::http_server server(app, c.limits, c.threads ? c.threads : cores);
  listen_or_fail(server, c.listen_address, c.listen_port);
  spdlog::info("checkin-gateway listening on http://{}:{} ({} threads), meeting {} ({} sessions), "
               "data in {}, {} signing key(s), allocator {}",
               c.listen_address, server.port(), c.threads ? c.threads : cores, program.id,
               program.sessions.size(), c.data_dir.string(), ring.size(), allocator_in_use());
  // Machine-readable line for scripts and tests that asked for port 0.
  std::printf("listening %u\n", server.port());
  std::fflush(stdout);
  if (o.demo) print_demo_help(c, program, server.port(), demo_key);

  if (crash_at != gateway::sync::crash_step::none) {
    spdlog::warn("CHECKIN_TEST_CRASH_AT={}: this process exits at that step of sync (test only)",
                 gateway::sync::to_string(crash_at));
  }
  // Sealing and delivery run beside the server, off the I/O threads.
  if (sinks.empty()) {
    spdlog::info("sync: no sink configured; sealed batches stay in the store "
                 "(checkin-gateway sync export writes them as files)");
  }
  gateway::sync::sync_service sync(
      store, committer, program, std::move(sinks),
      gateway::sync::sync_options{.sealing = c.sealing,
                                  .retry = c.retry,
                                  .poll_interval = c.sync_poll_interval,
                                  .clock = {},
                                  .crash_at = crash_at});
  stats.add_source([&sync](std::string& out) {
    const auto& n = sync.counters();
    const auto value = [](const std::atomic<std::uint64_t>& a) {
      return static_cast<double>(a.load(std::memory_order_relaxed));
    };
    gateway::append_metric(out, "checkin_sync_batches_sealed_total",
                           "Batches sealed by this process.", "counter", value(n.batches_sealed));
    gateway::append_metric(out, "checkin_sync_delivered_total",
                           "Batch deliveries acknowledged by a sink.", "counter", value(n.delivered));
    gateway::append_metric(out, "checkin_sync_retries_total",
                           "Delivery attempts that will be retried.", "counter", value(n.retries));
    gateway::append_metric(out, "checkin_sync_failed_total",
                           "Deliveries a sink refused (parked).", "counter", value(n.failed));
  });

  server.run();
  sync.stop();  // the attempt in progress ends within its sink's timeouts
  committer.stop();
  password_pool.join();
  const auto st = committer.stats();
  spdlog::info("stopped cleanly: {} scans recorded, {} duplicates in {} commits", st.scans_recorded,
               st.scans_duplicate, st.batches);
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "serve",
      "Run the gateway: the scan API for phone apps, /healthz, /metrics, /openapi.yaml. "
      "Defaults: listen 127.0.0.1:8080, data in ./data, the embedded demo program. "
      "SIGTERM/SIGINT stop it gracefully.");
  auto o = std::make_shared<serve_options>();
  add_config_options(*cmd, o->files);
  cmd->add_option("--listen", o->listen, "Address and port, e.g. 0.0.0.0:8080 (port 0: any free port)");
  cmd->add_option("--pub", o->public_keys, "Public key file(s) accepted for QR tokens");
  cmd->add_option("--threads", o->threads, "I/O threads (default: one per core)")
      ->each([o](const std::string&) { o->threads_set = true; });
  cmd->add_flag("--demo", o->demo,
                "Create a signing key and the demo roster on first start (password demo-pass)");
  cmd->add_flag("--print-config", o->print_config, "Print the effective configuration and exit");
  cmd->add_option("--log-level", o->log_level, "trace, debug, info, warn, error");
  cmd->add_flag("--no-access-log", o->no_access_log, "Do not log one line per request");
  cmd->callback([o] {
    const int rc = run_serve(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace checkin::cli
