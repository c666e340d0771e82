#include "tokens/key_ring.hpp"
#include "tokens/session_token.hpp"

#include <gtest/gtest.h>

namespace {

using namespace checkin::tokens;
using namespace std::chrono_literals;

signing_key key_from(std::uint32_t n) {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = static_cast<std::uint8_t>(n >> 24);
  seed[1] = static_cast<std::uint8_t>(n >> 16);
  seed[2] = static_cast<std::uint8_t>(n >> 8);
  seed[3] = static_cast<std::uint8_t>(n);
  return signing_key::from_seed(seed);
}

session_claims sample_claims() {
  session_claims c;
  c.type = token_type::poster;
  c.meeting_id = "JSNM2026";
  c.session_id = "A-0301";
  c.kind = credit_kind::education;
  c.units = credit_units{100};
  c.valid_from = sys_seconds{1795220100s};
  c.valid_until = sys_seconds{1795225500s};
  return c;
}

TEST(KeyRing, EmptyRingKnowsNoKey) {
  const key_ring ring;
  const auto found = ring.find(key_id{0x12345678});
  ASSERT_TRUE(found.has_error());
  EXPECT_EQ(found.error(), token_error::unknown_key);
  EXPECT_EQ(ring.size(), 0u);
}

TEST(KeyRing, UnknownRetiredActive) {
  const auto active = key_from(1);
  const auto retired = key_from(2);
  const auto stranger = key_from(3);
  key_ring ring;
  ring.add(active.public_part());
  ring.add(retired.public_part(), key_status::retired);
  EXPECT_EQ(ring.size(), 2u);

  const auto a = ring.find(active.id());
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a, active.public_part());
  EXPECT_EQ(ring.find(retired.id()).error(), token_error::retired_key);
  EXPECT_EQ(ring.find(stranger.id()).error(), token_error::unknown_key);
}

TEST(KeyRing, RetireReportsWhetherTheKeyWasThere) {
  const auto key = key_from(1);
  key_ring ring;
  EXPECT_FALSE(ring.retire(key.id()));
  ring.add(key.public_part());
  EXPECT_TRUE(ring.retire(key.id()));
  EXPECT_EQ(ring.find(key.id()).error(), token_error::retired_key);
  EXPECT_TRUE(ring.retire(key.id())) << "retiring twice is harmless";
  EXPECT_EQ(ring.size(), 1u);
}

TEST(KeyRing, AddingAgainUpdatesTheStatus) {
  const auto key = key_from(1);
  key_ring ring;
  ring.add(key.public_part(), key_status::retired);
  ring.add(key.public_part(), key_status::active);
  EXPECT_TRUE(ring.find(key.id()).has_value());
  EXPECT_EQ(ring.size(), 1u);
}

TEST(KeyRing, RejectsTwoKeysWithTheSameKeyId) {
  // Seeds 15340 and 30166 (big-endian in the first 4 bytes, rest zero) share key id cea097ab;
  // found offline by a birthday search.
  const auto a = key_from(15340);
  const auto b = key_from(30166);
  ASSERT_NE(a.public_part(), b.public_part());
  ASSERT_EQ(a.id(), b.id());
  EXPECT_EQ(to_hex(a.id()), "cea097ab");
  key_ring ring;
  ring.add(a.public_part());
  EXPECT_THROW(ring.add(b.public_part()), std::invalid_argument);
  EXPECT_EQ(*ring.find(a.id()), a.public_part()) << "the first key is kept";
}

TEST(KeyRing, RotationScenario) {
  const auto old_key = key_from(100);
  const auto new_key = key_from(200);
  const std::string old_poster = mint(sample_claims(), old_key);
  const std::string new_poster = mint(sample_claims(), new_key);

  // Before rotation only the old key is trusted.
  key_ring ring;
  ring.add(old_key.public_part());
  EXPECT_TRUE(parse_and_verify(old_poster, ring).has_value());
  EXPECT_EQ(parse_and_verify(new_poster, ring).error(), token_error::unknown_key);

  // During rotation both verify: posters already printed keep working.
  ring.add(new_key.public_part());
  const auto old_result = parse_and_verify(old_poster, ring);
  const auto new_result = parse_and_verify(new_poster, ring);
  ASSERT_TRUE(old_result.has_value());
  ASSERT_TRUE(new_result.has_value());
  EXPECT_EQ(old_result->key, old_key.id());
  EXPECT_EQ(new_result->key, new_key.id());

  // After the old key is retired its tokens say so, distinctly from an unknown key.
  ASSERT_TRUE(ring.retire(old_key.id()));
  EXPECT_EQ(parse_and_verify(old_poster, ring).error(), token_error::retired_key);
  EXPECT_TRUE(parse_and_verify(new_poster, ring).has_value());
}

}  // namespace
