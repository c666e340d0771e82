#pragma once
// Shared by the store tests: a scratch directory and scan drafts.

#include <store/records.hpp>

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace checkin::store::testing {

// A fresh directory under the system temp dir, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "checkin-store-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

inline scan_draft make_draft(std::uint64_t member, std::string session_id) {
  scan_draft d;
  d.member = member_no{std::to_string(member)};
  d.meeting_id = "JSXX2025";
  d.session_id = std::move(session_id);
  d.kind = tokens::credit_kind::education;
  d.units = tokens::credit_units{150};
  d.type = tokens::token_type::poster;
  d.key = tokens::key_id{0x1a2b3c4d};
  return d;
}

inline unix_millis at_ms(std::int64_t ms) { return unix_millis{std::chrono::milliseconds{ms}}; }

}  // namespace checkin::store::testing
