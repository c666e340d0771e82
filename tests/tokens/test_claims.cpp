#include "tokens/claims.hpp"
#include "tokens/token_error.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <set>

namespace {

using namespace checkin::tokens;

TEST(Claims, TokenTypeAndCreditKindNames) {
  for (auto t : {token_type::poster, token_type::slot}) {
    EXPECT_EQ(token_type_from_string(to_string(t)), t);
  }
  for (auto k : {credit_kind::attendance, credit_kind::education}) {
    EXPECT_EQ(credit_kind_from_string(to_string(k)), k);
  }
  EXPECT_EQ(to_string(token_type::slot), "slot");
  EXPECT_EQ(to_string(credit_kind::education), "education");
  EXPECT_FALSE(token_type_from_string("Poster"));
  EXPECT_FALSE(credit_kind_from_string(""));
  EXPECT_EQ(japanese_label(credit_kind::attendance), "出席単位");
  EXPECT_EQ(japanese_label(credit_kind::education), "教育講演単位");
}

TEST(Claims, CreditUnitsText) {
  EXPECT_EQ(to_string(credit_units{0}), "0");
  EXPECT_EQ(to_string(credit_units{100}), "1");
  EXPECT_EQ(to_string(credit_units{150}), "1.5");
  EXPECT_EQ(to_string(credit_units{25}), "0.25");
  EXPECT_EQ(to_string(credit_units{1005}), "10.05");
  EXPECT_EQ(to_string(credit_units{65535}), "655.35");
}

TEST(Claims, CreditUnitsFromDouble) {
  EXPECT_EQ(credit_units_from_double(1.5), credit_units{150});
  EXPECT_EQ(credit_units_from_double(1.15), credit_units{115}) << "binary rounding noise";
  EXPECT_EQ(credit_units_from_double(0.0), credit_units{0});
  EXPECT_EQ(credit_units_from_double(655.35), credit_units{65535});
  EXPECT_FALSE(credit_units_from_double(655.36));
  EXPECT_FALSE(credit_units_from_double(-0.5));
  EXPECT_FALSE(credit_units_from_double(1.005)) << "a third decimal";
  EXPECT_FALSE(credit_units_from_double(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_FALSE(credit_units_from_double(std::numeric_limits<double>::infinity()));
  EXPECT_DOUBLE_EQ(to_double(credit_units{150}), 1.5);
}

TEST(Claims, KeyIdHex) {
  EXPECT_EQ(to_hex(key_id{0x9d24e2ee}), "9d24e2ee");
  EXPECT_EQ(to_hex(key_id{0}), "00000000");
  EXPECT_EQ(key_id_from_hex("9d24e2ee"), key_id{0x9d24e2ee});
  EXPECT_EQ(key_id_from_hex("9D24E2EE"), key_id{0x9d24e2ee});
  EXPECT_FALSE(key_id_from_hex("9d24e2e"));
  EXPECT_FALSE(key_id_from_hex("9d24e2eee"));
  EXPECT_FALSE(key_id_from_hex("9d24e2eg"));
  EXPECT_FALSE(key_id_from_hex("0x24e2ee"));
}

TEST(Claims, ValidIds) {
  EXPECT_TRUE(is_valid_id("JSNM2026"));
  EXPECT_TRUE(is_valid_id("a.b_c-D9"));
  EXPECT_TRUE(is_valid_id(std::string(32, 'x')));
  EXPECT_FALSE(is_valid_id(""));
  EXPECT_FALSE(is_valid_id(std::string(33, 'x')));
  for (std::string_view bad : std::initializer_list<std::string_view>{
           "A 1", "A/1", "A:1", "A+1", "日本", std::string_view("A\0", 2)}) {
    EXPECT_FALSE(is_valid_id(bad)) << bad;
  }
}

TEST(TokenError, CodesAreStableDistinctAndSnakeCase) {
  const token_error all[] = {
      token_error::wrong_prefix,  token_error::bad_encoding,   token_error::oversize,
      token_error::truncated,     token_error::trailing_bytes, token_error::unknown_version,
      token_error::bad_field,     token_error::unknown_key,    token_error::retired_key,
      token_error::bad_signature, token_error::outside_window,
  };
  std::set<std::string_view> codes;
  for (auto e : all) {
    const auto c = code(e);
    EXPECT_TRUE(codes.insert(c).second) << c;
    EXPECT_EQ(c.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos) << c;
    EXPECT_FALSE(message(e).empty());
  }
  EXPECT_EQ(code(token_error::bad_signature), "bad_signature");
  EXPECT_EQ(code(token_error::outside_window), "outside_window");
}

}  // namespace
