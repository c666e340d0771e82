#pragma once
// Which rotating codes a projector is given: the slot that contains `now` and the next
// `ahead` slots, so the page can keep showing codes through a short network loss. Pure:
// program, session, time and settings in; the claims to sign out.

#include "tokens/program.hpp"

#include <chrono>
#include <vector>

namespace checkin::gateway {

// Slots are tokens::slot_claims of `slot_seconds` (aligned to Unix time), in time order.
// Only slots that reach into the session's scan window (the poster window) are returned:
// none once it has closed, and before it opens only those from its opening on. So a page
// opened early gets its first code the moment scanning opens.
[[nodiscard]] std::vector<tokens::session_claims> display_slots(
    const tokens::meeting_program& program, const tokens::session_info& session,
    tokens::sys_seconds now, std::chrono::seconds slot_seconds, unsigned ahead);

}  // namespace checkin::gateway
