#pragma once
// The decision whether a verified token, scanned at some time, earns a record. Pure:
// claims, program, times and policy in; a verdict out.
//
//  - The token must be for this meeting and a session in its program (unknown_session).
//  - The scan time is the phone's scanned_at when it sent one (an offline scan), else now.
//  - scanned_at may not lie in the future beyond clock_skew (outside_window).
//  - The scan time must lie in the token's window (+ slot_grace for slot tokens).
//  - An offline scan must be uploaded within upload_period after the token's window closes;
//    for a slot token within slot_upload_period: scanned_at is the phone's word, and a
//    photographed rotating code must not be replayable for days with a backdated time.

#include "gateway/api_error.hpp"
#include "tokens/claims.hpp"
#include "tokens/program.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace checkin::gateway {

using unix_millis = std::chrono::sys_time<std::chrono::milliseconds>;

struct scan_policy {
  std::chrono::seconds slot_grace{10};
  std::chrono::seconds clock_skew{120};
  std::chrono::seconds upload_period{std::chrono::hours{24 * 7}};
  std::chrono::seconds slot_upload_period{std::chrono::minutes{10}};
};

struct scan_verdict {
  const tokens::session_info* session = nullptr;  // set when accepted
  std::optional<api_error> error;                 // set when rejected
  std::string message;
};

[[nodiscard]] scan_verdict judge_scan(const tokens::session_claims& claims,
                                      const tokens::meeting_program& program, unix_millis now,
                                      std::optional<unix_millis> scanned_at,
                                      const scan_policy& policy);

}  // namespace checkin::gateway
