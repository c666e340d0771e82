#include "gateway/display_slots.hpp"

#include <algorithm>

namespace checkin::gateway {

std::vector<tokens::session_claims> display_slots(const tokens::meeting_program& program,
                                                  const tokens::session_info& session,
                                                  tokens::sys_seconds now,
                                                  std::chrono::seconds slot_seconds,
                                                  unsigned ahead) {
  std::vector<tokens::session_claims> out;
  if (slot_seconds.count() <= 0) return out;
  const auto window = tokens::poster_claims(program, session);
  const auto n = slot_seconds.count();
  const auto now_s = now.time_since_epoch().count();
  // Floor division: Unix times before 1970 do not occur, but stay correct anyway.
  const auto first = (now_s >= 0 ? now_s / n : (now_s - n + 1) / n) * n;
  for (unsigned k = 0; k <= ahead; ++k) {
    const tokens::sys_seconds start{std::chrono::seconds{first + static_cast<long long>(k) * n}};
    // The window may open inside a slot: ask for the slot at the later of the two times.
    auto slot =
        tokens::slot_claims(program, session, std::max(start, window.valid_from), slot_seconds);
    if (slot && slot->valid_from == start) out.push_back(std::move(*slot));
  }
  return out;
}

}  // namespace checkin::gateway
