#include "store/records.hpp"

namespace checkin::store {

std::string_view to_string(member_status s) noexcept {
  switch (s) {
    case member_status::active:
      return "active";
    case member_status::inactive:
      return "inactive";
  }
  return "unknown";
}

std::string_view to_string(batch_part_kind k) noexcept {
  switch (k) {
    case batch_part_kind::main:
      return "main";
    case batch_part_kind::supplementary:
      return "supplementary";
  }
  return "unknown";
}

std::string_view to_string(delivery_state s) noexcept {
  switch (s) {
    case delivery_state::pending:
      return "pending";
    case delivery_state::delivered:
      return "delivered";
    case delivery_state::failed:
      return "failed";
  }
  return "unknown";
}

}  // namespace checkin::store
