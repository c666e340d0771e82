// RFC 3339 round trips (tokens/rfc3339.hpp). The input is read as text (scanned_at, program
// times) and as a time and an offset (what the gateway formats):
//   parse(s) = t  ⇒  format(t) parses to t again, with the same offset;
//   format(t, offset) parses back to t and offset, for every meeting-sized time.
#include "fuzz_check.hpp"
#include "fuzz_targets.hpp"

#include "tokens/rfc3339.hpp"

#include <chrono>
#include <cstring>
#include <string>
#include <string_view>

namespace checkin::fuzz {
namespace {

using namespace std::chrono;

// Years 0000-9999 (what parse accepts) with room for the largest offset either side.
constexpr std::int64_t min_ms = -62'167'219'200'000 + 86'400'000;  // 0000-01-02
constexpr std::int64_t max_ms = 253'402'300'799'000 - 86'400'000;  // 9999-12-30

}  // namespace

int fuzz_rfc3339(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto t = tokens::parse_rfc3339(text)) {
    const auto again = tokens::parse_rfc3339(tokens::format_rfc3339(t->utc, t->offset));
    FUZZ_CHECK(again && again->utc == t->utc && again->offset == t->offset);
    const auto ms = tokens::parse_rfc3339_ms(text);
    FUZZ_CHECK(ms && floor<seconds>(*ms) == t->utc);
    const auto ms_again = tokens::parse_rfc3339_ms(tokens::format_rfc3339_ms(*ms, t->offset));
    FUZZ_CHECK(ms_again && *ms_again == *ms);
    FUZZ_CHECK(tokens::rfc3339_ms_text(*ms, t->offset).view() ==
               tokens::format_rfc3339_ms(*ms, t->offset));
  } else {
    FUZZ_CHECK(!tokens::parse_rfc3339_ms(text));
  }
  if (const auto off = tokens::parse_utc_offset(text)) {
    const auto printed = tokens::format_utc_offset(*off);
    FUZZ_CHECK(*off == minutes{0} ? printed == "Z" : tokens::parse_utc_offset(printed) == off);
  }

  // 8 bytes of time, 2 of offset: format → parse.
  if (size >= 10) {
    std::int64_t raw = 0;
    std::int16_t raw_offset = 0;
    std::memcpy(&raw, data, sizeof raw);
    std::memcpy(&raw_offset, data + 8, sizeof raw_offset);
    const auto span = static_cast<std::uint64_t>(max_ms - min_ms);
    const sys_time<milliseconds> t{
        milliseconds{min_ms + static_cast<std::int64_t>(static_cast<std::uint64_t>(raw) % span)}};
    const minutes offset{raw_offset % (24 * 60)};  // -23:59 .. +23:59
    const auto text_ms = tokens::format_rfc3339_ms(t, offset);
    const auto back = tokens::parse_rfc3339_ms(text_ms);
    FUZZ_CHECK(back && *back == t);
    const auto whole = tokens::parse_rfc3339(tokens::format_rfc3339(floor<seconds>(t), offset));
    FUZZ_CHECK(whole && whole->utc == floor<seconds>(t) && whole->offset == offset);
  }
  return 0;
}

}  // namespace checkin::fuzz
