// The LMDB value decoders (store/record_codec.hpp). Every decoder reads the same bytes (each
// format opens with its own format byte, all 1 today). A decoder must refuse what its encoder
// refuses: whatever decodes encodes again, to exactly the bytes it came from. The readers that
// look at part of a record agree with the full decoder.
#include "fuzz_check.hpp"
#include "fuzz_targets.hpp"

#include "store/record_codec.hpp"

#include <string_view>
#include <type_traits>

namespace checkin::fuzz {
namespace {

// decode → encode gives back `bytes`; encode must not refuse what decode accepted.
template <class Decoded>
void round_trip(std::string_view bytes, const Decoded& decoded) {
  if (!decoded) return;
  const auto encoded = store::encode(*decoded);
  if constexpr (std::is_same_v<std::decay_t<decltype(encoded)>, std::string>) {
    FUZZ_CHECK(encoded == bytes);
  } else {
    FUZZ_CHECK(encoded.has_value());  // the encoder refuses what the decoder let in
    FUZZ_CHECK(*encoded == bytes);
  }
}

}  // namespace

int fuzz_record_codec(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  const auto scan = store::decode_scan_record(bytes);
  round_trip(bytes, scan);
  if (scan) {
    const auto id = store::peek_scan_identity(bytes);
    FUZZ_CHECK(id.has_value());
    FUZZ_CHECK(id->member == scan->member.value);
    FUZZ_CHECK(id->sequence == scan->sequence);
    FUZZ_CHECK(id->session_id == scan->session_id);
  }

  const auto member = store::decode_member_record(bytes);
  round_trip(bytes, member);
  const auto status = store::decode_member_status(bytes);
  FUZZ_CHECK(status.has_value() == member.has_value());
  if (member) FUZZ_CHECK(*status == member->status);

  round_trip(bytes, store::decode_batch_header(bytes));
  round_trip(bytes, store::decode_seal_state(bytes));
  round_trip(bytes, store::decode_delivery_record(bytes));
  return 0;
}

}  // namespace checkin::fuzz
