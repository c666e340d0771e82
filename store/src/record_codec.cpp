#include "store/record_codec.hpp"

#include "store/keys.hpp"

#include <optional>

namespace checkin::store {

namespace {

class byte_writer {
 public:
  // Room for a whole scan record with both client ids (~150 bytes) at once: growing from
  // empty took four allocations per record, on the writer thread.
  byte_writer() { out_.reserve(256); }
  template <class UInt>
  void uint(UInt v) {
    char bytes[sizeof(UInt)];
    for (std::size_t i = 0; i < sizeof(UInt); ++i) {
      bytes[i] = static_cast<char>((v >> (8 * (sizeof(UInt) - 1 - i))) & 0xffU);
    }
    out_.append(bytes, sizeof(UInt));
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
  std::string_view view8() noexcept {
    return take(uint<std::uint8_t>()) ? last_ : std::string_view{};
  }
  std::string_view view16() noexcept {
    return take(uint<std::uint16_t>()) ? last_ : std::string_view{};
  }
  void skip(std::size_t n) noexcept { (void)take(n); }
  [[nodiscard]] bool ok() const noexcept { return ok_; }

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
std::int64_t millis_of(unix_millis t) { return t.time_since_epoch().count(); }

constexpr std::uint8_t batch_header_format = 1;
constexpr std::uint8_t seal_state_format = 1;
constexpr std::uint8_t delivery_record_format = 1;

// Optional times are a flag bit and, when set, an i64 after the flags byte.
void write_time(byte_writer& w, const std::optional<unix_millis>& t) {
  if (t) w.i64(millis_of(*t));
}
std::optional<unix_millis> read_time(byte_reader& in, std::uint8_t flags, std::uint8_t bit) {
  if ((flags & bit) == 0) return std::nullopt;
  return from_millis(in.i64());
}
std::uint8_t flag(const std::optional<unix_millis>& t, std::uint8_t bit) { return t ? bit : 0; }

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
  // What encode() refuses to write (an empty or NUL-holding id) is not a record it wrote.
  if (!in.done() || !check_scan_fields(r)) return store_error::corrupted;
  return r;
}

result<scan_identity> peek_scan_identity(std::string_view bytes) noexcept {
  byte_reader in{bytes};
  if (in.uint<std::uint8_t>() != scan_record_format) return store_error::corrupted;
  scan_identity id;
  id.member = in.view8();
  id.sequence = in.uint<std::uint64_t>();
  // scanned_at, recorded_at, key id, units, kind, token type
  in.skip(sizeof(std::int64_t) * 2 + sizeof(std::uint32_t) + sizeof(std::uint16_t) + 2);
  (void)in.uint<std::uint8_t>();  // flags
  (void)in.view8();               // meeting id
  id.session_id = in.view8();
  if (!in.ok()) return store_error::corrupted;
  return id;
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

namespace {

// A member record's fields as views into its bytes; both decoders below read through this.
struct member_fields {
  std::string_view member;
  std::int64_t updated_at = 0;
  member_status status = member_status::active;
  std::string_view name;
  std::string_view password_hash;
};

result<member_fields> read_member_fields(std::string_view bytes) {
  byte_reader in{bytes};
  if (in.uint<std::uint8_t>() != member_record_format) return store_error::corrupted;
  member_fields f;
  f.member = in.view8();
  f.updated_at = in.i64();
  const auto status_code = in.uint<std::uint8_t>();
  if (status_code != static_cast<std::uint8_t>(member_status::active) &&
      status_code != static_cast<std::uint8_t>(member_status::inactive)) {
    return store_error::corrupted;
  }
  f.status = static_cast<member_status>(status_code);
  f.name = in.view16();
  f.password_hash = in.view16();
  if (!in.done() || !keys::is_storable_id(f.member)) return store_error::corrupted;
  return f;
}

}  // namespace

result<member_record> decode_member_record(std::string_view bytes) {
  auto f = read_member_fields(bytes);
  if (!f) return f.error();
  member_record r;
  r.member = member_no{std::string(f->member)};
  r.updated_at = from_millis(f->updated_at);
  r.status = f->status;
  r.name = std::string(f->name);
  r.password_hash = std::string(f->password_hash);
  return r;
}

result<member_status> decode_member_status(std::string_view bytes) {
  auto f = read_member_fields(bytes);
  if (!f) return f.error();
  return f->status;
}

result<std::string> encode(const batch_header& h) {
  if (!keys::is_storable_id(h.meeting_id) || !keys::is_storable_id(h.session_id) ||
      h.batch_id.empty() || h.batch_id.size() > max_member_text_bytes ||
      h.meeting_name.size() > max_member_text_bytes ||
      h.session_title.size() > max_member_text_bytes) {
    return store_error::invalid_record;
  }
  byte_writer w;
  w.uint(batch_header_format);
  w.uint(h.number);
  w.uint(h.part);
  w.i64(millis_of(h.sealed_at));
  w.uint(h.entry_count);
  w.uint(h.first_sequence);
  w.uint(h.last_sequence);
  w.uint(h.units.hundredths);
  w.uint(static_cast<std::uint8_t>(h.kind));
  w.uint(static_cast<std::uint8_t>(flag(h.session_starts_at, 1) | flag(h.session_ends_at, 2)));
  write_time(w, h.session_starts_at);
  write_time(w, h.session_ends_at);
  w.str16(h.batch_id);
  w.str8(h.meeting_id);
  w.str8(h.session_id);
  w.str16(h.meeting_name);
  w.str16(h.session_title);
  return w.take();
}

result<batch_header> decode_batch_header(std::string_view bytes) {
  byte_reader in{bytes};
  if (in.uint<std::uint8_t>() != batch_header_format) return store_error::corrupted;
  batch_header h;
  h.number = in.uint<std::uint64_t>();
  h.part = in.uint<std::uint32_t>();
  h.sealed_at = from_millis(in.i64());
  h.entry_count = in.uint<std::uint32_t>();
  h.first_sequence = in.uint<std::uint64_t>();
  h.last_sequence = in.uint<std::uint64_t>();
  h.units = tokens::credit_units{in.uint<std::uint16_t>()};
  h.kind = static_cast<tokens::credit_kind>(in.uint<std::uint8_t>());
  const auto flags = in.uint<std::uint8_t>();
  if ((flags & ~3U) != 0) return store_error::corrupted;
  h.session_starts_at = read_time(in, flags, 1);
  h.session_ends_at = read_time(in, flags, 2);
  h.batch_id = in.str16();
  h.meeting_id = in.str8();
  h.session_id = in.str8();
  h.meeting_name = in.str16();
  h.session_title = in.str16();
  if (!in.done() || !keys::is_storable_id(h.meeting_id) || !keys::is_storable_id(h.session_id) ||
      h.batch_id.empty()) {
    return store_error::corrupted;
  }
  return h;
}

std::string encode(const seal_state& s) {
  byte_writer w;
  w.uint(seal_state_format);
  w.uint(s.parts);
  w.uint(s.sealed_entries);
  w.uint(s.last_sealed_sequence);
  w.uint(flag(s.last_sealed_at, 1));
  write_time(w, s.last_sealed_at);
  return w.take();
}

result<seal_state> decode_seal_state(std::string_view bytes) {
  byte_reader in{bytes};
  if (in.uint<std::uint8_t>() != seal_state_format) return store_error::corrupted;
  seal_state s;
  s.parts = in.uint<std::uint32_t>();
  s.sealed_entries = in.uint<std::uint64_t>();
  s.last_sealed_sequence = in.uint<std::uint64_t>();
  const auto flags = in.uint<std::uint8_t>();
  if ((flags & ~1U) != 0) return store_error::corrupted;
  s.last_sealed_at = read_time(in, flags, 1);
  if (!in.done()) return store_error::corrupted;
  return s;
}

result<std::string> encode(const delivery_record& d) {
  if (!keys::is_storable_id(d.sink) || d.last_error.size() > max_member_text_bytes) {
    return store_error::invalid_record;
  }
  byte_writer w;
  w.uint(delivery_record_format);
  w.uint(d.batch_number);
  w.uint(static_cast<std::uint8_t>(d.state));
  w.uint(d.attempts);
  w.uint(static_cast<std::uint8_t>(flag(d.last_attempt_at, 1) | flag(d.next_attempt_at, 2) |
                                   flag(d.delivered_at, 4)));
  write_time(w, d.last_attempt_at);
  write_time(w, d.next_attempt_at);
  write_time(w, d.delivered_at);
  w.str8(d.sink);
  w.str16(d.last_error);
  return w.take();
}

result<delivery_record> decode_delivery_record(std::string_view bytes) {
  byte_reader in{bytes};
  if (in.uint<std::uint8_t>() != delivery_record_format) return store_error::corrupted;
  delivery_record d;
  d.batch_number = in.uint<std::uint64_t>();
  const auto state = in.uint<std::uint8_t>();
  if (state < 1 || state > 3) return store_error::corrupted;
  d.state = static_cast<delivery_state>(state);
  d.attempts = in.uint<std::uint32_t>();
  const auto flags = in.uint<std::uint8_t>();
  if ((flags & ~7U) != 0) return store_error::corrupted;
  d.last_attempt_at = read_time(in, flags, 1);
  d.next_attempt_at = read_time(in, flags, 2);
  d.delivered_at = read_time(in, flags, 4);
  d.sink = in.str8();
  d.last_error = in.str16();
  if (!in.done() || !keys::is_storable_id(d.sink)) return store_error::corrupted;
  return d;
}

}  // namespace checkin::store
