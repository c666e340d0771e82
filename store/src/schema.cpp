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
  // Versions 2 and 3 only added databases and meta entries, so older stores upgrade in place.
  if (*stored_version == 1 || *stored_version == 2) return schema_action::upgrade;
  return schema_action::refuse;
}

std::optional<std::size_t> grown_map_size(std::size_t current, std::size_t limit) noexcept {
  if (current >= limit) return std::nullopt;
  const std::size_t doubled =
      current > std::numeric_limits<std::size_t>::max() / 2 ? limit : current * 2;
  return std::min(std::max(doubled, current + 1), limit);
}

}  // namespace checkin::store
