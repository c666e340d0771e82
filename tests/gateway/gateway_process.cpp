#include "gateway_process.hpp"

#include "tokens/rfc3339.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace checkin::testing {

namespace fs = std::filesystem;
using namespace std::chrono;

fs::path gateway_binary() { return fs::path(CHECKIN_BINARY_DIR) / "bin" / "checkin-gateway"; }

namespace {

std::vector<char*> argv_of(std::vector<std::string>& args) {
  std::vector<char*> v;
  for (auto& a : args) v.push_back(a.data());
  v.push_back(nullptr);
  return v;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::string* output, seconds limit) {
  std::vector<std::string> full{gateway_binary().string()};
  full.insert(full.end(), args.begin(), args.end());
  int pipefd[2];
  if (::pipe(pipefd) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    ::dup2(pipefd[1], 2);
    ::close(pipefd[0]);
    auto argv = argv_of(full);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  std::string out;
  char buf[4096];
  const auto deadline = steady_clock::now() + limit;
  bool timed_out = false;
  for (;;) {
    if (limit.count() > 0) {
      const auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
      pollfd p{pipefd[0], POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) == 0) {
        timed_out = true;
        ::kill(pid, SIGKILL);
        break;
      }
    }
    const ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (output) *output = out;
  if (timed_out) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string http_answer::error() const {
  try {
    const auto v = json::parse(body);
    if (const auto* e = v.as_object().if_contains("error")) return std::string(e->as_string());
  } catch (const std::exception&) {
  }
  return {};
}

http_client::http_client(std::uint16_t port) : socket_(ctx_) {
  socket_.connect({net::ip::make_address("127.0.0.1"), port});
}

http_answer http_client::request(http::verb method, const std::string& target,
                                 const std::string& body, const std::string& bearer,
                                 const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(socket_, req);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(socket_, buffer, parser);
  const auto& res = parser.get();
  http_answer a;
  a.status = res.result_int();
  a.body = res.body();
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    a.headers[name] = std::string(f.value());
  }
  return a;
}

http_answer http_client::post_json(const std::string& target, const json::value& body,
                                   const std::string& bearer) {
  return request(http::verb::post, target, json::serialize(body), bearer);
}

http_answer http_client::get(const std::string& target, const std::string& bearer) {
  return request(http::verb::get, target, {}, bearer);
}

http_answer http_client::raw(const std::string& bytes) {
  net::write(socket_, net::buffer(bytes));
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  http::read(socket_, buffer, parser);
  http_answer a;
  a.status = parser.get().result_int();
  a.body = parser.get().body();
  return a;
}

const std::array<std::uint8_t, 32>& test_meeting::seed() {
  static const std::array<std::uint8_t, 32> s{7, 7, 7, 7, 7, 7, 7, 7, 1, 2, 3, 4, 5, 6, 7, 8,
                                              9, 9, 9, 9, 9, 9, 9, 9, 1, 2, 3, 4, 5, 6, 7, 8};
  return s;
}

std::string test_meeting::poster(const std::string& session_id) const {
  return tokens::mint(tokens::poster_claims(program, *program.find(session_id)), key,
                      program.qr_prefix);
}

std::string test_meeting::slot(const std::string& session_id, tokens::sys_seconds at) const {
  return tokens::mint(*tokens::slot_claims(program, *program.find(session_id), at, seconds{30}),
                      key, program.qr_prefix);
}

test_meeting make_test_meeting(const std::vector<test_session>& extra) {
  const auto now = floor<seconds>(system_clock::now());
  const auto t = [](sys_seconds s) { return tokens::format_rfc3339(s, hours{9}); };
  json::array sessions;
  const auto add = [&](const char* id, const char* title, sys_seconds from, sys_seconds to,
                       const char* kind, double units) {
    sessions.push_back(json::object{{"id", id}, {"title", title}, {"room", "第1会場"},
                                    {"starts_at", t(from)}, {"ends_at", t(to)},
                                    {"credit_kind", kind}, {"units", units}});
  };
  add("OPEN", "教育講演 テスト", now - minutes{30}, now + minutes{30}, "education", 1.5);
  add("OPEN2", "教育講演 2", now - minutes{30}, now + minutes{30}, "education", 1);
  add("CLOSED", "終了した講演", now - hours{50}, now - hours{49}, "education", 1);
  add("FUTURE", "明日の講演", now + hours{24}, now + hours{25}, "education", 1);
  add("ATT", "学術総会 出席", now - hours{2}, now + hours{8}, "attendance", 10);
  for (const test_session& e : extra) {
    add(e.id.c_str(), e.title.c_str(), e.starts_at, e.ends_at, e.kind.c_str(), e.units);
  }
  json::object doc{{"meeting", json::object{{"id", "TEST2026"},
                                            {"name", "テスト学会 2026"},
                                            {"utc_offset", "+09:00"},
                                            {"scan_opens_before_minutes", 10},
                                            {"scan_closes_after_minutes", 10}}},
                   {"sessions", sessions}};
  test_meeting m;
  m.program_json = json::serialize(doc);
  m.program = tokens::parse_program(m.program_json, "test program");
  return m;
}

std::string default_roster() {
  std::string csv = "member_no,name,status,initial_password\n";
  for (int i = 1000; i < 1050; ++i) {
    csv += std::to_string(i) + ",会員 " + std::to_string(i) + ",active,pw-secret\n";
  }
  csv += "2000,退会 会員,inactive,pw-secret\n";
  return csv;
}

gateway_process::gateway_process(const std::string& name, const std::string& extra_config,
                                 test_meeting meeting, launch_options launch)
    : scratch_("checkin-" + name), meeting_(std::move(meeting)), launch_(std::move(launch)) {
  write_text(dir() / "program.json", meeting_.program_json);
  tokens::write_key_pair(meeting_.key, dir() / "keys");
  // The test's own settings go in the TOML file; the harness's go in flags (which win).
  write_text(dir() / "gateway.toml", extra_config);
  import_roster(default_roster());
  start();
}

void gateway_process::set_config(const std::string& toml) {
  write_text(dir() / "gateway.toml", toml);
}

gateway_process::~gateway_process() {
  if (pid_ > 0) kill9();
}

void gateway_process::import_roster(const std::string& csv) {
  write_text(dir() / "roster.csv", csv);
  std::string out;
  const int rc = run_cli({"members", "import", (dir() / "roster.csv").string(), "--data-dir",
                          dir().string(), "--pwhash-cost", "test"},
                         &out);
  if (rc != 0) throw std::runtime_error("members import failed: " + out);
}

std::vector<std::string> gateway_process::serve_command() const {
  return {gateway_binary().string(), "serve", "--config",
          (dir() / "gateway.toml").string(), "--listen", "127.0.0.1:0",
          "--threads", "2", "--data-dir", dir().string(), "--program",
          (dir() / "program.json").string(), "--log-level", "warn",
          "--no-access-log"};
}

void gateway_process::start() {
  int pipefd[2];
  if (::pipe(pipefd) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> args = serve_command();
  // Prepared before fork: the child only makes system calls.
  std::vector<std::string> env_text = launch_.env;
  for (char** e = environ; *e; ++e) env_text.emplace_back(*e);  // the first of a name wins
  auto envp = argv_of(env_text);
  const int err_fd = launch_.stderr_file.empty()
                         ? -1
                         : ::open(launch_.stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    ::close(pipefd[0]);
    if (err_fd >= 0) ::dup2(err_fd, 2);
    if (launch_.open_file_limit) {
      const rlimit r{*launch_.open_file_limit, *launch_.open_file_limit};
      if (::setrlimit(RLIMIT_NOFILE, &r) != 0) ::_exit(126);
    }
    auto argv = argv_of(args);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  if (err_fd >= 0) ::close(err_fd);
  ::close(pipefd[1]);
  pid_ = pid;
  // The server prints "listening <port>" once it accepts connections.
  std::string line;
  char c;
  const auto deadline = steady_clock::now() + seconds{30};
  while (steady_clock::now() < deadline && ::read(pipefd[0], &c, 1) == 1) {
    if (c == '\n') {
      if (line.rfind("listening ", 0) == 0) {
        port_ = static_cast<std::uint16_t>(std::stoi(line.substr(10)));
        break;
      }
      line.clear();
    } else {
      line += c;
    }
  }
  stdout_fd_ = pipefd[0];
  if (port_ == 0) {
    kill9();
    throw std::runtime_error("gateway did not start (see its stderr)");
  }
}

int gateway_process::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  port_ = 0;
  ::close(stdout_fd_);
  stdout_fd_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void gateway_process::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  port_ = 0;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
}

std::optional<int> gateway_process::wait_exit(milliseconds limit) {
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      port_ = 0;
      if (stdout_fd_ >= 0) ::close(stdout_fd_);
      stdout_fd_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds{20});
  }
}

std::string gateway_process::login(const std::string& member_no, const std::string& password) {
  http_client c(port_);
  const auto a = c.post_json("/v1/login", json::object{{"member_no", member_no}, {"password", password}});
  if (a.status != 200) return {};
  return std::string(a.json().as_object().at("token").as_string());
}

double metric_sample(const std::string& metrics, const std::string& name) {
  const auto at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + name.size() + 2));
}

}  // namespace checkin::testing
