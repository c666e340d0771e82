#pragma once
// Prometheus counters and histograms for /metrics. Counters and histograms are atomics;
// the per-(route, status) and per-reason tables take a short mutex.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>
#include <mutex>
#include <map>
#include <string>
#include <string_view>

namespace checkin::gateway {

// Cumulative histogram with fixed upper bounds.
class histogram {
 public:
  explicit histogram(std::initializer_list<double> bounds);
  void observe(double v) noexcept;
  // Appends the Prometheus text lines for `name` (with optional extra labels).
  void render(std::string& out, std::string_view name, std::string_view help) const;

 private:
  std::array<double, 16> bounds_{};
  std::size_t count_bounds_ = 0;
  std::array<std::atomic<std::uint64_t>, 17> buckets_{};  // last: +Inf
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micros_{0};  // sum in millionths of the unit
};

class metrics {
 public:
  metrics();

  void count_request(std::string_view route, unsigned status,
                     std::chrono::microseconds latency);
  void count_rejection(std::string_view reason);  // invalid_token, outside_window, ...
  void connection_opened() noexcept { ++open_connections_; }
  void connection_closed() noexcept { --open_connections_; }
  void connection_refused() noexcept { ++refused_connections_; }

  std::atomic<std::uint64_t> token_memo_hits{0};
  std::atomic<std::uint64_t> token_memo_misses{0};
  // Duplicates answered from a read, before reaching the writer (the writer counts its own).
  std::atomic<std::uint64_t> read_duplicates{0};
  // Fed by the group committer's on_commit hook; scans recorded and duplicates come from
  // its own counters through a source (see gateway_app).
  histogram commit_batch_size{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
  histogram commit_seconds{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

  // Extra gauges rendered at scrape time (e.g. outbox depth), name → value.
  using gauge_source = std::function<void(std::string& out)>;
  void add_source(gauge_source source);

  [[nodiscard]] std::string render() const;

 private:
  mutable std::mutex mutex_;  // guards the maps below (slow path: first sight of a label)
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, std::uint64_t> rejections_;
  histogram request_seconds_{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5};
  std::atomic<std::int64_t> open_connections_{0};
  std::atomic<std::uint64_t> refused_connections_{0};
  std::vector<gauge_source> sources_;
};

// Appends one Prometheus sample with its HELP and TYPE lines (type "counter" or "gauge").
void append_metric(std::string& out, std::string_view name, std::string_view help,
                   std::string_view type, double value);

}  // namespace checkin::gateway
