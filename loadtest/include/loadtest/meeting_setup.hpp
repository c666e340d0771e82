#pragma once
// The files a managed run gives its gateway, as pure text builders: a program whose sessions
// are all in progress, a roster of load-test members, and a gateway.toml tuned for load.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace checkin::loadtest {

inline constexpr std::string_view load_meeting_id = "LOAD2026";

// "L-00001": the id of session `index` (0-based).
[[nodiscard]] std::string session_id_of(std::uint32_t index);
// The member number of member `index`: first + index in decimal.
[[nodiscard]] std::string member_no_of(std::uint32_t first, std::uint32_t index);

// program.json with `sessions` education sessions that started 30 minutes before `now` and
// end 4 hours after it, spread over 20 rooms (UTC offset +09:00).
[[nodiscard]] std::string make_program_json(std::uint32_t sessions, std::chrono::sys_seconds now);

// Roster CSV (member_no,name,status,initial_password), every member active.
[[nodiscard]] std::string make_roster_csv(std::uint32_t first, std::uint32_t count,
                                          std::string_view password);

struct gateway_tuning {
  unsigned max_connections = 20'000;
  std::optional<unsigned> token_memo_entries;  // nullopt: the gateway's default
  std::string organizer_key_sha256;            // for the attendance export
  std::optional<unsigned> commit_gather_us;    // nullopt: the gateway's default
};

// gateway.toml: no per-member or per-address scan limits (one generator address plays
// thousands of phones), room for the connections, an organizer key for verification.
[[nodiscard]] std::string make_gateway_toml(const gateway_tuning& t);

}  // namespace checkin::loadtest
