#include "tokens/posix_file.hpp"

#include <cerrno>
#include <unistd.h>

namespace checkin::tokens {

unique_fd::~unique_fd() {
  if (fd_ >= 0) ::close(fd_);
}

int unique_fd::close() noexcept { return ::close(std::exchange(fd_, -1)); }

bool write_all(int fd, std::string_view text) noexcept {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<std::size_t> read_up_to(int fd, std::span<char> out) noexcept {
  std::size_t used = 0;
  while (used < out.size()) {
    const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  return used;
}

}  // namespace checkin::tokens
