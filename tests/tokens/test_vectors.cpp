// Known-answer vectors (tests/tokens/vectors/token_vectors.json): fixed data, checked by hand
// and by an independent decoder when written. If one of these fails, the wire format changed
// and every printed poster and every phone app with it; fix the code, not the file.

#include "tokens/session_token.hpp"

#include "support/test_files.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

namespace {

using namespace checkin::tokens;
namespace json = boost::json;

const char* const vectors_path = CHECKIN_SOURCE_DIR "/tests/tokens/vectors/token_vectors.json";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const json::object& vectors() {
  static const json::value root = json::parse(read_file(vectors_path));
  return root.as_object();
}

std::string str(const json::value& v) { return std::string(v.as_string()); }

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

signing_key vector_key(const char* field = "seed_hex") {
  const auto seed = from_hex(str(vectors().at(field)));
  EXPECT_EQ(seed.size(), 32u);
  return signing_key::from_seed(std::span<const std::uint8_t, 32>(seed.data(), 32));
}

session_claims claims_from(const json::object& o) {
  session_claims c;
  c.type = token_type_from_string(str(o.at("type"))).value();
  c.key = key_id_from_hex(str(o.at("key_id"))).value();
  c.kind = credit_kind_from_string(str(o.at("credit_kind"))).value();
  c.units = credit_units{static_cast<std::uint16_t>(o.at("units_hundredths").to_number<int>())};
  c.valid_from = sys_seconds{std::chrono::seconds{o.at("valid_from").to_number<std::int64_t>()}};
  c.valid_until = sys_seconds{std::chrono::seconds{o.at("valid_until").to_number<std::int64_t>()}};
  c.meeting_id = str(o.at("meeting_id"));
  c.session_id = str(o.at("session_id"));
  return c;
}

TEST(Vectors, KeyMaterial) {
  const auto key = vector_key();
  EXPECT_EQ(str(vectors().at("seed_hex")), checkin::testing::hex_of(key.seed()));
  EXPECT_EQ(str(vectors().at("public_key_hex")), checkin::testing::hex_of(key.public_part().bytes));
  EXPECT_EQ(str(vectors().at("key_id_hex")), to_hex(key.id()));
  EXPECT_EQ(str(vectors().at("other_key_id_hex")), to_hex(vector_key("other_seed_hex").id()));

  const checkin::testing::temp_dir tmp;
  write_key_pair(key, tmp.path());
  EXPECT_EQ(read_file(tmp.path() / "signing.key"), str(vectors().at("secret_key_file")) + "\n");
  EXPECT_EQ(read_file(tmp.path() / "signing.pub"), str(vectors().at("public_key_file")) + "\n");
}

TEST(Vectors, ValidTokensAreReproducedAndVerify) {
  const auto key = vector_key();
  key_ring ring;
  ring.add(key.public_part());
  const auto& valid = vectors().at("valid").as_array();
  ASSERT_GE(valid.size(), 4u);
  for (const auto& entry : valid) {
    const auto& v = entry.as_object();
    SCOPED_TRACE(str(v.at("name")));
    const std::string prefix = str(v.at("prefix"));
    const std::string text = str(v.at("text"));
    const session_claims claims = claims_from(v.at("claims").as_object());

    EXPECT_EQ(mint(claims, key, prefix), text);
    EXPECT_EQ(checkin::testing::hex_of(encode_payload(claims)), str(v.at("payload_hex")));
    const auto decoded =
        decode_token_bytes(from_hex(str(v.at("payload_hex")) + str(v.at("signature_hex"))));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->claims, claims);

    const auto parsed = parse_and_verify(text, ring, prefix);
    ASSERT_TRUE(parsed.has_value()) << code(parsed.error());
    EXPECT_EQ(*parsed, claims);

    if (const auto* checks = v.if_contains("window_checks")) {
      for (const auto& c : checks->as_array()) {
        const auto& w = c.as_object();
        const sys_seconds at{std::chrono::seconds{w.at("at").to_number<std::int64_t>()}};
        const std::chrono::seconds grace{w.at("slot_grace_seconds").to_number<std::int64_t>()};
        EXPECT_EQ(within_window(claims, at, grace), w.at("within").as_bool())
            << "at " << w.at("at") << " grace " << grace.count();
      }
    }
  }
}

TEST(Vectors, InvalidTokensGiveTheirErrorCode) {
  const auto key = vector_key();
  const auto& invalid = vectors().at("invalid").as_array();
  ASSERT_GE(invalid.size(), 10u);
  std::set<std::string> covered;
  for (const auto& entry : invalid) {
    const auto& v = entry.as_object();
    SCOPED_TRACE(str(v.at("name")));
    key_ring ring;
    const bool retire = v.contains("retire_key") && v.at("retire_key").as_bool();
    ring.add(key.public_part(), retire ? key_status::retired : key_status::active);
    const auto parsed = parse_and_verify(str(v.at("text")), ring, str(v.at("prefix")));
    ASSERT_TRUE(parsed.has_error());
    EXPECT_EQ(code(parsed.error()), str(v.at("error")));
    covered.insert(str(v.at("error")));
  }
  // Every error parse_and_verify can return has at least one vector.
  EXPECT_EQ(covered.size(), 10u);
}

}  // namespace
