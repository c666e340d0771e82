#pragma once
// The body of a scan (POST /v1/scans, and each item of /v1/scans/batch), parsed and
// bounded, and the JSON the app shows for a recorded or duplicate scan. Pure functions.

#include "gateway/api_error.hpp"
#include "store/records.hpp"
#include "tokens/program.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <variant>

namespace checkin::gateway {

inline constexpr std::size_t max_client_id_length = 128;  // scan_id, device_id

struct scan_request {
  std::string qr;
  std::optional<store::unix_millis> scanned_at;
  std::optional<std::string> scan_id;
  std::optional<std::string> device_id;
};

struct request_problem {
  api_error error;
  std::string message;
};

// {"qr": "...", "scanned_at": "RFC 3339"?, "scan_id": "..."?, "device_id": "..."?}
[[nodiscard]] std::variant<scan_request, request_problem> parse_scan_request(
    const boost::json::value& body);

// Parses a request body as JSON; malformed_request with the parser's reason otherwise.
// The value's memory comes from `sp` (default: the heap, one allocation per container/string).
[[nodiscard]] std::variant<boost::json::value, request_problem> parse_json_body(
    std::string_view body, boost::json::storage_ptr sp = {});

// Credit units as a JSON number: an integer when whole ("units": 1), else a decimal.
[[nodiscard]] boost::json::value units_json(std::int64_t hundredths);

// What the app shows: meeting, session, credit, times (in the meeting's UTC offset).
// The object's memory comes from `sp` (default: the heap).
[[nodiscard]] boost::json::object scan_view(const store::scan_record& record,
                                            const tokens::meeting_program& program,
                                            boost::json::storage_ptr sp = {});

// The single-scan answer: scan_view(record, program) with "status" added last, written as
// text directly. The same bytes as boost::json::serialize of that object (tested), without
// building it: this is on every scan's path.
[[nodiscard]] std::string scan_answer_json(const store::scan_record& record,
                                           const tokens::meeting_program& program,
                                           std::string_view status);

// Appends `text` as a JSON string, escaped as boost::json::serialize does: '"', '\\' and
// the control characters (\b \t \n \f \r, else \u00xx); every other byte as it is.
void append_json_string(std::string& out, std::string_view text);

}  // namespace checkin::gateway
