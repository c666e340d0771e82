#include "loadtest/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace checkin::loadtest {
namespace {

// Values below 2^sub_bits are counted exactly; above, each power of two is split into
// 2^(sub_bits-1) equal buckets, so a bucket is never wider than 1/1024 of its values.
constexpr unsigned sub_bits = 11;
constexpr std::uint64_t sub_count = std::uint64_t{1} << sub_bits;  // 2048
constexpr std::uint64_t half_count = sub_count / 2;                // 1024

}  // namespace

latency_histogram::latency_histogram() : counts_(bucket_of(max_trackable_us) + 1, 0) {}

std::size_t latency_histogram::bucket_of(std::uint64_t micros) noexcept {
  micros = std::min(micros, max_trackable_us);
  if (micros < sub_count) return static_cast<std::size_t>(micros);
  const auto shift = static_cast<unsigned>(std::bit_width(micros)) - sub_bits;
  return static_cast<std::size_t>(shift * half_count + (micros >> shift));
}

std::uint64_t latency_histogram::highest_in_bucket(std::size_t bucket) noexcept {
  if (bucket < sub_count) return bucket;
  const std::uint64_t shift = bucket / half_count - 1;
  const std::uint64_t sub = bucket - shift * half_count;
  return ((sub + 1) << shift) - 1;
}

void latency_histogram::record(std::chrono::nanoseconds value, std::uint64_t count) noexcept {
  const auto ns = value.count();
  record_us(ns <= 0 ? 0 : static_cast<std::uint64_t>(ns) / 1000, count);
}

void latency_histogram::record_us(std::uint64_t micros, std::uint64_t count) noexcept {
  if (count == 0) return;
  micros = std::min(micros, max_trackable_us);
  counts_[bucket_of(micros)] += count;
  min_ = total_ == 0 ? micros : std::min(min_, micros);
  max_ = std::max(max_, micros);
  total_ += count;
  sum_ += static_cast<double>(micros) * static_cast<double>(count);
}

void latency_histogram::merge(const latency_histogram& other) noexcept {
  if (other.total_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = total_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  total_ += other.total_;
  sum_ += other.sum_;
}

double latency_histogram::mean_us() const noexcept {
  return total_ == 0 ? 0.0 : sum_ / static_cast<double>(total_);
}

std::uint64_t latency_histogram::value_at_quantile_us(double q) const noexcept {
  if (total_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the value asked for, 1-based: p50 of 1..100 is 50, p100 is the last.
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_) - 1e-9)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(highest_in_bucket(i), max_);
  }
  return max_;
}

}  // namespace checkin::loadtest
