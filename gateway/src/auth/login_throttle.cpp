#include "gateway/login_throttle.hpp"

#include "bounded_key_table.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace checkin::gateway {

namespace {

constexpr std::size_t shard_count = 16;

[[nodiscard]] rate_decision refuse_until(steady_time until, steady_time now) noexcept {
  const auto wait = std::chrono::ceil<std::chrono::seconds>(until - now);
  return {false, std::max(wait, std::chrono::seconds(1))};
}

[[nodiscard]] bool locked(const failure_record& r, steady_time now) noexcept {
  return now < r.locked_until;
}

// Refused beats allowed; of two refusals the longer wait wins.
[[nodiscard]] rate_decision stricter(rate_decision a, rate_decision b) noexcept {
  if (a.allowed) return b;
  if (b.allowed) return a;
  return {false, std::max(a.retry_after, b.retry_after)};
}

struct lockout_retention {
  lockout_policy policy;
  [[nodiscard]] failure_record fresh(steady_time) const noexcept { return {}; }
  [[nodiscard]] bool forgettable(const failure_record& r, steady_time now) const noexcept {
    return gateway::forgettable(r, policy, now);
  }
  // Unlocked before locked, then fewest failures, then oldest window.
  [[nodiscard]] auto eviction_rank(const failure_record& r, steady_time now) const noexcept {
    return std::tuple(locked(r, now), r.failures, r.window_start);
  }
};

using lockout_table = detail::bounded_key_table<failure_record, lockout_retention>;

// A record with nothing counted, or whose window has passed, starts a fresh window now.
void refresh_window(failure_record& record, const lockout_policy& policy,
                    steady_time now) noexcept {
  if (record.failures == 0 || now - record.window_start >= policy.window) {
    record.failures = 0;
    record.window_start = now;
  }
}

// Locks the record for policy.lock_for from now; the counts of the window go with it. Attempts
// still in flight stay counted as in flight.
rate_decision start_lock(failure_record& record, const lockout_policy& policy,
                         steady_time now) noexcept {
  record.failures = 0;
  record.window_start = now;
  record.locked_until = now + policy.lock_for;
  return refuse_until(record.locked_until, now);
}

}  // namespace

bool is_valid(const lockout_policy& policy) noexcept {
  return policy.max_failures >= 1 && policy.window.count() > 0 && policy.lock_for.count() > 0;
}

rate_decision begin_attempt(failure_record& record, const lockout_policy& policy,
                            steady_time now) noexcept {
  if (locked(record, now)) return refuse_until(record.locked_until, now);
  refresh_window(record, policy, now);
  // Only attempts still in flight can fill the count without a lock having started.
  if (record.failures >= policy.max_failures) {
    return refuse_until(record.window_start + policy.window, now);
  }
  ++record.failures;
  return {};
}

rate_decision fail_attempt(failure_record& record, const lockout_policy& policy,
                           steady_time now) noexcept {
  if (locked(record, now)) return refuse_until(record.locked_until, now);
  if (record.failures >= policy.max_failures) {
    // Attempts still in flight were counted in this window; the lock absorbs them.
    return start_lock(record, policy, now);
  }
  return {};
}

void withdraw_attempt(failure_record& record) noexcept {
  if (record.failures > 0) --record.failures;
}

rate_decision begin_address_attempt(failure_record& record, unsigned max_in_flight,
                                    steady_time now) noexcept {
  if (locked(record, now)) return refuse_until(record.locked_until, now);
  if (record.in_flight >= max_in_flight) return {false, std::chrono::seconds(1)};
  ++record.in_flight;
  return {};
}

rate_decision end_address_attempt(failure_record& record, const lockout_policy& policy,
                                  bool failed, steady_time now) noexcept {
  if (record.in_flight > 0) --record.in_flight;
  if (!failed) return {};
  if (locked(record, now)) return refuse_until(record.locked_until, now);
  refresh_window(record, policy, now);
  if (++record.failures >= policy.max_failures) return start_lock(record, policy, now);
  return {};
}

bool forgettable(const failure_record& record, const lockout_policy& policy,
                 steady_time now) noexcept {
  return !locked(record, now) && record.in_flight == 0 &&
         (record.failures == 0 || now - record.window_start >= policy.window);
}

struct login_throttle::tables {
  lockout_policy member_policy;
  lockout_policy address_policy;
  unsigned address_max_in_flight;
  lockout_table members;
  lockout_table addresses;
};

login_throttle::login_throttle(const login_throttle_config& config) {
  if (!is_valid(config.per_member) || !is_valid(config.per_address)) {
    throw std::invalid_argument("invalid login lockout policy");
  }
  if (config.max_members == 0 || config.max_addresses == 0) {
    throw std::invalid_argument("login throttle tables need room for one key");
  }
  if (config.address_max_in_flight == 0) {
    throw std::invalid_argument("an address needs room for one login in flight");
  }
  tables_ = std::make_unique<tables>(tables{
      config.per_member, config.per_address, config.address_max_in_flight,
      lockout_table(config.max_members, shard_count, lockout_retention{config.per_member}),
      lockout_table(config.max_addresses, shard_count, lockout_retention{config.per_address})});
}

login_throttle::~login_throttle() = default;

rate_decision login_throttle::begin(std::string_view member_no, std::string_view address,
                                    steady_time now) {
  auto& t = *tables_;
  const rate_decision member = t.members.with(
      member_no, now, [&](failure_record& r) { return begin_attempt(r, t.member_policy, now); });
  if (!member.allowed) return member;
  const rate_decision from_address = t.addresses.with(address, now, [&](failure_record& r) {
    return begin_address_attempt(r, t.address_max_in_flight, now);
  });
  if (!from_address.allowed) {
    // The attempt will not run, so it must not count against the member.
    (void)t.members.with_existing(member_no, withdraw_attempt);
  }
  return from_address;
}

rate_decision login_throttle::finish(std::string_view member_no, std::string_view address,
                                     login_outcome outcome, steady_time now) {
  auto& t = *tables_;
  // A record evicted since begin() has nothing left to update.
  const auto end_for_address = [&](bool failed) {
    rate_decision d;
    (void)t.addresses.with_existing(address, [&](failure_record& r) {
      d = end_address_attempt(r, t.address_policy, failed, now);
    });
    return d;
  };
  switch (outcome) {
    case login_outcome::success:
      t.members.erase(member_no);
      (void)end_for_address(false);
      return {};
    case login_outcome::abandoned:
      (void)t.members.with_existing(member_no, withdraw_attempt);
      (void)end_for_address(false);
      return {};
    case login_outcome::failure:
      break;
  }
  rate_decision member;
  (void)t.members.with_existing(
      member_no, [&](failure_record& r) { member = fail_attempt(r, t.member_policy, now); });
  return stricter(member, end_for_address(true));
}

std::size_t login_throttle::tracked_members() const { return tables_->members.size(); }
std::size_t login_throttle::tracked_addresses() const { return tables_->addresses.size(); }

}  // namespace checkin::gateway
