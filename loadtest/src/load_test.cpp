#include "loadtest/load_test.hpp"

#include "loadtest/gateway_queries.hpp"
#include "loadtest/managed_gateway.hpp"
#include "loadtest/meeting_setup.hpp"
#include "loadtest/report.hpp"
#include "loadtest/request_sources.hpp"
#include "loadtest/scenario.hpp"
#include "loadtest/session_tokens.hpp"
#include "tokens/rfc3339.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <thread>

namespace checkin::loadtest {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;
using steady = steady_clock;

struct gateway_under_test {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::unique_ptr<managed_gateway> managed;
  tokens::meeting_program program;
  std::optional<tokens::signing_key> loaded_key;  // --target
  const tokens::signing_key* key = nullptr;
  std::string organizer_key;
};

fs::path default_gateway_binary() {
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path("checkin-gateway") : self.parent_path() / "checkin-gateway";
}

std::uint64_t ephemeral_ports() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  std::uint64_t low = 0;
  std::uint64_t high = 0;
  in >> low >> high;
  return high > low ? high - low + 1 : 0;
}

// Every connection needs a descriptor here and one in the gateway (which inherits the limit).
void check_capacity(const load_options& o) {
  const auto limit = raise_open_file_limit();
  const std::uint64_t needed = std::uint64_t{o.connections} + 256;
  if (limit < needed) {
    throw std::runtime_error("cannot hold " + std::to_string(o.connections) +
                             " connections: the open-file limit (RLIMIT_NOFILE, hard) is " +
                             std::to_string(limit) + " and " + std::to_string(needed) +
                             " are needed. Raise it (ulimit -Hn, or nofile in "
                             "/etc/security/limits.conf) or use fewer connections.");
  }
  const auto ports = ephemeral_ports();
  if (ports != 0 && ports < std::uint64_t{o.connections} + 1024) {
    throw std::runtime_error("cannot open " + std::to_string(o.connections) +
                             " connections to one address: only " + std::to_string(ports) +
                             " local ports (net.ipv4.ip_local_port_range)");
  }
}

gateway_under_test prepare_gateway(const load_options& o, const scenario_shape& shape) {
  gateway_under_test g;
  if (o.target.empty()) {
    managed_settings s;
    s.gateway_binary =
        o.gateway_binary.empty() ? default_gateway_binary() : fs::path(o.gateway_binary);
    s.work_parent = o.work_dir.empty() ? fs::temp_directory_path() : fs::path(o.work_dir);
    s.members = shape.members;
    s.first_member = o.first_member;
    s.sessions = shape.sessions;
    s.password = o.password;
    s.max_connections = std::max(20'000u, o.connections + 1024);
    if (o.memo_entries >= 0) {
      s.token_memo_entries = static_cast<unsigned>(o.memo_entries);
    } else if (shape.kind == scenario_kind::distinct) {
      s.token_memo_entries = 16;  // the smallest memo the gateway accepts
    }
    s.gateway_threads = o.gateway_threads;
    if (o.commit_gather_us >= 0) s.commit_gather_us = static_cast<unsigned>(o.commit_gather_us);
    s.public_key_only = o.public_key_only;
    s.keep = o.keep;
    if (!fs::exists(s.gateway_binary)) {
      throw std::runtime_error(s.gateway_binary.string() + " not found (use --gateway PATH)");
    }
    std::fprintf(stderr, "setting up %u members and %u sessions in %s ...\n", s.members, s.sessions,
                 s.work_parent.c_str());
    g.managed = std::make_unique<managed_gateway>(s);
    g.port = g.managed->start();
    g.program = g.managed->program();
    g.key = &g.managed->key();
    g.organizer_key = g.managed->organizer_key();
    if (o.keep) std::fprintf(stderr, "data folder: %s\n", g.managed->dir().c_str());
    return g;
  }
  const auto colon = o.target.rfind(':');
  if (colon == std::string::npos || o.program_file.empty() || o.key_file.empty()) {
    throw std::runtime_error("--target needs host:port, --program FILE and --key FILE");
  }
  g.host = o.target.substr(0, colon);
  g.port = static_cast<std::uint16_t>(std::stoul(o.target.substr(colon + 1)));
  g.program = tokens::load_program(o.program_file);
  g.loaded_key.emplace(tokens::load_signing_key(o.key_file));
  g.key = &*g.loaded_key;
  g.organizer_key = o.organizer_key;
  return g;
}

// The program sessions whose poster window covers the whole run.
std::vector<const tokens::session_info*> usable_sessions(const tokens::meeting_program& p,
                                                         std::uint32_t wanted, seconds run_length) {
  const auto now = floor<seconds>(system_clock::now());
  std::vector<const tokens::session_info*> out;
  for (const auto& s : p.sessions) {
    const auto claims = tokens::poster_claims(p, s);
    if (claims.valid_from <= now - minutes{1} && claims.valid_until > now + run_length) {
      out.push_back(&s);
    }
    if (out.size() == wanted) break;
  }
  return out;
}

std::uint64_t planned_requests(const load_options& o, const scenario_shape& shape) {
  const auto capacity = plan_capacity(shape);
  if (o.requests > 0) return std::min(o.requests, capacity);
  if (shape.kind != scenario_kind::distinct) return capacity;
  // Distinct tokens are minted beforehand, so mint only what the run can use.
  const double per_second = o.rate > 0 ? o.rate * 1.02 : 40'000.0;
  return std::min<std::uint64_t>(
      capacity, static_cast<std::uint64_t>(per_second * o.duration_seconds) + o.connections);
}

phase_options base_phase(const load_options& o, const gateway_under_test& g) {
  phase_options p;
  p.host = g.host;
  p.port = g.port;
  p.connections = o.connections;
  p.threads = o.threads;
  p.request_timeout = milliseconds{static_cast<std::int64_t>(o.request_timeout_seconds * 1000)};
  p.connect_timeout = seconds{60};
  return p;
}

// Crash mode kills and restarts the gateway at even intervals; every run samples its memory.
struct alongside_load {
  unsigned kills = 0;
  milliseconds duration{0};
  gateway_under_test& g;
  std::vector<double> restart_ms;
  std::optional<gateway_process::memory> peak;
  std::vector<std::string> problems;

  void sample() {
    if (!g.managed) return;
    const auto m = g.managed->process().memory_usage();
    if (!m) return;
    const std::uint64_t hwm = m->peak_kib;               // VmHWM of the current process
    if (!peak || m->rss_kib >= peak->rss_kib) peak = m;  // the largest sample, with its parts
    peak->peak_kib = hwm;
  }

  void operator()() {
    const auto start = steady::now();
    const auto interval = duration / (kills + 1);
    unsigned done = 0;
    while (steady::now() < start + duration) {
      std::this_thread::sleep_for(milliseconds{100});
      sample();
      if (done < kills && steady::now() >= start + interval * (done + 1)) {
        try {
          restart_ms.push_back(static_cast<double>(g.managed->kill_and_restart().count()));
        } catch (const std::exception& e) {
          problems.push_back(std::string("restart failed: ") + e.what());
          try {
            g.managed->start();
          } catch (const std::exception&) {
          }
        }
        ++done;
      }
    }
  }
};

void verify_run(const load_options& o, const gateway_under_test& g,
                const std::vector<const tokens::session_info*>& sessions, const phase_result& scans,
                run_report& report) {
  if (g.organizer_key.empty()) {
    report.warnings.push_back("no --organizer-key: cannot fetch the attendance export to verify");
    report.passed = false;
    return;
  }
  std::vector<std::string> ids;
  for (const auto* s : sessions) ids.push_back(s->id);
  std::fprintf(stderr, "verifying against the attendance export of %zu sessions ...\n", ids.size());
  const auto exported = fetch_attendance(g.host, g.port, g.organizer_key, ids, o.first_member,
                                         static_cast<std::uint32_t>(o.members));
  report.verified = verify_acknowledged(scans.tally.acknowledged, exported, o.members);
  if (!report.verified->ok()) report.passed = false;
}

// Every member logs in once; their bearer tokens go into the roster.
member_roster log_in(const load_options& o, const gateway_under_test& g,
                     const scenario_shape& shape, run_report& report) {
  member_roster roster;
  roster.password = o.password;
  for (std::uint32_t i = 0; i < shape.members; ++i) {
    roster.member_no.push_back(member_no_of(o.first_member, i));
  }
  roster.bearer.resize(shape.members);
  std::fprintf(stderr, "logging in %u members ...\n", shape.members);
  auto p = base_phase(o, g);
  // Logins are bound by password hashing on the gateway's pool: 64 connections keep it busy.
  // (One address may have up to [auth] address_login_max_in_flight logins checked at once.)
  p.connections = std::min(o.connections, 64u);
  p.duration = hours{1};
  login_requests logins(roster);
  report.login = summarize("login", run_phase(p, logins));
  const auto& l = *report.login;
  if (l.expected != shape.members) {
    throw std::runtime_error(
        std::to_string(shape.members - l.expected) + " of " + std::to_string(shape.members) +
        " members could not log in (" + std::to_string(l.status_4xx) + " answered 4xx, " +
        std::to_string(l.status_5xx) + " 5xx, " + std::to_string(l.transport_errors) +
        " failed on the wire; wrong --password, or members missing from the roster?)");
  }
  return roster;
}

// CPU used during one phase, by the managed gateway's threads and by this process.
struct cpu_meter {
  std::optional<cpu_usage> gateway_before;
  double generator_before = own_cpu_seconds();

  explicit cpu_meter(const gateway_under_test& g)
      : gateway_before(g.managed ? g.managed->process().cpu() : std::nullopt) {}

  // Per answer; nullopt for a gateway this process does not manage (or one it restarted).
  std::optional<phase_cpu> per_answer(const gateway_under_test& g, std::uint64_t answers) const {
    if (!gateway_before) return std::nullopt;
    const auto after = g.managed->process().cpu();
    if (!after) return std::nullopt;
    return cpu_per_answer(*after - *gateway_before, own_cpu_seconds() - generator_before,
                          answers);
  }
};

// The bare HTTP path of the same server, same connections, before the scans.
void measure_healthz(const load_options& o, const gateway_under_test& g, run_report& report) {
  const double seconds = o.healthz_seconds < 0 ? o.duration_seconds : o.healthz_seconds;
  if (seconds <= 0) return;
  std::fprintf(stderr, "GET /healthz for %.0f s on %u connections ...\n", seconds, o.connections);
  auto p = base_phase(o, g);
  p.duration = milliseconds{static_cast<std::int64_t>(seconds * 1000)};
  const healthz_requests healthz;
  const cpu_meter cpu(g);
  report.healthz = summarize("healthz", run_phase(p, healthz));
  report.healthz->cpu = cpu.per_answer(g, report.healthz->answered);
}

void summarize_crash(alongside_load& side, unsigned kills_wanted, run_report& report) {
  crash_summary c;
  c.kills = static_cast<unsigned>(side.restart_ms.size());
  for (const double ms : side.restart_ms) {
    c.mean_restart_ms += ms / static_cast<double>(side.restart_ms.size());
    c.max_restart_ms = std::max(c.max_restart_ms, ms);
  }
  report.crash = c;
  for (auto& problem : side.problems) report.warnings.push_back(std::move(problem));
  if (c.kills < kills_wanted) {
    report.warnings.push_back("only " + std::to_string(c.kills) + " of " +
                              std::to_string(kills_wanted) + " kills happened");
    report.passed = false;
  }
}

// Answers the scenario does not expect fail the run; the rest are warnings.
void judge(const load_options& o, const phase_result& result, run_report& report) {
  if (report.scans.unexpected > 0) {
    report.warnings.push_back(std::to_string(report.scans.unexpected) +
                              " answers the scenario does not expect");
    report.passed = false;
  }
  if (report.scans.connections < o.connections) {
    report.warnings.push_back("only " + std::to_string(report.scans.connections) + " of " +
                              std::to_string(o.connections) +
                              " connections opened: " + result.connect_error);
  }
  if (o.kills == 0 && report.scans.transport_errors > 0) {
    report.warnings.push_back(std::to_string(report.scans.transport_errors) +
                              " requests failed on the wire (reset, timeout)");
  }
}

int run(const load_options& o) {
  const auto kind = scenario_from_string(o.scenario);
  if (!kind) throw std::runtime_error("unknown scenario " + o.scenario);
  if (o.kills > 0 && !o.target.empty()) throw std::runtime_error("--kills needs a managed gateway");
  check_capacity(o);
  const auto run_length = seconds{static_cast<std::int64_t>(o.duration_seconds) + 600};

  scenario_shape shape{*kind,
                       o.members,
                       o.sessions,
                       o.batch_size,
                       o.repeats,
                       o.invalid_token_permille,
                       o.bad_bearer_permille,
                       o.bad_login_permille};
  if (const auto problem = check_shape(shape)) throw std::runtime_error(*problem);
  auto g = prepare_gateway(o, shape);
  const auto sessions = usable_sessions(g.program, o.sessions, run_length);
  if (sessions.empty())
    throw std::runtime_error("no session of the program is open for the whole run");
  shape.sessions = static_cast<std::uint32_t>(sessions.size());
  if (const auto problem = check_shape(shape)) throw std::runtime_error(*problem);

  run_report report;
  report.label = o.label;
  report.scenario = o.scenario;
  report.gateway = g.managed ? "managed" : o.target;
  report.rate = o.rate;
  report.connections = o.connections;
  report.client_threads = o.threads;
  report.gateway_threads = o.gateway_threads;
  report.cores = std::thread::hardware_concurrency();
  report.members = shape.members;
  report.sessions = shape.sessions;
  report.duration_seconds = o.duration_seconds;
  report.planned_requests = planned_requests(o, shape);
  if (g.managed) report.gateway_signing_key = !o.public_key_only;
  if (g.managed && (o.memo_entries >= 0 || shape.kind == scenario_kind::distinct)) {
    report.memo_entries = o.memo_entries >= 0 ? static_cast<unsigned>(o.memo_entries) : 16u;
  }

  // Tokens are minted before any load: signing during the run would compete with the gateway.
  auto tokens = mint_session_tokens(g.program, sessions, *g.key);
  if (shape.kind == scenario_kind::distinct) {
    std::fprintf(stderr, "minting %llu distinct tokens ...\n",
                 static_cast<unsigned long long>(report.planned_requests));
    mint_distinct_tokens(tokens, g.program, sessions, *g.key, shape, report.planned_requests,
                         std::max(1u, std::thread::hardware_concurrency()));
  }

  auto roster = log_in(o, g, shape, report);
  measure_healthz(o, g, report);

  const auto before = o.kills == 0 ? fetch_counters(g.host, g.port) : std::nullopt;
  const auto scanned_at = tokens::format_rfc3339_ms(
      floor<milliseconds>(system_clock::now()) - seconds{60}, g.program.utc_offset);
  const scan_requests scans(shape, report.planned_requests, tokens, roster, scanned_at);
  auto p = base_phase(o, g);
  p.rate = o.rate;
  p.duration = milliseconds{static_cast<std::int64_t>(o.duration_seconds * 1000)};
  p.failures = o.kills > 0 ? failure_policy::retry : failure_policy::count;
  alongside_load side{o.kills, p.duration, g, {}, {}, {}};
  std::fprintf(stderr, "scenario %s for %.0f s on %u connections, %u SIGKILLs ...\n",
               o.scenario.c_str(), o.duration_seconds, o.connections, o.kills);
  const std::optional<cpu_meter> cpu =
      o.kills == 0 ? std::optional<cpu_meter>(std::in_place, g) : std::nullopt;
  const auto result = run_phase(p, scans, [&side] { side(); });
  report.scans = summarize("scans", result);
  if (cpu) report.scans.cpu = cpu->per_answer(g, report.scans.answered);
  report.memory = side.peak;
  if (report.healthz && report.healthz->answers_per_second > 0) {
    report.healthz_ratio = report.scans.answers_per_second / report.healthz->answers_per_second;
  }
  if (const auto after = before ? fetch_counters(g.host, g.port) : std::nullopt; after) {
    report.counters = gateway_counters{after->memo_hits - before->memo_hits,
                                       after->memo_misses - before->memo_misses,
                                       after->scans_recorded - before->scans_recorded,
                                       after->scans_duplicate - before->scans_duplicate,
                                       after->commits - before->commits,
                                       after->commit_items - before->commit_items,
                                       after->commit_seconds - before->commit_seconds};
  }
  if (o.kills > 0) summarize_crash(side, o.kills, report);
  if (o.verify || o.kills > 0) verify_run(o, g, sessions, result, report);
  judge(o, result, report);
  if (g.managed) {
    const int rc = g.managed->stop();
    if (rc != 0) report.warnings.push_back("the gateway exited with " + std::to_string(rc));
  }

  print_summary(stdout, report);
  if (!o.json_file.empty()) write_json_file(o.json_file, to_json(report));
  return report.passed ? 0 : 1;
}

}  // namespace

int run_load_test(const load_options& options) {
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "checkin-loadtest: %s\n", e.what());
    return 2;
  }
}

}  // namespace checkin::loadtest
