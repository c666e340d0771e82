#include "gateway/sync/sink.hpp"

namespace checkin::gateway::sync {

std::string_view to_string(delivery_status s) noexcept {
  switch (s) {
    case delivery_status::delivered:
      return "delivered";
    case delivery_status::retry:
      return "retry";
    case delivery_status::failed:
      return "failed";
  }
  return "unknown";
}

}  // namespace checkin::gateway::sync
