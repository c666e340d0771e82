#include "gateway/login_throttle.hpp"
#include "gateway/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace checkin::gateway;
using namespace std::chrono_literals;

const steady_time t0 = steady_time{} + 1000h;  // any fixed point; nothing here reads a clock

rate_decision allowed() { return {true, 0s}; }
rate_decision refused(std::chrono::seconds wait) { return {false, wait}; }

// ---- token bucket ----------------------------------------------------------------------

TEST(TokenBucket, BurstUpToCapacityThenRefused) {
  const bucket_policy policy{5, 1};
  auto bucket = full_bucket(policy, t0);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(decide(bucket, policy, t0), allowed()) << i;
  EXPECT_EQ(decide(bucket, policy, t0), refused(1s));
}

TEST(TokenBucket, RefillsAtTheConfiguredRate) {
  const bucket_policy policy{10, 2};  // 2 per second
  auto bucket = full_bucket(policy, t0);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(decide(bucket, policy, t0).allowed);
  EXPECT_FALSE(decide(bucket, policy, t0 + 499ms).allowed);
  EXPECT_TRUE(decide(bucket, policy, t0 + 500ms).allowed);  // one token after half a second
  EXPECT_FALSE(decide(bucket, policy, t0 + 500ms).allowed);
  // Three seconds later: six tokens, no more.
  const steady_time later = t0 + 3500ms;
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(decide(bucket, policy, later).allowed) << i;
  EXPECT_FALSE(decide(bucket, policy, later).allowed);
}

TEST(TokenBucket, NeverHoldsMoreThanCapacity) {
  const bucket_policy policy{3, 1};
  auto bucket = full_bucket(policy, t0);
  EXPECT_TRUE(decide(bucket, policy, t0).allowed);
  const steady_time much_later = t0 + 24h;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(decide(bucket, policy, much_later).allowed);
  EXPECT_FALSE(decide(bucket, policy, much_later).allowed);
}

TEST(TokenBucket, RetryAfterIsTheWaitForOneTokenRoundedUp) {
  const bucket_policy policy{1, 0.1};  // one request per 10 s
  auto bucket = full_bucket(policy, t0);
  EXPECT_TRUE(decide(bucket, policy, t0).allowed);
  EXPECT_EQ(decide(bucket, policy, t0), refused(10s));
  EXPECT_EQ(decide(bucket, policy, t0 + 3s), refused(7s));
  EXPECT_EQ(decide(bucket, policy, t0 + 9500ms), refused(1s));
  EXPECT_EQ(decide(bucket, policy, t0 + 10s), allowed());
}

TEST(TokenBucket, RefusalsDoNotPushTheClientFurtherBack) {
  const bucket_policy policy{1, 1};
  auto bucket = full_bucket(policy, t0);
  EXPECT_TRUE(decide(bucket, policy, t0).allowed);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(decide(bucket, policy, t0 + 10ms * i).allowed);
  EXPECT_TRUE(decide(bucket, policy, t0 + 1s).allowed);
}

TEST(TokenBucket, ClockGoingBackwardsAddsNothing) {
  const bucket_policy policy{1, 1};
  auto bucket = full_bucket(policy, t0);
  EXPECT_TRUE(decide(bucket, policy, t0).allowed);
  EXPECT_FALSE(decide(bucket, policy, t0 - 1h).allowed);
  EXPECT_EQ(bucket.updated, t0);
  EXPECT_TRUE(decide(bucket, policy, t0 + 1s).allowed);
}

TEST(TokenBucket, FullAtIsWhenTheBucketIsLikeNew) {
  const bucket_policy policy{4, 2};
  auto bucket = full_bucket(policy, t0);
  EXPECT_EQ(full_at(bucket, policy), t0);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(decide(bucket, policy, t0).allowed);
  EXPECT_EQ(full_at(bucket, policy), t0 + 2s);
}

TEST(TokenBucket, PolicyValidation) {
  EXPECT_TRUE(is_valid(bucket_policy{1, 0.001}));
  EXPECT_FALSE(is_valid(bucket_policy{0.5, 1}));
  EXPECT_FALSE(is_valid(bucket_policy{10, 0}));
  EXPECT_FALSE(is_valid(bucket_policy{10, -1}));
  EXPECT_FALSE(is_valid(bucket_policy{1e300, 1e-300}));
  EXPECT_FALSE(is_valid(bucket_policy{std::numeric_limits<double>::infinity(), 1}));
  EXPECT_FALSE(is_valid(bucket_policy{10, std::numeric_limits<double>::quiet_NaN()}));
  EXPECT_THROW(keyed_rate_limiter(bucket_policy{0, 1}, 10), std::invalid_argument);
  EXPECT_THROW(keyed_rate_limiter(bucket_policy{1, 1}, 0), std::invalid_argument);
}

// ---- keyed limiter ---------------------------------------------------------------------

TEST(KeyedRateLimiter, KeysHaveSeparateBuckets) {
  keyed_rate_limiter limiter({2, 1}, 1000);
  EXPECT_TRUE(limiter.acquire("10.0.0.1", t0).allowed);
  EXPECT_TRUE(limiter.acquire("10.0.0.1", t0).allowed);
  EXPECT_EQ(limiter.acquire("10.0.0.1", t0), refused(1s));
  EXPECT_TRUE(limiter.acquire("10.0.0.2", t0).allowed);
  EXPECT_TRUE(limiter.acquire("10.0.0.1", t0 + 1s).allowed);
  EXPECT_EQ(limiter.size(), 2u);
}

TEST(KeyedRateLimiter, CyclingKeysCannotGrowMemory) {
  constexpr std::size_t max_keys = 256;
  keyed_rate_limiter limiter({5, 1}, max_keys);
  for (int i = 0; i < 20'000; ++i) {
    EXPECT_TRUE(limiter.acquire("key-" + std::to_string(i), t0).allowed);
    ASSERT_LE(limiter.size(), max_keys) << i;
  }
}

TEST(KeyedRateLimiter, RefilledBucketsAreDroppedFirst) {
  keyed_rate_limiter limiter({1, 1}, 1);  // one slot: every new key needs room
  EXPECT_TRUE(limiter.acquire("a", t0).allowed);
  EXPECT_FALSE(limiter.acquire("a", t0).allowed);
  // "a" refills at t0 + 1s; dropping it then loses nothing.
  EXPECT_TRUE(limiter.acquire("b", t0 + 2s).allowed);
  EXPECT_EQ(limiter.size(), 1u);
  EXPECT_TRUE(limiter.acquire("a", t0 + 2s).allowed);
}

TEST(KeyedRateLimiter, AThrottledKeySurvivesAFloodOfFreshKeys) {
  keyed_rate_limiter limiter({10, 1}, 1600);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limiter.acquire("victim-of-own-flood", t0).allowed);
  ASSERT_FALSE(limiter.acquire("victim-of-own-flood", t0).allowed);
  // Each fresh key spends one token of ten, so each is nearer full than the drained one
  // and goes first whenever a shard needs room.
  for (int i = 0; i < 50'000; ++i) (void)limiter.acquire("k" + std::to_string(i), t0);
  EXPECT_LE(limiter.size(), 1600u);
  EXPECT_FALSE(limiter.acquire("victim-of-own-flood", t0).allowed);
}

TEST(KeyedRateLimiter, ConcurrentCallersShareOneBucketExactly) {
  keyed_rate_limiter limiter({100, 0.001}, 1000);
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        if (limiter.acquire("shared", t0).allowed) ++granted;
        (void)limiter.acquire("own-" + std::to_string(t) + "-" + std::to_string(i), t0);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(granted.load(), 100);
  EXPECT_LE(limiter.size(), 1000u);
}

TEST(KeyedRateLimiter, OverlongKeysAreCut) {
  keyed_rate_limiter limiter({1, 1}, 100);
  const std::string base(max_limiter_key_length, 'x');
  EXPECT_TRUE(limiter.acquire(base + "1", t0).allowed);
  EXPECT_FALSE(limiter.acquire(base + "2", t0).allowed);  // same first 128 bytes
}

// ---- login lockout: pure steps ---------------------------------------------------------

const lockout_policy five_in_15{5, 15min, 10min};

TEST(LoginLockout, LocksAfterMaxFailuresInTheWindow) {
  failure_record r;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(begin_attempt(r, five_in_15, t0 + 1min * i).allowed);
    EXPECT_EQ(fail_attempt(r, five_in_15, t0 + 1min * i), allowed());
  }
  ASSERT_TRUE(begin_attempt(r, five_in_15, t0 + 4min).allowed);
  EXPECT_EQ(fail_attempt(r, five_in_15, t0 + 4min), refused(600s));  // the fifth locks
  EXPECT_EQ(begin_attempt(r, five_in_15, t0 + 5min), refused(540s));
  EXPECT_EQ(begin_attempt(r, five_in_15, t0 + 14min - 1ms), refused(1s));
  EXPECT_TRUE(begin_attempt(r, five_in_15, t0 + 14min).allowed);
  EXPECT_EQ(r.failures, 1u);  // a fresh window
}

TEST(LoginLockout, FailuresOutsideTheWindowAreForgotten) {
  failure_record r;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(begin_attempt(r, five_in_15, t0).allowed);
    ASSERT_TRUE(fail_attempt(r, five_in_15, t0).allowed);
  }
  EXPECT_FALSE(forgettable(r, five_in_15, t0 + 14min));
  EXPECT_TRUE(forgettable(r, five_in_15, t0 + 15min));
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(begin_attempt(r, five_in_15, t0 + 15min).allowed);
    ASSERT_TRUE(fail_attempt(r, five_in_15, t0 + 15min).allowed) << i;
  }
}

TEST(LoginLockout, AttemptsInFlightCountSoParallelGuessesCannotOvershoot) {
  failure_record r;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(begin_attempt(r, five_in_15, t0).allowed);
  EXPECT_EQ(begin_attempt(r, five_in_15, t0 + 1min), refused(14min));
  for (int i = 0; i < 5; ++i) (void)fail_attempt(r, five_in_15, t0 + 1min);
  EXPECT_EQ(begin_attempt(r, five_in_15, t0 + 1min), refused(10min));
}

TEST(LoginLockout, WithdrawTakesBackOneAttempt) {
  failure_record r;
  ASSERT_TRUE(begin_attempt(r, five_in_15, t0).allowed);
  withdraw_attempt(r);
  EXPECT_EQ(r.failures, 0u);
  withdraw_attempt(r);
  EXPECT_EQ(r.failures, 0u);
  EXPECT_TRUE(forgettable(r, five_in_15, t0));
  EXPECT_FALSE(is_valid(lockout_policy{0, 1min, 1min}));
  EXPECT_FALSE(is_valid(lockout_policy{3, 0s, 1min}));
}

// ---- login lockout for an address: pure steps ---------------------------------------------

TEST(AddressLockout, OnlyFinishedFailuresCountNotAttemptsInFlight) {
  failure_record r;
  // A venue NAT: fifty logins being checked at once, ten times the failure limit.
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(begin_address_attempt(r, 100, t0).allowed) << i;
  EXPECT_EQ(r.in_flight, 50u);
  EXPECT_EQ(r.failures, 0u);
  for (int i = 0; i < 46; ++i) EXPECT_EQ(end_address_attempt(r, five_in_15, false, t0), allowed());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(end_address_attempt(r, five_in_15, true, t0), allowed());
  EXPECT_EQ(r.in_flight, 0u);
  EXPECT_EQ(r.failures, 4u);
  ASSERT_TRUE(begin_address_attempt(r, 100, t0 + 1min).allowed);
  EXPECT_EQ(end_address_attempt(r, five_in_15, true, t0 + 1min), refused(10min));  // the fifth
  EXPECT_EQ(begin_address_attempt(r, 100, t0 + 2min), refused(9min));
  EXPECT_TRUE(begin_address_attempt(r, 100, t0 + 11min).allowed);
}

TEST(AddressLockout, AttemptsInFlightAreCapped) {
  failure_record r;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(begin_address_attempt(r, 3, t0).allowed);
  EXPECT_EQ(begin_address_attempt(r, 3, t0), refused(1s));
  EXPECT_EQ(r.in_flight, 3u);
  EXPECT_FALSE(forgettable(r, five_in_15, t0 + 1h));  // attempts still running
  (void)end_address_attempt(r, five_in_15, false, t0);
  EXPECT_TRUE(begin_address_attempt(r, 3, t0).allowed);
}

TEST(AddressLockout, FailuresOutsideTheWindowAreForgotten) {
  failure_record r;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(begin_address_attempt(r, 100, t0).allowed);
    ASSERT_TRUE(end_address_attempt(r, five_in_15, true, t0).allowed);
  }
  EXPECT_TRUE(forgettable(r, five_in_15, t0 + 15min));
  ASSERT_TRUE(begin_address_attempt(r, 100, t0 + 15min).allowed);
  EXPECT_EQ(end_address_attempt(r, five_in_15, true, t0 + 15min), allowed());  // a new window
  EXPECT_EQ(r.failures, 1u);
}

// ---- login throttle ----------------------------------------------------------------------

login_throttle_config small_config() {
  login_throttle_config c;
  c.per_member = {3, 10min, 5min};
  c.per_address = {6, 10min, 5min};
  return c;
}

rate_decision fail_once(login_throttle& t, std::string_view member, std::string_view address,
                        steady_time now) {
  const rate_decision gate = t.begin(member, address, now);
  if (!gate.allowed) return gate;
  return t.finish(member, address, login_outcome::failure, now);
}

TEST(LoginThrottle, MemberLockedAfterFailures) {
  login_throttle t(small_config());
  EXPECT_TRUE(fail_once(t, "M1", "192.0.2.1", t0).allowed);
  EXPECT_TRUE(fail_once(t, "M1", "192.0.2.2", t0).allowed);
  EXPECT_EQ(fail_once(t, "M1", "192.0.2.3", t0), refused(5min));  // third failure locks
  // From any address, until the lock ends.
  EXPECT_EQ(t.begin("M1", "198.51.100.7", t0 + 1min), refused(4min));
  EXPECT_TRUE(t.begin("M2", "192.0.2.1", t0 + 1min).allowed);
  EXPECT_TRUE(t.begin("M1", "192.0.2.1", t0 + 5min).allowed);
}

TEST(LoginThrottle, SuccessResetsTheMember) {
  login_throttle t(small_config());
  EXPECT_TRUE(fail_once(t, "M1", "192.0.2.1", t0).allowed);
  EXPECT_TRUE(fail_once(t, "M1", "192.0.2.1", t0).allowed);
  ASSERT_TRUE(t.begin("M1", "192.0.2.1", t0).allowed);
  EXPECT_EQ(t.finish("M1", "192.0.2.1", login_outcome::success, t0), allowed());
  EXPECT_TRUE(fail_once(t, "M1", "192.0.2.1", t0).allowed);
  EXPECT_TRUE(fail_once(t, "M1", "192.0.2.1", t0).allowed);
  EXPECT_FALSE(fail_once(t, "M1", "192.0.2.1", t0).allowed);
}

TEST(LoginThrottle, AbandonedAttemptCountsForNothingAndResetsNothing) {
  login_throttle t(small_config());
  EXPECT_TRUE(fail_once(t, "M1", "192.0.2.1", t0).allowed);
  EXPECT_TRUE(fail_once(t, "M1", "192.0.2.1", t0).allowed);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(t.begin("M1", "192.0.2.1", t0).allowed) << i;
    EXPECT_EQ(t.finish("M1", "192.0.2.1", login_outcome::abandoned, t0), allowed());
  }
  // Still two failures on record: the next one locks.
  EXPECT_FALSE(fail_once(t, "M1", "192.0.2.1", t0).allowed);
}

TEST(LoginThrottle, AddressLockedWhenSprayingManyMembers) {
  login_throttle t(small_config());
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(fail_once(t, "M" + std::to_string(i), "203.0.113.9", t0).allowed) << i;
  }
  EXPECT_EQ(fail_once(t, "M5", "203.0.113.9", t0), refused(5min));
  EXPECT_EQ(t.begin("M6", "203.0.113.9", t0 + 1min), refused(4min));
  EXPECT_TRUE(t.begin("M6", "203.0.113.10", t0 + 1min).allowed);
}

TEST(LoginThrottle, SuccessesFromOneAddressNeverLockIt) {
  // A meeting venue: everyone behind one NAT address, all logging in correctly.
  login_throttle t(small_config());
  for (int i = 0; i < 500; ++i) {
    const std::string member = "M" + std::to_string(i);
    ASSERT_TRUE(t.begin(member, "198.51.100.1", t0).allowed) << i;
    (void)t.finish(member, "198.51.100.1", login_outcome::success, t0);
  }
}

TEST(LoginThrottle, AHallLoggingInAtOnceThroughOneAddressIsNotLockedOut) {
  // 500 members behind one NAT address, all of their logins being checked at the same time:
  // the address allows 6 failures, but logins in flight are not failures.
  login_throttle t(small_config());
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(t.begin("M" + std::to_string(i), "198.51.100.1", t0).allowed) << i;
  }
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(t.finish("M" + std::to_string(i), "198.51.100.1",
                       i < 5 ? login_outcome::failure : login_outcome::success, t0),
              allowed())
        << i;
  }
  // Five finished failures stand; the sixth locks the address.
  EXPECT_EQ(fail_once(t, "X", "198.51.100.1", t0), refused(5min));
}

TEST(LoginThrottle, TooManyLoginsInFlightFromOneAddressWaitASecond) {
  login_throttle_config c = small_config();
  c.address_max_in_flight = 2;
  login_throttle t(c);
  ASSERT_TRUE(t.begin("M1", "198.51.100.1", t0).allowed);
  ASSERT_TRUE(t.begin("M2", "198.51.100.1", t0).allowed);
  EXPECT_EQ(t.begin("M3", "198.51.100.1", t0), refused(1s));
  EXPECT_TRUE(t.begin("M4", "192.0.2.9", t0).allowed);  // another address is not held up
  (void)t.finish("M1", "198.51.100.1", login_outcome::success, t0);
  EXPECT_TRUE(t.begin("M3", "198.51.100.1", t0).allowed);
  // The refusal did not count against M3: it still has all three tries.
  (void)t.finish("M3", "198.51.100.1", login_outcome::failure, t0);
  EXPECT_TRUE(fail_once(t, "M3", "192.0.2.1", t0).allowed);
  EXPECT_EQ(fail_once(t, "M3", "192.0.2.1", t0), refused(5min));
}

TEST(LoginThrottle, SuccessDoesNotWipeTheAddressesEarlierFailures) {
  login_throttle t(small_config());
  for (int i = 0; i < 5; ++i) (void)fail_once(t, "X" + std::to_string(i), "203.0.113.9", t0);
  // The attacker's own account logs in fine; the five failures still stand.
  ASSERT_TRUE(t.begin("OWN", "203.0.113.9", t0).allowed);
  (void)t.finish("OWN", "203.0.113.9", login_outcome::success, t0);
  EXPECT_FALSE(fail_once(t, "X9", "203.0.113.9", t0).allowed);
}

TEST(LoginThrottle, RefusedByAddressDoesNotCountAgainstTheMember) {
  login_throttle t(small_config());
  for (int i = 0; i < 6; ++i) (void)fail_once(t, "X" + std::to_string(i), "203.0.113.9", t0);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(t.begin("M1", "203.0.113.9", t0).allowed);
  // M1 itself has no failures: from another address it gets its full three tries.
  EXPECT_TRUE(fail_once(t, "M1", "192.0.2.1", t0).allowed);
  EXPECT_TRUE(fail_once(t, "M1", "192.0.2.1", t0).allowed);
}

TEST(LoginThrottle, TablesAreBoundedAndLocksOutliveAFlood) {
  login_throttle_config c = small_config();
  c.per_address = {1'000'000, 10min, 5min};  // keep the flood's own address unlocked
  c.max_members = 512;
  c.max_addresses = 512;
  login_throttle t(c);
  for (int i = 0; i < 3; ++i) (void)fail_once(t, "VICTIM", "192.0.2.1", t0);
  ASSERT_FALSE(t.begin("VICTIM", "192.0.2.1", t0).allowed);
  // Cycling through member numbers to wash out the lock: each new one has one failure,
  // the victim's record is locked, so the victim's is the last to be evicted.
  for (int i = 0; i < 20'000; ++i) (void)fail_once(t, "F" + std::to_string(i), "192.0.2.1", t0);
  EXPECT_LE(t.tracked_members(), 512u);
  EXPECT_LE(t.tracked_addresses(), 512u);
  EXPECT_EQ(t.begin("VICTIM", "192.0.2.1", t0 + 1min), refused(4min));
}

TEST(LoginThrottle, InvalidConfigIsRefused) {
  login_throttle_config c;
  c.per_member.max_failures = 0;
  EXPECT_THROW(login_throttle{c}, std::invalid_argument);
  c = {};
  c.max_addresses = 0;
  EXPECT_THROW(login_throttle{c}, std::invalid_argument);
  c = {};
  c.address_max_in_flight = 0;
  EXPECT_THROW(login_throttle{c}, std::invalid_argument);
}

}  // namespace
