#include "store/keys.hpp"

namespace checkin::store::keys {

bool is_storable_id(std::string_view id) noexcept {
  return !id.empty() && id.size() <= max_id_bytes && id.find('\0') == std::string_view::npos;
}

std::string be64(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xffU);
    v >>= 8;
  }
  return out;
}

std::optional<std::uint64_t> read_be64(std::string_view bytes) noexcept {
  if (bytes.size() != 8) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

// Member numbers hold no NUL (is_storable_id), so "member · NUL" is a prefix no other
// member's keys share, and the member's scans sort together.
std::string scan_key(const member_no& member, std::string_view session_id) {
  std::string key = member_scans_prefix(member);
  key.append(session_id);
  return key;
}

std::string member_scans_prefix(const member_no& member) {
  std::string key = member.value;
  key.push_back('\0');
  return key;
}

std::string session_index_key(std::string_view session_id, std::uint64_t sequence) {
  std::string key = session_index_prefix(session_id);
  key.append(be64(sequence));
  return key;
}

std::string session_index_prefix(std::string_view session_id) {
  std::string key{session_id};
  key.push_back('\0');
  return key;
}

std::optional<std::uint64_t> session_index_sequence(std::string_view key,
                                                    std::string_view prefix) noexcept {
  if (!key.starts_with(prefix)) return std::nullopt;
  return read_be64(key.substr(prefix.size()));
}

std::string member_key(const member_no& member) { return member.value; }

std::string outbox_key(std::uint64_t sequence) { return be64(sequence); }

std::string batch_key(std::uint64_t number) { return be64(number); }

std::string batch_entry_key(std::uint64_t number, std::uint64_t sequence) {
  return be64(number) + be64(sequence);
}

std::string delivery_key(std::uint64_t number, std::string_view sink) {
  std::string key = be64(number);
  key.append(sink);
  return key;
}

}  // namespace checkin::store::keys
