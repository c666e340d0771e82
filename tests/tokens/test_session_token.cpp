#include "tokens/session_token.hpp"

#include "tokens/base32.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace {

using namespace checkin::tokens;
using namespace std::chrono_literals;
using bytes = std::vector<std::uint8_t>;

signing_key test_key(std::uint8_t first = 0) {
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(first + i);
  return signing_key::from_seed(seed);
}

session_claims sample_claims(token_type type = token_type::poster) {
  session_claims c;
  c.type = type;
  c.meeting_id = "JSNM2026";
  c.session_id = "A-0301";
  c.kind = credit_kind::education;
  c.units = credit_units{150};
  c.valid_from = sys_seconds{1795220100s};
  c.valid_until = sys_seconds{1795225500s};
  return c;
}

key_ring ring_of(const signing_key& key) {
  key_ring ring;
  ring.add(key.public_part());
  return ring;
}

bytes token_bytes(std::string_view text, std::string_view prefix = default_prefix) {
  return base32_decode(text.substr(prefix.size())).value();
}

std::string text_of(const bytes& b) { return std::string(default_prefix) + base32_encode(b); }

// payload || Ed25519(context || payload): lets a test build a correctly signed token with
// fields that mint() would refuse to write.
bytes sign_raw(const signing_key& key, bytes payload) {
  constexpr std::string_view context = "checkin-gateway session token v1";
  bytes message(context.begin(), context.end());
  message.insert(message.end(), payload.begin(), payload.end());
  const signature sig = key.sign(message);
  payload.insert(payload.end(), sig.begin(), sig.end());
  return payload;
}

class SessionToken : public ::testing::Test {
 protected:
  const signing_key key_ = test_key();
  const key_ring ring_ = ring_of(key_);
  const std::string text_ = mint(sample_claims(), key_);
  const bytes bytes_ = token_bytes(text_);
  const std::size_t payload_size_ = bytes_.size() - 64;

  [[nodiscard]] token_error error_of(std::string_view text) const {
    const auto r = parse_and_verify(text, ring_);
    EXPECT_TRUE(r.has_error()) << text;
    return r.has_error() ? r.error() : token_error::outside_window;
  }
  [[nodiscard]] token_error error_of(const bytes& b) const { return error_of(text_of(b)); }
};

TEST_F(SessionToken, RoundTripsEveryShape) {
  std::vector<session_claims> shapes;
  for (auto type : {token_type::poster, token_type::slot}) {
    for (auto kind : {credit_kind::attendance, credit_kind::education}) {
      session_claims c = sample_claims(type);
      c.kind = kind;
      shapes.push_back(c);
    }
  }
  session_claims extremes = sample_claims(token_type::slot);
  extremes.meeting_id = std::string(32, 'M');
  extremes.session_id = "a.b_c-D9";
  extremes.units = credit_units{65535};
  extremes.valid_from = sys_seconds{0s};
  extremes.valid_until = sys_seconds{4294967295s};
  shapes.push_back(extremes);
  extremes.meeting_id = "x";
  extremes.units = credit_units{0};
  extremes.valid_from = sys_seconds{4294967294s};
  shapes.push_back(extremes);

  for (auto claims : shapes) {
    const std::string text = mint(claims, key_);
    claims.key = key_.id();
    const auto parsed = parse_and_verify(text, ring_);
    ASSERT_TRUE(parsed.has_value()) << text << " " << code(parsed.error());
    EXPECT_EQ(*parsed, claims);
  }
}

TEST_F(SessionToken, MintOverwritesTheKeyIdAndUsesTheSpecLayout) {
  session_claims c = sample_claims();
  c.key = key_id{0xDEADBEEF};
  const auto parsed = parse_and_verify(mint(c, key_), ring_);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->key, key_.id());
  // 19 fixed bytes + "JSNM2026" + "A-0301" + 64-byte signature.
  EXPECT_EQ(bytes_.size(), 19u + 8u + 6u + 64u);
  EXPECT_EQ(text_.substr(0, default_prefix.size()), default_prefix);
}

TEST_F(SessionToken, MintRejectsClaimsThatCannotBeEncoded) {
  const auto rejects = [&](auto edit) {
    session_claims c = sample_claims();
    edit(c);
    EXPECT_THROW((void)mint(c, key_), std::invalid_argument);
  };
  rejects([](session_claims& c) { c.meeting_id = ""; });
  rejects([](session_claims& c) { c.session_id = ""; });
  rejects([](session_claims& c) { c.meeting_id = std::string(33, 'M'); });
  rejects([](session_claims& c) { c.session_id = "A 0301"; });
  rejects([](session_claims& c) { c.session_id = "A/0301"; });
  rejects([](session_claims& c) { c.meeting_id = "JSNM\xE2\x80\x8B"; });
  rejects([](session_claims& c) { c.valid_until = c.valid_from; });
  rejects([](session_claims& c) { c.valid_until = c.valid_from - 1s; });
  rejects([](session_claims& c) { c.valid_from = sys_seconds{-1s}; });
  rejects([](session_claims& c) { c.valid_until = sys_seconds{4294967296s}; });
  rejects([](session_claims& c) { c.type = static_cast<token_type>(3); });
  rejects([](session_claims& c) { c.kind = static_cast<credit_kind>(0); });
}

TEST_F(SessionToken, Prefixes) {
  const std::string custom = mint(sample_claims(), key_, "CHECKIN:");
  EXPECT_TRUE(parse_and_verify(custom, ring_, "CHECKIN:").has_value());
  EXPECT_EQ(parse_and_verify(custom, ring_).error(), token_error::wrong_prefix);
  EXPECT_EQ(parse_and_verify(text_, ring_, "CHECKIN:").error(), token_error::wrong_prefix);

  const std::string bare = mint(sample_claims(), key_, "");
  EXPECT_TRUE(parse_and_verify(bare, ring_, "").has_value());
  EXPECT_EQ(bare, text_.substr(default_prefix.size()));

  EXPECT_EQ(error_of("https://checkin.example/q/" + text_.substr(default_prefix.size())),
            token_error::wrong_prefix);
  EXPECT_EQ(error_of(""), token_error::wrong_prefix);
  EXPECT_EQ(error_of(default_prefix.substr(0, 10)), token_error::wrong_prefix);
}

TEST_F(SessionToken, Oversize) {
  EXPECT_EQ(error_of(std::string(default_prefix) + std::string(600, 'A')), token_error::oversize);
  EXPECT_EQ(error_of(std::string(max_text_length + 1, '!')), token_error::oversize)
      << "length is checked before the prefix";
  EXPECT_NE(error_of(std::string(max_text_length, '!')), token_error::oversize);
}

TEST_F(SessionToken, BadEncoding) {
  const std::string body = text_.substr(default_prefix.size());
  std::string lower = body;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string one_lower = body;
  one_lower[5] = static_cast<char>(std::tolower(static_cast<unsigned char>(one_lower[5])));
  ASSERT_NE(one_lower, body);
  // 97 bytes -> 156 characters, the last carrying 4 zero padding bits; "B" sets one.
  ASSERT_EQ(body.size() % 8, 4u);
  const std::string prefix(default_prefix);
  for (const std::string& bad :
       {prefix + lower, prefix + one_lower, prefix + body + "====", prefix + body + "AA",
        prefix + body.substr(0, 155), prefix + body.substr(0, 100) + "1" + body.substr(101),
        prefix + body + "\n", prefix + " " + body, prefix + body.substr(0, 155) + "B"}) {
    EXPECT_EQ(error_of(bad), token_error::bad_encoding) << bad;
  }
}

TEST_F(SessionToken, EmptyBodyIsTruncated) {
  EXPECT_EQ(error_of(std::string(default_prefix)), token_error::truncated);
}

TEST_F(SessionToken, TruncatedAtEveryLength) {
  for (std::size_t n = 0; n < bytes_.size(); ++n) {
    const bytes cut(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(error_of(cut), token_error::truncated) << n;
  }
}

TEST_F(SessionToken, TrailingBytes) {
  for (std::size_t extra = 1; extra <= 8; ++extra) {
    bytes longer = bytes_;
    longer.insert(longer.end(), extra, 0x00);
    EXPECT_EQ(error_of(longer), token_error::trailing_bytes) << extra;
  }
}

TEST_F(SessionToken, UnknownVersionIsCheckedRightAfterTheFirstByte) {
  for (std::uint8_t version : {0, 2, 255}) {
    bytes b = bytes_;
    b[0] = version;
    EXPECT_EQ(error_of(b), token_error::unknown_version) << int{version};
    EXPECT_EQ(error_of(bytes{version}), token_error::unknown_version) << "a future layout";
  }
}

TEST_F(SessionToken, BadFieldsAreReportedEvenWhenCorrectlySigned) {
  const bytes payload(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(payload_size_));
  const auto signed_with = [&](auto edit) {
    bytes p = payload;
    edit(p);
    return sign_raw(key_, p);
  };
  const bytes cases[] = {
      signed_with([](bytes& p) { p[1] = 0; }),  // token type
      signed_with([](bytes& p) { p[1] = 3; }),
      signed_with([](bytes& p) { p[6] = 0; }),  // credit kind
      signed_with([](bytes& p) { p[6] = 3; }),
      signed_with([](bytes& p) { p[18] = ' '; }),  // meeting id character
      signed_with([](bytes& p) { p.back() = 0x80; }),
      signed_with([](bytes& p) { std::copy(p.begin() + 9, p.begin() + 13, p.begin() + 13); }),
      signed_with([](bytes& p) { p[13] = 0; }),  // valid_until < valid_from
      // Meeting id of length 0, and of length 33.
      signed_with([](bytes& p) {
        p.erase(p.begin() + 18, p.begin() + 26);
        p[17] = 0;
      }),
      signed_with([](bytes& p) {
        p.insert(p.begin() + 26, 25, 'X');
        p[17] = 33;
      }),
      signed_with([](bytes& p) {
        p.erase(p.begin() + 27, p.end());
        p[26] = 0;
      }),
  };
  for (const auto& b : cases) EXPECT_EQ(error_of(b), token_error::bad_field) << text_of(b);
}

TEST_F(SessionToken, EveryBitFlipInTheSignatureIsBadSignature) {
  for (std::size_t i = payload_size_; i < bytes_.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      bytes b = bytes_;
      b[i] ^= static_cast<std::uint8_t>(1u << bit);
      EXPECT_EQ(error_of(b), token_error::bad_signature) << i << ":" << bit;
    }
  }
}

TEST_F(SessionToken, EveryBitFlipInThePayloadFails) {
  for (std::size_t i = 0; i < payload_size_; ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      bytes b = bytes_;
      b[i] ^= static_cast<std::uint8_t>(1u << bit);
      const token_error e = error_of(b);
      if (i == 0) {
        EXPECT_EQ(e, token_error::unknown_version);
      } else if (i >= 2 && i < 6) {
        EXPECT_EQ(e, token_error::unknown_key);
      } else if (i == 17 || i == 26) {  // id lengths: the layout no longer adds up
        EXPECT_TRUE(e == token_error::truncated || e == token_error::trailing_bytes) << code(e);
      } else {
        EXPECT_TRUE(e == token_error::bad_signature || e == token_error::bad_field)
            << i << ":" << bit << " " << code(e);
      }
    }
  }
}

TEST_F(SessionToken, KeyErrors) {
  const auto other = test_key(0x20);
  EXPECT_EQ(error_of(mint(sample_claims(), other)), token_error::unknown_key);

  key_ring retired;
  retired.add(key_.public_part(), key_status::retired);
  EXPECT_EQ(parse_and_verify(text_, retired).error(), token_error::retired_key);

  // This key's id, another key's signature.
  const bytes payload(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(payload_size_));
  EXPECT_EQ(error_of(sign_raw(other, payload)), token_error::bad_signature);

  // A signature over the bare payload (no domain-separation context) must not verify.
  bytes no_context = payload;
  const signature sig = key_.sign(payload);
  no_context.insert(no_context.end(), sig.begin(), sig.end());
  EXPECT_EQ(error_of(no_context), token_error::bad_signature);
}

TEST_F(SessionToken, OwnKeyGivesTheSameAnswers) {
  const auto other = test_key(0x20);
  key_ring both = ring_;
  both.add(other.public_part());
  key_ring retired;
  retired.add(key_.public_part(), key_status::retired);
  const bytes payload(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(payload_size_));
  bytes damaged = bytes_;
  damaged.back() ^= 0x01;
  const std::vector<std::string> texts{
      text_,                                   // ours, genuine
      mint(sample_claims(), other),            // the other key's
      text_of(sign_raw(other, payload)),       // our key id, the other key's signature
      text_of(damaged),                        // ours, one signature bit off
      text_.substr(1),                         // not a token
  };
  for (const key_ring* ring : std::initializer_list<const key_ring*>{&ring_, &both, &retired}) {
    for (const auto& text : texts) {
      const auto plain = parse_and_verify(text, *ring, default_prefix);
      for (const signing_key* own : {&key_, &other}) {
        const auto fast = parse_and_verify(text, *ring, default_prefix, own);
        ASSERT_EQ(fast.has_value(), plain.has_value()) << text;
        if (plain) {
          EXPECT_EQ(*fast, *plain);
        } else {
          EXPECT_EQ(fast.error(), plain.error()) << text;
        }
      }
    }
  }
  // The ring still decides: holding the secret key does not make a retired key trusted.
  EXPECT_EQ(parse_and_verify(text_, retired, default_prefix, &key_).error(),
            token_error::retired_key);
  EXPECT_EQ(parse_and_verify(mint(sample_claims(), other), ring_, default_prefix, &other).error(),
            token_error::unknown_key);
  EXPECT_EQ(parse_and_verify(text_of(damaged), ring_, default_prefix, &key_).error(),
            token_error::bad_signature);
}

TEST_F(SessionToken, DecodeTokenBytesSplitsPayloadAndSignature) {
  const auto decoded = decode_token_bytes(bytes_);
  ASSERT_TRUE(decoded.has_value());
  session_claims expected = sample_claims();
  expected.key = key_.id();
  EXPECT_EQ(decoded->claims, expected);
  EXPECT_EQ(decoded->payload, encode_payload(expected));
  EXPECT_TRUE(std::equal(decoded->sig.begin(), decoded->sig.end(), bytes_.begin() + 33));
}

TEST_F(SessionToken, ValueThrowsATypedException) {
  const auto r = parse_and_verify(text_.substr(1), ring_);
  try {
    (void)r.value();
    FAIL() << "expected token_exception";
  } catch (const token_exception& e) {
    EXPECT_EQ(e.error(), token_error::wrong_prefix);
    EXPECT_EQ(std::string(e.what()).rfind("wrong_prefix", 0), 0u) << e.what();
  }
  EXPECT_THROW((void)r.value(), std::runtime_error);
}

TEST(Window, PosterIgnoresSlotGrace) {
  const session_claims c = sample_claims(token_type::poster);
  EXPECT_FALSE(within_window(c, c.valid_from - 1s, 0s));
  EXPECT_TRUE(within_window(c, c.valid_from, 0s));
  EXPECT_TRUE(within_window(c, c.valid_until - 1s, 0s));
  EXPECT_FALSE(within_window(c, c.valid_until, 0s));
  EXPECT_FALSE(within_window(c, c.valid_until, 30s));
  EXPECT_FALSE(within_window(c, c.valid_from - 1s, 30s));
}

TEST(Window, SlotGetsGraceAfterTheEndOnly) {
  session_claims c = sample_claims(token_type::slot);
  c.valid_from = sys_seconds{1795221720s};
  c.valid_until = sys_seconds{1795221780s};
  EXPECT_FALSE(within_window(c, c.valid_from - 1s, 30s));
  EXPECT_TRUE(within_window(c, c.valid_from, 30s));
  EXPECT_FALSE(within_window(c, c.valid_until, 0s));
  EXPECT_TRUE(within_window(c, c.valid_until, 30s));
  EXPECT_TRUE(within_window(c, c.valid_until + 29s, 30s));
  EXPECT_FALSE(within_window(c, c.valid_until + 30s, 30s));
}

TEST(TokenSize, TypicalTokenFitsQrVersion10M) {
  session_claims c = sample_claims();
  const std::string text = mint(c, test_key());
  EXPECT_LE(text.size(), 213u) << "QR version 10-M holds 213 alphanumeric characters";
  EXPECT_EQ(text.size(), 182u);
  // The largest encodable token still fits the parser's limit with the default prefix.
  c.meeting_id = std::string(max_id_length, 'M');
  c.session_id = std::string(max_id_length, 'S');
  EXPECT_LE(mint(c, test_key()).size(), max_text_length);
}

TEST_F(SessionToken, FuzzRandomTextsNeverVerify) {
  std::mt19937 rng(1121);
  const std::string charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcxyz0189=/:. \n\x01\xFF";
  std::uniform_int_distribution<std::size_t> ch(0, charset.size() - 1);
  std::uniform_int_distribution<std::size_t> len(0, 600);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> near(0, 200);
  for (int i = 0; i < 2000; ++i) {
    std::string text = i % 2 == 0 ? std::string(default_prefix) : "";
    for (std::size_t n = len(rng); n > 0; --n) text += charset[ch(rng)];
    EXPECT_FALSE(parse_and_verify(text, ring_).has_value()) << text;
  }
  // Random byte strings in valid base32, mostly starting with version 1, so the binary parser
  // (not the text checks) sees them.
  for (int i = 0; i < 3000; ++i) {
    bytes b(near(rng));
    for (auto& x : b) x = static_cast<std::uint8_t>(byte(rng));
    if (!b.empty() && i % 4 != 0) b[0] = 1;
    if (b.size() > 17 && i % 3 == 0) b[17] = static_cast<std::uint8_t>(near(rng) % 40);
    EXPECT_FALSE(parse_and_verify(text_of(b), ring_).has_value());
  }
}

TEST_F(SessionToken, FuzzMutationsOfAValidTokenNeverVerify) {
  std::mt19937 rng(2026);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> edits(1, 4);
  std::uniform_int_distribution<int> op(0, 3);
  std::set<token_error> seen;
  int tried = 0;
  for (int i = 0; i < 4000; ++i) {
    bytes b = bytes_;
    for (int e = edits(rng); e > 0; --e) {
      std::uniform_int_distribution<std::size_t> at(0, b.empty() ? 0 : b.size() - 1);
      switch (op(rng)) {
        case 0:
          if (!b.empty()) b[at(rng)] = static_cast<std::uint8_t>(byte(rng));
          break;
        case 1:
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(at(rng)),
                   static_cast<std::uint8_t>(byte(rng)));
          break;
        case 2:
          if (!b.empty()) b.erase(b.begin() + static_cast<std::ptrdiff_t>(at(rng)));
          break;
        default:
          b.resize(at(rng));
          break;
      }
    }
    if (b == bytes_) continue;  // a no-op edit is still the genuine token
    ++tried;
    const auto r = parse_and_verify(text_of(b), ring_);
    ASSERT_TRUE(r.has_error()) << text_of(b);
    seen.insert(r.error());
    // Text-level mutation too: one random character of the genuine text.
    std::string text = text_;
    std::uniform_int_distribution<std::size_t> pos(0, text.size() - 1);
    text[pos(rng)] = static_cast<char>(byte(rng));
    if (text != text_) {
      EXPECT_FALSE(parse_and_verify(text, ring_).has_value()) << text;
    }
  }
  EXPECT_GT(tried, 3900);
  EXPECT_GE(seen.size(), 4u) << "mutations reach several distinct checks";
}

}  // namespace
