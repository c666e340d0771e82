// The roster CSV reader: text → parse_roster_csv. Rows or errors, never both, never a crash;
// what it accepts is what the importer and the store may rely on.
#include "fuzz_check.hpp"
#include "fuzz_targets.hpp"

#include "gateway/member_no.hpp"
#include "gateway/password.hpp"
#include "gateway/roster_csv.hpp"

#include <set>
#include <string>
#include <string_view>
#include <variant>

namespace checkin::fuzz {

int fuzz_roster_csv(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = gateway::parse_roster_csv(text);
  if (!parsed) {
    const auto& items = parsed.error().items;
    FUZZ_CHECK(!items.empty() && items.size() <= gateway::max_roster_errors + 1);
    for (const auto& e : items) {
      FUZZ_CHECK(!e.message.empty());
      FUZZ_CHECK(!gateway::to_string(e).empty());
    }
    return 0;
  }
  std::set<std::string> numbers;
  std::size_t last_line = 1;  // the header
  for (const auto& row : *parsed) {
    FUZZ_CHECK(gateway::is_valid_member_no(row.member_no));
    FUZZ_CHECK(numbers.insert(row.member_no).second);
    FUZZ_CHECK(row.line > last_line);
    last_line = row.line;
    FUZZ_CHECK(!row.name.empty() && row.name.size() <= gateway::max_name_length);
    for (const unsigned char c : row.name) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
    if (const auto* h = std::get_if<gateway::hashed_password>(&row.password)) {
      FUZZ_CHECK(gateway::is_valid_password_hash(h->hash));
    } else {
      FUZZ_CHECK(!std::get<gateway::initial_password>(row.password).text().empty());
    }
  }
  return 0;
}

}  // namespace checkin::fuzz
