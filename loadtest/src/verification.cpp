#include "loadtest/verification.hpp"

#include <algorithm>

namespace checkin::loadtest {
namespace {

constexpr std::size_t max_examples = 10;

void saturating_increment(std::uint8_t& n) {
  if (n < 255) ++n;
}

}  // namespace

verification verify_acknowledged(std::span<const acknowledged_scan> acknowledged,
                                 const std::vector<std::vector<std::uint32_t>>& exported,
                                 std::uint32_t members) {
  const std::size_t sessions = exported.size();
  const std::size_t pairs = std::size_t{members} * sessions;
  std::vector<std::uint8_t> recorded(pairs, 0);   // 201 answers per pair
  std::vector<std::uint8_t> duplicate(pairs, 0);  // 200 answers per pair
  std::vector<std::uint8_t> rows(pairs, 0);       // export rows per pair
  verification v;
  const auto note = [&v](std::string text) {
    if (v.examples.size() < max_examples) v.examples.push_back(std::move(text));
  };

  for (const auto& a : acknowledged) {
    if (a.member >= members || a.session >= sessions) continue;
    const auto pair = std::size_t{a.member} * sessions + a.session;
    if (a.status == 201) {
      ++v.answered_201;
      saturating_increment(recorded[pair]);
    } else {
      ++v.answered_200;
      saturating_increment(duplicate[pair]);
    }
  }
  for (std::size_t s = 0; s < sessions; ++s) {
    for (const auto m : exported[s]) {
      if (m >= members) continue;
      ++v.exported;
      saturating_increment(rows[std::size_t{m} * sessions + s]);
    }
  }
  for (std::size_t pair = 0; pair < pairs; ++pair) {
    const auto member = pair / sessions;
    const auto session = pair % sessions;
    const auto where = [&] {
      return "member #" + std::to_string(member) + " session #" + std::to_string(session);
    };
    const bool acked = recorded[pair] > 0 || duplicate[pair] > 0;
    if (acked) ++v.acknowledged_pairs;
    if (acked && rows[pair] == 0) {
      ++v.lost;
      note(where() + ": answered " + (recorded[pair] ? "201" : "200") + " but not in the export");
    } else if (rows[pair] > 1) {
      ++v.duplicated;
      note(where() + ": " + std::to_string(rows[pair]) + " rows in the export");
    } else if (recorded[pair] > 1) {
      ++v.duplicated;
      note(where() + ": answered 201 recorded " + std::to_string(recorded[pair]) + " times");
    }
    if (!acked && rows[pair] > 0) ++v.unacknowledged;
  }
  return v;
}

}  // namespace checkin::loadtest
