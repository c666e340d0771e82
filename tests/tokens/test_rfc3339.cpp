#include "tokens/rfc3339.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

namespace {

using namespace std::chrono;
using checkin::tokens::format_rfc3339;
using checkin::tokens::format_rfc3339_ms;
using checkin::tokens::parse_rfc3339;
using checkin::tokens::parse_rfc3339_ms;
using checkin::tokens::parse_utc_offset;

constexpr sys_seconds at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

TEST(Rfc3339, ParsesOffsetsToUtc) {
  const auto jst = parse_rfc3339("2026-11-26T09:00:00+09:00");
  ASSERT_TRUE(jst);
  EXPECT_EQ(jst->utc, at(2026, 11, 26, 0, 0, 0));
  EXPECT_EQ(jst->offset, hours{9});

  const auto zulu = parse_rfc3339("2026-11-26T00:00:00Z");
  ASSERT_TRUE(zulu);
  EXPECT_EQ(zulu->utc, jst->utc);

  const auto west = parse_rfc3339("2026-11-25T20:30:00-03:30");
  ASSERT_TRUE(west);
  EXPECT_EQ(west->utc, jst->utc);
}

TEST(Rfc3339, OffsetCrossesDayAndYearBoundaries) {
  const auto t = parse_rfc3339("2027-01-01T05:00:00+09:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->utc, at(2026, 12, 31, 20, 0, 0));
}

TEST(Rfc3339, FractionalSecondsKeepMillisecondsAndTruncateForSeconds) {
  const auto ms = parse_rfc3339_ms("2026-11-26T09:00:01.2345+09:00");
  ASSERT_TRUE(ms);
  EXPECT_EQ(*ms, sys_time<milliseconds>{at(2026, 11, 26, 0, 0, 1)} + milliseconds{234});
  const auto s = parse_rfc3339("2026-11-26T09:00:01.999Z");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->utc, at(2026, 11, 26, 9, 0, 1));
}

TEST(Rfc3339, RejectsMalformedText) {
  for (const char* bad : {
           "", "2026-11-26", "2026-11-26T09:00:00",        // no offset
           "2026-11-26 09:00:00Z",                          // space separator
           "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",  // bad month, not a leap year
           "2026-11-31T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T09:60:00Z",
           "2026-11-26T09:00:60Z",                          // leap second refused
           "2026-11-26T09:00:00+9:00", "2026-11-26T09:00:00+09:60", "2026-11-26T09:00:00+0900",
           "2026-11-26T09:00:00.Z", "2026-11-26T09:00:00ZZ", "2026-11-26T09:00:00Z ",
           "２０２６-11-26T09:00:00Z", "2026-11-26T09:00:00.1234567890Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
  EXPECT_TRUE(parse_rfc3339("2028-02-29T00:00:00Z"));  // leap year
}

TEST(Rfc3339, FormatsAtAnOffsetAndRoundTrips) {
  const auto t = at(2026, 11, 26, 0, 30, 5);
  EXPECT_EQ(format_rfc3339(t, hours{9}), "2026-11-26T09:30:05+09:00");
  EXPECT_EQ(format_rfc3339(t, minutes{0}), "2026-11-26T00:30:05Z");
  EXPECT_EQ(format_rfc3339(t, -minutes{210}), "2026-11-25T21:00:05-03:30");
  EXPECT_EQ(format_rfc3339_ms(sys_time<milliseconds>{t} + milliseconds{7}, hours{9}),
            "2026-11-26T09:30:05.007+09:00");
  const auto back = parse_rfc3339(format_rfc3339(t, hours{9}));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->utc, t);
}

// The formatter places digits by hand; snprintf over the same civil fields is the reference.
TEST(Rfc3339, FormattingAgreesWithAPrintfReferenceAndRoundTrips) {
  std::mt19937_64 rng(20261121);
  std::uniform_int_distribution<std::int64_t> ms_since_epoch(0, 4'102'444'800'000);  // to 2100
  std::uniform_int_distribution<int> quarter_hours(-56, 56);                          // ±14:00
  for (int i = 0; i < 20'000; ++i) {
    const sys_time<milliseconds> t{milliseconds{ms_since_epoch(rng)}};
    const minutes offset{15 * quarter_hours(rng)};
    const auto local = floor<seconds>(t) + offset;
    const auto day = floor<days>(local);
    const year_month_day ymd{day};
    const hh_mm_ss hms{local - day};
    const auto abs = offset < minutes{0} ? -offset : offset;
    char zone[8] = "Z";
    if (offset != minutes{0}) {
      std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset < minutes{0} ? '-' : '+',
                    static_cast<int>(abs.count() / 60), static_cast<int>(abs.count() % 60));
    }
    char expected[64];
    std::snprintf(expected, sizeof expected, "%04d-%02u-%02uT%02d:%02d:%02d.%03d%s",
                  int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()),
                  static_cast<int>((t - floor<seconds>(t)).count()), zone);
    const auto text = format_rfc3339_ms(t, offset);
    ASSERT_EQ(text, expected);
    ASSERT_EQ(checkin::tokens::rfc3339_ms_text(t, offset).view(),
              text);  // the allocation-free form
    ASSERT_EQ(parse_rfc3339_ms(text), t) << text;
    ASSERT_EQ(format_rfc3339(floor<seconds>(t), offset), text.substr(0, 19) + zone);
  }
}

// Not meeting times, but written in full all the same: the fixed buffer has room for the longest.
TEST(Rfc3339, OutOfRangeFieldsAreWrittenInFull) {
  const sys_time<milliseconds> far{days{365LL * 20'000} + milliseconds{123}};  // year 21,9xx
  const minutes odd_offset{-(1'000'000 * 60 + 59)};                            // -1000000:59
  const auto written = checkin::tokens::rfc3339_ms_text(far, odd_offset);
  const std::string_view text = written.view();
  EXPECT_EQ(text, format_rfc3339_ms(far, odd_offset));
  EXPECT_TRUE(text.ends_with(".123-1000000:59")) << text;
  const auto year_end = text.find('-');
  EXPECT_EQ(year_end, 5u) << text;  // a five-digit year, as snprintf("%04d") writes it
  EXPECT_EQ(checkin::tokens::format_utc_offset(odd_offset), "-1000000:59");
}

TEST(Rfc3339, UtcOffsetField) {
  EXPECT_EQ(parse_utc_offset("+09:00"), minutes{540});
  EXPECT_EQ(parse_utc_offset("-03:30"), minutes{-210});
  EXPECT_FALSE(parse_utc_offset("Z"));
  EXPECT_FALSE(parse_utc_offset("09:00"));
  EXPECT_EQ(checkin::tokens::format_utc_offset(minutes{540}), "+09:00");
}

}  // namespace
