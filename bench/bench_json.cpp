// JSON on the wire (Boost.JSON): a scan request, the scan answer the gateway writes
// (scan_answer_json; and the DOM way, scan_view + serialize, as batch answers still build each
// item) and the app reads back, a 500-item offline batch request, and the
// sync batch body (gateway/sync/batch_json.hpp) for a 2,000-entry session.

#include "bench_support.hpp"
#include "gateway/scan_request.hpp"
#include "gateway/sync/batch_json.hpp"
#include "store/scan_resolution.hpp"
#include "tokens/rfc3339.hpp"
#include "tokens/session_token.hpp"

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace checkin;
namespace json = boost::json;
using namespace std::chrono;

constexpr minutes jst{9 * 60};

// The texts and records every benchmark below starts from, built once.
struct json_setup {
  tokens::meeting_program program = bench::program_in_progress(8);
  std::vector<std::string> qr;  // one poster token per session
  std::string scan_request;     // POST /v1/scans body
  std::string batch_request;    // POST /v1/scans/batch body, 500 scans
  store::scan_outcome outcome;  // what the store answered for the scan
  std::string scan_answer;      // the answer's body
  store::sealed_batch sealed;   // 2,000 entries

  json_setup() {
    const auto key = tokens::signing_key::generate();
    for (const auto& s : program.sessions) {
      qr.push_back(tokens::mint(tokens::poster_claims(program, s), key, program.qr_prefix));
    }
    const auto now = floor<milliseconds>(system_clock::now());
    scan_request = json::serialize(scan_body(0, now));

    json::array scans;
    for (std::size_t i = 0; i < 500; ++i)
      scans.push_back(scan_body(i, now - minutes{static_cast<minutes::rep>(i)}));
    batch_request = json::serialize(json::object{{"scans", std::move(scans)}});

    outcome.status = store::scan_status::recorded;
    outcome.record = record(100001, now, 42);
    scan_answer = json::serialize(answer_of(outcome));

    auto& h = sealed.header;
    h.number = 7;
    h.batch_id = "JSCNM2026/S002/1";
    h.meeting_id = program.id;
    h.meeting_name = program.name;
    h.session_id = program.sessions[1].id;
    h.session_title = program.sessions[1].title;
    h.session_starts_at = program.sessions[1].starts_at;
    h.session_ends_at = program.sessions[1].ends_at;
    h.kind = tokens::credit_kind::education;
    h.units = tokens::credit_units{150};
    h.sealed_at = now;
    h.entry_count = 2000;
    h.first_sequence = 1;
    h.last_sequence = 2000;
    for (std::uint64_t i = 0; i < 2000; ++i) {
      sealed.entries.push_back(
          record(100001 + i, now - seconds{static_cast<seconds::rep>(i)}, i + 1));
    }
  }

  [[nodiscard]] json::object scan_body(std::size_t i, store::unix_millis at) const {
    return json::object{
        {"qr", qr[i % qr.size()]},
        {"scanned_at", tokens::format_rfc3339_ms(at, jst)},
        {"scan_id", "6f1c2a4e-9b3d-4c1a-8e7f-" + std::to_string(100000000000 + i)},
        {"device_id", "ios-17.2-iPhone15,2-8F3A"},
    };
  }

  [[nodiscard]] store::scan_record record(std::uint64_t member, store::unix_millis at,
                                          std::uint64_t sequence) const {
    store::scan_record r;
    r.member = store::member_no{std::to_string(member)};
    r.meeting_id = program.id;
    r.session_id = program.sessions[1].id;
    r.kind = tokens::credit_kind::education;
    r.units = tokens::credit_units{150};
    r.key = tokens::key_id{0x1a2b3c4d};
    r.scanned_at = at;
    r.recorded_at = at + milliseconds{180};
    r.scan_id = "6f1c2a4e-9b3d-4c1a-8e7f-2d5b9a0c3e41";
    r.device_id = "ios-17.2-iPhone15,2-8F3A";
    r.sequence = sequence;
    return r;
  }

  // What POST /v1/scans answers: the scan view plus its status.
  [[nodiscard]] json::object answer_of(const store::scan_outcome& o) const {
    auto view = gateway::scan_view(o.record, program);
    view.emplace("status", store::to_string(o.status));
    return view;
  }
};

const json_setup& setup() {
  static const json_setup s;
  return s;
}

void parse_loop(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    auto v = json::parse(text);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

void serialize_loop(benchmark::State& state, const std::string& text) {
  const auto value = json::parse(text);
  for (auto _ : state) {
    auto out = json::serialize(value);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

void BM_json_scan_request_parse(benchmark::State& state) {
  parse_loop(state, setup().scan_request);
}
BENCHMARK(BM_json_scan_request_parse)->MinTime(0.2);

void BM_json_scan_request_serialize(benchmark::State& state) {
  serialize_loop(state, setup().scan_request);
}
BENCHMARK(BM_json_scan_request_serialize)->MinTime(0.2);

// The gateway's side of POST /v1/scans: the answer's text written straight from the record.
void BM_json_scan_answer_write(benchmark::State& state) {
  const auto& s = setup();
  for (auto _ : state) {
    auto out =
        gateway::scan_answer_json(s.outcome.record, s.program, store::to_string(s.outcome.status));
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.scan_answer.size()));
}
BENCHMARK(BM_json_scan_answer_write)->MinTime(0.2);

// The same answer the DOM way (each item of a batch answer): build the object, then write it.
void BM_json_scan_answer_encode(benchmark::State& state) {
  const auto& s = setup();
  for (auto _ : state) {
    auto out = json::serialize(s.answer_of(s.outcome));
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.scan_answer.size()));
}
BENCHMARK(BM_json_scan_answer_encode)->MinTime(0.2);

void BM_json_scan_answer_parse(benchmark::State& state) { parse_loop(state, setup().scan_answer); }
BENCHMARK(BM_json_scan_answer_parse)->MinTime(0.2);

void BM_json_batch_request_500_parse(benchmark::State& state) {
  parse_loop(state, setup().batch_request);
  state.counters["scans"] = 500;
}
BENCHMARK(BM_json_batch_request_500_parse)->Unit(benchmark::kMicrosecond)->MinTime(0.2);

void BM_json_batch_request_500_serialize(benchmark::State& state) {
  serialize_loop(state, setup().batch_request);
  state.counters["scans"] = 500;
}
BENCHMARK(BM_json_batch_request_500_serialize)->Unit(benchmark::kMicrosecond)->MinTime(0.2);

// The webhook body / export file of a sealed batch.
void BM_json_sync_batch_2000_encode(benchmark::State& state) {
  const auto& s = setup();
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto out = gateway::sync::batch_to_json(s.sealed);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
  state.counters["entries"] = 2000;
}
BENCHMARK(BM_json_sync_batch_2000_encode)->Unit(benchmark::kMicrosecond)->MinTime(0.2);

// The membership system's side: reading the same body.
void BM_json_sync_batch_2000_parse(benchmark::State& state) {
  static const std::string body = gateway::sync::batch_to_json(setup().sealed);
  parse_loop(state, body);
  state.counters["entries"] = 2000;
}
BENCHMARK(BM_json_sync_batch_2000_parse)->Unit(benchmark::kMicrosecond)->MinTime(0.2);

}  // namespace

BENCHMARK_MAIN();
