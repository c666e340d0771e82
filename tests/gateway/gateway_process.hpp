#pragma once
// Integration-test support: a real `checkin-gateway serve` process on a free loopback port,
// in its own temporary data folder, and a small keep-alive HTTP client. No mocks: what the
// tests see is what a phone app sees.

#include "support/test_files.hpp"
#include "tokens/program.hpp"
#include "tokens/session_token.hpp"
#include "tokens/signing_key.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace checkin::testing {

namespace net = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

std::filesystem::path gateway_binary();
// Runs the binary with `args`; returns exit code, stdout+stderr in `output`. With a time limit,
// a process still running after it is killed and -1 returned (a `serve` that should have
// refused to start does not hang the test).
int run_cli(const std::vector<std::string>& args, std::string* output = nullptr,
            std::chrono::seconds limit = std::chrono::seconds{0});

struct http_answer {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  [[nodiscard]] json::value json() const { return json::parse(body); }
  [[nodiscard]] std::string error() const;  // the "error" code of a JSON error body
};

// One keep-alive connection.
class http_client {
 public:
  explicit http_client(std::uint16_t port);
  http_answer request(http::verb method, const std::string& target, const std::string& body = {},
                      const std::string& bearer = {},
                      const std::map<std::string, std::string>& headers = {});
  http_answer post_json(const std::string& target, const json::value& body,
                        const std::string& bearer = {});
  http_answer get(const std::string& target, const std::string& bearer = {});
  // Sends raw bytes and reads one answer (for malformed HTTP tests).
  http_answer raw(const std::string& bytes);

 private:
  net::io_context ctx_;
  net::ip::tcp::socket socket_;
  std::string buffer_;
};

// A meeting whose sessions sit around "now", and a signing key; written into the data dir.
struct test_meeting {
  tokens::meeting_program program;
  std::string program_json;
  tokens::signing_key key = tokens::signing_key::from_seed(std::span<const std::uint8_t, 32>(seed()));
  static const std::array<std::uint8_t, 32>& seed();
  std::string poster(const std::string& session_id) const;  // QR text
  std::string slot(const std::string& session_id, tokens::sys_seconds at) const;
};
// A session a test adds to the standard ones.
struct test_session {
  std::string id;
  std::string title;
  tokens::sys_seconds starts_at;
  tokens::sys_seconds ends_at;
  std::string kind = "education";
  double units = 1;
};
// Sessions: "OPEN" (now-30min .. now+30min), "OPEN2" (same), "CLOSED" (ended 2 days ago),
// "FUTURE" (tomorrow), "ATT" (attendance, open), then `extra`.
test_meeting make_test_meeting(const std::vector<test_session>& extra = {});

// How start() runs the binary, beyond the harness's own flags.
struct launch_options {
  std::vector<std::string> env;                  // "NAME=value", added to the environment
  std::optional<unsigned long> open_file_limit;  // RLIMIT_NOFILE, soft and hard, for the child
  std::filesystem::path stderr_file;             // its stderr appended here; empty: the test's
};

class gateway_process {
 public:
  // Writes program, keys, roster and config under a fresh temp dir, imports the roster,
  // and starts the server. `extra_config` is appended to the TOML config.
  explicit gateway_process(const std::string& name, const std::string& extra_config = {},
                           test_meeting meeting = make_test_meeting(), launch_options launch = {});
  ~gateway_process();  // SIGKILL if still running

  void start();
  // SIGTERM and wait; returns the exit status (0 when it stopped cleanly).
  int stop();
  void kill9();
  // Waits up to `limit` for the process to exit on its own (a test-only crash, a refused
  // start); its exit status as stop() reports it, or nullopt if it still runs.
  std::optional<int> wait_exit(std::chrono::milliseconds limit);
  // Takes effect at the next start().
  void set_launch(launch_options launch) { launch_ = std::move(launch); }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] const test_meeting& meeting() const noexcept { return meeting_; }
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return scratch_.path(); }
  // Replaces the TOML config; takes effect at the next start().
  void set_config(const std::string& toml);
  // The command line start() runs (program, config and data folder of this test).
  [[nodiscard]] std::vector<std::string> serve_command() const;

  // Imports a roster CSV text (test-cost hashes).
  void import_roster(const std::string& csv);
  // Logs in; returns the bearer token (empty on failure).
  std::string login(const std::string& member_no, const std::string& password = "pw-secret");

 private:
  temp_dir scratch_;
  test_meeting meeting_;
  launch_options launch_;
  int pid_ = -1;
  int stdout_fd_ = -1;  // kept open while the server runs: a closed pipe would SIGPIPE it
  std::uint16_t port_ = 0;
};

// Members 1000..1049 active, 2000 inactive; password "pw-secret".
std::string default_roster();

// The value of an unlabelled sample in a /metrics text; -1 when it is not there.
double metric_sample(const std::string& metrics, const std::string& name);

}  // namespace checkin::testing
