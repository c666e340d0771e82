#pragma once
// What a run found: the summary table on stdout and the same figures as JSON.

#include "loadtest/gateway_process.hpp"
#include "loadtest/gateway_queries.hpp"
#include "loadtest/load_runner.hpp"
#include "loadtest/verification.hpp"

#include <boost/json/object.hpp>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace checkin::loadtest {

// Microseconds of CPU (user + system) per answer over one phase: the managed gateway's threads
// by role and the load generator itself. The phase includes each connection's warm-up request.
struct phase_cpu {
  double gateway_io_us = 0;
  double gateway_writer_us = 0;
  double gateway_other_us = 0;
  double generator_us = 0;
  [[nodiscard]] double gateway_us() const noexcept {
    return gateway_io_us + gateway_writer_us + gateway_other_us;
  }
};
// Per answer; nullopt when nothing was answered.
[[nodiscard]] std::optional<phase_cpu> cpu_per_answer(const cpu_usage& gateway,
                                                      double generator_seconds,
                                                      std::uint64_t answers);

struct phase_summary {
  std::string name;
  unsigned connections = 0;  // established when the load started
  std::uint64_t answered = 0;
  std::uint64_t expected = 0;
  std::uint64_t unexpected = 0;
  std::uint64_t status_201 = 0;
  std::uint64_t status_200 = 0;
  std::uint64_t status_4xx = 0;
  std::uint64_t status_5xx = 0;
  std::uint64_t transport_errors = 0;
  std::uint64_t retries = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t scans_recorded = 0;
  std::uint64_t scans_duplicate = 0;
  std::uint64_t scans_rejected = 0;
  std::uint64_t scans_failed = 0;
  double elapsed_seconds = 0;
  double answers_per_second = 0;
  double recorded_per_second = 0;
  // milliseconds
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
  std::optional<phase_cpu> cpu;  // managed mode without kills
};

[[nodiscard]] phase_summary summarize(std::string name, const phase_result& r);

struct crash_summary {
  unsigned kills = 0;
  double mean_restart_ms = 0;  // SIGKILL until "listening" again
  double max_restart_ms = 0;
};

struct run_report {
  std::string label;
  std::string scenario;
  std::string gateway;  // "managed" or host:port
  double rate = 0;      // 0: max throughput
  unsigned connections = 0;
  unsigned client_threads = 0;
  unsigned gateway_threads = 0;
  unsigned cores = 0;
  std::uint32_t members = 0;
  std::uint32_t sessions = 0;
  double duration_seconds = 0;
  std::uint64_t planned_requests = 0;
  std::optional<unsigned> memo_entries;
  // Managed mode: whether the gateway held the signing key (it then checks new tokens by
  // re-signing them, ~3x cheaper than verifying) or the public key only.
  std::optional<bool> gateway_signing_key;
  std::optional<phase_summary> login;
  std::optional<phase_summary> healthz;
  phase_summary scans;
  std::optional<double> healthz_ratio;  // scan answers/s over /healthz answers/s
  std::optional<gateway_process::memory> memory;
  std::optional<gateway_counters> counters;  // during the scan phase (deltas)
  std::optional<verification> verified;
  std::optional<crash_summary> crash;
  std::vector<std::string> warnings;
  bool passed = true;
};

void print_summary(std::FILE* out, const run_report& r);
[[nodiscard]] boost::json::object to_json(const run_report& r);
// Indented JSON; throws std::runtime_error when the file cannot be written.
void write_json_file(const std::filesystem::path& file, const boost::json::value& v);

}  // namespace checkin::loadtest
