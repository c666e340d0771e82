#include "store/schema.hpp"

#include <algorithm>
#include <limits>

namespace checkin::store {

schema_action decide_schema(std::optional<std::uint64_t> stored_version,
                            environment_contents contents) noexcept {
  if (!stored_version) {
    return contents == environment_contents::empty ? schema_action::initialize
                                                   : schema_action::refuse;
  }
  if (*stored_version == current_schema_version) return schema_action::open;
  // Version 2 only added databases, so a version 1 store upgrades in place.
  if (*stored_version == 1) return schema_action::upgrade;
  return schema_action::refuse;
}

std::optional<std::size_t> grown_map_size(std::size_t current, std::size_t limit) noexcept {
  if (current >= limit) return std::nullopt;
  const std::size_t doubled =
      current > std::numeric_limits<std::size_t>::max() / 2 ? limit : current * 2;
  return std::min(std::max(doubled, current + 1), limit);
}

}  // namespace checkin::store
