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

}  // namespace checkin::store
