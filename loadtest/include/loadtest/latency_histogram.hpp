#pragma once
// An HDR-style latency histogram: counts in log-linear buckets that keep 3 significant decimal
// digits (relative error below 0.1 %) from 1 µs up to about 38 hours. Plain data: each load
// thread fills its own copy and the copies are merged after the run.

#include <chrono>
#include <cstdint>
#include <vector>

namespace checkin::loadtest {

class latency_histogram {
 public:
  latency_histogram();

  // Values are kept in whole microseconds; negative values count as 0, values beyond the
  // trackable range as the largest trackable value.
  void record(std::chrono::nanoseconds value, std::uint64_t count = 1) noexcept;
  void record_us(std::uint64_t micros, std::uint64_t count = 1) noexcept;
  void merge(const latency_histogram& other) noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept { return total_; }
  [[nodiscard]] std::uint64_t min_us() const noexcept { return total_ ? min_ : 0; }
  [[nodiscard]] std::uint64_t max_us() const noexcept { return max_; }
  [[nodiscard]] double mean_us() const noexcept;
  // The value below or at which a fraction `q` (0..1) of the recorded values lie: the highest
  // value of the bucket holding that rank, never above max_us(). 0 when empty.
  [[nodiscard]] std::uint64_t value_at_quantile_us(double q) const noexcept;

  // Bucket geometry, exposed for the tests.
  [[nodiscard]] static std::size_t bucket_of(std::uint64_t micros) noexcept;
  [[nodiscard]] static std::uint64_t highest_in_bucket(std::size_t bucket) noexcept;
  static constexpr std::uint64_t max_trackable_us = (std::uint64_t{1} << 37) - 1;

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace checkin::loadtest
