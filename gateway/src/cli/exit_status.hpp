#pragma once
// One set of exit statuses for every subcommand, and the one place that turns what a command
// threw into a message on stderr and its status. README.md ("Exit status") lists them.

#include <CLI/CLI.hpp>
#include <exception>
#include <stdexcept>
#include <string>

namespace checkin::cli {

enum class exit_status : int {
  ok = 0,
  failure = 1,        // a runtime failure: I/O, the store, anything unexpected
  usage = 2,          // bad arguments or options (every CLI11 parse error)
  data = 3,           // the data folder, configuration, program or key files are missing or bad
  rejected = 4,       // verify: a token that does not verify, or an image without a QR code
  cannot_listen = 5,  // serve: the listen address is taken or not allowed
};

// A failure whose exit status the command chose; what() is the one line printed.
class command_failure : public std::runtime_error {
 public:
  command_failure(exit_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  [[nodiscard]] exit_status status() const noexcept { return status_; }

 private:
  exit_status status_;
};

// Prints what `thrown` (from app.parse) says on stderr — CLI11's own messages and help text
// through app.exit — and returns the exit status: CLI11 parse errors are `usage`, whatever
// CLI11's own code; --help and --version are `ok`.
[[nodiscard]] int report_failure(const CLI::App& app, const std::exception_ptr& thrown);

// The table above as text, for the main --help footer.
[[nodiscard]] std::string exit_status_help();

}  // namespace checkin::cli
