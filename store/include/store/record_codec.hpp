#pragma once
// Byte encodings of the stored values. Each value opens with a format byte so records can evolve
// without a schema migration: a decoder reads every format it knows and calls the rest corrupted,
// as it does a value its encoder would refuse to write (an empty id, an id holding 0x00).
//
// scan record, format 1 (integers big-endian; str8 = u8 length + bytes, str16 = u16 length +
// bytes):
//   u8 format=1 · str8 member · u64 sequence · i64 scanned_at_ms · i64 recorded_at_ms · u32 key_id
//   · u16 units · u8 kind · u8 token_type · u8 flags (bit0 scan_id, bit1 device_id) · str8
//   meeting_id · str8 session_id · [str8 scan_id] · [str8 device_id]
// member record, format 1:
//   u8 format=1 · str8 member · i64 updated_at_ms · u8 status · str16 name · str16 password_hash
// batch header, format 1:
//   u8 format=1 · u64 number · u32 part · i64 sealed_at_ms · u32 entry_count · u64 first_sequence
//   · u64 last_sequence · u16 units · u8 kind · u8 flags (bit0 starts_at, bit1 ends_at) ·
//   [i64 starts_at_ms] · [i64 ends_at_ms] · str16 batch_id · str8 meeting_id · str8 session_id ·
//   str16 meeting_name · str16 session_title
// seal state, format 1:
//   u8 format=1 · u32 parts · u64 sealed_entries · u64 last_sealed_sequence · u8 flags (bit0
//   last_sealed_at) · [i64 last_sealed_at_ms]
// delivery record, format 1:
//   u8 format=1 · u64 batch_number · u8 state · u32 attempts · u8 flags (bit0 last_attempt_at,
//   bit1 next_attempt_at, bit2 delivered_at) · [i64 ...] in that order · str8 sink ·
//   str16 last_error

#include "store/records.hpp"
#include "store/store_error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace checkin::store {

inline constexpr std::uint8_t scan_record_format = 1;
inline constexpr std::uint8_t member_record_format = 1;
inline constexpr std::size_t max_optional_id_bytes = 255;    // scan_id, device_id
inline constexpr std::size_t max_member_text_bytes = 65535;  // name, password_hash

// invalid_record when a field does not fit: the member number, meeting and session ids must be
// keys::is_storable_id; scan_id and device_id at most max_optional_id_bytes.
[[nodiscard]] status validate(const scan_draft& draft);
// invalid_record unless the member number is keys::is_storable_id and name and password_hash are
// at most max_member_text_bytes.
[[nodiscard]] status validate(const member_record& member);

[[nodiscard]] result<std::string> encode(const scan_record& record);
[[nodiscard]] result<scan_record> decode_scan_record(std::string_view bytes);

// The fields that place a scan record in the indexes, read in place: the views point into the
// bytes given. For the writer's bulk index update and the attendance read of the outbox, which
// look at thousands of records and keep few. corrupted when the record is not format 1 or ends
// before its session id.
struct scan_identity {
  std::string_view member;
  std::uint64_t sequence = 0;
  std::string_view session_id;
};
[[nodiscard]] result<scan_identity> peek_scan_identity(std::string_view bytes) noexcept;

[[nodiscard]] result<std::string> encode(const member_record& record);
[[nodiscard]] result<member_record> decode_member_record(std::string_view bytes);
// Only the status, with the same checks of the whole layout and no copies: what every scan's
// authentication needs (the name and the password hash stay unread).
[[nodiscard]] result<member_status> decode_member_status(std::string_view bytes);

// invalid_record when an id is not keys::is_storable_id or a text is over 65,535 bytes.
[[nodiscard]] result<std::string> encode(const batch_header& header);
[[nodiscard]] result<batch_header> decode_batch_header(std::string_view bytes);

[[nodiscard]] std::string encode(const seal_state& state);
[[nodiscard]] result<seal_state> decode_seal_state(std::string_view bytes);

// invalid_record when the sink name is not keys::is_storable_id or last_error is over 65,535
// bytes.
[[nodiscard]] result<std::string> encode(const delivery_record& record);
[[nodiscard]] result<delivery_record> decode_delivery_record(std::string_view bytes);

}  // namespace checkin::store
