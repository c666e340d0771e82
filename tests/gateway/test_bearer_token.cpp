#include "gateway/bearer_token.hpp"
#include "support/test_files.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <sys/stat.h>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using namespace checkin::gateway;
using checkin::testing::mode_of;
using checkin::testing::read_text;
using checkin::testing::temp_dir;
using checkin::testing::write_text;
using namespace std::chrono_literals;
using std::chrono::sys_seconds;

std::array<std::uint8_t, bearer_secret_size> secret_from(std::uint8_t first) {
  std::array<std::uint8_t, bearer_secret_size> s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(first + i);
  return s;
}

const sys_seconds t0{1'750'000'000s};  // 2025-06-15

// Flips one character to another from the base64url alphabet.
std::string with_char_changed(std::string s, std::size_t at) {
  s[at] = s[at] == 'A' ? 'B' : 'A';
  return s;
}

TEST(BearerToken, IssueThenCheckRoundTrip) {
  const auto issuer = bearer_issuer::from_secret(secret_from(1));
  const std::string token = issuer.issue("M-0012345", t0, 12h);
  const auto claims = issuer.check(token, t0 + 1h);
  ASSERT_TRUE(claims) << code(claims.error());
  EXPECT_EQ(claims->member_no, "M-0012345");
  EXPECT_EQ(claims->issued_at, t0);
  EXPECT_EQ(claims->expires_at, t0 + 12h);
}

TEST(BearerToken, TextUsesOnlyBase64UrlAndOneDot) {
  const auto issuer = bearer_issuer::generate();
  const std::string token = issuer.issue("A", t0, 1h);
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 1);
  for (char c : token) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')
        << token;
  }
  EXPECT_EQ(token.size() - token.find('.') - 1, 43u);  // 32-byte MAC
}

TEST(BearerToken, LongestMemberNumberFitsTheLengthBound) {
  const auto issuer = bearer_issuer::generate();
  const std::string token = issuer.issue(std::string(32, '9'), t0, 1h);
  EXPECT_EQ(token.size(), max_bearer_token_length);
  EXPECT_TRUE(issuer.check(token, t0));
}

TEST(BearerToken, TokensForTheSameMemberDiffer) {
  const auto issuer = bearer_issuer::generate();
  EXPECT_NE(issuer.issue("A1", t0, 1h), issuer.issue("A1", t0, 1h));  // random nonce
}

TEST(BearerToken, ExpiresAtExpiresAt) {
  const auto issuer = bearer_issuer::generate();
  const std::string token = issuer.issue("A1", t0, 1h);
  EXPECT_TRUE(issuer.check(token, t0 + 1h - 1s));
  const auto at_expiry = issuer.check(token, t0 + 1h);
  ASSERT_FALSE(at_expiry);
  EXPECT_EQ(at_expiry.error(), bearer_error::expired);
  EXPECT_EQ(issuer.check(token, t0 + 48h).error(), bearer_error::expired);
}

TEST(BearerToken, TamperedPayloadIsRejected) {
  const auto issuer = bearer_issuer::generate();
  const std::string token = issuer.issue("A1", t0, 1h);
  const std::size_t dot = token.find('.');
  for (std::size_t i = 0; i < dot; ++i) {
    const auto r = issuer.check(with_char_changed(token, i), t0);
    ASSERT_FALSE(r) << "position " << i;
    // The last character also carries padding bits, so a change there may be malformed.
    EXPECT_TRUE(r.error() == bearer_error::bad_mac || r.error() == bearer_error::malformed);
  }
  EXPECT_EQ(issuer.check(with_char_changed(token, 3), t0).error(), bearer_error::bad_mac);
}

TEST(BearerToken, TamperedMacIsRejected) {
  const auto issuer = bearer_issuer::generate();
  const std::string token = issuer.issue("A1", t0, 1h);
  for (std::size_t i = token.find('.') + 1; i < token.size(); ++i) {
    const auto r = issuer.check(with_char_changed(token, i), t0);
    ASSERT_FALSE(r) << "position " << i;
    EXPECT_TRUE(r.error() == bearer_error::bad_mac || r.error() == bearer_error::malformed);
  }
  EXPECT_EQ(issuer.check(with_char_changed(token, token.size() - 5), t0).error(),
            bearer_error::bad_mac);
}

TEST(BearerToken, MemberNumberCannotBeSwappedBetweenTokens) {
  const auto issuer = bearer_issuer::generate();
  const std::string a = issuer.issue("A1", t0, 1h);
  const std::string b = issuer.issue("B2", t0, 1h);
  const std::string spliced = a.substr(0, a.find('.')) + b.substr(b.find('.'));
  EXPECT_EQ(issuer.check(spliced, t0).error(), bearer_error::bad_mac);
}

TEST(BearerToken, TokenFromAnotherSecretIsRejected) {
  const auto ours = bearer_issuer::from_secret(secret_from(1));
  const auto theirs = bearer_issuer::from_secret(secret_from(2));
  EXPECT_EQ(ours.check(theirs.issue("A1", t0, 1h), t0).error(), bearer_error::bad_mac);
}

TEST(BearerToken, MalformedInputIsRejected) {
  const auto issuer = bearer_issuer::generate();
  const std::string token = issuer.issue("A1", t0, 1h);
  const std::size_t dot = token.find('.');
  const auto error_of = [&](std::string_view text) {
    const auto r = issuer.check(text, t0);
    return r ? std::string("accepted") : std::string(code(r.error()));
  };
  EXPECT_EQ(error_of(""), "malformed");
  EXPECT_EQ(error_of("."), "malformed");
  EXPECT_EQ(error_of("not a token"), "malformed");
  EXPECT_EQ(error_of(token.substr(0, dot)), "malformed");               // no MAC
  EXPECT_EQ(error_of(token.substr(0, token.size() - 1)), "malformed");  // truncated MAC
  EXPECT_EQ(error_of(token.substr(dot)), "malformed");                  // no payload
  EXPECT_EQ(error_of(token + "A"), "malformed");
  EXPECT_EQ(error_of(token + "." + token), "malformed");
  EXPECT_EQ(error_of(token + "="), "malformed");  // padding
  EXPECT_EQ(error_of("Bearer " + token), "malformed");
  std::string plus = token;
  plus[2] = '+';  // standard base64, not url-safe
  EXPECT_EQ(error_of(plus), "malformed");
  EXPECT_EQ(error_of(std::string(max_bearer_token_length + 1, 'A')), "malformed");
  EXPECT_EQ(error_of(std::string(1 << 20, 'A')), "malformed");
  std::string with_nul = token;
  with_nul[1] = '\0';
  EXPECT_EQ(error_of(with_nul), "malformed");
}

// Each byte string has one text: a last character that differs only in the bits past the end
// of the data is not another spelling of the same MAC or payload.
TEST(BearerToken, NonCanonicalBase64IsMalformed) {
  const auto issuer = bearer_issuer::generate();
  const std::string token = issuer.issue("A1", t0, 1h);
  const std::size_t dot = token.find('.');
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  // The MAC is 32 bytes: 43 characters, the last carrying 4 data bits and 2 unused ones. The
  // payload of member "A1" is 28 bytes: 38 characters, the last carrying 2 data bits and 4
  // unused ones. Setting either of the two lowest bits is non-canonical in both.
  for (const std::size_t last : {token.size() - 1, dot - 1}) {
    const auto value = alphabet.find(token[last]);
    ASSERT_NE(value, std::string_view::npos);
    ASSERT_EQ(value & 0x3U, 0U) << "the issuer writes zero unused bits";
    for (std::size_t unused = 1; unused < 4; ++unused) {
      std::string other = token;
      other[last] = alphabet[value | unused];
      const auto r = issuer.check(other, t0);
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error(), bearer_error::malformed) << other;
    }
  }
  // The decoder accepts every character of the alphabet where all bits are data.
  for (const char c : alphabet) {
    std::string other = token;
    other[dot + 1] = c;
    const auto r = issuer.check(other, t0);
    if (other == token) {
      EXPECT_TRUE(r);
    } else {
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error(), bearer_error::bad_mac) << other;
    }
  }
}

TEST(BearerToken, ShortenedPayloadIsRejected) {
  const auto issuer = bearer_issuer::generate();
  const std::string token = issuer.issue("A1", t0, 1h);
  const std::size_t dot = token.find('.');
  EXPECT_FALSE(issuer.check(token.substr(0, dot - 4) + token.substr(dot), t0));
}

// Payloads with a valid MAC but a bad layout: only the secret's holder can make these, so
// they are built here with libsodium directly, following the documented format.
std::string forge(std::span<const std::uint8_t, bearer_secret_size> secret,
                  const std::vector<std::uint8_t>& payload) {
  const auto b64 = [](const unsigned char* p, std::size_t n) {
    std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::strlen(out.c_str()));
    return out;
  };
  const std::string text = b64(payload.data(), payload.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256(mac.data(), reinterpret_cast<const unsigned char*>(text.data()),
                         text.size(), secret.data());
  return text + "." + b64(mac.data(), mac.size());
}

std::vector<std::uint8_t> payload_of(std::uint8_t version, std::string_view member,
                                     std::uint64_t issued, std::uint64_t expires,
                                     std::size_t nonce_size = 8) {
  // push_back throughout: GCC 12 misreports -Warray-bounds on range inserts here.
  std::vector<std::uint8_t> p;
  p.push_back(version);
  p.push_back(static_cast<std::uint8_t>(member.size()));
  for (char c : member) p.push_back(static_cast<std::uint8_t>(c));
  for (std::uint64_t v : {issued, expires}) {
    for (int shift = 56; shift >= 0; shift -= 8) p.push_back(static_cast<std::uint8_t>(v >> shift));
  }
  for (std::size_t i = 0; i < nonce_size; ++i) p.push_back(0x5A);
  return p;
}

TEST(BearerToken, AuthenticatedButBadLayoutIsMalformed) {
  const auto secret = secret_from(3);
  const auto issuer = bearer_issuer::from_secret(secret);
  const std::uint64_t now = static_cast<std::uint64_t>(t0.time_since_epoch().count());
  const auto error_of = [&](const std::vector<std::uint8_t>& payload) {
    const auto r = issuer.check(forge(secret, payload), t0);
    return r ? std::string("accepted") : std::string(code(r.error()));
  };
  // The forger follows the format exactly, so the good case must pass: the test's own
  // encoder is a second, independent implementation of the documented layout.
  EXPECT_EQ(error_of(payload_of(1, "A1", now, now + 60)), "accepted");
  EXPECT_EQ(error_of(payload_of(2, "A1", now, now + 60)), "malformed");   // version
  EXPECT_EQ(error_of(payload_of(1, "A 1", now, now + 60)), "malformed");  // charset
  EXPECT_EQ(error_of(payload_of(1, "", now, now + 60)), "malformed");
  EXPECT_EQ(error_of(payload_of(1, "A1", now, now)), "malformed");  // empty lifetime
  EXPECT_EQ(error_of(payload_of(1, "A1", now, ~std::uint64_t{0})), "malformed");
  EXPECT_EQ(error_of(payload_of(1, "A1", now, now + 60, 7)), "malformed");  // truncated
  EXPECT_EQ(error_of(payload_of(1, "A1", now, now + 60, 9)), "malformed");  // trailing byte
  auto wrong_length = payload_of(1, "A1", now, now + 60);
  wrong_length[1] = 3;
  EXPECT_EQ(error_of(wrong_length), "malformed");
}

TEST(BearerToken, IssueRefusesBadInput) {
  const auto issuer = bearer_issuer::generate();
  EXPECT_THROW((void)issuer.issue("", t0, 1h), std::invalid_argument);
  EXPECT_THROW((void)issuer.issue(std::string(33, 'a'), t0, 1h), std::invalid_argument);
  EXPECT_THROW((void)issuer.issue("a b", t0, 1h), std::invalid_argument);
  EXPECT_THROW((void)issuer.issue("会員", t0, 1h), std::invalid_argument);
  EXPECT_THROW((void)issuer.issue("A1", t0, 0s), std::invalid_argument);
  EXPECT_THROW((void)issuer.issue("A1", t0, -1s), std::invalid_argument);
  EXPECT_THROW((void)issuer.issue("A1", sys_seconds{-1s}, 1h), std::invalid_argument);
}

TEST(BearerToken, ErrorCodesAreStable) {
  EXPECT_EQ(code(bearer_error::malformed), "malformed");
  EXPECT_EQ(code(bearer_error::bad_mac), "bad_mac");
  EXPECT_EQ(code(bearer_error::expired), "expired");
  const auto issuer = bearer_issuer::generate();
  try {
    (void)issuer.check("x", t0).value();
    FAIL() << "value() should throw";
  } catch (const bearer_exception& e) {
    EXPECT_EQ(e.error(), bearer_error::malformed);
    EXPECT_TRUE(std::string_view(e.what()).starts_with("malformed: "));
  }
}

TEST(BearerToken, MovedIssuerKeepsWorking) {
  auto a = bearer_issuer::from_secret(secret_from(7));
  const std::string token = a.issue("A1", t0, 1h);
  bearer_issuer b = std::move(a);
  EXPECT_TRUE(b.check(token, t0));
}

// ---- secret file -----------------------------------------------------------------------

TEST(BearerSecretFile, CreatedWithMode0600AndReusedOnReload) {
  const temp_dir dir;
  const auto file = dir.path() / "bearer.secret";
  const auto first = bearer_issuer::load_or_create(file);
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(mode_of(file), 0600u);
  const std::string text = read_text(file);
  EXPECT_TRUE(text.starts_with("checkin-gateway bearer-secret v1 ")) << text;
  EXPECT_EQ(text.size(), 33u + 64u + 1u);

  const std::string token = first.issue("A1", t0, 1h);
  // A restart: the same file gives the same secret, so old tokens still check.
  const auto second = bearer_issuer::load_or_create(file);
  EXPECT_TRUE(second.check(token, t0));
  EXPECT_EQ(read_text(file), text);  // not rewritten
  const auto third = bearer_issuer::load(file);
  EXPECT_TRUE(third.check(token, t0));
}

TEST(BearerSecretFile, DifferentFilesGiveDifferentSecrets) {
  const temp_dir dir;
  const auto a = bearer_issuer::load_or_create(dir.path() / "a.secret");
  const auto b = bearer_issuer::load_or_create(dir.path() / "b.secret");
  EXPECT_EQ(b.check(a.issue("A1", t0, 1h), t0).error(), bearer_error::bad_mac);
}

TEST(BearerSecretFile, RefusesFilesOthersCanRead) {
  const temp_dir dir;
  const auto file = dir.path() / "bearer.secret";
  (void)bearer_issuer::load_or_create(file);
  std::filesystem::permissions(file, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  EXPECT_THROW((void)bearer_issuer::load(file), bearer_secret_error);
  EXPECT_THROW((void)bearer_issuer::load_or_create(file), bearer_secret_error);
}

TEST(BearerSecretFile, RefusesDamagedOrMissingFiles) {
  const temp_dir dir;
  const auto file = dir.path() / "bearer.secret";
  EXPECT_THROW((void)bearer_issuer::load(file), bearer_secret_error);  // missing

  const auto write_private = [&](std::string_view text) {
    std::filesystem::remove(file);
    write_text(file, text);
    std::filesystem::permissions(
        file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  };
  const std::string hex64(64, 'a');
  write_private("checkin-gateway bearer-secret v1 " + hex64 + "\n");
  EXPECT_NO_THROW((void)bearer_issuer::load(file));
  write_private("checkin-gateway bearer-secret v1 " + hex64);  // no newline
  EXPECT_THROW((void)bearer_issuer::load(file), bearer_secret_error);
  write_private("checkin-gateway bearer-secret v1 " + hex64.substr(1) + "g\n");
  EXPECT_THROW((void)bearer_issuer::load(file), bearer_secret_error);
  write_private("checkin-gateway ed25519 secret v1 " + hex64 + "\n");
  EXPECT_THROW((void)bearer_issuer::load(file), bearer_secret_error);
  write_private("");
  EXPECT_THROW((void)bearer_issuer::load(file), bearer_secret_error);
  // A damaged file is an error at start-up, never silently replaced (that would log
  // everyone out).
  EXPECT_THROW((void)bearer_issuer::load_or_create(file), bearer_secret_error);
  EXPECT_EQ(read_text(file), "");
}

TEST(BearerSecretFile, DoesNotFollowSymlinks) {
  const temp_dir dir;
  const auto target = dir.path() / "real.secret";
  (void)bearer_issuer::load_or_create(target);
  const auto link = dir.path() / "link.secret";
  std::filesystem::create_symlink(target, link);
  EXPECT_THROW((void)bearer_issuer::load(link), bearer_secret_error);
  const auto dangling = dir.path() / "dangling.secret";
  std::filesystem::create_symlink(dir.path() / "nowhere", dangling);
  EXPECT_THROW((void)bearer_issuer::load_or_create(dangling), bearer_secret_error);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "nowhere"));
}

TEST(BearerSecretFile, MissingDirectoryIsAnError) {
  const temp_dir dir;
  EXPECT_THROW((void)bearer_issuer::load_or_create(dir.path() / "no" / "such" / "bearer.secret"),
               bearer_secret_error);
}

}  // namespace
