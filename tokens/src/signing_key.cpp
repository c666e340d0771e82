#include "tokens/signing_key.hpp"

#include "tokens/posix_file.hpp"

#include <sodium.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace checkin::tokens {

namespace {

// libsodium must be initialised once (RNG, CPU dispatch) before use; a function-local
// static makes the first caller do it, thread-safely, whichever entry point that is.
[[nodiscard]] bool sodium_ready() noexcept {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

void ensure_sodium() {
  if (!sodium_ready()) throw std::runtime_error("libsodium failed to initialise");
}

static_assert(crypto_sign_SEEDBYTES == 32 && crypto_sign_PUBLICKEYBYTES == 32 &&
              crypto_sign_SECRETKEYBYTES == 64 && crypto_sign_BYTES == 64);

// ---- key files -------------------------------------------------------------------------

constexpr std::string_view secret_marker = "checkin-gateway ed25519 secret ";
constexpr std::string_view public_marker = "checkin-gateway ed25519 public ";
constexpr std::size_t max_key_file_size = 1024;

// Holds secret bytes (a std::string or std::array) and wipes them on every exit path.
template <class Bytes>
struct wiped {
  wiped() = default;
  wiped(const wiped&) = delete;
  wiped& operator=(const wiped&) = delete;
  ~wiped() { sodium_memzero(value.data(), value.size() * sizeof(value[0])); }
  Bytes value{};
};

[[noreturn]] void fail(const std::filesystem::path& file, std::string_view what) {
  throw key_file_error(file.string() + ": " + std::string(what));
}

[[noreturn]] void fail_errno(const std::filesystem::path& file, std::string_view what) {
  fail(file, std::string(what) + ": " + std::strerror(errno));
}

void append_hex(std::string& out, std::span<const std::uint8_t> bytes) {
  constexpr char digits[] = "0123456789abcdef";
  for (std::uint8_t b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0xF];
  }
}

int hex_nibble(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Exactly 2*N lower-case hex digits (what write_key_pair produces), else false.
template <std::size_t N>
[[nodiscard]] bool parse_hex(std::string_view text, std::array<std::uint8_t, N>& out) noexcept {
  if (text.size() != 2 * N) return false;
  for (std::size_t i = 0; i < N; ++i) {
    const int hi = hex_nibble(text[2 * i]);
    const int lo = hex_nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return true;
}

// O_EXCL makes "refuse to overwrite" atomic, and creating with the final mode means the
// secret is never readable by others, not even between open() and a later chmod().
void write_new_file(const std::filesystem::path& file, std::string_view text, mode_t mode) {
  unique_fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) {
    if (errno == EEXIST) fail(file, "already exists; refusing to overwrite a key file");
    fail_errno(file, "cannot create");
  }
  if (!write_all(fd.get(), text)) fail_errno(file, "cannot write");
  if (::fsync(fd.get()) != 0) fail_errno(file, "cannot sync");
  if (fd.close() != 0) fail_errno(file, "cannot close");
}

void read_small_file(const std::filesystem::path& file, std::string& out,
                     const unique_fd& fd) {
  out.resize(max_key_file_size + 1);  // one spare byte detects an over-long file
  const auto used = read_up_to(fd.get(), out);
  if (!used) fail_errno(file, "cannot read key file");
  if (*used > max_key_file_size) fail(file, "too large to be a key file");
  out.resize(*used);
}

void read_small_file(const std::filesystem::path& file, std::string& out) {
  unique_fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail_errno(file, "cannot open key file");
  read_small_file(file, out, fd);
}

// The secret half: the same reading, after the rule every secret file follows (posix_file.hpp).
void read_secret_key_file(const std::filesystem::path& file, std::string& out) {
  auto opened = open_secret_file(file, "signing key", secret_links::follow);
  if (!opened.problem.empty()) throw key_file_error(opened.problem);
  read_small_file(file, out, opened.fd);
}

// Splits "<marker><keyid hex> <key hex>[\n]" and returns the key id and the key hex.
struct key_line {
  key_id id;
  std::string_view key_hex;
};

[[nodiscard]] key_line split_key_line(const std::filesystem::path& file, std::string_view text,
                                      std::string_view marker, std::string_view kind) {
  if (!text.starts_with(marker)) {
    fail(file, "not a checkin-gateway " + std::string(kind) + " key file (bad marker)");
  }
  text.remove_prefix(marker.size());
  if (text.ends_with('\n')) text.remove_suffix(1);
  const auto space = text.find(' ');
  if (space == std::string_view::npos) fail(file, "missing key id or key");
  std::array<std::uint8_t, 4> id_bytes{};
  if (!parse_hex(text.substr(0, space), id_bytes)) {
    fail(file, "key id is not 8 lower-case hex digits");
  }
  const std::uint32_t id = (std::uint32_t{id_bytes[0]} << 24) | (std::uint32_t{id_bytes[1]} << 16) |
                           (std::uint32_t{id_bytes[2]} << 8) | std::uint32_t{id_bytes[3]};
  return {key_id{id}, text.substr(space + 1)};
}

}  // namespace

// ---- keys ------------------------------------------------------------------------------

key_id key_id_of(const public_key& pk) noexcept {
  // BLAKE2b falls back to its portable code if initialisation failed, so this stays noexcept.
  (void)sodium_ready();
  std::array<std::uint8_t, 32> digest{};
  crypto_generichash(digest.data(), digest.size(), pk.bytes.data(), pk.bytes.size(), nullptr, 0);
  return key_id{(std::uint32_t{digest[0]} << 24) | (std::uint32_t{digest[1]} << 16) |
                (std::uint32_t{digest[2]} << 8) | std::uint32_t{digest[3]}};
}

signing_key signing_key::generate() {
  ensure_sodium();
  signing_key key;
  crypto_sign_keypair(key.public_.bytes.data(), key.secret_.data());
  return key;
}

signing_key signing_key::from_seed(std::span<const std::uint8_t, 32> seed) {
  ensure_sodium();
  signing_key key;
  crypto_sign_seed_keypair(key.public_.bytes.data(), key.secret_.data(), seed.data());
  return key;
}

signing_key::signing_key(signing_key&& other) noexcept
    : secret_(other.secret_), public_(other.public_) {
  sodium_memzero(other.secret_.data(), other.secret_.size());
}

signing_key& signing_key::operator=(signing_key&& other) noexcept {
  if (this != &other) {
    secret_ = other.secret_;
    public_ = other.public_;
    sodium_memzero(other.secret_.data(), other.secret_.size());
  }
  return *this;
}

signing_key::~signing_key() { sodium_memzero(secret_.data(), secret_.size()); }

signature signing_key::sign(std::span<const std::uint8_t> message) const noexcept {
  signature sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_.data());
  return sig;
}

std::span<const std::uint8_t, 32> signing_key::seed() const noexcept {
  return std::span<const std::uint8_t, 32>(secret_.data(), 32);
}

bool verify_signature(const public_key& pk, std::span<const std::uint8_t> message,
                      const signature& sig) noexcept {
  if (!sodium_ready()) return false;
  return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), pk.bytes.data()) ==
         0;
}

bool verify_own_signature(const signing_key& key, std::span<const std::uint8_t> message,
                          const signature& sig) noexcept {
  if (!sodium_ready()) return false;
  // The recomputed signature never leaves this function; only equal / not equal does, which
  // the answer tells anyway.
  signature expected = key.sign(message);
  const bool same = sodium_memcmp(expected.data(), sig.data(), sig.size()) == 0;
  sodium_memzero(expected.data(), expected.size());
  return same || verify_signature(key.public_part(), message, sig);
}

// ---- key files -------------------------------------------------------------------------

void write_key_pair(const signing_key& key, const std::filesystem::path& dir) {
  const auto secret_file = dir / "signing.key";
  const auto public_file = dir / "signing.pub";
  // Parents as usual; the key folder itself is private (0700).
  if (dir.has_parent_path() && !dir.parent_path().empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir.parent_path(), ec);
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) fail_errno(dir, "cannot create");
  // Checked up front so a refusal leaves nothing half-written; O_EXCL still guards the race.
  for (const auto& f : {secret_file, public_file}) {
    std::error_code ec;  // an unreadable path is left for open() to report
    if (std::filesystem::exists(f, ec)) fail(f, "already exists; refusing to overwrite a key file");
  }

  const std::string id_hex = to_hex(key.id());
  std::string public_line(public_marker);
  public_line += id_hex + ' ';
  append_hex(public_line, key.public_part().bytes);
  public_line += '\n';

  wiped<std::string> secret_line;
  // Reserved up front so appending never reallocates and leaves an unwiped copy behind.
  secret_line.value.reserve(secret_marker.size() + 8 + 1 + 64 + 1);
  secret_line.value += secret_marker;
  secret_line.value += id_hex + ' ';
  append_hex(secret_line.value, key.seed());
  secret_line.value += '\n';

  write_new_file(secret_file, secret_line.value, 0600);
  try {
    write_new_file(public_file, public_line, 0644);
  } catch (...) {
    // A lone secret file would block the next attempt and match no public file.
    std::error_code ignored;
    std::filesystem::remove(secret_file, ignored);
    throw;
  }
}

signing_key load_signing_key(const std::filesystem::path& file) {
  wiped<std::string> text;
  read_secret_key_file(file, text.value);
  const key_line line = split_key_line(file, text.value, secret_marker, "secret");
  wiped<std::array<std::uint8_t, 32>> seed;
  if (!parse_hex(line.key_hex, seed.value)) fail(file, "seed is not 64 lower-case hex digits");
  signing_key key = signing_key::from_seed(seed.value);
  if (key.id() != line.id) fail(file, "key id does not match the key (corrupt or edited file)");
  return key;
}

public_key load_public_key(const std::filesystem::path& file) {
  std::string text;
  read_small_file(file, text);
  const key_line line = split_key_line(file, text, public_marker, "public");
  public_key pk;
  if (!parse_hex(line.key_hex, pk.bytes)) fail(file, "public key is not 64 lower-case hex digits");
  if (key_id_of(pk) != line.id) {
    fail(file, "key id does not match the key (corrupt or edited file)");
  }
  return pk;
}

}  // namespace checkin::tokens
