// A full filesystem under the store, through the real binary: the store folder is a small tmpfs
// the test mounts and then fills. Scans answer 503 with Retry-After, nothing acknowledged is
// lost, and scans succeed again once space returns, without a restart.

#include "fault_support.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

namespace checkin::testing {
namespace {

namespace fs = std::filesystem;

TEST(DiskFull, ScansAnswer503UntilSpaceReturnsAndNothingAcknowledgedIsLost) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  gateway_process gw("disk-full");
  ASSERT_EQ(gw.stop(), 0);

  // The store folder onto a tmpfs of its own. The files are copied byte by byte, so no page of
  // lock.mdb (written through its map) is a hole that a full filesystem could not back.
  const fs::path db = gw.dir() / "db";
  const fs::path seed = gw.dir() / "db.seed";
  fs::rename(db, seed);
  fs::create_directory(db);
  tmpfs_mount mount(db, 16u << 20);
  if (!mount.mounted()) GTEST_SKIP() << mount.error();
  for (const auto& f : fs::directory_iterator(seed)) {
    write_text(db / f.path().filename(), read_text(f.path()));
  }
  const auto log = gw.dir() / "stderr.log";
  gw.set_launch({.env = {}, .open_file_limit = {}, .stderr_file = log});
  gw.start();

  std::vector<std::pair<std::string, std::string>> tokens;  // member, bearer
  for (int m = 1000; m < 1050; ++m) {
    tokens.emplace_back(std::to_string(m), gw.login(std::to_string(m)));
    ASSERT_FALSE(tokens.back().second.empty());
  }
  std::vector<std::pair<std::size_t, std::string>> acknowledged;  // token index, session
  ASSERT_EQ(scan(gw, tokens[0].second, "OPEN").status, 201u);
  acknowledged.emplace_back(0, "OPEN");

  fill_filesystem(db / "filler");
  // Commits reuse freed pages for a while; a leaf split soon needs the file to grow.
  std::optional<std::pair<std::size_t, std::string>> refused;
  for (const char* session : {"OPEN", "OPEN2", "ATT"}) {
    for (std::size_t i = 1; i < tokens.size() && !refused; ++i) {
      const auto a = scan(gw, tokens[i].second, session);
      if (a.status == 201) {
        acknowledged.emplace_back(i, session);
        continue;
      }
      ASSERT_EQ(a.status, 503u) << a.body;
      EXPECT_EQ(a.error(), "unavailable");
      EXPECT_EQ(a.headers.count("retry-after"), 1u);
      refused.emplace(i, session);
    }
    if (refused) break;
  }
  ASSERT_TRUE(refused) << "no scan met the full disk";
  EXPECT_EQ(scan(gw, tokens[refused->first].second, refused->second).status, 503u) << "still full";
  // Reads go on meanwhile.
  EXPECT_EQ(attended_sessions(gw, tokens[0].second).size(), 1u);

  fs::remove(db / "filler");
  const auto again = scan(gw, tokens[refused->first].second, refused->second);
  EXPECT_EQ(again.status, 201u) << "space returned, no restart: " << again.body;
  if (again.status == 201) acknowledged.push_back(*refused);

  const auto logged = read_text(log);
  EXPECT_NE(logged.find("disk_full"), std::string::npos) << logged;
  EXPECT_NE(logged.find((db / "data.mdb").string()), std::string::npos) << logged;
  EXPECT_NE(logged.find("commits succeed again"), std::string::npos) << logged;

  // Every acknowledged scan is there after a restart, and nothing else was half-written.
  ASSERT_EQ(gw.stop(), 0);
  gw.start();
  std::map<std::size_t, std::vector<std::string>> expected;
  for (const auto& [i, session] : acknowledged) expected[i].push_back(session);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    auto got = attended_sessions(gw, tokens[i].second);
    auto want = expected[i];
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << "member " << tokens[i].first;
  }
  gw.stop();
}

}  // namespace
}  // namespace checkin::testing
