#pragma once
// The records the store keeps: members and scans, as plain data. Encoding lives in
// record_codec.hpp, key layout in keys.hpp.

#include <tokens/claims.hpp>

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkin::store {

// Milliseconds since the Unix epoch, UTC.
using unix_millis = std::chrono::sys_time<std::chrono::milliseconds>;

// A society member number (会員番号), exactly as the membership system writes it: zero
// padding and letters are significant ("00123" is not "123"). Ordered as bytes.
struct member_no {
  std::string value;
  friend bool operator==(member_no, member_no) = default;
  friend auto operator<=>(member_no, member_no) = default;
};

enum class member_status : std::uint8_t {
  active = 1,
  inactive = 2,  // may not log in or record scans
};
[[nodiscard]] std::string_view to_string(member_status s) noexcept;

struct member_record {
  member_no member{};
  std::string name{};  // UTF-8
  member_status status = member_status::active;
  std::string password_hash{};  // libsodium crypto_pwhash_str output; opaque to the store
  unix_millis updated_at{};

  friend bool operator==(const member_record&, const member_record&) = default;
};

// What a caller asks the store to record: the verified content of one scan. The writer turns it
// into a scan_record by stamping recorded_at and a sequence number.
struct scan_draft {
  member_no member{};
  std::string meeting_id{};
  std::string session_id{};  // with `member`, the identity of the scan: one per (member, session)
  tokens::credit_kind kind = tokens::credit_kind::attendance;
  tokens::credit_units units{};
  tokens::token_type type = tokens::token_type::poster;
  tokens::key_id key{};
  std::optional<unix_millis> scanned_at{};  // as reported by the phone, if it did
  std::optional<std::string> scan_id{};     // the client's id for this scan
  std::optional<std::string> device_id{};

  friend bool operator==(const scan_draft&, const scan_draft&) = default;
};

struct scan_record {
  member_no member{};
  std::string meeting_id{};
  std::string session_id{};
  tokens::credit_kind kind = tokens::credit_kind::attendance;
  tokens::credit_units units{};
  tokens::token_type type = tokens::token_type::poster;
  tokens::key_id key{};
  unix_millis scanned_at{};   // the phone's time, or recorded_at when it sent none
  unix_millis recorded_at{};  // server time, one value per commit batch
  std::optional<std::string> scan_id{};
  std::optional<std::string> device_id{};
  std::uint64_t sequence = 0;  // store-wide, increasing in commit order; also the outbox key

  friend bool operator==(const scan_record&, const scan_record&) = default;
};

// A scan waiting in the outbox to be sealed into a batch for the membership system.
struct outbox_entry {
  std::uint64_t sequence = 0;
  scan_record scan{};

  friend bool operator==(const outbox_entry&, const outbox_entry&) = default;
};

// ---- sealed batches: what the membership system receives ---------------------------------------

// The first batch of a session is sealed when the session is over (ends_at + grace); scans that
// arrive after it (offline uploads) go into supplementary batches, parts 2, 3, ...
enum class batch_part_kind : std::uint8_t { main = 1, supplementary = 2 };
[[nodiscard]] std::string_view to_string(batch_part_kind k) noexcept;

// Everything a sink needs to describe a batch without the program: the names are copied from
// the program when the batch is sealed and never change afterwards.
struct batch_header {
  std::uint64_t number = 0;  // store-wide, from 1, in seal order
  std::string batch_id{};      // stable: "<meeting_id>/<session_id>/<part>", e.g. "JSCNM2026/S01/1"
  std::string meeting_id{};
  std::string meeting_name{};  // UTF-8
  std::string session_id{};
  std::string session_title{};  // UTF-8
  std::optional<unix_millis> session_starts_at{};
  std::optional<unix_millis> session_ends_at{};
  tokens::credit_kind kind = tokens::credit_kind::attendance;
  tokens::credit_units units{};
  std::uint32_t part = 1;  // 1: main; 2 and up: supplementary
  unix_millis sealed_at{};
  std::uint32_t entry_count = 0;
  std::uint64_t first_sequence = 0;  // of the scans in it
  std::uint64_t last_sequence = 0;

  [[nodiscard]] batch_part_kind part_kind() const noexcept {
    return part == 1 ? batch_part_kind::main : batch_part_kind::supplementary;
  }
  friend bool operator==(const batch_header&, const batch_header&) = default;
};

// A sealed batch: its header and its scans in sequence order, one per member (a member appears
// in at most one batch of a session, because a scan is recorded once per member and session and
// sealed once).
struct sealed_batch {
  batch_header header{};
  std::vector<scan_record> entries{};

  friend bool operator==(const sealed_batch&, const sealed_batch&) = default;
};

// What the store knows of a session's sealing: how many parts it has sealed and up to which
// scan. Scans of the session with a sequence above last_sealed_sequence are still in the outbox.
struct seal_state {
  std::uint32_t parts = 0;
  std::uint64_t sealed_entries = 0;
  std::uint64_t last_sealed_sequence = 0;
  std::optional<unix_millis> last_sealed_at{};

  friend bool operator==(const seal_state&, const seal_state&) = default;
};

// A request to seal a session's unsealed scans into its next batch. The names and times are
// copied from the program into the batch header; kind, units and the meeting id come from the
// scans themselves (what the members were told when they scanned).
struct seal_request {
  std::string session_id{};
  std::string meeting_name{};
  std::string session_title{};
  std::optional<unix_millis> session_starts_at{};
  std::optional<unix_millis> session_ends_at{};
};

enum class delivery_state : std::uint8_t {
  pending = 1,    // not yet acknowledged; retried at next_attempt_at
  delivered = 2,  // acknowledged by the sink: final
  failed = 3,     // refused by the sink: parked until an operator retries it
};
[[nodiscard]] std::string_view to_string(delivery_state s) noexcept;

// Where one batch stands with one sink. No record means "pending, never attempted".
struct delivery_record {
  std::uint64_t batch_number = 0;
  std::string sink{};  // the sink's configured name, 1..255 bytes
  delivery_state state = delivery_state::pending;
  std::uint32_t attempts = 0;
  std::optional<unix_millis> last_attempt_at{};
  std::optional<unix_millis> next_attempt_at{};  // pending only; none: as soon as possible
  std::optional<unix_millis> delivered_at{};
  std::string last_error{};  // the sink's detail for the last attempt that did not deliver

  friend bool operator==(const delivery_record&, const delivery_record&) = default;
};

}  // namespace checkin::store
