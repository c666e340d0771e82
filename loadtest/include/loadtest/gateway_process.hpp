#pragma once
// A `checkin-gateway serve` child process: started, killed with SIGKILL, restarted on the same
// port, stopped with SIGTERM, and its memory read from /proc.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace checkin::loadtest {

// Raises the soft RLIMIT_NOFILE to the hard limit (children inherit it); the new soft limit.
std::uint64_t raise_open_file_limit();

// Runs `binary args...` to completion; its exit code, with stdout and stderr in `output`.
int run_to_completion(const std::filesystem::path& binary, const std::vector<std::string>& args,
                      std::string& output);

class gateway_process {
 public:
  // `serve_args` follow "serve" and must not contain --listen; the child's stderr is appended
  // to `log_file`.
  gateway_process(std::filesystem::path binary, std::vector<std::string> serve_args,
                  std::filesystem::path log_file);
  gateway_process(const gateway_process&) = delete;
  gateway_process& operator=(const gateway_process&) = delete;
  ~gateway_process();  // SIGKILL if still running

  // Starts the server on 127.0.0.1:`port` (0: any free port) and waits for its
  // "listening <port>" line; throws std::runtime_error with the log's tail if it does not come.
  std::uint16_t start(std::uint16_t port = 0,
                      std::chrono::milliseconds timeout = std::chrono::seconds{60});
  void kill9();
  // SIGTERM, wait up to `grace`, then SIGKILL; the exit status (128+signal when killed).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds{30});

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

  struct memory {
    std::uint64_t rss_kib = 0;   // VmRSS
    std::uint64_t peak_kib = 0;  // VmHWM
  };
  [[nodiscard]] std::optional<memory> memory_usage() const;

 private:
  int wait_for_exit(std::chrono::milliseconds limit);

  std::filesystem::path binary_;
  std::vector<std::string> serve_args_;
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;  // kept open while it runs: a closed pipe would SIGPIPE the server
  std::uint16_t port_ = 0;
};

}  // namespace checkin::loadtest
