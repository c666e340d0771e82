#pragma once
// Integration-test support: a real `checkin-test-receiver` process (tests/sync/fault_receiver.cpp)
// standing in for the membership system's webhook. It verifies the signature, stores each
// batch once in a state directory that outlives the process, and injects faults on request.
//
// Typical use:
//   temp_dir state("receiver");
//   receiver_process receiver(state.path());        // started; port chosen by the kernel
//   http_sink_options o{.url = receiver.url(), .secret = receiver.secret()};
//   receiver.fail_next(503);                         // the next delivery gets a 503
//   receiver.restart();                              // kill -9, start again on the same port
//   EXPECT_EQ(receiver.stored_batches().size(), 1u); // read from disk, even while it is down
//
// Faults apply to delivery requests only (POSTs other than /control), in the order queued.

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkin::testing {

std::filesystem::path receiver_binary();

struct receiver_options {
  std::string secret = "test-webhook-secret";
  std::uint16_t port = 0;           // 0: a free port on first start (kept across restarts)
  unsigned duplicate_status = 409;  // the answer to a redelivery: 409, or 200 with a flag
  // https: PEM files (make_test_certificate); the harness's own requests skip verification.
  std::optional<std::filesystem::path> tls_cert{}, tls_key{};
  std::vector<std::string> extra_args{};  // e.g. {"--fault-rate", "0.3", "--seed", "42"}
};

class receiver_process {
 public:
  // Starts the receiver on `state_dir` (created if needed). Its stderr is appended to
  // `state_dir`/receiver.log, so a failing test can show what the receiver saw.
  explicit receiver_process(std::filesystem::path state_dir, receiver_options options = {});
  ~receiver_process();  // SIGKILL if still running
  receiver_process(const receiver_process&) = delete;
  receiver_process& operator=(const receiver_process&) = delete;

  // Starts it again after stop()/kill9(), on the port it had, so sink URLs stay valid.
  void start();
  // SIGTERM and wait; returns the exit status (0 when it stopped cleanly).
  int stop();
  void kill9();
  void restart() { kill9(), start(); }
  [[nodiscard]] bool running() const noexcept { return pid_ > 0; }

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  // "http://127.0.0.1:<port><path>" (https:// with TLS). Valid across restarts.
  [[nodiscard]] std::string url(std::string_view path = "/hook") const;
  [[nodiscard]] const std::string& secret() const noexcept { return options_.secret; }
  [[nodiscard]] const std::filesystem::path& state_dir() const noexcept { return state_dir_; }

  // GET /stats: accepted, duplicates (durable), requests, faults, rejected (this process), stored.
  [[nodiscard]] boost::json::object stats();
  // GET /last-request: {"target", "headers": {lower-case name: value}} of the last delivery.
  [[nodiscard]] boost::json::object last_request();
  // POST /control with a fault command (receiver_faults.hpp); throws if it is refused.
  void control(const boost::json::object& command);
  void fail_next(unsigned status, unsigned count = 1);
  void hang_next(unsigned count = 1);
  void slow_next(std::chrono::milliseconds delay, unsigned count = 1);
  void drop_next(unsigned count = 1);
  void accept_then_drop_next(unsigned count = 1);
  void clear_faults();

  // The stored batch bodies, exact bytes, keyed by batch_id; read from the state directory.
  [[nodiscard]] std::map<std::string, std::string> stored_batches() const;

 private:
  // One request on a fresh connection; returns status and body. Throws on I/O errors.
  std::pair<unsigned, std::string> request(bool post, const std::string& target,
                                           const std::string& body);

  std::filesystem::path state_dir_;
  receiver_options options_;
  int pid_ = -1;
  int stdout_fd_ = -1;  // kept open while it runs: a closed pipe would SIGPIPE it
  std::uint16_t port_ = 0;
};

// A self-signed P-256 certificate for CN=localhost with subjectAltName IP:127.0.0.1 and
// DNS:localhost (or `san` when given), written as cert.pem and key.pem under `dir` by the
// openssl command line. Returns false if openssl is not available.
bool make_test_certificate(const std::filesystem::path& dir,
                           const std::string& san = "IP:127.0.0.1,DNS:localhost");

}  // namespace checkin::testing
