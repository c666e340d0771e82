#pragma once
// One-off requests to the gateway outside the load: the attendance exports for verification
// and /metrics for the token memo counters.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkin::loadtest {

struct plain_answer {
  unsigned status = 0;  // 0: no answer (refused, reset, timed out)
  std::string body;
};

// GET `target` on its own connection, with a deadline for the whole exchange.
[[nodiscard]] plain_answer http_get(const std::string& host, std::uint16_t port,
                                    std::string_view target, std::string_view bearer,
                                    std::chrono::milliseconds timeout = std::chrono::seconds{60});

// GET /v1/sessions/{id}/attendance for each session: per session, the indices of the members
// listed (member number − first_member; other members are left out). Throws
// std::runtime_error when an export cannot be fetched or read.
[[nodiscard]] std::vector<std::vector<std::uint32_t>> fetch_attendance(
    const std::string& host, std::uint16_t port, std::string_view organizer_key,
    const std::vector<std::string>& session_ids, std::uint32_t first_member, std::uint32_t members);

// Counters read from GET /metrics at one moment.
struct gateway_counters {
  double memo_hits = 0;
  double memo_misses = 0;
  double scans_recorded = 0;
  double scans_duplicate = 0;
  double commits = 0;         // group-commit transactions
  double commit_items = 0;    // scans in them
  double commit_seconds = 0;  // time spent committing (fdatasync included)
};
[[nodiscard]] std::optional<gateway_counters> fetch_counters(const std::string& host,
                                                             std::uint16_t port);

}  // namespace checkin::loadtest
