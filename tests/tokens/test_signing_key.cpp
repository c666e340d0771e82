#include "tokens/signing_key.hpp"

#include "support/test_files.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <sys/stat.h>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using namespace checkin::tokens;
using checkin::testing::hex_of;
using checkin::testing::mode_of;
using checkin::testing::read_text;
using checkin::testing::temp_dir;
using checkin::testing::write_text;

std::array<std::uint8_t, 32> seed_from(std::uint8_t first) {
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(first + i);
  return seed;
}

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

// Computed independently (Python `cryptography` + hashlib.blake2b) for seed 00 01 .. 1f.
constexpr std::string_view seed0_public_hex =
    "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
constexpr std::uint32_t seed0_key_id = 0x9d24e2ee;

TEST(SigningKey, FromSeedIsDeterministic) {
  const auto a = signing_key::from_seed(seed_from(0));
  const auto b = signing_key::from_seed(seed_from(0));
  const auto c = signing_key::from_seed(seed_from(1));
  EXPECT_EQ(a.public_part(), b.public_part());
  EXPECT_NE(a.public_part(), c.public_part());
  EXPECT_EQ(hex_of(a.public_part().bytes), seed0_public_hex);
  const auto seed = seed_from(0);
  EXPECT_TRUE(std::equal(a.seed().begin(), a.seed().end(), seed.begin()));
}

TEST(SigningKey, KeyIdIsFirstFourBytesOfBlake2bOfPublicKey) {
  const auto key = signing_key::from_seed(seed_from(0));
  EXPECT_EQ(key.id().value, seed0_key_id);
  EXPECT_EQ(key_id_of(key.public_part()), key.id());
  EXPECT_EQ(to_hex(key.id()), "9d24e2ee");
}

TEST(SigningKey, GenerateGivesDistinctKeys) {
  const auto a = signing_key::generate();
  const auto b = signing_key::generate();
  EXPECT_NE(a.public_part(), b.public_part());
  EXPECT_NE(a.id(), b.id());
}

TEST(SigningKey, SignAndVerify) {
  const auto key = signing_key::from_seed(seed_from(0));
  const auto other = signing_key::from_seed(seed_from(1));
  const auto message = bytes_of("attendance JSNM2026 A-0301");
  const signature sig = key.sign(message);
  EXPECT_TRUE(verify_signature(key.public_part(), message, sig));
  EXPECT_EQ(key.sign(message), sig) << "Ed25519 signatures are deterministic";
  EXPECT_FALSE(verify_signature(other.public_part(), message, sig));
  EXPECT_FALSE(verify_signature(key.public_part(), bytes_of("attendance JSNM2026 A-0302"), sig));
  signature tampered = sig;
  tampered[17] ^= 0x01;
  EXPECT_FALSE(verify_signature(key.public_part(), message, tampered));
  EXPECT_FALSE(verify_signature(public_key{}, message, sig));
}

TEST(SigningKey, EmptyMessage) {
  const auto key = signing_key::from_seed(seed_from(0));
  const signature sig = key.sign({});
  EXPECT_TRUE(verify_signature(key.public_part(), {}, sig));
}

TEST(SigningKey, MovedKeyStillSigns) {
  auto original = signing_key::from_seed(seed_from(0));
  const public_key pk = original.public_part();
  signing_key moved = std::move(original);
  const auto message = bytes_of("m");
  EXPECT_TRUE(verify_signature(pk, message, moved.sign(message)));
  auto assigned = signing_key::from_seed(seed_from(5));
  assigned = std::move(moved);
  EXPECT_EQ(assigned.public_part(), pk);
  EXPECT_TRUE(verify_signature(pk, message, assigned.sign(message)));
}

// A valid Ed25519 signature that is NOT the deterministic one: the nonce r is random instead of
// SHA-512(prefix || message). Built from libsodium's group and scalar primitives, following
// RFC 8032 5.1.6 with step 1-2 replaced. Any verifier must accept it.
signature randomized_signature(const signing_key& key, std::span<const std::uint8_t> message) {
  std::array<std::uint8_t, 64> h{};
  crypto_hash_sha512(h.data(), key.seed().data(), key.seed().size());
  std::array<std::uint8_t, 32> a{};  // the secret scalar: clamped first half of SHA-512(seed)
  std::copy_n(h.begin(), 32, a.begin());
  a[0] &= 248;
  a[31] &= 127;
  a[31] |= 64;
  std::array<std::uint8_t, 32> r{};
  crypto_core_ed25519_scalar_random(r.data());
  signature sig{};
  if (crypto_scalarmult_ed25519_base_noclamp(sig.data(), r.data()) != 0) {  // R = rB
    ADD_FAILURE() << "rB failed";
  }
  std::vector<std::uint8_t> ram(sig.begin(), sig.begin() + 32);  // R || A || M
  ram.insert(ram.end(), key.public_part().bytes.begin(), key.public_part().bytes.end());
  ram.insert(ram.end(), message.begin(), message.end());
  std::array<std::uint8_t, 64> k_wide{};
  crypto_hash_sha512(k_wide.data(), ram.data(), ram.size());
  std::array<std::uint8_t, 32> k{};
  crypto_core_ed25519_scalar_reduce(k.data(), k_wide.data());
  std::array<std::uint8_t, 32> ka{};
  crypto_core_ed25519_scalar_mul(ka.data(), k.data(), a.data());
  crypto_core_ed25519_scalar_add(sig.data() + 32, r.data(), ka.data());  // S = r + k*a mod L
  return sig;
}

TEST(SigningKey, OwnSignatureCheckAgreesWithVerifyOnEveryMutation) {
  const auto key = signing_key::from_seed(seed_from(0));
  const auto other = signing_key::from_seed(seed_from(1));
  auto message = bytes_of("checkin-gateway session token v1 JSNM2026 A-0301");
  const signature sig = key.sign(message);
  ASSERT_TRUE(verify_own_signature(key, message, sig));
  // Every single-bit change of the signature or of the message: both checks say no.
  for (std::size_t i = 0; i < sig.size() * 8; ++i) {
    signature flipped = sig;
    flipped[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
    ASSERT_EQ(verify_own_signature(key, message, flipped),
              verify_signature(key.public_part(), message, flipped))
        << "signature bit " << i;
    ASSERT_FALSE(verify_own_signature(key, message, flipped)) << "signature bit " << i;
  }
  for (std::size_t i = 0; i < message.size() * 8; ++i) {
    auto changed = message;
    changed[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
    ASSERT_FALSE(verify_own_signature(key, changed, sig)) << "message bit " << i;
  }
  // Another key's signature, an all-zero one, and the empty message.
  EXPECT_FALSE(verify_own_signature(key, message, other.sign(message)));
  EXPECT_FALSE(verify_own_signature(key, message, signature{}));
  EXPECT_TRUE(verify_own_signature(key, {}, key.sign({})));
  EXPECT_FALSE(verify_own_signature(key, {}, sig));
}

TEST(SigningKey, OwnSignatureCheckAcceptsAValidNonDeterministicSignature) {
  const auto key = signing_key::from_seed(seed_from(0));
  const auto message = bytes_of("attendance JSNM2026 A-0301");
  for (int i = 0; i < 8; ++i) {
    const signature sig = randomized_signature(key, message);
    ASSERT_NE(sig, key.sign(message)) << "the nonce is random, so the signature differs";
    ASSERT_TRUE(verify_signature(key.public_part(), message, sig)) << "and it is still valid";
    EXPECT_TRUE(verify_own_signature(key, message, sig)) << "so the re-signing check falls back";
    signature damaged = sig;
    damaged[40] ^= 0x10;
    EXPECT_FALSE(verify_own_signature(key, message, damaged));
  }
}

TEST(KeyFiles, WriteAndLoadRoundTrip) {
  const temp_dir tmp;
  const auto dir = tmp.path() / "keys";
  const auto key = signing_key::from_seed(seed_from(0));
  write_key_pair(key, dir);

  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(mode_of(dir / "signing.key"), 0600u);
  EXPECT_EQ(read_text(dir / "signing.key"),
            "checkin-gateway ed25519 secret 9d24e2ee "
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n");
  EXPECT_EQ(read_text(dir / "signing.pub"),
            "checkin-gateway ed25519 public 9d24e2ee " + std::string(seed0_public_hex) + "\n");

  const auto loaded = load_signing_key(dir / "signing.key");
  EXPECT_EQ(loaded.public_part(), key.public_part());
  EXPECT_EQ(load_public_key(dir / "signing.pub"), key.public_part());
}

TEST(KeyFiles, WritesIntoAnExistingDirectory) {
  const temp_dir tmp;
  const auto key = signing_key::generate();
  write_key_pair(key, tmp.path());
  EXPECT_EQ(load_public_key(tmp.path() / "signing.pub"), key.public_part());
}

TEST(KeyFiles, RefusesToOverwrite) {
  const temp_dir tmp;
  const auto first = signing_key::from_seed(seed_from(0));
  write_key_pair(first, tmp.path());
  const std::string before = read_text(tmp.path() / "signing.key");
  EXPECT_THROW(write_key_pair(signing_key::from_seed(seed_from(1)), tmp.path()), key_file_error);
  EXPECT_EQ(read_text(tmp.path() / "signing.key"), before);
  EXPECT_EQ(load_public_key(tmp.path() / "signing.pub"), first.public_part());
}

TEST(KeyFiles, RefusesWhenOnlyThePublicFileExists) {
  const temp_dir tmp;
  write_text(tmp.path() / "signing.pub", "something\n");
  EXPECT_THROW(write_key_pair(signing_key::generate(), tmp.path()), key_file_error);
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "signing.key"));
}

// Loads `text` as a secret (or public) key file and returns the error message ("" if none).
std::string load_error(const temp_dir& tmp, std::string_view text, bool secret) {
  const auto file = tmp.path() / (secret ? "edited.key" : "edited.pub");
  write_text(file, text);
  // A secret key file must be private to be read at all (posix_file.hpp's rule).
  if (secret) std::filesystem::permissions(file, std::filesystem::perms(0600));
  try {
    if (secret) {
      (void)load_signing_key(file);
    } else {
      (void)load_public_key(file);
    }
  } catch (const key_file_error& e) {
    return e.what();
  }
  return "";
}

TEST(KeyFiles, RejectsTamperedSecretFiles) {
  const temp_dir tmp;
  const std::string good =
      "checkin-gateway ed25519 secret 9d24e2ee "
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
  ASSERT_EQ(load_error(tmp, good, true), "");
  ASSERT_EQ(load_error(tmp, good.substr(0, good.size() - 1), true), "") << "final newline optional";

  std::string edited_seed = good;
  edited_seed[45] = '9';  // one seed digit
  const std::string cases[] = {
      edited_seed,
      "checkin-gateway ed25519 secret 9d24e2ef "
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",  // key id
      "checkin-gateway ed25519 public 9d24e2ee "
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",  // marker
      "checkin-gateway ed25519 secret 9d24e2ee "
      "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\n",  // upper case
      "checkin-gateway ed25519 secret 9d24e2ee "
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e\n",  // short seed
      "checkin-gateway ed25519 secret 9d24e2ee "
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00\n",  // long seed
      "checkin-gateway ed25519 secret 9d24e2ee "
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\r\n",  // CRLF
      "checkin-gateway ed25519 secret 9d24e2ee "
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\nextra\n",
      "checkin-gateway ed25519 secret 9d24e2ee  "
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",  // two spaces
      "checkin-gateway ed25519 secret 9d24e2ee\n",
      "checkin-gateway ed25519 secret 9d24e2ee",
      "",
      std::string(4096, 'x'),
  };
  for (const auto& text : cases) {
    const std::string error = load_error(tmp, text, true);
    EXPECT_NE(error, "") << text;
    EXPECT_NE(error.find("edited.key"), std::string::npos) << "message names the file: " << error;
  }
}

TEST(KeyFiles, RejectsTamperedPublicFiles) {
  const temp_dir tmp;
  const std::string good =
      "checkin-gateway ed25519 public 9d24e2ee " + std::string(seed0_public_hex) + "\n";
  ASSERT_EQ(load_error(tmp, good, false), "");
  std::string edited_key = good;
  edited_key[good.size() - 2] = edited_key[good.size() - 2] == '0' ? '1' : '0';
  const std::string cases[] = {
      edited_key,
      "checkin-gateway ed25519 public 00000000 " + std::string(seed0_public_hex) + "\n",
      "checkin-gateway ed25519 secret 9d24e2ee " + std::string(seed0_public_hex) + "\n",
      "checkin-gateway ed25519 public 9d24e2ee " + std::string(seed0_public_hex).substr(2) + "\n",
      "checkin-gateway ed25519 public 9d24e2ee zz" + std::string(seed0_public_hex).substr(2) + "\n",
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\n",
  };
  for (const auto& text : cases) {
    const std::string error = load_error(tmp, text, false);
    EXPECT_NE(error, "") << text;
    EXPECT_NE(error.find("edited.pub"), std::string::npos) << error;
  }
}

TEST(KeyFiles, MissingFileNamesTheFile) {
  const temp_dir tmp;
  try {
    (void)load_signing_key(tmp.path() / "absent.key");
    FAIL() << "expected key_file_error";
  } catch (const key_file_error& e) {
    EXPECT_NE(std::string(e.what()).find("absent.key"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)load_public_key(tmp.path() / "absent.pub"), key_file_error);
}

}  // namespace
