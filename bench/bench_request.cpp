// Requests handled in-process, no socket: the real gateway_app over real services (an LMDB
// store in a scratch directory, the group committer, the token memo, bearer tokens), driven
// through gateway_app::handle() on an io_context. Also the parsing in front of it: the HTTP
// message from bytes (Beast), and the JSON body into a scan_request.

// <ostream> first: Boost 1.81's beast status.ipp streams without including it.
#include <ostream>

#include "bench_support.hpp"
#include "gateway/request_parser.hpp"
#include "gateway/app.hpp"
#include "gateway/scan_request.hpp"
#include "store/group_committer.hpp"
#include "store/scan_store.hpp"
#include "tokens/rfc3339.hpp"
#include "tokens/session_token.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace checkin;
using namespace std::chrono;
namespace net = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

constexpr minutes jst{9 * 60};

gateway::gateway_config bench_config(const std::filesystem::path& data_dir) {
  gateway::gateway_config c;
  c.data_dir = data_dir;
  c.access_log = false;  // the server logs after handle(); not measured here
  // The member scan limiter stays in the path, with a budget no benchmark can exhaust.
  c.member_scan_rate_per_second = 1e9;
  c.member_scan_burst = 1e9;
  return c;
}

tokens::key_ring ring_of(const tokens::signing_key& key) {
  tokens::key_ring ring;
  ring.add(key.public_part());
  return ring;
}

store::committer_options committer_options_for(gateway::metrics& stats) {
  store::committer_options o;
  o.on_commit = [&stats](std::size_t requests, microseconds t) {  // as cmd_serve wires it
    stats.commit_batch_size.observe(static_cast<double>(requests));
    stats.commit_seconds.observe(static_cast<double>(t.count()) / 1e6);
  };
  return o;
}

// The services cmd_serve builds, in the order they must be built (and torn down in reverse:
// the app, then the committer, which commits what is queued, then the store).
struct gateway_rig {
  bench::scratch_dir dir{"checkin-bench-request"};
  tokens::meeting_program program = bench::program_in_progress(8);
  gateway::gateway_config config = bench_config(dir.path());
  store::scan_store store =
      store::scan_store::open(store::store_options{.directory = dir.path() / "store"}).value();
  tokens::signing_key key = tokens::signing_key::generate();
  tokens::key_ring ring = ring_of(key);
  gateway::token_memo memo{ring, program.qr_prefix, config.token_memo_entries};
  gateway::bearer_issuer bearer = gateway::bearer_issuer::generate();
  gateway::password_verifier passwords{gateway::cost_of(gateway::pwhash_preset::test)};
  net::thread_pool password_pool{1};
  gateway::metrics stats;
  store::group_committer committer{store, committer_options_for(stats)};
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
                                                     .sink_names = {},
                                                     .displays = displays,
                                                     .signing = &key}};
  net::io_context io;
  std::string password_hash = passwords.hash("bench-pass");
  std::uint64_t next_member = 200001;

  // `n` new active members in one commit; their numbers.
  std::vector<std::string> add_members(std::size_t n) {
    store::write_batch batch;
    std::vector<std::string> numbers;
    const auto now = floor<milliseconds>(system_clock::now());
    for (std::size_t i = 0; i < n; ++i) {
      numbers.push_back(std::to_string(next_member++));
      batch.members.push_back(store::member_record{store::member_no{numbers.back()}, "山田 太郎",
                                                   store::member_status::active, password_hash,
                                                   now});
    }
    (void)store.commit_batch(batch, now).value();
    return numbers;
  }

  // The poster token of session `index`.
  [[nodiscard]] std::string poster_qr(std::size_t index) const {
    return tokens::mint(tokens::poster_claims(program, program.sessions.at(index)), key,
                        program.qr_prefix);
  }

  // What the phone app sends for a scan: headers as a real client sets them, a scan id, and
  // the time it scanned (a second ago).
  [[nodiscard]] gateway::request scan_request(const std::string& member_no, std::string_view qr,
                                              std::uint64_t scan_number) const {
    const auto issued = floor<seconds>(system_clock::now());
    json::object body{
        {"qr", qr},
        {"scanned_at",
         tokens::format_rfc3339_ms(floor<milliseconds>(system_clock::now()) - seconds{1}, jst)},
        {"scan_id", "6f1c2a4e-9b3d-4c1a-8e7f-" + std::to_string(100000000000 + scan_number)},
        {"device_id", "ios-17.2-iPhone15,2-8F3A"},
    };
    gateway::request req{http::verb::post, "/v1/scans", 11};
    req.set(http::field::host, "checkin.example.org");
    req.set(http::field::user_agent, "JSCNM-Checkin/2.3.1 (iPhone; iOS 17.2; Scale/3.00)");
    req.set(http::field::accept, "application/json");
    req.set(http::field::accept_language, "ja-JP,ja;q=0.9");
    req.set(http::field::accept_encoding, "gzip, deflate, br");
    req.set(http::field::authorization,
            "Bearer " + bearer.issue(member_no, issued, config.bearer_ttl));
    req.set(http::field::content_type, "application/json; charset=utf-8");
    req.body().assign(json::serialize(body));
    req.prepare_payload();
    return req;
  }

  // handle() to completion: the io_context runs until the coroutine has its answer, including
  // the wait for the committer thread's completion.
  gateway::response handle(const gateway::request& req) {
    const std::string_view target = req.target();
    gateway::request_context ctx{req, "192.0.2.10", {}, target.substr(0, target.find('?')), {}, {}};
    std::optional<gateway::response> answer;
    std::exception_ptr failure;
    net::co_spawn(io, app.handle(ctx), [&](std::exception_ptr e, gateway::response r) {
      failure = e;
      if (!e) answer = std::move(r);
    });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*answer);
  }
};

// Runs `req` once outside the loop and checks the status, then handles it in the loop.
// Registered with MeasureProcessCPUTime: the CPU column then includes the committer thread's
// share of a request, not only the calling thread's.
void handle_loop(benchmark::State& state, gateway_rig& rig, const gateway::request& req,
                 http::status expected) {
  if (rig.handle(req).result() != expected) {
    state.SkipWithError("unexpected status before the loop");
    return;
  }
  for (auto _ : state) {
    auto res = rig.handle(req);
    benchmark::DoNotOptimize(res);
  }
  if (rig.handle(req).result() != expected) state.SkipWithError("unexpected status after the loop");
  state.SetItemsProcessed(state.iterations());
}

void BM_request_healthz(benchmark::State& state) {
  gateway_rig rig;
  gateway::request req{http::verb::get, "/healthz", 11};
  req.set(http::field::host, "checkin.example.org");
  req.set(http::field::user_agent, "kube-probe/1.29");
  req.set(http::field::accept, "*/*");
  handle_loop(state, rig, req, http::status::ok);
}
BENCHMARK(BM_request_healthz)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime()->MinTime(0.2);

// A member scanning a poster they already scanned: bearer check, member lookup, body parse,
// memoized token, then the committer answers the stored record (a write transaction with
// nothing to write, so no fsync).
void BM_request_scan_duplicate(benchmark::State& state) {
  gateway_rig rig;
  const auto member = rig.add_members(1).front();
  const auto req = rig.scan_request(member, rig.poster_qr(1), 0);
  if (rig.handle(req).result() != http::status::created) {
    state.SkipWithError("the first scan was not recorded");
    return;
  }
  handle_loop(state, rig, req, http::status::ok);
}
BENCHMARK(BM_request_scan_duplicate)
    ->Unit(benchmark::kMicrosecond)
    ->MeasureProcessCPUTime()
    ->MinTime(0.2);

// A scan whose token's signature does not verify. bad_signature is memoized, so after the
// first request this is the memo-hit rejection path.
void BM_request_scan_invalid_token(benchmark::State& state) {
  gateway_rig rig;
  const auto member = rig.add_members(1).front();
  std::string qr = rig.poster_qr(1);
  char& c = qr[qr.size() - 20];  // inside the signature
  c = c == 'A' ? 'B' : 'A';
  const auto req = rig.scan_request(member, qr, 0);
  handle_loop(state, rig, req, http::status::unprocessable_entity);
}
BENCHMARK(BM_request_scan_invalid_token)
    ->Unit(benchmark::kMicrosecond)
    ->MeasureProcessCPUTime()
    ->MinTime(0.2);

// A first scan: everything above plus a synced group commit of its own (one request at a time,
// so every commit holds one scan). commit_us is the committer's mean commit time, fsync included.
void BM_request_scan_new(benchmark::State& state) {
  gateway_rig rig;
  const auto n = static_cast<std::size_t>(state.max_iterations);
  const auto members = rig.add_members(n);
  const auto qr = rig.poster_qr(1);
  std::vector<gateway::request> requests;
  requests.reserve(n);
  for (std::size_t i = 0; i < n; ++i) requests.push_back(rig.scan_request(members[i], qr, i));
  const auto before = rig.committer.stats();
  std::size_t next = 0;
  for (auto _ : state) {
    auto res = rig.handle(requests[next++]);
    if (res.result() != http::status::created) {
      state.SkipWithError("a new scan was not recorded");
      break;
    }
    benchmark::DoNotOptimize(res);
  }
  const auto after = rig.committer.stats();
  if (const auto batches = after.batches - before.batches; batches > 0) {
    state.counters["commit_us"] =
        static_cast<double>((after.total_commit_latency - before.total_commit_latency).count() /
                            static_cast<std::int64_t>(batches));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_request_scan_new)->Unit(benchmark::kMicrosecond)->MinTime(0.5)->UseRealTime();

// ---- parsing only ----------------------------------------------------------------------------

std::string wire_bytes(const gateway::request& req) {
  std::ostringstream out;
  out << req;
  return out.str();
}

// The bytes of a scan request → a Beast message, with the server's header and body limits.
void BM_request_parse_http(benchmark::State& state) {
  gateway_rig rig;
  const auto member = rig.add_members(1).front();
  const std::string bytes = wire_bytes(rig.scan_request(member, rig.poster_qr(1), 0));
  const gateway::server_limits limits;
  for (auto _ : state) {
    // As the server does it: fields and body in a per-request arena.
    gateway::request_arena arena;
    const gateway::request_allocator<char> in_arena{&arena};
    gateway::request_parser parser{std::piecewise_construct, std::make_tuple(in_arena),
                                   std::make_tuple(in_arena)};
    gateway::configure_request_parser(parser, limits);
    boost::beast::error_code ec;
    std::size_t used = 0;
    while (!ec && !parser.is_done()) {
      used += parser.put(net::buffer(bytes.data() + used, bytes.size() - used), ec);
    }
    if (ec) {
      state.SkipWithError("the request does not parse");
      break;
    }
    auto req = parser.release();
    benchmark::DoNotOptimize(req);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(BM_request_parse_http)->MinTime(0.2);

// The body → scan_request, as post_scan does it (parse_json_body, then parse_scan_request).
void BM_request_parse_body(benchmark::State& state) {
  gateway_rig rig;
  const auto member = rig.add_members(1).front();
  const std::string body{rig.scan_request(member, rig.poster_qr(1), 0).body()};
  for (auto _ : state) {
    auto parsed = gateway::parse_json_body(body);
    auto* value = std::get_if<json::value>(&parsed);
    if (value == nullptr) {
      state.SkipWithError("the body does not parse");
      break;
    }
    auto scan = gateway::parse_scan_request(*value);
    benchmark::DoNotOptimize(scan);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_request_parse_body)->MinTime(0.2);

}  // namespace

BENCHMARK_MAIN();
