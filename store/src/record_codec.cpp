#include "store/record_codec.hpp"

#include "store/keys.hpp"

#include <optional>

namespace checkin::store {

namespace {

class byte_writer {
 public:
  template <class UInt>
  void uint(UInt v) {
    for (int shift = 8 * (static_cast<int>(sizeof(UInt)) - 1); shift >= 0; shift -= 8) {
      out_.push_back(static_cast<char>((v >> shift) & 0xffU));
    }
  }
  void i64(std::int64_t v) { uint(static_cast<std::uint64_t>(v)); }
  void str8(std::string_view s) {
    uint(static_cast<std::uint8_t>(s.size()));
    out_.append(s);
  }
  void str16(std::string_view s) {
    uint(static_cast<std::uint16_t>(s.size()));
    out_.append(s);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads until the first short read; after that every read fails and ok() stays false.
class byte_reader {
 public:
  explicit byte_reader(std::string_view in) noexcept : in_(in) {}

  template <class UInt>
  UInt uint() noexcept {
    if (!take(sizeof(UInt))) return 0;
    UInt v = 0;
    for (std::size_t i = 0; i < sizeof(UInt); ++i) {
      v = static_cast<UInt>((v << 8) | static_cast<unsigned char>(last_[i]));
    }
    return v;
  }
  std::int64_t i64() noexcept { return static_cast<std::int64_t>(uint<std::uint64_t>()); }
  std::string str8() { return take(uint<std::uint8_t>()) ? std::string{last_} : std::string{}; }
  std::string str16() { return take(uint<std::uint16_t>()) ? std::string{last_} : std::string{}; }

  // True when every read succeeded and the input was consumed exactly.
  [[nodiscard]] bool done() const noexcept { return ok_ && in_.empty(); }

 private:
  bool take(std::size_t n) noexcept {
    if (!ok_ || in_.size() < n) {
      ok_ = false;
      last_ = {};
      return false;
    }
    last_ = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }

  std::string_view in_;
  std::string_view last_;
  bool ok_ = true;
};

constexpr std::uint8_t has_scan_id = 0x01;
constexpr std::uint8_t has_device_id = 0x02;

bool optional_id_fits(const std::optional<std::string>& id) noexcept {
  return !id || id->size() <= max_optional_id_bytes;
}

// One rule for drafts and records: the string fields a scan's encoding and keys can carry.
template <class Scan>
status check_scan_fields(const Scan& s) {
  if (!keys::is_storable_id(s.member.value) || !keys::is_storable_id(s.meeting_id) ||
      !keys::is_storable_id(s.session_id) || !optional_id_fits(s.scan_id) ||
      !optional_id_fits(s.device_id)) {
    return store_error::invalid_record;
  }
  return {};
}

unix_millis from_millis(std::int64_t ms) { return unix_millis{std::chrono::milliseconds{ms}}; }

}  // namespace

status validate(const scan_draft& draft) { return check_scan_fields(draft); }

result<std::string> encode(const scan_record& r) {
  if (auto fits = check_scan_fields(r); !fits) return fits.error();
  byte_writer w;
  w.uint(scan_record_format);
  w.str8(r.member.value);
  w.uint(r.sequence);
  w.i64(r.scanned_at.time_since_epoch().count());
  w.i64(r.recorded_at.time_since_epoch().count());
  w.uint(r.key.value);
  w.uint(r.units.hundredths);
  w.uint(static_cast<std::uint8_t>(r.kind));
  w.uint(static_cast<std::uint8_t>(r.type));
  w.uint(
      static_cast<std::uint8_t>((r.scan_id ? has_scan_id : 0) | (r.device_id ? has_device_id : 0)));
  w.str8(r.meeting_id);
  w.str8(r.session_id);
  if (r.scan_id) w.str8(*r.scan_id);
  if (r.device_id) w.str8(*r.device_id);
  return w.take();
}

result<scan_record> decode_scan_record(std::string_view bytes) {
  byte_reader in{bytes};
  if (in.uint<std::uint8_t>() != scan_record_format) return store_error::corrupted;
  scan_record r;
  r.member = member_no{in.str8()};
  r.sequence = in.uint<std::uint64_t>();
  r.scanned_at = from_millis(in.i64());
  r.recorded_at = from_millis(in.i64());
  r.key = tokens::key_id{in.uint<std::uint32_t>()};
  r.units = tokens::credit_units{in.uint<std::uint16_t>()};
  // Kinds and token types are stored as their codes; a code this build does not name still
  // round-trips unchanged.
  r.kind = static_cast<tokens::credit_kind>(in.uint<std::uint8_t>());
  r.type = static_cast<tokens::token_type>(in.uint<std::uint8_t>());
  const auto flags = in.uint<std::uint8_t>();
  if ((flags & ~(has_scan_id | has_device_id)) != 0) return store_error::corrupted;
  r.meeting_id = in.str8();
  r.session_id = in.str8();
  if ((flags & has_scan_id) != 0) r.scan_id = in.str8();
  if ((flags & has_device_id) != 0) r.device_id = in.str8();
  if (!in.done()) return store_error::corrupted;
  return r;
}

status validate(const member_record& r) {
  if (!keys::is_storable_id(r.member.value) || r.name.size() > max_member_text_bytes ||
      r.password_hash.size() > max_member_text_bytes) {
    return store_error::invalid_record;
  }
  return {};
}

result<std::string> encode(const member_record& r) {
  if (auto fits = validate(r); !fits) return fits.error();
  byte_writer w;
  w.uint(member_record_format);
  w.str8(r.member.value);
  w.i64(r.updated_at.time_since_epoch().count());
  w.uint(static_cast<std::uint8_t>(r.status));
  w.str16(r.name);
  w.str16(r.password_hash);
  return w.take();
}

result<member_record> decode_member_record(std::string_view bytes) {
  byte_reader in{bytes};
  if (in.uint<std::uint8_t>() != member_record_format) return store_error::corrupted;
  member_record r;
  r.member = member_no{in.str8()};
  r.updated_at = from_millis(in.i64());
  const auto status_code = in.uint<std::uint8_t>();
  if (status_code != static_cast<std::uint8_t>(member_status::active) &&
      status_code != static_cast<std::uint8_t>(member_status::inactive)) {
    return store_error::corrupted;
  }
  r.status = static_cast<member_status>(status_code);
  r.name = in.str16();
  r.password_hash = in.str16();
  if (!in.done()) return store_error::corrupted;
  return r;
}

}  // namespace checkin::store
