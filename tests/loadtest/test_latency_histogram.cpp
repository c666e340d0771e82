#include "loadtest/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace checkin::loadtest {
namespace {

using namespace std::chrono;

TEST(LatencyHistogram, EmptyReportsZeros) {
  const latency_histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.value_at_quantile_us(0.5), 0u);
  EXPECT_EQ(h.max_us(), 0u);
  EXPECT_EQ(h.min_us(), 0u);
  EXPECT_EQ(h.mean_us(), 0.0);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  latency_histogram h;
  for (std::uint64_t v = 1; v <= 1000; ++v) h.record_us(v);
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.value_at_quantile_us(0.5), 500u);
  EXPECT_EQ(h.value_at_quantile_us(0.9), 900u);
  EXPECT_EQ(h.value_at_quantile_us(0.99), 990u);
  EXPECT_EQ(h.value_at_quantile_us(0.999), 999u);
  EXPECT_EQ(h.value_at_quantile_us(1.0), 1000u);
  EXPECT_EQ(h.value_at_quantile_us(0.0), 1u);
  EXPECT_EQ(h.min_us(), 1u);
  EXPECT_EQ(h.max_us(), 1000u);
  EXPECT_DOUBLE_EQ(h.mean_us(), 500.5);
}

// Three significant digits: every value's bucket ends less than 1/1024 above it.
TEST(LatencyHistogram, BucketsKeepThreeSignificantDigitsUpToAnHour) {
  std::size_t previous = 0;
  for (std::uint64_t v = 1; v < 3'600'000'000ULL; v += v / 997 + 1) {
    const auto b = latency_histogram::bucket_of(v);
    EXPECT_GE(b, previous) << v;
    previous = b;
    const auto top = latency_histogram::highest_in_bucket(b);
    ASSERT_GE(top, v);
    EXPECT_LT(static_cast<double>(top - v), static_cast<double>(v) / 1024.0 + 1.0) << v;
  }
}

TEST(LatencyHistogram, UniformDistributionPercentilesWithinATenthOfAPercent) {
  latency_histogram h;
  for (std::uint64_t v = 1; v <= 1'000'000; ++v) h.record_us(v);
  const auto near = [](std::uint64_t got, double want) {
    EXPECT_NEAR(static_cast<double>(got), want, want * 0.001) << want;
  };
  near(h.value_at_quantile_us(0.5), 500'000);
  near(h.value_at_quantile_us(0.9), 900'000);
  near(h.value_at_quantile_us(0.99), 990'000);
  near(h.value_at_quantile_us(0.999), 999'000);
  EXPECT_EQ(h.value_at_quantile_us(1.0), 1'000'000u);
}

TEST(LatencyHistogram, SixtySecondsIsTrackedAndQuantilesNeverExceedTheMax) {
  latency_histogram h;
  h.record(seconds{60});
  EXPECT_EQ(h.max_us(), 60'000'000u);
  EXPECT_EQ(h.value_at_quantile_us(0.5), 60'000'000u);
  h.record(milliseconds{2});
  EXPECT_EQ(h.value_at_quantile_us(0.5), 2'000u);
}

TEST(LatencyHistogram, NegativeAndHugeValuesAreClamped) {
  latency_histogram h;
  h.record(nanoseconds{-5});
  h.record_us(~std::uint64_t{0});
  EXPECT_EQ(h.min_us(), 0u);
  EXPECT_EQ(h.max_us(), latency_histogram::max_trackable_us);
}

TEST(LatencyHistogram, MergeEqualsRecordingIntoOne) {
  latency_histogram a;
  latency_histogram b;
  latency_histogram both;
  for (std::uint64_t v = 1; v < 200'000; v += 7) {
    (v % 3 ? a : b).record_us(v, v % 5 + 1);
    both.record_us(v, v % 5 + 1);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), both.count());
  EXPECT_EQ(a.min_us(), both.min_us());
  EXPECT_EQ(a.max_us(), both.max_us());
  EXPECT_DOUBLE_EQ(a.mean_us(), both.mean_us());
  for (const double q : {0.1, 0.5, 0.9, 0.99, 0.999}) {
    EXPECT_EQ(a.value_at_quantile_us(q), both.value_at_quantile_us(q)) << q;
  }
}

}  // namespace
}  // namespace checkin::loadtest
