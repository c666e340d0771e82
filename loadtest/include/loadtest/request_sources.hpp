#pragma once
// The request sources of the three phases: logins, /healthz, and the scans of a scenario.

#include "loadtest/load_runner.hpp"
#include "loadtest/scenario.hpp"
#include "loadtest/session_tokens.hpp"

#include <string>
#include <vector>

namespace checkin::loadtest {

// The simulated members: numbers, password, and the bearer token each got at login.
struct member_roster {
  std::vector<std::string> member_no;
  std::string password;
  std::vector<std::string> bearer;  // filled by the login phase
};

// POST /v1/login once per member; a 200 stores the bearer token in roster.bearer[i].
class login_requests final : public request_source {
 public:
  explicit login_requests(member_roster& roster) : roster_(roster) {}
  [[nodiscard]] std::uint64_t size() const noexcept override { return roster_.member_no.size(); }
  void write(std::uint64_t index, std::string& out) const override;
  verdict judge(std::uint64_t index, unsigned status, std::string_view body,
                phase_tally& tally) const override;

 private:
  member_roster& roster_;  // each index writes only its own bearer slot
};

// GET /healthz, as many as the duration allows: the bare HTTP path of the same server.
class healthz_requests final : public request_source {
 public:
  [[nodiscard]] std::uint64_t size() const noexcept override { return ~std::uint64_t{0}; }
  void write(std::uint64_t index, std::string& out) const override;
  verdict judge(std::uint64_t index, unsigned status, std::string_view body,
                phase_tally& tally) const override;
};

// The scenario's scans. 201 and 200 answers (and batch items recorded / duplicate) are kept
// as acknowledged scans for verification.
class scan_requests final : public request_source {
 public:
  // `count` <= plan_capacity(shape); `scanned_at` (RFC 3339) stamps backlog items.
  scan_requests(const scenario_shape& shape, std::uint64_t count, const session_tokens& tokens,
                const member_roster& roster, std::string scanned_at);
  [[nodiscard]] std::uint64_t size() const noexcept override { return count_; }
  void write(std::uint64_t index, std::string& out) const override;
  verdict judge(std::uint64_t index, unsigned status, std::string_view body,
                phase_tally& tally) const override;

 private:
  void write_batch(std::uint64_t index, const planned_request& r, std::string& out) const;
  verdict judge_batch(const planned_request& r, unsigned status, std::string_view body,
                      phase_tally& tally) const;

  scenario_shape shape_;
  std::uint64_t count_;
  const session_tokens& tokens_;
  const member_roster& roster_;
  std::string scanned_at_;
};

}  // namespace checkin::loadtest
