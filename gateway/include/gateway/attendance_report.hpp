#pragma once
// What organizers pull: a session's attendance and the per-member credit summary of the meeting
// (what the membership system receives), as JSON and as CSV that Excel opens with Japanese names
// intact. Pure: built from scans and member names the caller read. Columns in
// docs/organizers.md.

#include "store/records.hpp"
#include "store/scan_store.hpp"
#include "tokens/program.hpp"

#include <boost/json/object.hpp>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace checkin::gateway {

// A member's display name, empty when unknown.
using name_lookup = std::function<std::string(const store::member_no&)>;

// Names from the store's roster (one read per call; empty when unknown or unreadable).
[[nodiscard]] name_lookup roster_names(const store::scan_store& store);
// Every scan of every session in the program, session by session in program order.
[[nodiscard]] store::result<std::vector<store::scan_record>> meeting_scans(
    const store::scan_store& store, const tokens::meeting_program& program);

// One CSV field: quoted when it holds a comma, quote, CR or LF; a field that Excel would read as
// a formula (leading = + - @, tab or CR) gets a leading apostrophe first.
[[nodiscard]] std::string csv_field(std::string_view text);

// UTF-8 byte order mark: without it Excel reads UTF-8 CSV as Shift_JIS and garbles names.
inline constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// A session's attendance in recording order. `session` may be null for a session the program
// no longer lists.
[[nodiscard]] boost::json::object attendance_json(const tokens::meeting_program& program,
                                                  std::string_view session_id,
                                                  std::span<const store::scan_record> scans,
                                                  const name_lookup& name_of);
// BOM, header row, one row per scan, CRLF line ends.
[[nodiscard]] std::string attendance_csv(const tokens::meeting_program& program,
                                         std::string_view session_id,
                                         std::span<const store::scan_record> scans,
                                         const name_lookup& name_of);

// Per member: credit units per kind and the sessions attended, over the given scans (normally
// every session of the meeting). Members in byte order of their numbers.
struct member_credits {
  store::member_no member;
  std::string name;
  std::uint32_t attendance_hundredths = 0;
  std::uint32_t education_hundredths = 0;
  std::vector<std::string> sessions;  // in the order of `scans`
};
[[nodiscard]] std::vector<member_credits> summarize_credits(
    std::span<const store::scan_record> scans, const name_lookup& name_of);
[[nodiscard]] boost::json::object credits_json(const tokens::meeting_program& program,
                                               std::span<const member_credits> credits);
[[nodiscard]] std::string credits_csv(std::span<const member_credits> credits);

}  // namespace checkin::gateway
