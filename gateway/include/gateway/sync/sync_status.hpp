#pragma once
// Where the sync stands, per session and per batch: the answer of `GET /v1/sync/status` and of
// `checkin-gateway sync status --json`. A pure function of what the store holds.

#include "gateway/sync/sync_policy.hpp"
#include "store/records.hpp"
#include "tokens/program.hpp"

#include <boost/json/object.hpp>
#include <span>
#include <string>

namespace checkin::gateway::sync {

struct sync_snapshot {
  std::span<const session_progress> progress;
  std::span<const store::batch_header> batches;
  std::span<const store::delivery_record> deliveries;
  std::span<const std::string> sinks;  // configured sink names; empty: export only
};

// {"sinks": [...], "totals": {...}, "sessions": [...], "batches": [...]}: documented in
// docs/sync.md. Per session: recorded, unsealed, batches, when the next seal is due, and per
// sink pending / delivered / failed with the last error and the next retry. Times are RFC 3339
// at the program's UTC offset.
[[nodiscard]] boost::json::object sync_status_json(const tokens::meeting_program& program,
                                                   const sync_snapshot& snapshot,
                                                   const seal_timing& timing, unix_millis now);

}  // namespace checkin::gateway::sync
