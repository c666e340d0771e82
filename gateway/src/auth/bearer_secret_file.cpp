// The bearer secret's file: load, or create once. Kept apart from the token format because
// this is the only part that touches the disk.
#include "gateway/bearer_token.hpp"

#include "sodium_ready.hpp"
#include "tokens/posix_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <utility>

namespace checkin::gateway {

namespace {

using tokens::unique_fd;

constexpr std::string_view marker = "checkin-gateway bearer-secret v1 ";
constexpr std::size_t hex_length = 2 * bearer_secret_size;
constexpr std::size_t file_length = marker.size() + hex_length + 1;  // + '\n'

// A fixed buffer for the file's text, wiped on every path out.
struct wiped_text {
  std::array<char, file_length + 1> bytes{};  // one spare byte detects an over-long file
  wiped_text() = default;
  wiped_text(const wiped_text&) = delete;
  wiped_text& operator=(const wiped_text&) = delete;
  ~wiped_text() { sodium_memzero(bytes.data(), bytes.size()); }
};

[[noreturn]] void fail(const std::filesystem::path& file, std::string_view what) {
  throw bearer_secret_error(file.string() + ": " + std::string(what));
}

[[noreturn]] void fail_errno(const std::filesystem::path& file, std::string_view what) {
  fail(file, std::string(what) + ": " + std::strerror(errno));
}

// So a freshly created file's directory entry survives a power cut too.
void sync_parent_dir(const std::filesystem::path& file) {
  const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  unique_fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) fail_errno(dir, "cannot sync directory");
}

}  // namespace

bearer_issuer bearer_issuer::load(const std::filesystem::path& file) {
  detail::ensure_sodium();
  // Anyone who can read the secret can mint tokens for any member. The gateway creates this
  // file itself, so a symbolic link in its place is refused.
  auto opened = tokens::open_secret_file(file, "bearer secret", tokens::secret_links::refuse);
  if (!opened.problem.empty()) throw bearer_secret_error(opened.problem);
  const unique_fd& fd = opened.fd;

  wiped_text text;
  const auto read = tokens::read_up_to(fd.get(), text.bytes);
  if (!read) fail_errno(file, "cannot read bearer secret");
  const std::size_t used = *read;
  const std::string_view line(text.bytes.data(), used);
  if (used != file_length || !line.starts_with(marker) || !line.ends_with('\n')) {
    fail(file, "not a checkin-gateway bearer secret file");
  }
  bearer_issuer issuer;
  std::size_t decoded = 0;
  const char* hex_end = nullptr;
  if (sodium_hex2bin(issuer.secret_.data(), issuer.secret_.size(), line.data() + marker.size(),
                     hex_length, nullptr, &decoded, &hex_end) != 0 ||
      decoded != bearer_secret_size || hex_end != line.data() + marker.size() + hex_length) {
    fail(file, "bearer secret is not 64 hex digits");
  }
  issuer.key_mac();
  return issuer;
}

bearer_issuer bearer_issuer::load_or_create(const std::filesystem::path& file) {
  struct stat st {};
  if (::lstat(file.c_str(), &st) == 0) return load(file);
  if (errno != ENOENT) fail_errno(file, "cannot stat bearer secret");
  bearer_issuer issuer = generate();
  if (issuer.save_new(file) == save_outcome::already_exists) {
    // Another gateway process created it between our lstat and open: use theirs.
    return load(file);
  }
  return issuer;
}

bearer_issuer::save_outcome bearer_issuer::save_new(const std::filesystem::path& file) const {
  wiped_text text;
  std::copy(marker.begin(), marker.end(), text.bytes.begin());
  // sodium_bin2hex writes hex_length digits and a NUL, which the newline then replaces.
  sodium_bin2hex(text.bytes.data() + marker.size(), hex_length + 1, secret_.data(), secret_.size());
  text.bytes[file_length - 1] = '\n';

  // O_EXCL makes "never overwrite" atomic; creating with mode 0600 means the secret is
  // never readable by others, not even between open() and a chmod().
  unique_fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) return save_outcome::already_exists;
    fail_errno(file, "cannot create bearer secret");
  }
  try {
    if (!tokens::write_all(fd.get(), std::string_view(text.bytes.data(), file_length))) {
      fail_errno(file, "cannot write bearer secret");
    }
    if (::fsync(fd.get()) != 0) fail_errno(file, "cannot sync bearer secret");
    if (fd.close() != 0) fail_errno(file, "cannot close bearer secret");
  } catch (const bearer_secret_error&) {
    // A half-written file would stop every later start; remove it so the next one retries.
    ::unlink(file.c_str());
    throw;
  }
  sync_parent_dir(file);
  return save_outcome::created;
}

}  // namespace checkin::gateway
