#pragma once
// program.json: the meeting and its sessions. Loading validates every field and reports
// the first problem with a JSON path, e.g. "sessions[3].ends_at: must be after starts_at".

#include "tokens/claims.hpp"

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace checkin::tokens {

struct session_info {
  std::string id;
  std::string title;
  std::string room;
  sys_seconds starts_at;
  sys_seconds ends_at;
  credit_kind kind = credit_kind::education;
  credit_units units;
};

struct meeting_program {
  std::string id;
  std::string name;
  std::chrono::minutes utc_offset{0};
  std::string qr_prefix{"HTTPS://CHECKIN.EXAMPLE/Q/"};
  // A poster token opens this long before starts_at and closes this long after ends_at.
  std::chrono::minutes opens_before{15};
  std::chrono::minutes closes_after{15};
  std::vector<session_info> sessions;

  // The session with this id, nullptr when there is none. A binary search over an index of the
  // ids (every scan looks its session up, and a congress has hundreds) once index_sessions()
  // has run, a linear search while the index does not cover every session. load_program and
  // parse_program index; whoever adds sessions or changes ids afterwards indexes again.
  [[nodiscard]] const session_info* find(std::string_view session_id) const noexcept;
  void index_sessions();

 private:
  std::vector<std::pair<std::string, std::size_t>> by_id_;  // (id, position), sorted by id
};

struct program_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws program_error ("<file>: <json path>: <problem>") on unreadable, malformed or
// invalid input: unknown or duplicate ids, bad times, ends_at <= starts_at, bad kinds.
[[nodiscard]] meeting_program load_program(const std::filesystem::path& file);
[[nodiscard]] meeting_program parse_program(std::string_view json, std::string_view origin);

// Claims for a poster of `s`: the session window widened by opens_before / closes_after.
[[nodiscard]] session_claims poster_claims(const meeting_program& p, const session_info& s);
// Claims for the slot of `slot_seconds` that contains `at` (slot k covers
// [k*slot_seconds, (k+1)*slot_seconds) in Unix time). nullopt when `at` is outside the
// poster window of the session.
[[nodiscard]] std::optional<session_claims> slot_claims(const meeting_program& p,
                                                        const session_info& s, sys_seconds at,
                                                        std::chrono::seconds slot_seconds);

}  // namespace checkin::tokens
