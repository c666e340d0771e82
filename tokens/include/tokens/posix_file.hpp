#pragma once
// The few POSIX file steps that secret files need (key files here, the gateway's bearer
// secret): an owning descriptor and whole reads and writes that retry on EINTR. Failures
// leave errno set, so each caller words its own error message.

#include <sys/types.h>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace checkin::tokens {

class unique_fd {
 public:
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  unique_fd& operator=(unique_fd&& other) noexcept;
  ~unique_fd();
  [[nodiscard]] int get() const noexcept { return fd_; }
  // close() can report a deferred write error, so writers check it.
  [[nodiscard]] int close() noexcept;

 private:
  int fd_;
};

// Writes all of `text`; false (errno set) on failure.
[[nodiscard]] bool write_all(int fd, std::string_view text) noexcept;
// Reads until end of file or until `out` is full; the byte count, or nullopt (errno set).
[[nodiscard]] std::optional<std::size_t> read_up_to(int fd, std::span<char> out) noexcept;

// ---- secret files ------------------------------------------------------------------------
// One rule for every file that holds a secret (signing keys, the bearer secret, a webhook's
// shared secret, a PostgreSQL conninfo with its password): a regular file that neither group
// nor others can read. Anyone who can read one can mint codes, tokens or batches.

// Why a file of this st_mode may not hold a secret ("is readable by group or others (mode
// 0644)"), or nullopt. Pure, for the rule's tests.
[[nodiscard]] std::optional<std::string> secret_mode_problem(mode_t mode);

// Whether the secret's path may be a symbolic link: files the program creates itself refuse
// them; files an operator provides may be links (a mounted secrets volume), judged by target.
enum class secret_links { refuse, follow };

// A secret file open for reading, or why not: problem is the whole message, naming the file
// and the fix, e.g. "keys/signing.key: signing key is readable by group or others (mode
// 0644); chmod 600 keys/signing.key". fd is open exactly when problem is empty.
struct opened_secret {
  unique_fd fd{-1};
  std::string problem;
};
[[nodiscard]] opened_secret open_secret_file(const std::filesystem::path& file, std::string_view what,
                                             secret_links links);

}  // namespace checkin::tokens
