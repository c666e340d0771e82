#include "receiver_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace checkin::testing {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void write_all(int fd, std::string_view bytes, const std::string& what) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) fail("write " + what);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void fsync_path(const fs::path& p, int flags) {
  const int fd = ::open(p.c_str(), flags);
  if (fd < 0) fail("open " + p.string());
  if (::fsync(fd) != 0) fail("fsync " + p.string());
  ::close(fd);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

receiver_store::receiver_store(fs::path dir) : dir_(std::move(dir)) {
  fs::create_directories(dir_);
  std::ifstream in(dir_ / std::string(log_name));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("accepted ", 0) == 0) ++accepted_;
    if (line.rfind("duplicate ", 0) == 0) ++duplicates_;
  }
}

std::string receiver_store::file_name(std::string_view batch_id) {
  std::string out;
  for (const char c : batch_id) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '.' || c == '-') {
      out += c;
    } else {
      constexpr char hex[] = "0123456789ABCDEF";
      out += '_';
      out += hex[u >> 4];
      out += hex[u & 0xF];
    }
  }
  return out + ".json";
}

store_outcome receiver_store::put(std::string_view batch_id, std::string_view body) {
  const fs::path file = dir_ / file_name(batch_id);
  if (fs::exists(file)) {
    if (read_file(file) != body) return store_outcome::conflict;
    ++duplicates_;
    log("duplicate", batch_id);
    return store_outcome::duplicate;
  }
  // tmp + fsync + rename + fsync(dir): after a kill -9 the batch is either whole or absent.
  const fs::path tmp = file.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("open " + tmp.string());
  write_all(fd, body, tmp.string());
  if (::fsync(fd) != 0) fail("fsync " + tmp.string());
  ::close(fd);
  fs::rename(tmp, file);
  fsync_path(dir_, O_RDONLY | O_DIRECTORY);
  ++accepted_;
  log("accepted", batch_id);
  return store_outcome::stored;
}

void receiver_store::log(std::string_view what, std::string_view batch_id) {
  const fs::path p = dir_ / std::string(log_name);
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) fail("open " + p.string());
  write_all(fd, std::string(what) + " " + std::string(batch_id) + "\n", p.string());
  ::close(fd);
}

std::map<std::string, std::string> receiver_store::read_all(const fs::path& dir) {
  std::map<std::string, std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") {
      out.emplace(e.path().filename().string(), read_file(e.path()));
    }
  }
  return out;
}

}  // namespace checkin::testing
