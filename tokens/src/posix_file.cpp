#include "tokens/posix_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace checkin::tokens {

unique_fd::~unique_fd() {
  if (fd_ >= 0) ::close(fd_);
}

unique_fd& unique_fd::operator=(unique_fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
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

std::optional<std::string> secret_mode_problem(mode_t mode) {
  if (!S_ISREG(mode)) return "is not a regular file";
  if ((mode & 077) != 0) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode & 07777));
    return std::string("is readable by group or others (mode ") + octal + ")";
  }
  return std::nullopt;
}

opened_secret open_secret_file(const std::filesystem::path& file, std::string_view what,
                               secret_links links) {
  const auto problem = [&](std::string_view why) {
    return file.string() + ": " + std::string(what) + " " + std::string(why);
  };
  const int no_follow = links == secret_links::refuse ? O_NOFOLLOW : 0;
  opened_secret out{unique_fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | no_follow)), {}};
  if (out.fd.get() < 0) {
    out.problem = errno == ELOOP && no_follow ? problem("is a symbolic link; give the file itself")
                                              : problem(std::string("cannot be opened: ") + std::strerror(errno));
    return out;
  }
  struct stat st {};
  if (::fstat(out.fd.get(), &st) != 0) {
    out.problem = problem(std::string("cannot be examined: ") + std::strerror(errno));
  } else if (const auto bad = secret_mode_problem(st.st_mode)) {
    out.problem = problem(*bad);
    if (S_ISREG(st.st_mode)) out.problem += "; chmod 600 " + file.string();
  }
  if (!out.problem.empty()) out.fd = unique_fd(-1);
  return out;
}

}  // namespace checkin::tokens
