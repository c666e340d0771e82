#include "fault_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace checkin::testing {

namespace fs = std::filesystem;
using namespace std::chrono;

exit_report run_until_exit(const std::vector<std::string>& command, seconds deadline) {
  int pipefd[2];
  if (::pipe(pipefd) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> args = command;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    ::dup2(pipefd[1], 2);
    ::close(pipefd[0]);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  exit_report report;
  const auto until = steady_clock::now() + deadline;
  bool open = true;
  while (open && steady_clock::now() < until) {
    pollfd p{pipefd[0], POLLIN, 0};
    const auto left = duration_cast<milliseconds>(until - steady_clock::now()).count();
    if (::poll(&p, 1, static_cast<int>(std::max<long long>(left, 1))) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n <= 0) {
      open = false;
    } else {
      report.output.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(pipefd[0]);
  int status = 0;
  // Output ends when the process exits: give it a moment to be reaped. Output still open at
  // the deadline means a server that kept running.
  const auto reap_until = steady_clock::now() + seconds{2};
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (open || steady_clock::now() >= reap_until) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      report.code = -1;
      return report;
    }
    std::this_thread::sleep_for(milliseconds{20});
  }
  report.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return report;
}

tmpfs_mount::tmpfs_mount(fs::path where, std::size_t bytes) : where_(std::move(where)) {
  const std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
  if (::mount("tmpfs", where_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
    error_ = "cannot mount a tmpfs on " + where_.string() + ": " + std::strerror(errno) +
             " (needs root or CAP_SYS_ADMIN)";
  }
}

tmpfs_mount::~tmpfs_mount() {
  if (mounted()) ::umount2(where_.c_str(), MNT_DETACH);
}

std::size_t fill_filesystem(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + file.string());
  const std::string block(4096, 'x');
  std::size_t written = 0;
  for (;;) {
    const ssize_t n = ::write(fd, block.data(), block.size());
    if (n > 0) {
      written += static_cast<std::size_t>(n);
      continue;
    }
    const int e = errno;
    ::close(fd);
    if (n < 0 && e == ENOSPC) return written;
    throw std::runtime_error("filling " + file.string() + ": " + std::strerror(e));
  }
}

std::vector<std::string> fault_shim_environment(std::vector<std::string> settings) {
  settings.push_back(std::string("LD_PRELOAD=") + CHECKIN_IO_FAULT_SHIM);
  // A sanitizer build's runtime wants to come first among the libraries; the shim only wraps
  // a few calls and passes the rest on, through the sanitizer's own wrappers.
  const char* asan = std::getenv("ASAN_OPTIONS");
  settings.push_back(std::string("ASAN_OPTIONS=") + (asan ? std::string(asan) + ":" : "") +
                     "verify_asan_link_order=0");
  return settings;
}

http_answer scan(gateway_process& gw, const std::string& bearer, const std::string& session_id) {
  http_client c(gw.port());
  return c.post_json("/v1/scans", json::object{{"qr", gw.meeting().poster(session_id)}}, bearer);
}

std::vector<std::string> attended_sessions(gateway_process& gw, const std::string& bearer) {
  http_client c(gw.port());
  const auto a = c.get("/v1/me/attendance", bearer);
  if (a.status != 200) throw std::runtime_error("GET /v1/me/attendance: " + a.body);
  std::vector<std::string> out;
  const auto body = a.json();
  for (const auto& s : body.as_object().at("scans").as_array()) {
    out.emplace_back(s.as_object().at("session_id").as_string());
  }
  return out;
}

}  // namespace checkin::testing
