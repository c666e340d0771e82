#pragma once
// Shared by the benchmarks: a scratch directory for LMDB files and a meeting program that is
// in progress now, so scans judged against the system clock fall inside their windows.

#include "tokens/program.hpp"
#include "tokens/rfc3339.hpp"

#include <stdlib.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace checkin::bench {

// A fresh private directory under the temp dir (TMPDIR; scripts/setup.sh bench points it at
// the build dir, because fsync on a tmpfs /tmp would measure nothing), removed when dropped.
class scratch_dir {
 public:
  explicit scratch_dir(std::string_view prefix) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
    path_ = pattern;
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

// "S001", "S002", ...: session ids of program_in_progress().
[[nodiscard]] inline std::string session_id(std::size_t index) {
  std::string id = std::to_string(index + 1);
  // insert(), not "S" + ...: GCC 12 at -O3 warns falsely (-Wrestrict) on operator+(const char*,
  // string&&).
  if (id.size() < 3) id.insert(0, 3 - id.size(), '0');
  id.insert(0, 1, 'S');
  return id;
}

// A meeting at UTC+09:00 whose `sessions` education sessions began an hour ago and end in two
// hours, with the real titles' length and script (Japanese).
[[nodiscard]] inline tokens::meeting_program program_in_progress(std::size_t sessions) {
  using namespace std::chrono;
  const minutes offset{9 * 60};
  const auto now = floor<seconds>(system_clock::now());
  const std::string starts = tokens::format_rfc3339(now - hours{1}, offset);
  const std::string ends = tokens::format_rfc3339(now + hours{2}, offset);
  std::string json = R"({"meeting": {"id": "JSCNM2026", )"
                     R"("name": "第42回 日本臨床核医学会学術総会（ベンチマーク）", )"
                     R"("utc_offset": "+09:00", "qr_prefix": "HTTPS://CHECKIN.EXAMPLE/Q/"}, )"
                     R"("sessions": [)";
  for (std::size_t i = 0; i < sessions; ++i) {
    if (i > 0) json += ", ";
    json += R"({"id": ")" + session_id(i) +
            R"(", "title": "教育講演 核医学検査の被ばく管理と線量最適化", )"
            R"("room": "第1会場（国際会議場 メインホール）", "starts_at": ")" +
            starts + R"(", "ends_at": ")" + ends +
            R"(", "credit_kind": "education", "units": 1.5})";
  }
  json += "]}";
  return tokens::parse_program(json, "bench program");
}

}  // namespace checkin::bench
