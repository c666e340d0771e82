#include "loadtest/gateway_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace checkin::loadtest {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

std::vector<char*> argv_of(std::vector<std::string>& args) {
  std::vector<char*> v;
  for (auto& a : args) v.push_back(a.data());
  v.push_back(nullptr);
  return v;
}

// In the child, between fork and exec: only async-signal-safe calls. The load generator holds
// thousands of sockets; the gateway must not inherit them (a copied socket never closes).
[[noreturn]] void exec_child(char* const* argv, int stdout_fd, int stderr_fd) {
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd >= 0) ::dup2(null_fd, 0);
  ::dup2(stdout_fd, 1);
  ::dup2(stderr_fd, 2);
  ::close_range(3, ~0U, 0);
  ::execv(argv[0], argv);
  ::_exit(127);
}

std::string tail_of(const fs::path& file, std::size_t bytes) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  const auto text = s.str();
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

}  // namespace

cpu_usage cpu_usage::operator-(const cpu_usage& earlier) const noexcept {
  return {io_seconds - earlier.io_seconds, writer_seconds - earlier.writer_seconds,
          other_seconds - earlier.other_seconds};
}

std::optional<thread_cpu> parse_thread_stat(std::string_view line) {
  const auto open = line.find('(');
  const auto close = line.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  thread_cpu t;
  t.name = std::string(line.substr(open + 1, close - open - 1));
  // After the name: state (field 3) ... utime (14), stime (15).
  std::string_view rest = line.substr(close + 1);
  std::uint64_t values[2] = {0, 0};
  for (int field = 3; field <= 15; ++field) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) return std::nullopt;
    const auto end = std::min(rest.find(' '), rest.size());
    if (field >= 14) {
      auto& v = values[field - 14];
      const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + end, v);
      if (ec != std::errc{} || ptr != rest.data() + end) return std::nullopt;
    }
    rest.remove_prefix(end);
  }
  t.ticks = values[0] + values[1];
  return t;
}

void add_thread_cpu(cpu_usage& usage, std::string_view name, double seconds) noexcept {
  if (name.starts_with("checkin-io-")) {
    usage.io_seconds += seconds;
  } else if (name == "checkin-writer") {
    usage.writer_seconds += seconds;
  } else {
    usage.other_seconds += seconds;
  }
}

double own_cpu_seconds() noexcept {
  rusage u{};
  if (::getrusage(RUSAGE_SELF, &u) != 0) return 0;
  const auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

std::uint64_t raise_open_file_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &lim);
    (void)::getrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur;
}

int run_to_completion(const fs::path& binary, const std::vector<std::string>& args,
                      std::string& output) {
  std::vector<std::string> full{binary.string()};
  full.insert(full.end(), args.begin(), args.end());
  auto argv = argv_of(full);
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) exec_child(argv.data(), pipefd[1], pipefd[1]);
  ::close(pipefd[1]);
  output.clear();
  char buf[4096];
  for (ssize_t n; (n = ::read(pipefd[0], buf, sizeof buf)) > 0;) {
    output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

gateway_process::gateway_process(fs::path binary, std::vector<std::string> serve_args,
                                 fs::path log_file)
    : binary_(std::move(binary)),
      serve_args_(std::move(serve_args)),
      log_file_(std::move(log_file)) {}

gateway_process::~gateway_process() { kill9(); }

std::uint16_t gateway_process::start(std::uint16_t port, milliseconds timeout) {
  if (pid_ > 0) throw std::logic_error("gateway already running");
  std::vector<std::string> args{binary_.string(), "serve", "--listen",
                                "127.0.0.1:" + std::to_string(port)};
  args.insert(args.end(), serve_args_.begin(), serve_args_.end());
  auto argv = argv_of(args);
  const int log_fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_file_.string());
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) exec_child(argv.data(), pipefd[1], log_fd);
  ::close(pipefd[1]);
  ::close(log_fd);
  pid_ = pid;
  stdout_fd_ = pipefd[0];

  // The server prints "listening <port>" once it accepts connections.
  std::string line;
  const auto deadline = steady_clock::now() + timeout;
  while (port_ == 0) {
    const auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
    pollfd p{stdout_fd_, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char c = 0;
    if (::read(stdout_fd_, &c, 1) != 1) break;  // it exited
    if (c != '\n') {
      line += c;
      continue;
    }
    if (line.rfind("listening ", 0) == 0)
      port_ = static_cast<std::uint16_t>(std::stoi(line.substr(10)));
    line.clear();
  }
  if (port_ == 0) {
    kill9();
    throw std::runtime_error("checkin-gateway serve did not start; the end of " +
                             log_file_.string() + ":\n" + tail_of(log_file_, 2000));
  }
  return port_;
}

void gateway_process::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  (void)wait_for_exit(milliseconds::max());
}

int gateway_process::stop(milliseconds grace) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const int status = wait_for_exit(grace);
  if (status >= 0) return status;
  ::kill(pid_, SIGKILL);
  return wait_for_exit(milliseconds::max());
}

int gateway_process::wait_for_exit(milliseconds limit) {
  const auto deadline =
      limit == milliseconds::max() ? steady_clock::time_point::max() : steady_clock::now() + limit;
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || r < 0) break;
    if (steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(milliseconds{5});
  }
  pid_ = -1;
  port_ = 0;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::optional<gateway_process::memory> gateway_process::memory_usage() const {
  if (pid_ <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  memory m;
  bool found = false;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string key;
    std::uint64_t kib = 0;
    fields >> key >> kib;
    if (key == "VmRSS:") {
      m.rss_kib = kib;
      found = true;
    } else if (key == "VmHWM:") {
      m.peak_kib = kib;
    } else if (key == "RssAnon:") {
      m.anon_kib = kib;
    } else if (key == "RssFile:") {
      m.file_kib = kib;
    }
  }
  return found ? std::optional<memory>(m) : std::nullopt;
}

std::optional<cpu_usage> gateway_process::cpu() const {
  if (pid_ <= 0) return std::nullopt;
  const double tick = 1.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
  const std::string pid = std::to_string(pid_);
  std::error_code ec;
  fs::directory_iterator tasks(fs::path("/proc") / pid / "task", ec);
  if (ec) return std::nullopt;
  cpu_usage usage;
  for (const auto& task : tasks) {
    std::ifstream in(task.path() / "stat");
    std::string line;
    if (!std::getline(in, line)) continue;  // the thread has just ended
    if (const auto t = parse_thread_stat(line)) {
      // The main thread keeps the process name and runs I/O loop 0 (http_server::run).
      const bool main_thread = task.path().filename() == pid;
      add_thread_cpu(usage, main_thread ? "checkin-io-0" : t->name,
                     static_cast<double>(t->ticks) * tick);
    }
  }
  return usage;
}

}  // namespace checkin::loadtest
