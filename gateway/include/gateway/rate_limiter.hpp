#pragma once
// Request rate limits: a token bucket as plain data with a pure decide(), and a
// thread-safe table of buckets keyed by a string (client address, member number).
// Time is always passed in, so tests step a clock instead of sleeping.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

namespace checkin::gateway {

using steady_time = std::chrono::steady_clock::time_point;

// What a limiter says about one request. retry_after is whole seconds, at least 1 when
// the request is refused (the HTTP Retry-After value), 0 when it is allowed.
struct rate_decision {
  bool allowed = true;
  std::chrono::seconds retry_after{0};
  friend bool operator==(const rate_decision&, const rate_decision&) = default;
};

// A burst of up to `capacity` requests, then `refill_per_second` sustained.
struct bucket_policy {
  double capacity = 10;
  double refill_per_second = 1;
};
// capacity >= 1, refill_per_second > 0, and an empty bucket refills within 10^7 s.
[[nodiscard]] bool is_valid(const bucket_policy& policy) noexcept;

struct token_bucket {
  double tokens = 0;
  steady_time updated{};
};

[[nodiscard]] token_bucket full_bucket(const bucket_policy& policy, steady_time now) noexcept;

// Refills the bucket for the time since it was last updated (none if the clock went
// backwards), then takes one token if there is a whole one. A refusal takes nothing, so a
// client that keeps retrying too early is not pushed further back.
[[nodiscard]] rate_decision decide(token_bucket& bucket, const bucket_policy& policy,
                                   steady_time now) noexcept;

// When the bucket, left alone, is full again: from then on it is the same as a new one, so
// a table may forget it.
[[nodiscard]] steady_time full_at(const token_bucket& bucket, const bucket_policy& policy) noexcept;

// Keys longer than this are cut to it before lookup (member numbers and IP addresses are
// far shorter); the limiter never stores more of a key than this.
inline constexpr std::size_t max_limiter_key_length = 128;

// One bucket per key, in shards with their own locks. At most `max_keys` buckets are held:
// when a shard is full, buckets that have refilled are dropped first (losing nothing), then
// those closest to full, so a client cycling through fresh keys cannot grow memory and
// gains at most a fresh bucket per key. Shard choice and hashing use a random SipHash key,
// so keys cannot be chosen to pile into one shard or one hash bucket.
class keyed_rate_limiter {
 public:
  // Throws std::invalid_argument for an invalid policy or max_keys == 0.
  keyed_rate_limiter(bucket_policy policy, std::size_t max_keys);
  keyed_rate_limiter(const keyed_rate_limiter&) = delete;
  keyed_rate_limiter& operator=(const keyed_rate_limiter&) = delete;
  ~keyed_rate_limiter();

  [[nodiscard]] rate_decision acquire(std::string_view key, steady_time now);
  // Buckets held now (for metrics and tests).
  [[nodiscard]] std::size_t size() const;

 private:
  struct table;
  std::unique_ptr<table> table_;
};

}  // namespace checkin::gateway
