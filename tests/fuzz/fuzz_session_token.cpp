// The session-token parser and verifier. The input is QR text, as a phone sends it in "qr";
// the same bytes are also read as a raw token (payload || signature) by decode_token_bytes and
// as base32 text, since a fuzzer cannot forge an Ed25519 signature to get past the verifier.
#include "fuzz_check.hpp"
#include "fuzz_keys.hpp"
#include "fuzz_targets.hpp"

#include "tokens/base32.hpp"
#include "tokens/session_token.hpp"

#include <span>
#include <string_view>

namespace checkin::fuzz {
namespace {

struct token_rig {
  tokens::signing_key key = fuzz_signing_key();
  tokens::signing_key retired = fuzz_retired_key();
  tokens::key_ring ring;
  token_rig() {
    ring.add(key.public_part());
    ring.add(retired.public_part(), tokens::key_status::retired);
  }
};

}  // namespace

int fuzz_session_token(const std::uint8_t* data, std::size_t size) {
  static const token_rig rig;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::span<const std::uint8_t> bytes(data, size);
  const auto prefix = tokens::default_prefix;

  // The verifier, with and without the signer's own key (token_memo passes it): same answers.
  const auto plain = tokens::parse_and_verify(text, rig.ring, prefix, nullptr);
  const auto own = tokens::parse_and_verify(text, rig.ring, prefix, &rig.key);
  FUZZ_CHECK(plain.has_value() == own.has_value());
  if (plain) {
    FUZZ_CHECK(*plain == *own);
    // One accepted text per token: signing is deterministic and base32 strict, so minting the
    // claims again gives back exactly the text.
    FUZZ_CHECK(tokens::mint(*plain, rig.key, prefix) == text);
  } else {
    FUZZ_CHECK(plain.error() == own.error());
  }

  // The payload decoder on raw bytes: what it accepts, the encoder writes back byte for byte,
  // and a token signed over it verifies to the same claims.
  if (auto decoded = tokens::decode_token_bytes(bytes)) {
    FUZZ_CHECK(tokens::encode_payload(decoded->claims) == decoded->payload);
    FUZZ_CHECK(decoded->payload.size() + decoded->sig.size() == size);
    auto claims = decoded->claims;
    claims.key = rig.key.id();
    const auto again =
        tokens::parse_and_verify(tokens::mint(claims, rig.key, prefix), rig.ring, prefix, nullptr);
    FUZZ_CHECK(again && *again == claims);
  }

  // base32: strict, so a decoded text is the only encoding of its bytes.
  if (const auto raw = tokens::base32_decode(text)) {
    FUZZ_CHECK(tokens::base32_encode(*raw) == text);
  }
  return 0;
}

}  // namespace checkin::fuzz
