#pragma once
// Did the gateway keep its word? Every scan it acknowledged (201 recorded, 200 duplicate)
// must be in the attendance export exactly once, and no (member, session) may have been
// answered "recorded" twice. Pure: the export is fetched elsewhere.

#include "loadtest/load_runner.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace checkin::loadtest {

struct verification {
  std::uint64_t acknowledged_pairs = 0;  // distinct (member, session) answered 201 or 200
  std::uint64_t answered_201 = 0;
  std::uint64_t answered_200 = 0;
  std::uint64_t exported = 0;         // rows of our members in the exports
  std::uint64_t lost = 0;             // acknowledged, but not in the export
  std::uint64_t duplicated = 0;       // in the export more than once, or 201 twice
  std::uint64_t unacknowledged = 0;   // in the export, never acknowledged (fine: the
                                      // answer was lost to a kill, or an earlier run)
  std::vector<std::string> examples;  // a few problems, for the report
  [[nodiscard]] bool ok() const noexcept { return lost == 0 && duplicated == 0; }
};

// `exported[s]` lists the member indices in session s's attendance export (members of other
// runs left out), `members` and `sessions` bound the indices.
[[nodiscard]] verification verify_acknowledged(
    std::span<const acknowledged_scan> acknowledged,
    const std::vector<std::vector<std::uint32_t>>& exported, std::uint32_t members);

}  // namespace checkin::loadtest
