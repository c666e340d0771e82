// Key layout, record codec, schema decision and map growth: pure functions.

#include "store_test_support.hpp"

#include <store/keys.hpp>
#include <store/record_codec.hpp>
#include <store/schema.hpp>

#include <gtest/gtest.h>

#include <random>

namespace checkin::store {
namespace {

using testing::at_ms;

scan_record sample_scan() {
  return scan_record{
      .member = member_no{"1234567"},
      .meeting_id = "JSXX2025",
      .session_id = "S-07",
      .kind = tokens::credit_kind::education,
      .units = tokens::credit_units{150},
      .type = tokens::token_type::slot,
      .key = tokens::key_id{0x1a2b3c4d},
      .scanned_at = at_ms(1'700'000'000'123),
      .recorded_at = at_ms(1'700'000'000'456),
      .scan_id = "c-1",
      .device_id = std::nullopt,
      .sequence = 42,
  };
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xf]);
  }
  return out;
}

TEST(Keys, Be64OrderIsNumericOrder) {
  std::mt19937_64 rng{7};
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t a = rng() >> (rng() % 64);
    const std::uint64_t b = rng() >> (rng() % 64);
    EXPECT_EQ(a < b, keys::be64(a) < keys::be64(b)) << a << " vs " << b;
    EXPECT_EQ(keys::read_be64(keys::be64(a)), a);
  }
  EXPECT_EQ(keys::read_be64("short"), std::nullopt);
}

TEST(Keys, MemberNumbersAreExactBytes) {
  // Zero padding is significant, and "12" must not see the scans of "123".
  EXPECT_NE(keys::member_key(member_no{"00123"}), keys::member_key(member_no{"123"}));
  const std::string prefix = keys::member_scans_prefix(member_no{"12"});
  EXPECT_FALSE(keys::scan_key(member_no{"123"}, "S1").starts_with(prefix));
  EXPECT_TRUE(keys::scan_key(member_no{"12"}, "S1").starts_with(prefix));
  // member · 0x00 is the least key after member: listings resume there.
  EXPECT_LT(keys::member_key(member_no{"12"}), prefix);
  EXPECT_LT(prefix, keys::member_key(member_no{"120"}));
}

TEST(Keys, ScanKeysGroupByMember) {
  EXPECT_LT(keys::scan_key(member_no{"1"}, "zzz"), keys::scan_key(member_no{"2"}, "aaa"));
  EXPECT_LT(keys::scan_key(member_no{"255"}, "a"), keys::scan_key(member_no{"256"}, "a"));
  EXPECT_TRUE(
      keys::scan_key(member_no{"9"}, "S1").starts_with(keys::member_scans_prefix(member_no{"9"})));
}

TEST(Keys, SessionIndexOrdersBySequenceAndSeparatesSessions) {
  EXPECT_LT(keys::session_index_key("S1", 9), keys::session_index_key("S1", 10));
  EXPECT_LT(keys::session_index_key("S1", 255), keys::session_index_key("S1", 256));
  // "S1" must not see "S10": the 0x00 terminator ends the id.
  const std::string prefix = keys::session_index_prefix("S1");
  EXPECT_FALSE(keys::session_index_key("S10", 1).starts_with(prefix));
  EXPECT_EQ(keys::session_index_sequence(keys::session_index_key("S1", 77), prefix), 77U);
  EXPECT_EQ(keys::session_index_sequence(keys::session_index_key("S10", 77), prefix), std::nullopt);
}

TEST(Keys, StorableIds) {
  EXPECT_TRUE(keys::is_storable_id("S-1.a_b"));
  EXPECT_FALSE(keys::is_storable_id(""));
  EXPECT_FALSE(keys::is_storable_id(std::string_view{"a\0b", 3}));
  EXPECT_TRUE(keys::is_storable_id(std::string(255, 'x')));
  EXPECT_FALSE(keys::is_storable_id(std::string(256, 'x')));
}

TEST(RecordCodec, ScanRecordKnownAnswer) {
  // Format 1 bytes, committed so an accidental layout change fails loudly.
  const std::string expected =
      "01"                  // format
      "0731323334353637"    // member "1234567"
      "000000000000002a"    // sequence 42
      "0000018bcfe5687b"    // scanned_at 1700000000123
      "0000018bcfe569c8"    // recorded_at 1700000000456
      "1a2b3c4d"            // key id
      "0096"                // units 150
      "02"                  // education
      "02"                  // slot
      "01"                  // flags: scan_id
      "084a53585832303235"  // "JSXX2025"
      "04532d3037"          // "S-07"
      "03632d31";           // "c-1"
  auto bytes = encode(sample_scan());
  ASSERT_TRUE(bytes);
  EXPECT_EQ(hex(*bytes), expected);
}

TEST(RecordCodec, ScanRecordRoundTrips) {
  scan_record r = sample_scan();
  EXPECT_EQ(decode_scan_record(encode(r).value()).value(), r);
  r.scan_id.reset();
  r.device_id = "phone-9";
  EXPECT_EQ(decode_scan_record(encode(r).value()).value(), r);
  r.kind = static_cast<tokens::credit_kind>(200);  // a code from a later build round-trips
  EXPECT_EQ(decode_scan_record(encode(r).value()).value(), r);
}

TEST(RecordCodec, RejectsDamagedBytes) {
  const std::string good = encode(sample_scan()).value();
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    auto r = decode_scan_record(std::string_view{good}.substr(0, cut));
    ASSERT_FALSE(r) << "truncated at " << cut;
    EXPECT_EQ(r.error(), store_error::corrupted);
  }
  EXPECT_EQ(decode_scan_record(good + "x").error(), store_error::corrupted);
  std::string future = good;
  future[0] = 2;  // a format this build does not know
  EXPECT_EQ(decode_scan_record(future).error(), store_error::corrupted);
}

TEST(RecordCodec, PeeksTheIndexFieldsInPlace) {
  scan_record r = sample_scan();
  for (int variant = 0; variant < 3; ++variant) {
    if (variant == 1) r.scan_id.reset();
    if (variant == 2) r.device_id = "phone-9";
    const std::string bytes = encode(r).value();
    const auto id = peek_scan_identity(bytes);
    ASSERT_TRUE(id) << "variant " << variant;
    EXPECT_EQ(id->member, "1234567");
    EXPECT_EQ(id->sequence, 42U);
    EXPECT_EQ(id->session_id, "S-07");
    EXPECT_GE(id->session_id.data(), bytes.data()) << "a view into the record";
    EXPECT_LT(id->session_id.data(), bytes.data() + bytes.size());
  }
}

TEST(RecordCodec, PeekRejectsRecordsCutBeforeTheSessionId) {
  const std::string good = encode(sample_scan()).value();
  const std::size_t session_end = good.find("S-07") + 4;
  for (std::size_t cut = 0; cut < session_end; ++cut) {
    auto id = peek_scan_identity(std::string_view{good}.substr(0, cut));
    ASSERT_FALSE(id) << "truncated at " << cut;
    EXPECT_EQ(id.error(), store_error::corrupted);
  }
  EXPECT_TRUE(peek_scan_identity(std::string_view{good}.substr(0, session_end)))
      << "the optional fields after it are not read";
  std::string future = good;
  future[0] = 2;
  EXPECT_EQ(peek_scan_identity(future).error(), store_error::corrupted);
}

TEST(RecordCodec, RejectsFieldsThatDoNotFit) {
  scan_record r = sample_scan();
  r.session_id = std::string{"a\0b", 3};
  EXPECT_EQ(encode(r).error(), store_error::invalid_record);
  r = sample_scan();
  r.device_id = std::string(256, 'd');
  EXPECT_EQ(encode(r).error(), store_error::invalid_record);

  scan_draft d = testing::make_draft(1, "S1");
  EXPECT_TRUE(validate(d));
  d.meeting_id.clear();
  EXPECT_EQ(validate(d).error(), store_error::invalid_record);
  d = testing::make_draft(1, "S1");
  d.member = member_no{""};
  EXPECT_EQ(validate(d).error(), store_error::invalid_record);
  d.member =
      member_no{std::string{"12\0"
                            "3",
                            4}};
  EXPECT_EQ(validate(d).error(), store_error::invalid_record);
}

// A decoder refuses what its encoder refuses to write: the same bytes with an id that holds 0x00
// (same length, so the layout stays whole). fuzz_record_codec found a delivery record like this.
TEST(RecordCodec, DecodersRefuseIdsTheEncodersRefuse) {
  const auto with_nul = [](std::string bytes, std::string_view id) {
    const auto at = bytes.find(id);
    EXPECT_NE(at, std::string::npos);
    bytes[at + id.size() / 2] = '\0';
    return bytes;
  };
  const std::string scan = encode(sample_scan()).value();
  EXPECT_EQ(decode_scan_record(with_nul(scan, "1234567")).error(), store_error::corrupted);
  EXPECT_EQ(decode_scan_record(with_nul(scan, "JSXX2025")).error(), store_error::corrupted);
  const member_record m{.member = member_no{"1234567"}, .name = "n", .password_hash = "h"};
  EXPECT_EQ(decode_member_record(with_nul(encode(m).value(), "1234567")).error(),
            store_error::corrupted);
  EXPECT_EQ(decode_member_status(with_nul(encode(m).value(), "1234567")).error(),
            store_error::corrupted);
  const delivery_record d{.batch_number = 7, .sink = "membership"};
  EXPECT_EQ(decode_delivery_record(with_nul(encode(d).value(), "membership")).error(),
            store_error::corrupted);
  batch_header h{.number = 1, .batch_id = "M/S/1", .meeting_id = "MEETING", .session_id = "S-01"};
  EXPECT_EQ(decode_batch_header(with_nul(encode(h).value(), "MEETING")).error(),
            store_error::corrupted);
}

TEST(RecordCodec, MemberRecordRoundTrips) {
  const member_record m{
      .member = member_no{"1234567"},
      .name = "山田 太郎",
      .status = member_status::inactive,
      .password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
      .updated_at = at_ms(1'700'000'000'000),
  };
  EXPECT_EQ(decode_member_record(encode(m).value()).value(), m);
  EXPECT_EQ(decode_member_status(encode(m).value()).value(), member_status::inactive);
  std::string bad = encode(m).value();
  bad[1 + 1 + m.member.value.size() + 8] = 9;  // status byte
  EXPECT_EQ(decode_member_record(bad).error(), store_error::corrupted);
  EXPECT_EQ(decode_member_status(bad).error(), store_error::corrupted);
  // The status alone still checks the whole layout: a cut hash or a trailing byte is corruption.
  const std::string whole = encode(m).value();
  EXPECT_EQ(decode_member_status(whole.substr(0, whole.size() - 1)).error(),
            store_error::corrupted);
  EXPECT_EQ(decode_member_status(whole + "x").error(), store_error::corrupted);
}

TEST(Schema, Decisions) {
  using enum schema_action;
  EXPECT_EQ(decide_schema(std::nullopt, environment_contents::empty), initialize);
  EXPECT_EQ(decide_schema(std::nullopt, environment_contents::not_empty), refuse);
  EXPECT_EQ(decide_schema(current_schema_version, environment_contents::not_empty), open);
  EXPECT_EQ(decide_schema(current_schema_version + 1, environment_contents::not_empty), refuse);
  EXPECT_EQ(decide_schema(0, environment_contents::not_empty), refuse);
  EXPECT_EQ(decide_schema(1, environment_contents::not_empty), upgrade);
  EXPECT_EQ(decide_schema(2, environment_contents::not_empty), upgrade);
}

TEST(RecordCodec, BatchHeaderSealStateAndDeliveryRoundTrip) {
  batch_header h{.number = 42,
                 .batch_id = "JSNM2026/EL-03/2",
                 .meeting_id = "JSNM2026",
                 .meeting_name = "第66回 日本核医学会学術総会",
                 .session_id = "EL-03",
                 .session_title = "教育講演 3",
                 .session_starts_at = at_ms(1'700'000'000'000),
                 .session_ends_at = std::nullopt,
                 .kind = tokens::credit_kind::education,
                 .units = tokens::credit_units{150},
                 .part = 2,
                 .sealed_at = at_ms(1'700'000'900'123),
                 .entry_count = 3,
                 .first_sequence = 10,
                 .last_sequence = 99};
  EXPECT_EQ(decode_batch_header(encode(h).value()).value(), h);
  h.session_ends_at = at_ms(1'700'000'600'000);
  EXPECT_EQ(decode_batch_header(encode(h).value()).value(), h);
  std::string trailing = encode(h).value() + "x";
  EXPECT_EQ(decode_batch_header(trailing).error(), store_error::corrupted);
  h.meeting_id.clear();
  EXPECT_EQ(encode(h).error(), store_error::invalid_record);

  seal_state st{.parts = 3,
                .sealed_entries = 2000,
                .last_sealed_sequence = 123456,
                .last_sealed_at = at_ms(5)};
  EXPECT_EQ(decode_seal_state(encode(st)).value(), st);
  EXPECT_EQ(decode_seal_state(encode(seal_state{})).value(), seal_state{});
  EXPECT_EQ(decode_seal_state(encode(st).substr(1)).error(), store_error::corrupted);

  delivery_record d{.batch_number = 42,
                    .sink = "membership-webhook",
                    .state = delivery_state::failed,
                    .attempts = 7,
                    .last_attempt_at = at_ms(10),
                    .next_attempt_at = std::nullopt,
                    .delivered_at = at_ms(30),
                    .last_error = "HTTP 422 unknown member 00123"};
  EXPECT_EQ(decode_delivery_record(encode(d).value()).value(), d);
  std::string bad_state = encode(d).value();
  bad_state[1 + 8] = 9;  // state byte
  EXPECT_EQ(decode_delivery_record(bad_state).error(), store_error::corrupted);
}

TEST(Schema, MapGrowthDoublesUpToTheLimit) {
  EXPECT_EQ(grown_map_size(1 << 20, 16 << 20), std::optional<std::size_t>{2 << 20});
  EXPECT_EQ(grown_map_size(12 << 20, 16 << 20), std::optional<std::size_t>{16 << 20});
  EXPECT_EQ(grown_map_size(16 << 20, 16 << 20), std::nullopt);
  EXPECT_EQ(grown_map_size(32 << 20, 16 << 20), std::nullopt);
}

}  // namespace
}  // namespace checkin::store
