#pragma once
// The decisions of the sync to the membership system, as pure functions over plain data: when a
// session's scans are sealed into a batch, what a delivery attempt leaves behind, how long to
// wait before the next attempt, and which batch a sink gets next. The sync service
// (sync_service.hpp) is the I/O around them.

#include "gateway/sync/sink.hpp"
#include "store/records.hpp"
#include "tokens/program.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace checkin::gateway::sync {

using store::unix_millis;

struct seal_timing {
  // The first batch of a session is sealed this long after the session ends, so the scans of
  // members walking out (and phones that were briefly offline) make it in.
  std::chrono::seconds grace{std::chrono::minutes{15}};
  // Later uploads are sealed into supplementary batches at most this often per session.
  std::chrono::seconds supplementary_period{std::chrono::minutes{5}};
};

// When the session's unsealed scans are due to be sealed; nullopt when there is nothing to seal.
// `ends_at` is nullopt for a session the program no longer lists: its scans are due at once.
[[nodiscard]] std::optional<unix_millis> seal_due_at(std::optional<unix_millis> ends_at,
                                                     const store::seal_state& state,
                                                     std::uint64_t unsealed,
                                                     const seal_timing& timing);

// Where one session stands: scans recorded, and how much of that is sealed.
struct session_progress {
  std::string session_id;
  std::uint64_t recorded = 0;
  store::seal_state sealed{};
};

struct seal_plan {
  std::vector<store::seal_request> due;  // seal these now
  std::optional<unix_millis> next_due;   // the earliest later seal, if any is waiting
};

// Applies seal_due_at to every session with unsealed scans. Requests carry the program's names
// and times; a session missing from the program is sealed with its id as title.
[[nodiscard]] seal_plan plan_seals(const tokens::meeting_program& program,
                                   std::span<const session_progress> progress, unix_millis now,
                                   const seal_timing& timing);

struct retry_policy {
  std::chrono::milliseconds initial{std::chrono::seconds{5}};
  std::chrono::milliseconds max{std::chrono::minutes{15}};  // the cap: a dead receiver is
                                                            // tried every 15 min, for days
  double jitter = 0.5;  // the delay is drawn from [d·(1−jitter), d]
};

// The wait after the n-th failed attempt (n ≥ 1): initial·2^(n−1), capped at max, then reduced
// by up to `jitter` of itself. `unit_random` in [0, 1) picks the point, so the result is
// reproducible in tests; the service passes a real random number. Jitter spreads the retries of
// many batches so a receiver coming back is not hit by all of them at once.
[[nodiscard]] std::chrono::milliseconds retry_delay(std::uint32_t failed_attempts,
                                                    const retry_policy& policy, double unit_random);

// The delivery record after one attempt: delivered is final; retry stays pending with the next
// attempt scheduled; failed is parked until an operator retries it. `previous` is nullopt for a
// first attempt.
[[nodiscard]] store::delivery_record after_attempt(std::optional<store::delivery_record> previous,
                                                   std::uint64_t batch_number,
                                                   std::string_view sink,
                                                   const delivery_result& result, unix_millis now,
                                                   const retry_policy& policy, double unit_random);

// An operator's retry of a parked batch: pending again, due at once, attempts kept for the
// record. A record that is not failed is returned unchanged.
[[nodiscard]] store::delivery_record retried(store::delivery_record record);

// Batches the sink should get now, lowest number first: those it has no record for, and pending
// ones whose next attempt is due. `records` are the sink's own delivery records, any order.
[[nodiscard]] std::vector<std::uint64_t> due_batches(std::span<const store::batch_header> batches,
                                                     std::span<const store::delivery_record> records,
                                                     unix_millis now);

// The earliest time a pending record of the sink becomes due, if any is waiting.
[[nodiscard]] std::optional<unix_millis> next_retry_at(
    std::span<const store::delivery_record> records);

}  // namespace checkin::gateway::sync
