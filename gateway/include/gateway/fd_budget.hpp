#pragma once
// The open-file budget. Every client connection is a descriptor, and so are the store's
// files, the event loops, the log and the sync sockets: with `ulimit -n` below
// max_connections, accept() fails with EMFILE while clients wait unanswered in the backlog.
// So the connection cap is bounded by the limit at start (over the cap a client gets a 503),
// and accept failures pause with a growing back-off and a rate-limited log line.

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace checkin::gateway {

// The process's RLIMIT_NOFILE; `unlimited` for RLIM_INFINITY.
struct open_file_limit {
  static constexpr std::uint64_t unlimited = UINT64_MAX;
  std::uint64_t soft = unlimited;
  std::uint64_t hard = unlimited;
  bool raised = false;  // the soft limit was raised to the hard one
};

// Raises the soft limit to the hard limit when it is lower (no privilege needed), and returns
// the limits then in force. The only function here that touches the process.
[[nodiscard]] open_file_limit raise_open_file_limit() noexcept;

// Descriptors kept back from clients: stdio and the log, the store's data and lock files,
// each I/O thread's event loop, each sync sink's socket, and room for the 503 answers to
// connections over the cap (each needs a descriptor while it is answered).
[[nodiscard]] std::size_t reserved_descriptors(unsigned io_threads, std::size_t sinks) noexcept;

struct connection_cap {
  std::size_t max_connections = 0;
  bool lowered = false;  // below what was configured: worth a warning
};
// min(configured, limit - reserved), and at least 1.
[[nodiscard]] connection_cap cap_connections(std::size_t configured, std::uint64_t fd_limit,
                                             std::size_t reserved) noexcept;

// ---- accept failures ----------------------------------------------------------------------
inline constexpr std::chrono::milliseconds accept_pause_first{10};
inline constexpr std::chrono::milliseconds accept_pause_most{1000};
inline constexpr std::chrono::seconds accept_log_interval{10};

struct accept_failures {
  unsigned consecutive = 0;  // failures since the last successful accept
  std::chrono::steady_clock::time_point last_logged{};
  bool logged_before = false;
  std::uint64_t unlogged = 0;  // failures not logged since the last line
};

struct accept_failure_action {
  std::chrono::milliseconds pause{0};  // wait this long before accepting again
  bool log = false;                    // write one line now
  std::uint64_t suppressed = 0;        // for that line: failures left unlogged since the last
};

// After a failed accept at `now`: pause 10 ms, doubling per consecutive failure up to 1 s;
// log the first failure and then at most one line per 10 s, counting the ones left out.
[[nodiscard]] accept_failure_action on_accept_failure(accept_failures& s,
                                                      std::chrono::steady_clock::time_point now) noexcept;
// After a successful accept: the next failure pauses briefly again. The log interval holds.
void on_accept_success(accept_failures& s) noexcept;

}  // namespace checkin::gateway
