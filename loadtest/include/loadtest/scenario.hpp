#pragma once
// What the simulated phones send, as pure functions of a request index. Connections draw
// indices from one shared counter, so a scenario needs no memory and the i-th request is the
// same in every run (and in the tests).
//
// Members are numbered 0..members-1 and sessions 0..sessions-1; a (member, session) pair is
// scanned at most once per scenario except where duplicates are the point.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace checkin::loadtest {

enum class scenario_kind {
  burst,       // lecture start: every member scans the poster of hall 0, then hall 1, ...
  steady,      // scanning spread over all sessions at once
  distinct,    // as steady, but every scan carries a token text the gateway has not seen
  backlog,     // offline backlogs: POST /v1/scans/batch with `batch_size` scans each
  duplicates,  // every scan is sent `repeats` times back to back (retrying apps, double taps)
  mixed,       // as steady, with invalid tokens, bad bearer tokens and wrong passwords mixed in
};

[[nodiscard]] std::string_view to_string(scenario_kind k) noexcept;
[[nodiscard]] std::optional<scenario_kind> scenario_from_string(std::string_view s) noexcept;

struct scenario_shape {
  scenario_kind kind = scenario_kind::steady;
  std::uint32_t members = 10'000;
  std::uint32_t sessions = 100;
  std::uint32_t batch_size = 20;  // backlog
  std::uint32_t repeats = 4;      // duplicates
  // mixed: shares of all requests, in per mille
  std::uint32_t invalid_token_permille = 100;
  std::uint32_t bad_bearer_permille = 50;
  std::uint32_t bad_login_permille = 20;
};

// The problem with a shape (zero members, batch larger than the session count, shares over
// 1000 ...), or nullopt when it can be run.
[[nodiscard]] std::optional<std::string> check_shape(const scenario_shape& s);

enum class request_kind : std::uint8_t {
  scan,           // POST /v1/scans, expects 201 or 200
  batch,          // POST /v1/scans/batch with batch_size items (sessions session..+n-1)
  invalid_token,  // POST /v1/scans with a token whose signature does not verify: 422
  bad_bearer,     // POST /v1/scans with a forged bearer token: 401
  bad_login,      // POST /v1/login for an unknown member: 401 (429 once the address is locked)
};

struct planned_request {
  request_kind kind = request_kind::scan;
  std::uint32_t member = 0;
  std::uint32_t session = 0;
  // distinct: the request's own token (its index in the minted pool); otherwise 0.
  std::uint64_t token = 0;
};

// How many requests the scenario has before a (member, session) pair would be sent again
// (for duplicates, counting the repeats). A run stops there at the latest.
[[nodiscard]] std::uint64_t plan_capacity(const scenario_shape& s) noexcept;
// The i-th request, for i < plan_capacity(s).
[[nodiscard]] planned_request plan_request(const scenario_shape& s, std::uint64_t i) noexcept;

}  // namespace checkin::loadtest
