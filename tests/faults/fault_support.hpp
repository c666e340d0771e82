#pragma once
// Support for the disk fault tests: running the server until it exits, a tmpfs of a chosen
// size, filling a filesystem, the I/O fault shim's environment, and scans and attendance
// through the HTTP API.

#include "gateway_process.hpp"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace checkin::testing {

// How a process ended: its exit status, 128 + the signal that killed it, or -1 when it was
// still running at the deadline (it is then killed). `output`: its stdout and stderr.
struct exit_report {
  int code = 0;
  std::string output;
};
[[nodiscard]] exit_report run_until_exit(const std::vector<std::string>& command,
                                         std::chrono::seconds deadline);

// A tmpfs of `bytes` mounted on `where` for the object's lifetime (detached at the end, so a
// process still holding files there cannot keep it). Needs root; error() says why not.
class tmpfs_mount {
 public:
  tmpfs_mount(std::filesystem::path where, std::size_t bytes);
  ~tmpfs_mount();
  tmpfs_mount(const tmpfs_mount&) = delete;
  tmpfs_mount& operator=(const tmpfs_mount&) = delete;
  [[nodiscard]] bool mounted() const noexcept { return error_.empty(); }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  std::filesystem::path where_;
  std::string error_;
};

// Writes `file` until its filesystem refuses with ENOSPC; returns the bytes written.
std::size_t fill_filesystem(const std::filesystem::path& file);

// LD_PRELOAD of io_fault_shim with `settings` (CHECKIN_FAULT_*=...), for launch_options::env.
[[nodiscard]] std::vector<std::string> fault_shim_environment(std::vector<std::string> settings);

// POST /v1/scans of the session's poster code with the member's bearer token.
http_answer scan(gateway_process& gw, const std::string& bearer, const std::string& session_id);
// Session ids of the member's recorded scans (GET /v1/me/attendance); throws when not 200.
std::vector<std::string> attended_sessions(gateway_process& gw, const std::string& bearer);

}  // namespace checkin::testing
