#include "gateway/fd_budget.hpp"

#include <sys/resource.h>
#include <algorithm>

namespace checkin::gateway {

namespace {

std::uint64_t from_rlim(rlim_t v) noexcept {
  return v == RLIM_INFINITY ? open_file_limit::unlimited : static_cast<std::uint64_t>(v);
}

}  // namespace

open_file_limit raise_open_file_limit() noexcept {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return {};
  open_file_limit out{from_rlim(r.rlim_cur), from_rlim(r.rlim_max), false};
  if (r.rlim_cur != r.rlim_max) {
    rlimit raised = r;
    raised.rlim_cur = r.rlim_max;
    // Fails when the hard limit is infinite but the kernel caps descriptors (nr_open): then
    // the soft limit stays as it was.
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      out.soft = out.hard;
      out.raised = true;
    }
  }
  return out;
}

std::size_t reserved_descriptors(unsigned io_threads, std::size_t sinks) noexcept {
  // 64: stdio, log, the store (data.mdb, lock.mdb, the directory), the signal pipe, and a
  // margin for 503 answers in flight. An asio event loop holds an epoll, an eventfd and a
  // timerfd; a sink one socket, or two while it reconnects.
  return 64 + 4 * std::size_t{std::max(1u, io_threads)} + 2 * sinks;
}

connection_cap cap_connections(std::size_t configured, std::uint64_t fd_limit,
                               std::size_t reserved) noexcept {
  if (fd_limit == open_file_limit::unlimited) return {configured, false};
  const std::uint64_t room = fd_limit > reserved ? fd_limit - reserved : 0;
  const std::size_t cap = static_cast<std::size_t>(std::max<std::uint64_t>(1, std::min<std::uint64_t>(configured, room)));
  return {cap, cap < configured};
}

accept_failure_action on_accept_failure(accept_failures& s,
                                        std::chrono::steady_clock::time_point now) noexcept {
  accept_failure_action a;
  // 10 ms << 7 = 1280 ms: past the cap, so the shift never needs to grow further.
  const unsigned doublings = std::min(s.consecutive, 7u);
  a.pause = std::min(accept_pause_most, accept_pause_first * (1u << doublings));
  ++s.consecutive;
  if (!s.logged_before || now - s.last_logged >= accept_log_interval) {
    a.log = true;
    a.suppressed = s.unlogged;
    s.unlogged = 0;
    s.last_logged = now;
    s.logged_before = true;
  } else {
    ++s.unlogged;
  }
  return a;
}

void on_accept_success(accept_failures& s) noexcept { s.consecutive = 0; }

}  // namespace checkin::gateway
