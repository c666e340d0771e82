#include "gateway/scan_rules.hpp"

#include "tokens/session_token.hpp"

namespace checkin::gateway {

using namespace std::chrono;

scan_verdict judge_scan(const tokens::session_claims& claims,
                        const tokens::meeting_program& program, unix_millis now,
                        std::optional<unix_millis> scanned_at, const scan_policy& policy) {
  const auto reject = [](api_error e, std::string message) {
    return scan_verdict{nullptr, e, std::move(message)};
  };
  if (claims.meeting_id != program.id) {
    return reject(api_error::unknown_session,
                  "this code is for meeting " + claims.meeting_id + ", not " + program.id);
  }
  const auto* session = program.find(claims.session_id);
  if (!session) {
    return reject(api_error::unknown_session,
                  "session " + claims.session_id + " is not in this meeting's program");
  }
  if (scanned_at && *scanned_at > now + policy.clock_skew) {
    return reject(api_error::outside_window, "scanned_at lies in the future");
  }
  const auto at = floor<seconds>(scanned_at.value_or(now));
  if (!tokens::within_window(claims, at, policy.slot_grace)) {
    return reject(api_error::outside_window,
                  at < claims.valid_from ? "this code is not valid yet"
                                         : "this code has expired");
  }
  const bool slot = claims.type == tokens::token_type::slot;
  const auto period = slot ? policy.slot_upload_period : policy.upload_period;
  if (scanned_at && now > claims.valid_until + period) {
    return reject(api_error::outside_window,
                  "offline scans of this code had to be uploaded within " +
                      std::to_string(duration_cast<minutes>(period).count()) +
                      " minutes after it closed");
  }
  return scan_verdict{session, std::nullopt, {}};
}

}  // namespace checkin::gateway
