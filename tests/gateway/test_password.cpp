#include "gateway/password.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace {

using namespace checkin::gateway;

const pwhash_cost cheap = cost_of(pwhash_preset::test);

// Known answers from other implementations, so the check does not only agree with itself.
// libsodium's own test suite (test/default/pwhash_argon2id.c, "valid(7)"): password "password".
constexpr std::string_view libsodium_argon2id =
    "$argon2id$v=19$m=256,t=3,p=1$MDEyMzQ1Njc$G5ajKFCoUzaXRLdz7UJb5wGkb2Xt+X5/GQjUYtS2+TE";
// PHP's sodium extension tests (argon2i, password "password").
constexpr std::string_view php_argon2i =
    "$argon2i$v=19$m=4096,t=3,p=1$MzE4ODFiZWFlMjAzOWUAAA$FWUV6tsyJ32qThiLi1cCsLIbf3dIOG/"
    "RwXcTzt536KY";

TEST(Password, PresetsAreDistinctAndNamed) {
  EXPECT_EQ(cheap.opslimit, 1u);
  EXPECT_EQ(cheap.memlimit, 8192u);
  EXPECT_EQ(cost_of(pwhash_preset::interactive).memlimit, 64u * 1024 * 1024);
  for (auto p : {pwhash_preset::interactive, pwhash_preset::moderate, pwhash_preset::test}) {
    EXPECT_EQ(pwhash_preset_from_string(to_string(p)), p);
  }
  EXPECT_EQ(pwhash_preset_from_string("Interactive"), std::nullopt);
  EXPECT_EQ(pwhash_preset_from_string(""), std::nullopt);
}

TEST(Password, HashThenVerifyRoundTrip) {
  const std::string hash = hash_password("correct horse 馬", cheap);
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << hash;
  EXPECT_TRUE(is_valid_password_hash(hash));
  EXPECT_TRUE(verify_password(hash, "correct horse 馬"));
}

TEST(Password, WrongPasswordIsRejected) {
  const std::string hash = hash_password("correct horse", cheap);
  EXPECT_FALSE(verify_password(hash, "correct horsE"));
  EXPECT_FALSE(verify_password(hash, "correct horse "));
  EXPECT_FALSE(verify_password(hash, ""));
}

TEST(Password, EachHashHasItsOwnSalt) {
  EXPECT_NE(hash_password("same", cheap), hash_password("same", cheap));
}

TEST(Password, EmptyPasswordStillHashesAndVerifies) {
  const std::string hash = hash_password("", cheap);
  EXPECT_TRUE(verify_password(hash, ""));
  EXPECT_FALSE(verify_password(hash, "x"));
}

TEST(Password, OverlongPasswordIsRefused) {
  const std::string longest(max_password_length, 'a');
  const std::string hash = hash_password(longest, cheap);
  EXPECT_TRUE(verify_password(hash, longest));
  EXPECT_THROW((void)hash_password(longest + "a", cheap), std::invalid_argument);
  EXPECT_FALSE(verify_password(hash, longest + "a"));
}

TEST(Password, VerifiesHashesMadeElsewhere) {
  EXPECT_TRUE(is_valid_password_hash(libsodium_argon2id));
  EXPECT_TRUE(verify_password(libsodium_argon2id, "password"));
  EXPECT_FALSE(verify_password(libsodium_argon2id, "passwore"));
  EXPECT_TRUE(is_valid_password_hash(php_argon2i));
  EXPECT_TRUE(verify_password(php_argon2i, "password"));
  EXPECT_FALSE(verify_password(php_argon2i, "Password"));
}

TEST(Password, ValidityCheckRejectsOtherFormats) {
  const std::string good(libsodium_argon2id);
  EXPECT_FALSE(is_valid_password_hash(""));
  EXPECT_FALSE(is_valid_password_hash("password"));
  EXPECT_FALSE(
      is_valid_password_hash("$2y$10$abcdefghijklmnopqrstuu5BvxOc6rKjpkuBu0RrPnKQo9fT0bKW6"));
  EXPECT_FALSE(is_valid_password_hash(
      "$7$C6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D"));
  EXPECT_FALSE(is_valid_password_hash(
      "$argon2d$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$2+JCoQtY/2x5F0VB9pEVP3xBNguWP1T25Ui0PtZuk8o"));
  EXPECT_FALSE(is_valid_password_hash("$Argon2id" + good.substr(9)));
  EXPECT_FALSE(is_valid_password_hash(good.substr(0, good.size() - 5)));  // short hash
  EXPECT_FALSE(is_valid_password_hash(good + "!"));
  EXPECT_FALSE(is_valid_password_hash(good + "$AAAA"));
  EXPECT_FALSE(is_valid_password_hash(" " + good));
  EXPECT_FALSE(is_valid_password_hash(good + "\n"));
  // A NUL would make libsodium see a different string from the one checked here.
  EXPECT_FALSE(is_valid_password_hash(good + std::string(1, '\0') + "junk"));
  EXPECT_FALSE(is_valid_password_hash(std::string(200, 'a')));
  // Missing version, or one libsodium does not make.
  EXPECT_FALSE(is_valid_password_hash(
      "$argon2id$m=256,t=3,p=1$MDEyMzQ1Njc$G5ajKFCoUzaXRLdz7UJb5wGkb2Xt+X5/GQjUYtS2+TE"));
  EXPECT_FALSE(is_valid_password_hash(
      "$argon2id$v=16$m=256,t=3,p=1$MDEyMzQ1Njc$G5ajKFCoUzaXRLdz7UJb5wGkb2Xt+X5/GQjUYtS2+TE"));
  EXPECT_FALSE(verify_password(good.substr(1), "password"));
}

TEST(Password, ValidityCheckCapsTheCost) {
  // Well-formed, but verifying would take 4 GiB (m) or 100 passes (t).
  EXPECT_FALSE(is_valid_password_hash(
      "$argon2id$v=19$m=4194304,t=3,p=1$MDEyMzQ1Njc$G5ajKFCoUzaXRLdz7UJb5wGkb2Xt+X5/GQjUYtS2+TE"));
  EXPECT_FALSE(is_valid_password_hash(
      "$argon2id$v=19$m=256,t=100,p=1$MDEyMzQ1Njc$G5ajKFCoUzaXRLdz7UJb5wGkb2Xt+X5/GQjUYtS2+TE"));
  EXPECT_TRUE(is_valid_password_hash(
      "$argon2id$v=19$m=1048576,t=4,p=1$MDEyMzQ1Njc$G5ajKFCoUzaXRLdz7UJb5wGkb2Xt+X5/GQjUYtS2+TE"));
}

TEST(Password, NeedsRehashWhenCostOrAlgorithmDiffers) {
  const std::string hash = hash_password("pw", cheap);
  EXPECT_FALSE(needs_rehash(hash, cheap));
  EXPECT_TRUE(needs_rehash(hash, cost_of(pwhash_preset::interactive)));
  EXPECT_TRUE(needs_rehash(hash, {cheap.opslimit + 1, cheap.memlimit}));
  EXPECT_TRUE(needs_rehash(php_argon2i, {3, 4096 * 1024}));  // same cost, but argon2i
  EXPECT_TRUE(needs_rehash("not a hash", cheap));
}

TEST(Password, VerifierChecksKnownMembersAndFailsUnknownOnes) {
  const password_verifier verifier(cheap);
  EXPECT_EQ(verifier.cost(), cheap);
  const std::string hash = verifier.hash("s3cret");
  EXPECT_FALSE(verifier.needs_rehash(hash));
  EXPECT_TRUE(verifier.verify(hash, "s3cret"));
  EXPECT_FALSE(verifier.verify(hash, "s3cre"));
  EXPECT_FALSE(verifier.verify(std::nullopt, "s3cret"));
  EXPECT_FALSE(verifier.verify(std::nullopt, ""));
  EXPECT_FALSE(verifier.verify(std::string_view("garbage"), "s3cret"));
  EXPECT_FALSE(verifier.verify(hash, std::string(max_password_length + 1, 'x')));
}

// The decoy exists so an unknown member number costs as much as a known one. Timing
// assertions are loose on purpose (shared CI machines, sanitizer builds): the decoy must
// not be an order of magnitude cheaper than a real verify at the production cost.
TEST(Password, UnknownMemberCostsAboutAsMuchAsAKnownOne) {
  const password_verifier verifier(cost_of(pwhash_preset::interactive));
  const std::string hash = verifier.hash("s3cret");
  using clock = std::chrono::steady_clock;
  const auto fastest = [](auto&& fn) {
    auto best = clock::duration::max();
    for (int i = 0; i < 3; ++i) {
      const auto start = clock::now();
      fn();
      best = std::min(best, clock::now() - start);
    }
    return best;
  };
  const auto known = fastest([&] { EXPECT_FALSE(verifier.verify(hash, "wrong")); });
  const auto unknown = fastest([&] { EXPECT_FALSE(verifier.verify(std::nullopt, "wrong")); });
  EXPECT_GT(unknown * 3, known);
  EXPECT_GT(known * 3, unknown);
}

}  // namespace
