#pragma once
// A `checkin-gateway serve` child process: started, killed with SIGKILL, restarted on the same
// port, stopped with SIGTERM, and its memory read from /proc.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkin::loadtest {

// Raises the soft RLIMIT_NOFILE to the hard limit (children inherit it); the new soft limit.
std::uint64_t raise_open_file_limit();

// Runs `binary args...` to completion; its exit code, with stdout and stderr in `output`.
int run_to_completion(const std::filesystem::path& binary, const std::vector<std::string>& args,
                      std::string& output);

// CPU time (user + system) used by threads, split by the gateway's thread names.
struct cpu_usage {
  double io_seconds = 0;      // the HTTP event loops: checkin-io-N and the main thread
  double writer_seconds = 0;  // checkin-writer: the group committer
  double other_seconds = 0;   // everything else (sealing, delivery, password hashing)
  [[nodiscard]] cpu_usage operator-(const cpu_usage& earlier) const noexcept;
};

// One thread's name and utime + stime in clock ticks, from its /proc/<pid>/task/<tid>/stat
// line (the name is between the first '(' and the last ')'); nullopt when malformed.
struct thread_cpu {
  std::string name;
  std::uint64_t ticks = 0;
};
[[nodiscard]] std::optional<thread_cpu> parse_thread_stat(std::string_view stat_line);
// Adds `seconds` to the role the thread `name` plays.
void add_thread_cpu(cpu_usage& usage, std::string_view name, double seconds) noexcept;

// This process's own CPU time (the load generator), user + system.
[[nodiscard]] double own_cpu_seconds() noexcept;

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
    // VmRSS in parts: the process's own memory (heap, stacks), and pages of mapped files, most
    // of them the LMDB data file's, which grows with the scans recorded, not the connections.
    std::uint64_t anon_kib = 0;  // RssAnon
    std::uint64_t file_kib = 0;  // RssFile
  };
  [[nodiscard]] std::optional<memory> memory_usage() const;
  // The running server's CPU time by thread role; nullopt when it is not running.
  [[nodiscard]] std::optional<cpu_usage> cpu() const;

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
