// I/O errors under the store, through the real binary with an LD_PRELOAD shim that fails one
// write or flush of data.mdb. After that the kernel may have dropped dirty pages and will not
// say so again ("fsyncgate"): the gateway must stop taking writes (503, /healthz 503, one error
// line naming the cause) until a restart, and every acknowledged scan must survive it.

#include "fault_support.hpp"

#include <gtest/gtest.h>

namespace checkin::testing {
namespace {

namespace fs = std::filesystem;

class IoFault : public ::testing::TestWithParam<std::string> {};

TEST_P(IoFault, AFailedCommitStopsWritesUntilARestart) {
  gateway_process gw("io-fault");
  ASSERT_EQ(gw.stop(), 0);
  const auto arm = gw.dir() / "arm-faults";
  const auto log = gw.dir() / "stderr.log";
  gw.set_launch(
      {.env = fault_shim_environment({"CHECKIN_FAULT_CALL=" + GetParam(),
                                      "CHECKIN_FAULT_PATH=data.mdb",
                                      "CHECKIN_FAULT_ARM=" + arm.string(), "CHECKIN_FAULT_TIMES=1"}),
       .open_file_limit = {},
       .stderr_file = log});
  gw.start();
  const auto first = gw.login("1000");
  const auto second = gw.login("1001");
  const auto third = gw.login("1002");
  ASSERT_EQ(scan(gw, first, "OPEN").status, 201u);

  write_text(arm, "");  // the next write (or flush) of data.mdb fails, once
  const auto failed = scan(gw, second, "OPEN");
  EXPECT_EQ(failed.status, 503u) << "a scan whose commit failed was answered: " << failed.body;
  EXPECT_EQ(failed.error(), "unavailable");
  EXPECT_EQ(failed.headers.count("retry-after"), 1u);

  // The shim lets every later call through, as the kernel does after a lost writeback: a
  // commit now would succeed over pages that may never reach the disk.
  const auto later = scan(gw, third, "OPEN");
  EXPECT_EQ(later.status, 503u) << "writes went on after a failed commit: " << later.body;
  {
    http_client c(gw.port());
    const auto health = c.get("/healthz");
    EXPECT_EQ(health.status, 503u) << health.body;
  }
  // Reads go on.
  EXPECT_EQ(attended_sessions(gw, first), std::vector<std::string>{"OPEN"});

  const auto logged = read_text(log);
  EXPECT_NE(logged.find("io_fault_shim: "), std::string::npos) << logged;
  EXPECT_NE(logged.find((gw.dir() / "db" / "data.mdb").string()), std::string::npos) << logged;
  EXPECT_NE(logged.find("io_error"), std::string::npos) << logged;
  EXPECT_NE(logged.find("restart"), std::string::npos) << logged;

  // A restart reopens the store from what is on disk: the acknowledged scan is there, the
  // refused ones are not, and writes are taken again.
  fs::remove(arm);
  EXPECT_EQ(gw.stop(), 0);
  gw.set_launch({.env = {}, .open_file_limit = {}, .stderr_file = log});
  gw.start();
  EXPECT_EQ(attended_sessions(gw, first), std::vector<std::string>{"OPEN"});
  EXPECT_TRUE(attended_sessions(gw, second).empty());
  EXPECT_EQ(scan(gw, second, "OPEN").status, 201u);
  EXPECT_EQ(scan(gw, third, "OPEN").status, 201u);
  http_client c(gw.port());
  EXPECT_EQ(c.get("/healthz").status, 200u);
}

// fdatasync: the flush of the pages fails. write: a page write (pwrite, or lseek + writev).
INSTANTIATE_TEST_SUITE_P(Calls, IoFault, ::testing::Values("fdatasync", "write"));

}  // namespace
}  // namespace checkin::testing
