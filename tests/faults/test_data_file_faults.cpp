// A data.mdb cut short, emptied or with a damaged page, met by the real binary: at start the
// gateway refuses with a message naming the file and exit status 3, a data problem (never a
// signal, never a silently new or half-read store); a damaged page found by a read answers 500
// and is logged.

#include "fault_support.hpp"
#include "gateway/organizer_keys.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>

namespace checkin::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

const std::string organizer_key = "org_DATAFILEFAULTSORGANIZERKEYFORTESTSDATAFILEFAULTS";

std::string organizer_config() {
  return "[[organizers.keys]]\nname = \"committee\"\nsha256 = \"" +
         gateway::organizer_key_digest(organizer_key) + "\"\n";
}

// LMDB's page size is the OS page size.
std::uintmax_t page_size() { return static_cast<std::uintmax_t>(::sysconf(_SC_PAGESIZE)); }

// A gateway that recorded scans of 20 members in two sessions, then stopped: its data.mdb is
// the test's to damage.
class DamagedDataFile : public ::testing::Test {
 protected:
  void SetUp() override {
    gw.emplace("data-file", organizer_config());
    for (int m = 1000; m < 1020; ++m) {
      const auto token = gw->login(std::to_string(m));
      ASSERT_FALSE(token.empty());
      for (const char* session : {"OPEN", "ATT"}) {
        ASSERT_EQ(scan(*gw, token, session).status, 201u);
      }
    }
    ASSERT_EQ(gw->stop(), 0);
    file = gw->dir() / "db" / "data.mdb";
    size = fs::file_size(file);
    ASSERT_GT(size, 4 * page_size());
  }

  // Starts the server on the damaged file and expects a refusal naming it.
  void expect_refused(std::string_view cause) {
    const auto r = run_until_exit(gw->serve_command(), seconds{20});
    EXPECT_EQ(r.code, 3) << "wanted exit status 3; 128+n is a signal, -1 a server that kept "
                            "running on the damaged file\n"
                         << r.output;
    EXPECT_NE(r.output.find(file.string()), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(cause), std::string::npos) << r.output;
  }

  std::optional<gateway_process> gw;
  fs::path file;
  std::uintmax_t size = 0;
};

TEST_F(DamagedDataFile, CutTo8KiBIsRefusedAtStart) {
  fs::resize_file(file, 8192);  // both meta pages, nothing they point to
  expect_refused("truncated");
}

TEST_F(DamagedDataFile, CutToHalfIsRefusedAtStart) {
  fs::resize_file(file, size / 2 / page_size() * page_size());
  expect_refused("truncated");
}

TEST_F(DamagedDataFile, CutByOnePageIsRefusedAtStart) {
  fs::resize_file(file, size - page_size());
  expect_refused("truncated");
}

TEST_F(DamagedDataFile, EmptiedWhileTheFolderIsInUseIsRefusedAndLeftAlone) {
  ASSERT_TRUE(fs::exists(gw->dir() / "keys"));
  ASSERT_TRUE(fs::exists(gw->dir() / "bearer.secret"));
  fs::resize_file(file, 0);
  expect_refused("empty");
  EXPECT_EQ(fs::file_size(file), 0u) << "an empty store was written over the lost one";
}

TEST_F(DamagedDataFile, AnIntactFileStillOpens) {
  gw->start();
  EXPECT_EQ(attended_sessions(*gw, gw->login("1000")).size(), 2u);
}

// Zeroes every page holding session_counts' entry for OPEN: a leaf node with an 8-byte value
// and the 4-byte key "OPEN" (LMDB's node header: data size lo, hi; flags; key size). Only
// session_counts stores that key alone; stale copies in free pages are zeroed too.
std::size_t damage_session_counts(const fs::path& file) {
  std::string bytes = read_text(file);
  const std::string node("\x08\x00\x00\x00\x00\x00\x04\x00OPEN", 12);
  const std::size_t psize = page_size();
  std::size_t damaged = 0;
  for (std::size_t at = bytes.find(node); at != std::string::npos; at = bytes.find(node, at + 1)) {
    const std::size_t page = at / psize;
    if (page < 2) continue;  // the meta pages
    std::fill_n(bytes.begin() + static_cast<std::ptrdiff_t>(page * psize), psize, '\0');
    ++damaged;
  }
  std::ofstream out(file, std::ios::binary | std::ios::in | std::ios::out);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return damaged;
}

TEST_F(DamagedDataFile, ADamagedPageAnswers500AndIsLogged) {
  ASSERT_GT(damage_session_counts(file), 0u);
  const auto log = gw->dir() / "stderr.log";
  gw->set_launch({.env = {}, .open_file_limit = {}, .stderr_file = log});
  gw->start();
  http_client c(gw->port());
  const auto a = c.get("/v1/sessions", organizer_key);
  // Not 503 with Retry-After: waiting does not mend a damaged page.
  EXPECT_EQ(a.status, 500u) << a.body;
  EXPECT_EQ(a.headers.count("retry-after"), 0u);
  const auto logged = read_text(log);
  EXPECT_NE(logged.find(file.string()), std::string::npos) << logged;
  EXPECT_NE(logged.find("corrupted"), std::string::npos) << logged;
  EXPECT_NE(logged.find("GET /v1/sessions"), std::string::npos) << logged;
}

}  // namespace
}  // namespace checkin::testing
