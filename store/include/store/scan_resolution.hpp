#pragma once
// How one batch of scan drafts resolves: pure, over plain data, no LMDB. The writer looks up what
// is stored, asks resolve_scans, writes the `recorded` outcomes and hands every outcome to its
// caller once the transaction has committed.

#include "store/records.hpp"
#include "store/store_error.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace checkin::store {

enum class scan_status : std::uint8_t {
  recorded,   // this request created the record
  duplicate,  // a record for (member, session) already existed; `record` is the original
};
[[nodiscard]] std::string_view to_string(scan_status s) noexcept;

struct scan_outcome {
  scan_status status = scan_status::recorded;
  scan_record record;

  friend bool operator==(const scan_outcome&, const scan_outcome&) = default;
};

using scan_result = result<scan_outcome>;

// The record a draft becomes when it is recorded.
[[nodiscard]] scan_record make_scan_record(const scan_draft& draft, std::uint64_t sequence,
                                           unix_millis recorded_at);

// One result per draft, in order. stored[i] is what the store already holds under drafts[i]'s key
// (nullopt if nothing; looked up before the batch writes anything). First write wins:
//  - a draft that fails validate() gets invalid_record and takes no sequence number;
//  - a draft whose key is stored is a duplicate returning the stored record;
//  - otherwise the first draft of a key in the batch is recorded with the next sequence number
//    (counting up from first_sequence) and every later draft of that key is a duplicate returning
//    the record the first one produced.
// Precondition: stored.size() == drafts.size().
[[nodiscard]] std::vector<scan_result> resolve_scans(
    std::span<const scan_draft> drafts, std::span<const std::optional<scan_record>> stored,
    std::uint64_t first_sequence, unix_millis recorded_at);

}  // namespace checkin::store
