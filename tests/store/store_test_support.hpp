#pragma once
// Shared by the store tests: a scratch directory and scan drafts.

#include <store/records.hpp>

#include "support/test_files.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace checkin::store::testing {

using ::checkin::testing::temp_dir;

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
