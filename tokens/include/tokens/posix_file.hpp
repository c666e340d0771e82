#pragma once
// The few POSIX file steps that secret files need (key files here, the gateway's bearer
// secret): an owning descriptor and whole reads and writes that retry on EINTR. Failures
// leave errno set, so each caller words its own error message.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

namespace checkin::tokens {

class unique_fd {
 public:
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
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

}  // namespace checkin::tokens
