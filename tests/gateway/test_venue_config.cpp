// [display], [[display.keys]] and [keys] signing: read, checked with messages naming the key,
// and printed back by --print-config.
#include "gateway/config.hpp"
#include "support/test_files.hpp"

#include <gtest/gtest.h>

namespace checkin::gateway {
namespace {

using checkin::testing::temp_dir;
using checkin::testing::write_text;

const std::string digest(64, 'a');

gateway_config load(const temp_dir& dir, const std::string& toml) {
  write_text(dir.path() / "gateway.toml", toml);
  return load_config(dir.path() / "gateway.toml");
}

std::string error_of(const temp_dir& dir, const std::string& toml) {
  try {
    (void)load(dir, toml);
  } catch (const config_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(VenueConfig, DefaultsAndValues) {
  const gateway_config defaults;
  EXPECT_EQ(defaults.display_slot_seconds, std::chrono::seconds{30});
  EXPECT_EQ(defaults.display_slots_ahead, 4u);
  EXPECT_TRUE(defaults.display_keys.empty());
  EXPECT_TRUE(defaults.signing_key.empty());

  temp_dir dir;
  const auto c = load(dir,
                      "[keys]\nsigning = \"/etc/checkin/signing.key\"\n"
                      "[display]\nslot_seconds = 20\nslots_ahead = 6\n"
                      "[[display.keys]]\nname = \"hall-A\"\nsha256 = \"" +
                          digest + "\"\n");
  EXPECT_EQ(c.signing_key, "/etc/checkin/signing.key");
  EXPECT_EQ(c.display_slot_seconds, std::chrono::seconds{20});
  EXPECT_EQ(c.display_slots_ahead, 6u);
  ASSERT_EQ(c.display_keys.size(), 1u);
  EXPECT_EQ(c.display_keys[0].name, "hall-A");
  EXPECT_TRUE(c.organizer_keys.empty());

  const auto printed = to_toml(c);
  EXPECT_NE(printed.find("[display]"), std::string::npos) << printed;
  EXPECT_NE(printed.find("slot_seconds = 20"), std::string::npos) << printed;
  EXPECT_NE(printed.find("[[display.keys]]"), std::string::npos) << printed;
  EXPECT_NE(printed.find("signing = '/etc/checkin/signing.key'"), std::string::npos) << printed;
}

TEST(VenueConfig, ProblemsNameTheKey) {
  temp_dir dir;
  const auto file = (dir.path() / "gateway.toml").string();
  EXPECT_EQ(error_of(dir, "[display]\nslot_seconds = 2\n"),
            file + ": display.slot_seconds: must be an integer from 5 to 3600");
  EXPECT_EQ(error_of(dir, "[display]\nslots_ahead = 1000\n"),
            file + ": display.slots_ahead: must be an integer from 0 to 100");
  EXPECT_EQ(error_of(dir, "[display]\ncolour = 1\n"), file + ": display.colour: unknown key");
  EXPECT_EQ(error_of(dir, "[[display.keys]]\nname = \"x\"\nsha256 = \"abc\"\n"),
            file +
                ": display.keys[0].sha256: must be 64 lower-case hex digits "
                "(checkin-gateway display-key makes it)");
  EXPECT_EQ(error_of(dir, "[[display.keys]]\nsha256 = \"" + digest + "\"\n"),
            file + ": display.keys[0].name: is required");
  EXPECT_EQ(error_of(dir, "[keys]\nsigning = 3\n"), file + ": keys.signing: must be a string");
}

// [storage] commit_gather_us: the group committer's gather time (see docs/storage.md).
TEST(StorageConfig, CommitGatherIsReadCheckedAndPrinted) {
  EXPECT_EQ(gateway_config{}.commit_gather_us, 1000u);
  temp_dir dir;
  const auto c = load(dir, "[storage]\ncommit_gather_us = 0\n");
  EXPECT_EQ(c.commit_gather_us, 0u);
  EXPECT_NE(to_toml(c).find("commit_gather_us = 0"), std::string::npos) << to_toml(c);
  const auto file = (dir.path() / "gateway.toml").string();
  EXPECT_EQ(error_of(dir, "[storage]\ncommit_gather_us = 200000\n"),
            file + ": storage.commit_gather_us: must be an integer from 0 to 100000");
}

}  // namespace
}  // namespace checkin::gateway
