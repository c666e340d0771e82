#include "gateway/rate_limiter.hpp"

#include "bounded_key_table.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace checkin::gateway {

namespace {

using fseconds = std::chrono::duration<double>;

constexpr std::size_t shard_count = 16;

[[nodiscard]] std::chrono::seconds whole_seconds_at_least_one(fseconds wait) noexcept {
  // The cap keeps a pathological policy from overflowing the integer conversion.
  const double clamped = std::clamp(std::ceil(wait.count()), 1.0, 1e9);
  return std::chrono::seconds(static_cast<std::int64_t>(clamped));
}

struct bucket_retention {
  bucket_policy policy;
  [[nodiscard]] token_bucket fresh(steady_time now) const noexcept {
    return full_bucket(policy, now);
  }
  [[nodiscard]] bool forgettable(const token_bucket& b, steady_time now) const noexcept {
    return full_at(b, policy) <= now;
  }
  [[nodiscard]] steady_time eviction_rank(const token_bucket& b, steady_time) const noexcept {
    return full_at(b, policy);
  }
};

}  // namespace

bool is_valid(const bucket_policy& policy) noexcept {
  // The refill-time bound keeps every wait this file computes far inside the range of
  // steady_clock's integer nanoseconds.
  constexpr double max_refill_seconds = 1e7;
  return std::isfinite(policy.capacity) && std::isfinite(policy.refill_per_second) &&
         policy.capacity >= 1 && policy.refill_per_second > 0 &&
         policy.capacity / policy.refill_per_second <= max_refill_seconds;
}

token_bucket full_bucket(const bucket_policy& policy, steady_time now) noexcept {
  return {policy.capacity, now};
}

rate_decision decide(token_bucket& bucket, const bucket_policy& policy, steady_time now) noexcept {
  if (now > bucket.updated) {
    const double elapsed = fseconds(now - bucket.updated).count();
    bucket.tokens = std::min(policy.capacity, bucket.tokens + elapsed * policy.refill_per_second);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return {true, std::chrono::seconds(0)};
  }
  return {false,
          whole_seconds_at_least_one(fseconds((1 - bucket.tokens) / policy.refill_per_second))};
}

steady_time full_at(const token_bucket& bucket, const bucket_policy& policy) noexcept {
  const double missing = std::max(0.0, policy.capacity - bucket.tokens);
  return bucket.updated + std::chrono::duration_cast<steady_time::duration>(
                              fseconds(missing / policy.refill_per_second));
}

struct keyed_rate_limiter::table {
  bucket_policy policy;
  detail::bounded_key_table<token_bucket, bucket_retention> buckets;
};

keyed_rate_limiter::keyed_rate_limiter(bucket_policy policy, std::size_t max_keys) {
  if (!is_valid(policy)) throw std::invalid_argument("invalid token bucket policy");
  if (max_keys == 0) throw std::invalid_argument("rate limiter needs room for one key");
  table_ =
      std::make_unique<table>(table{policy, {max_keys, shard_count, bucket_retention{policy}}});
}

keyed_rate_limiter::~keyed_rate_limiter() = default;

rate_decision keyed_rate_limiter::acquire(std::string_view key, steady_time now) {
  return table_->buckets.with(
      key, now, [&](token_bucket& bucket) { return decide(bucket, table_->policy, now); });
}

std::size_t keyed_rate_limiter::size() const { return table_->buckets.size(); }

}  // namespace checkin::gateway
