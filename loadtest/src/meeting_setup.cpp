#include "loadtest/meeting_setup.hpp"

#include "tokens/rfc3339.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>

namespace checkin::loadtest {

namespace json = boost::json;
using namespace std::chrono;

std::string session_id_of(std::uint32_t index) {
  char id[16];
  std::snprintf(id, sizeof id, "L-%05u", index + 1);
  return id;
}

std::string member_no_of(std::uint32_t first, std::uint32_t index) {
  return std::to_string(std::uint64_t{first} + index);
}

std::string make_program_json(std::uint32_t sessions, sys_seconds now) {
  const auto offset = hours{9};
  json::array list;
  for (std::uint32_t i = 0; i < sessions; ++i) {
    list.push_back(json::object{{"id", session_id_of(i)},
                                {"title", "負荷試験 講演 " + std::to_string(i + 1)},
                                {"room", "第" + std::to_string(i % 20 + 1) + "会場"},
                                {"starts_at", tokens::format_rfc3339(now - minutes{30}, offset)},
                                {"ends_at", tokens::format_rfc3339(now + hours{4}, offset)},
                                {"credit_kind", "education"},
                                {"units", 1}});
  }
  const json::object doc{{"meeting", json::object{{"id", load_meeting_id},
                                                  {"name", "負荷試験 2026"},
                                                  {"utc_offset", "+09:00"},
                                                  {"scan_opens_before_minutes", 15},
                                                  {"scan_closes_after_minutes", 15}}},
                         {"sessions", std::move(list)}};
  return json::serialize(doc);
}

std::string make_roster_csv(std::uint32_t first, std::uint32_t count, std::string_view password) {
  std::string csv = "member_no,name,status,initial_password\n";
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto no = member_no_of(first, i);
    csv.append(no).append(",負荷 会員").append(no).append(",active,").append(password).append("\n");
  }
  return csv;
}

std::string make_gateway_toml(const gateway_tuning& t) {
  std::string toml =
      "# Written by checkin-loadtest for a load run; not a production configuration.\n"
      "[server]\n"
      "max_connections = " +
      std::to_string(t.max_connections) +
      "\n\n"
      "[scans]\n"
      "member_rate_per_second = 0\n";
  if (t.token_memo_entries) {
    toml += "token_memo_entries = " + std::to_string(*t.token_memo_entries) + "\n";
  }
  if (t.commit_gather_us) {
    toml += "\n[storage]\ncommit_gather_us = " + std::to_string(*t.commit_gather_us) + "\n";
  }
  if (!t.organizer_key_sha256.empty()) {
    toml += "\n[[organizers.keys]]\nname = \"checkin-loadtest\"\nsha256 = \"" +
            t.organizer_key_sha256 + "\"\n";
  }
  return toml;
}

}  // namespace checkin::loadtest
