#include "receiver_process.hpp"

#include "receiver_store.hpp"

#include <ostream>  // before boost/beast/http (Boost 1.81 misses it)

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <stdexcept>

namespace checkin::testing {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using namespace std::chrono;

fs::path receiver_binary() {
  return fs::path(CHECKIN_BINARY_DIR) / "tests" / "checkin-test-receiver";
}

receiver_process::receiver_process(fs::path state_dir, receiver_options options)
    : state_dir_(std::move(state_dir)), options_(std::move(options)), port_(options_.port) {
  fs::create_directories(state_dir_);
  start();
}

receiver_process::~receiver_process() { kill9(); }

void receiver_process::start() {
  if (pid_ > 0) throw std::logic_error("receiver already running");
  std::vector<std::string> args{receiver_binary().string(),
                                "--state",
                                state_dir_.string(),
                                "--secret",
                                options_.secret,
                                "--port",
                                std::to_string(port_),
                                "--duplicate-status",
                                std::to_string(options_.duplicate_status)};
  if (options_.tls_cert) {
    args.insert(args.end(), {"--tls-cert", options_.tls_cert->string(), "--tls-key",
                             options_.tls_key.value().string()});
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = (state_dir_ / "receiver.log").string();

  int pipefd[2];
  if (::pipe(pipefd) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (err >= 0) ::dup2(err, 2);
    ::close(pipefd[0]);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  pid_ = pid;
  stdout_fd_ = pipefd[0];
  // It prints "listening <port>" once it accepts connections.
  std::string line;
  char c = 0;
  std::uint16_t port = 0;
  while (::read(stdout_fd_, &c, 1) == 1) {
    if (c != '\n') {
      line += c;
      continue;
    }
    if (line.rfind("listening ", 0) == 0) {
      port = static_cast<std::uint16_t>(std::stoi(line.substr(10)));
      break;
    }
    line.clear();
  }
  if (port == 0) {
    kill9();
    throw std::runtime_error("checkin-test-receiver did not start; see " + log);
  }
  port_ = port;
}

int receiver_process::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  ::close(stdout_fd_);
  stdout_fd_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void receiver_process::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  ::close(stdout_fd_);
  stdout_fd_ = -1;
}

std::string receiver_process::url(std::string_view path) const {
  return std::string(options_.tls_cert ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::pair<unsigned, std::string> receiver_process::request(bool post, const std::string& target,
                                                           const std::string& body) {
  net::io_context ctx;
  http::request<http::string_body> req{post ? http::verb::post : http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.body() = body;
  req.keep_alive(false);
  req.prepare_payload();
  const net::ip::tcp::endpoint at{net::ip::make_address("127.0.0.1"), port_};
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (options_.tls_cert) {
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.set_verify_mode(net::ssl::verify_none);  // the harness trusts its own child
    beast::ssl_stream<net::ip::tcp::socket> stream(ctx, tls);
    stream.next_layer().connect(at);
    stream.handshake(net::ssl::stream_base::client);
    http::write(stream, req);
    http::read(stream, buffer, res);
  } else {
    net::ip::tcp::socket socket(ctx);
    socket.connect(at);
    http::write(socket, req);
    http::read(socket, buffer, res);
  }
  return {res.result_int(), res.body()};
}

json::object receiver_process::stats() {
  return json::parse(request(false, "/stats", {}).second).as_object();
}

json::object receiver_process::last_request() {
  return json::parse(request(false, "/last-request", {}).second).as_object();
}

void receiver_process::control(const json::object& command) {
  const auto [status, body] = request(true, "/control", json::serialize(command));
  if (status != 200) throw std::runtime_error("receiver refused control command: " + body);
}

void receiver_process::fail_next(unsigned status, unsigned count) {
  control({{"fault", "status"}, {"status", status}, {"count", count}});
}
void receiver_process::hang_next(unsigned count) { control({{"fault", "hang"}, {"count", count}}); }
void receiver_process::slow_next(milliseconds delay, unsigned count) {
  control({{"fault", "slow"}, {"delay_ms", delay.count()}, {"count", count}});
}
void receiver_process::drop_next(unsigned count) { control({{"fault", "drop"}, {"count", count}}); }
void receiver_process::accept_then_drop_next(unsigned count) {
  control({{"fault", "accept_then_drop"}, {"count", count}});
}
void receiver_process::clear_faults() { control({{"fault", "none"}}); }

std::map<std::string, std::string> receiver_process::stored_batches() const {
  std::map<std::string, std::string> out;
  for (auto& [file, body] : receiver_store::read_all(state_dir_)) {
    const auto doc = json::parse(body);
    out.emplace(std::string(doc.at("batch_id").as_string()), std::move(body));
  }
  return out;
}

bool make_test_certificate(const fs::path& dir, const std::string& san) {
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -subj /CN=localhost -addext subjectAltName=" +
      san + " -days 1 -keyout '" + (dir / "key.pem").string() + "' -out '" +
      (dir / "cert.pem").string() + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace checkin::testing
