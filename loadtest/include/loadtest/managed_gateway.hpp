#pragma once
// Managed mode: a scratch data folder with a program, a signing key, an imported roster
// (cheap password hashes) and a gateway.toml tuned for load, and the gateway serving it.

#include "loadtest/gateway_process.hpp"
#include "tokens/program.hpp"
#include "tokens/signing_key.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace checkin::loadtest {

struct managed_settings {
  std::filesystem::path gateway_binary;
  std::filesystem::path work_parent;  // the scratch folder is created inside
  std::uint32_t members = 0;
  std::uint32_t first_member = 0;
  std::uint32_t sessions = 0;
  std::string password;
  unsigned max_connections = 20'000;
  std::optional<unsigned> token_memo_entries;
  std::optional<unsigned> commit_gather_us;
  unsigned gateway_threads = 0;  // 0: the gateway's default (one per core)
  // true: keys/signing.key is removed once written, so the gateway holds the public key only
  // and verifies each token's signature (it re-signs when it holds the key: ~3x cheaper).
  bool public_key_only = false;
  bool keep = false;             // leave the scratch folder for inspection
};

class managed_gateway {
 public:
  // Writes the files and imports the roster; throws std::runtime_error on failure.
  explicit managed_gateway(const managed_settings& s);
  managed_gateway(const managed_gateway&) = delete;
  managed_gateway& operator=(const managed_gateway&) = delete;
  ~managed_gateway();  // kills a running gateway, removes the folder unless kept

  std::uint16_t start();
  // SIGKILL, then start again on the same port with the same data; the time it was down.
  std::chrono::milliseconds kill_and_restart();
  int stop();

  [[nodiscard]] gateway_process& process() noexcept { return *process_; }
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
  [[nodiscard]] const tokens::meeting_program& program() const noexcept { return program_; }
  [[nodiscard]] const tokens::signing_key& key() const noexcept { return key_; }
  [[nodiscard]] const std::string& organizer_key() const noexcept { return organizer_key_; }

 private:
  std::filesystem::path dir_;
  bool keep_;
  tokens::meeting_program program_;
  tokens::signing_key key_;
  std::string organizer_key_;
  std::unique_ptr<gateway_process> process_;
};

}  // namespace checkin::loadtest
