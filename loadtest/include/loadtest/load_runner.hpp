#pragma once
// One phase of load: C keep-alive connections spread over T threads (one io_context each),
// every connection an Asio C++20 coroutine that sends requests drawn from a request_source.
//
// Open loop (rate > 0): connection c sends its k-th request at t0 + (k*C + c)/rate whether or
// not earlier answers were slow, and latency is measured from that intended time, so a stalled
// server cannot hide its stall (no coordinated omission). Max throughput (rate == 0): every
// connection sends its next request as soon as the previous answer arrived.

#include "loadtest/latency_histogram.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace checkin::loadtest {

// A (member, session) pair the gateway acknowledged: 201 recorded or 200 duplicate.
struct acknowledged_scan {
  std::uint32_t member = 0;
  std::uint32_t session = 0;
  std::uint16_t status = 0;
};

// What one thread counts during a phase; the threads' tallies are merged afterwards.
struct phase_tally {
  latency_histogram latency;  // answered requests, from intended send time
  std::array<std::uint64_t, 600> by_status{};
  std::uint64_t sent = 0;  // requests written, retries included
  std::uint64_t answered = 0;
  std::uint64_t expected = 0;  // answers the scenario expects
  std::uint64_t unexpected = 0;
  std::uint64_t transport_errors = 0;  // refused, reset, timed out, malformed answer
  std::uint64_t retries = 0;
  std::uint64_t abandoned = 0;       // never answered before the phase ended
  std::uint64_t scans_recorded = 0;  // single scans and batch items
  std::uint64_t scans_duplicate = 0;
  std::uint64_t scans_rejected = 0;
  std::uint64_t scans_failed = 0;
  std::vector<acknowledged_scan> acknowledged;

  void merge(phase_tally&& other);
  [[nodiscard]] std::uint64_t status_class(unsigned hundreds) const noexcept;  // 2 → 2xx
};

enum class verdict { expected, unexpected, retry };

// The requests of a phase. Implementations are immutable while the phase runs except for
// per-index outputs, so several threads may call them at once for different indices.
class request_source {
 public:
  virtual ~request_source() = default;
  // Requests available; a phase ends when they are used up, or at its duration.
  [[nodiscard]] virtual std::uint64_t size() const noexcept = 0;
  // Appends request `index` (bytes on the wire) to `out`.
  virtual void write(std::uint64_t index, std::string& out) const = 0;
  // Judges the answer to request `index`, counting scans into `tally`. `retry` asks for the
  // request to be sent again (a 503), honoured only by phases that retry.
  virtual verdict judge(std::uint64_t index, unsigned status, std::string_view body,
                        phase_tally& tally) const = 0;
};

// What happens to a request whose connection failed before it was answered.
enum class failure_policy {
  count,  // count a transport error and go on with the next request
  retry,  // reconnect and send it again until answered (crash mode)
};

struct phase_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  unsigned connections = 1;
  unsigned threads = 1;
  double rate = 0;  // requests per second over all connections; 0 = max throughput
  std::chrono::milliseconds duration{10'000};
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds connect_timeout{30'000};
  // After `duration`: how long answers and retries may still take before they are abandoned.
  std::chrono::milliseconds drain_timeout{15'000};
  failure_policy failures = failure_policy::count;
};

struct phase_result {
  phase_tally tally;
  double elapsed_seconds = 0;  // from the start to the last answer
  unsigned connected = 0;      // connections open when the load started
  std::string connect_error;   // the last connect failure, if any
};

// Connects everything (each connection's first GET /healthz answered, outside the figures),
// starts all connections together, runs until the duration is over or
// the source is used up, and waits for the answers. `alongside` runs on the calling thread
// once the load has started (crash mode kills and restarts the gateway there).
[[nodiscard]] phase_result run_phase(const phase_options& options, const request_source& source,
                                     const std::function<void()>& alongside = {});

}  // namespace checkin::loadtest
