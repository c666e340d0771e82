#include "tokens/rfc3339.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace checkin::tokens {
namespace {

using namespace std::chrono;

// Reads exactly `n` digits at `pos` into `out`; false on anything else.
bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

std::optional<minutes> read_offset(std::string_view s) noexcept {
  if (s == "Z" || s == "z") return minutes{0};
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
  int h = 0, m = 0;
  if (!read_digits(s, 1, 2, h) || !read_digits(s, 4, 2, m) || h > 23 || m > 59) {
    return std::nullopt;
  }
  const minutes off{h * 60 + m};
  return s[0] == '-' ? -off : off;
}

struct parsed_parts {
  sys_seconds local_as_utc;  // the wall-clock fields read as if they were UTC
  milliseconds fraction{0};
  minutes offset{0};
};

// "YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)". Leap seconds (":60") are rejected: no
// scanner or program file has a reason to send one and chrono cannot hold them.
std::optional<parsed_parts> parse_parts(std::string_view s) noexcept {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (s.size() < 20 || !read_digits(s, 0, 4, y) || s[4] != '-' || !read_digits(s, 5, 2, mo) ||
      s[7] != '-' || !read_digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
      !read_digits(s, 11, 2, h) || s[13] != ':' || !read_digits(s, 14, 2, mi) || s[16] != ':' ||
      !read_digits(s, 17, 2, se)) {
    return std::nullopt;
  }
  if (h > 23 || mi > 59 || se > 59) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;

  std::size_t pos = 19;
  milliseconds fraction{0};
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    int ms = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start < 3) ms = ms * 10 + (s[pos] - '0');
      ++pos;
    }
    const std::size_t digits = pos - start;
    if (digits == 0 || digits > 9) return std::nullopt;
    for (std::size_t i = digits; i < 3; ++i) ms *= 10;
    fraction = milliseconds{ms};
  }
  const auto offset = read_offset(s.substr(pos));
  if (!offset) return std::nullopt;
  const sys_seconds local = sys_days{ymd} + hours{h} + minutes{mi} + seconds{se};
  return parsed_parts{local, fraction, *offset};
}

void put_2_digits(char* p, unsigned v) noexcept {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// Appends within the fixed buffer, never past it. The longest text is 37 characters of the 64:
// a year of 6 ("-32768"), the rest of the date and time 15, the fraction 4, and an offset of 12
// (an hour count of 8 digits, the most an unsigned minute count gives).
void put(rfc3339_text& t, std::string_view part) noexcept {
  const std::size_t n = std::min(part.size(), t.chars.size() - t.size);
  std::memcpy(t.chars.data() + t.size, part.data(), n);
  t.size += n;
}

void put_offset(rfc3339_text& t, minutes offset) noexcept {
  if (offset == minutes{0}) return put(t, "Z");
  const char sign = offset < minutes{0} ? '-' : '+';
  const auto abs = static_cast<unsigned>((offset < minutes{0} ? -offset : offset).count());
  if (abs / 60 > 99) {  // not a real offset; printed as before
    char buf[16];
    const int n = std::snprintf(buf, sizeof buf, "%c%02u:%02u", sign, abs / 60, abs % 60);
    return put(t, std::string_view(buf, static_cast<std::size_t>(std::max(n, 0))));
  }
  char hhmm[6] = {sign, '0', '0', ':', '0', '0'};
  put_2_digits(hhmm + 1, abs / 60);
  put_2_digits(hhmm + 4, abs % 60);
  put(t, std::string_view(hhmm, 6));
}

// Hand-placed digits into a fixed buffer: every scan answer carries two of these, and snprintf
// was a sixth of the in-process cost of answering a scan (callgrind, bench_request).
rfc3339_text format_parts(sys_seconds utc, milliseconds fraction, bool with_fraction,
                          minutes offset) noexcept {
  const sys_seconds local = utc + offset;
  const auto day_point = floor<days>(local);
  const year_month_day ymd{day_point};
  const hh_mm_ss hms{local - day_point};
  const int year = int(ymd.year());
  rfc3339_text out;
  if (year < 0 || year > 9999) {  // not a meeting date; printed as before, digits as they come
    char buf[48];
    const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", year,
                                unsigned(ymd.month()), unsigned(ymd.day()),
                                static_cast<int>(hms.hours().count()),
                                static_cast<int>(hms.minutes().count()),
                                static_cast<int>(hms.seconds().count()));
    put(out, std::string_view(buf, static_cast<std::size_t>(std::max(n, 0))));
  } else {
    char p[19];  // YYYY-MM-DDTHH:MM:SS
    put_2_digits(p, static_cast<unsigned>(year / 100));
    put_2_digits(p + 2, static_cast<unsigned>(year % 100));
    p[4] = '-';
    put_2_digits(p + 5, unsigned(ymd.month()));
    p[7] = '-';
    put_2_digits(p + 8, unsigned(ymd.day()));
    p[10] = 'T';
    put_2_digits(p + 11, static_cast<unsigned>(hms.hours().count()));
    p[13] = ':';
    put_2_digits(p + 14, static_cast<unsigned>(hms.minutes().count()));
    p[16] = ':';
    put_2_digits(p + 17, static_cast<unsigned>(hms.seconds().count()));
    put(out, std::string_view(p, sizeof p));
  }
  if (with_fraction) {
    const auto f = static_cast<unsigned>(fraction.count());  // 0..999 by construction
    const char ms[4] = {'.', static_cast<char>('0' + f / 100), static_cast<char>('0' + f / 10 % 10),
                        static_cast<char>('0' + f % 10)};
    put(out, std::string_view(ms, 4));
  }
  put_offset(out, offset);
  return out;
}

}  // namespace

std::optional<parsed_time> parse_rfc3339(std::string_view text) noexcept {
  const auto parts = parse_parts(text);
  if (!parts) return std::nullopt;
  return parsed_time{parts->local_as_utc - parts->offset, parts->offset};
}

std::optional<sys_time<milliseconds>> parse_rfc3339_ms(std::string_view text) noexcept {
  const auto parts = parse_parts(text);
  if (!parts) return std::nullopt;
  return sys_time<milliseconds>{parts->local_as_utc - parts->offset} + parts->fraction;
}

std::string format_rfc3339(sys_seconds t, minutes offset) {
  return std::string(format_parts(t, milliseconds{0}, false, offset).view());
}

std::string format_rfc3339_ms(sys_time<milliseconds> t, minutes offset) {
  return std::string(rfc3339_ms_text(t, offset).view());
}

rfc3339_text rfc3339_ms_text(sys_time<milliseconds> t, minutes offset) noexcept {
  const auto secs = floor<seconds>(t);
  return format_parts(secs, t - secs, true, offset);
}

std::optional<minutes> parse_utc_offset(std::string_view text) noexcept {
  if (text == "Z" || text == "z") return std::nullopt;  // an offset field wants ±HH:MM
  return read_offset(text);
}

std::string format_utc_offset(minutes offset) {
  rfc3339_text t;
  put_offset(t, offset);
  return std::string(t.view());
}

}  // namespace checkin::tokens
