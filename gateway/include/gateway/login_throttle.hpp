#pragma once
// Password-guessing limits for POST /login: N failed attempts within a window locks the
// member number (and, with a much higher N, the client address) for a while.
//
// For a member, an attempt counts as a failure from the moment it is let through until it is
// reported a success, so logins verified in parallel on the thread pool cannot overshoot the
// limit, and an attempt whose outcome is never reported stays a failure.
// For an address, only finished failures count: at a meeting hundreds of members behind the
// venue's one NAT address log in at the same moment, and their logins in flight are not
// failures. What an address may have in flight at once is capped separately.

#include "gateway/rate_limiter.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

namespace checkin::gateway {

struct lockout_policy {
  unsigned max_failures = 5;
  std::chrono::seconds window{15 * 60};    // failures older than this are forgotten
  std::chrono::seconds lock_for{15 * 60};  // how long a lock lasts
};
// max_failures >= 1, window and lock_for positive.
[[nodiscard]] bool is_valid(const lockout_policy& policy) noexcept;

// Per key, plain data. The window is fixed: it starts at the first counted attempt.
struct failure_record {
  unsigned failures = 0;  // in the current window; for a member, attempts in flight included
  unsigned in_flight = 0;  // for an address: attempts let through and not yet finished
  steady_time window_start{};
  steady_time locked_until{};
};

// Pure steps over one record; login_throttle applies them to its tables.
// Refuses while locked or while max_failures attempts are already counted; otherwise
// counts this attempt and allows it.
[[nodiscard]] rate_decision begin_attempt(failure_record& record, const lockout_policy& policy,
                                          steady_time now) noexcept;
// The attempt failed (it is already counted). Reaching max_failures starts the lock; the
// returned decision is what the client may do next (retry_after set when now locked).
[[nodiscard]] rate_decision fail_attempt(failure_record& record, const lockout_policy& policy,
                                         steady_time now) noexcept;
// The attempt succeeded: take back its provisional count.
void withdraw_attempt(failure_record& record) noexcept;
// An address's attempt: refused while locked or while max_in_flight attempts from it are still
// being checked (retry after 1 s); otherwise counted as in flight and allowed.
[[nodiscard]] rate_decision begin_address_attempt(failure_record& record, unsigned max_in_flight,
                                                  steady_time now) noexcept;
// Ends an address's attempt. A failure counts in the window; reaching max_failures starts the
// lock, and the result is what the client may do next.
[[nodiscard]] rate_decision end_address_attempt(failure_record& record, const lockout_policy& policy,
                                                bool failed, steady_time now) noexcept;
// Not locked, nothing in flight and nothing counted in a live window: the same as no record.
[[nodiscard]] bool forgettable(const failure_record& record, const lockout_policy& policy,
                               steady_time now) noexcept;

enum class login_outcome {
  success,    // the password matched
  failure,    // it did not
  abandoned,  // never checked (e.g. the member store could not be read): not the client's fault
};

struct login_throttle_config {
  lockout_policy per_member{};
  // Generous: at a meeting hundreds of members log in through the venue's one NAT address.
  lockout_policy per_address{100, std::chrono::seconds(15 * 60), std::chrono::seconds(15 * 60)};
  // Logins from one address being checked at once; beyond it, 429 with Retry-After: 1.
  unsigned address_max_in_flight = 1000;
  std::size_t max_members = 100'000;
  std::size_t max_addresses = 100'000;
};

// Thread-safe. Tables are bounded like keyed_rate_limiter's; when one is full of live
// records, locked records are the last to go, so cycling through member numbers cannot
// wash out a lock on the member being attacked.
class login_throttle {
 public:
  // Throws std::invalid_argument for an invalid policy or a zero table size.
  explicit login_throttle(const login_throttle_config& config);
  login_throttle(const login_throttle&) = delete;
  login_throttle& operator=(const login_throttle&) = delete;
  ~login_throttle();

  // Before verifying the password. If allowed, call finish() exactly once afterwards.
  [[nodiscard]] rate_decision begin(std::string_view member_no, std::string_view address,
                                    steady_time now);
  // A success resets the member's record and ends the address's attempt (earlier failures
  // from the address stay). `abandoned` only takes back this attempt's counts, resetting
  // nothing. A failure counts for both. The result is what the client may do next, e.g.
  // locked after this failure.
  rate_decision finish(std::string_view member_no, std::string_view address, login_outcome outcome,
                       steady_time now);

  [[nodiscard]] std::size_t tracked_members() const;
  [[nodiscard]] std::size_t tracked_addresses() const;

 private:
  struct tables;
  std::unique_ptr<tables> tables_;
};

}  // namespace checkin::gateway
