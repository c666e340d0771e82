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

}  // namespace checkin::store
