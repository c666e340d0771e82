#include "gateway/sync/sync_policy.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace checkin::gateway::sync {

using namespace std::chrono;

std::optional<unix_millis> seal_due_at(std::optional<unix_millis> ends_at,
                                       const store::seal_state& state, std::uint64_t unsealed,
                                       const seal_timing& timing) {
  if (unsealed == 0) return std::nullopt;
  const unix_millis closes = ends_at ? *ends_at + timing.grace : unix_millis{};
  if (state.parts == 0 || !state.last_sealed_at) return closes;
  return std::max(closes, *state.last_sealed_at + timing.supplementary_period);
}

seal_plan plan_seals(const tokens::meeting_program& program,
                     std::span<const session_progress> progress, unix_millis now,
                     const seal_timing& timing) {
  seal_plan plan;
  for (const auto& p : progress) {
    const auto unsealed = p.recorded > p.sealed.sealed_entries ? p.recorded - p.sealed.sealed_entries : 0;
    const auto* session = program.find(p.session_id);
    std::optional<unix_millis> ends_at;
    if (session) ends_at = time_point_cast<milliseconds>(session->ends_at);
    const auto due = seal_due_at(ends_at, p.sealed, unsealed, timing);
    if (!due) continue;
    if (*due > now) {
      if (!plan.next_due || *due < *plan.next_due) plan.next_due = due;
      continue;
    }
    store::seal_request r;
    r.session_id = p.session_id;
    r.meeting_name = program.name;
    r.session_title = session ? session->title : p.session_id;
    if (session) {
      r.session_starts_at = time_point_cast<milliseconds>(session->starts_at);
      r.session_ends_at = ends_at;
    }
    plan.due.push_back(std::move(r));
  }
  return plan;
}

milliseconds retry_delay(std::uint32_t failed_attempts, const retry_policy& policy,
                         double unit_random) {
  const double base = static_cast<double>(policy.initial.count());
  const double cap = static_cast<double>(std::max(policy.max, policy.initial).count());
  // 2^(n-1) overflows nothing here: the exponent is clamped long before doubles lose range.
  const double exponent = std::min<double>(std::max<std::uint32_t>(failed_attempts, 1) - 1, 60);
  const double full = std::min(cap, base * std::exp2(exponent));
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  const double r = std::clamp(unit_random, 0.0, 1.0);
  return milliseconds{static_cast<std::int64_t>(full * (1.0 - jitter * r))};
}

store::delivery_record after_attempt(std::optional<store::delivery_record> previous,
                                     std::uint64_t batch_number, std::string_view sink,
                                     const delivery_result& result, unix_millis now,
                                     const retry_policy& policy, double unit_random) {
  store::delivery_record r = previous.value_or(store::delivery_record{});
  r.batch_number = batch_number;
  r.sink = std::string(sink);
  r.attempts += 1;
  r.last_attempt_at = now;
  r.next_attempt_at.reset();
  switch (result.status) {
    case delivery_status::delivered:
      r.state = store::delivery_state::delivered;
      r.delivered_at = now;
      break;
    case delivery_status::retry:
      r.state = store::delivery_state::pending;
      r.next_attempt_at = now + retry_delay(r.attempts, policy, unit_random);
      r.last_error = result.detail;
      break;
    case delivery_status::failed:
      r.state = store::delivery_state::failed;
      r.last_error = result.detail;
      break;
  }
  // The store keeps at most 64 KiB of text; a receiver's error page can be longer.
  if (r.last_error.size() > 1000) r.last_error.resize(1000);
  return r;
}

store::delivery_record retried(store::delivery_record record) {
  if (record.state != store::delivery_state::failed) return record;
  record.state = store::delivery_state::pending;
  record.next_attempt_at.reset();
  return record;
}

std::vector<std::uint64_t> due_batches(std::span<const store::batch_header> batches,
                                       std::span<const store::delivery_record> records,
                                       unix_millis now) {
  std::unordered_map<std::uint64_t, const store::delivery_record*> by_batch;
  for (const auto& r : records) by_batch[r.batch_number] = &r;
  std::vector<std::uint64_t> due;
  for (const auto& b : batches) {
    const auto it = by_batch.find(b.number);
    if (it == by_batch.end()) {
      due.push_back(b.number);
      continue;
    }
    const auto& r = *it->second;
    if (r.state == store::delivery_state::pending && (!r.next_attempt_at || *r.next_attempt_at <= now)) {
      due.push_back(b.number);
    }
  }
  std::sort(due.begin(), due.end());
  return due;
}

std::optional<unix_millis> next_retry_at(std::span<const store::delivery_record> records) {
  std::optional<unix_millis> next;
  for (const auto& r : records) {
    if (r.state != store::delivery_state::pending || !r.next_attempt_at) continue;
    if (!next || *r.next_attempt_at < *next) next = r.next_attempt_at;
  }
  return next;
}

}  // namespace checkin::gateway::sync
