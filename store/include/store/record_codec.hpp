#pragma once
// Byte encodings of the stored values. Each value opens with a format byte so records can evolve
// without a schema migration: a decoder reads every format it knows and calls the rest corrupted.
//
// scan record, format 1 (integers big-endian; str8 = u8 length + bytes, str16 = u16 length +
// bytes):
//   u8 format=1 · str8 member · u64 sequence · i64 scanned_at_ms · i64 recorded_at_ms · u32 key_id
//   · u16 units · u8 kind · u8 token_type · u8 flags (bit0 scan_id, bit1 device_id) · str8
//   meeting_id · str8 session_id · [str8 scan_id] · [str8 device_id]
// member record, format 1:
//   u8 format=1 · str8 member · i64 updated_at_ms · u8 status · str16 name · str16 password_hash

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

[[nodiscard]] result<std::string> encode(const member_record& record);
[[nodiscard]] result<member_record> decode_member_record(std::string_view bytes);

}  // namespace checkin::store
