// Which codes a projector gets: the current slot and the ones ahead, inside the scan window.
#include "gateway/display_slots.hpp"

#include <gtest/gtest.h>

namespace checkin::gateway {
namespace {

using namespace std::chrono;

tokens::meeting_program program_with(sys_seconds starts, sys_seconds ends) {
  tokens::meeting_program p;
  p.id = "TEST2026";
  p.name = "テスト学会";
  p.opens_before = minutes{10};
  p.closes_after = minutes{10};
  p.sessions.push_back({"S1", "講演", "第1会場", starts, ends, tokens::credit_kind::education,
                        tokens::credit_units{100}});
  return p;
}

const sys_seconds nine{sys_days{2026y / 11 / 21} + hours{0}};  // 09:00 at +09:00

TEST(DisplaySlots, CurrentSlotAndTheNextOnesBackToBack) {
  const auto p = program_with(nine, nine + hours{1});
  const auto now = nine + minutes{20} + seconds{47};
  const auto slots = display_slots(p, p.sessions[0], now, seconds{30}, 4);
  ASSERT_EQ(slots.size(), 5u);
  EXPECT_EQ(slots[0].valid_from, nine + minutes{20} + seconds{30});
  for (std::size_t i = 0; i < slots.size(); ++i) {
    EXPECT_EQ(slots[i].type, tokens::token_type::slot);
    EXPECT_EQ(slots[i].session_id, "S1");
    EXPECT_EQ(slots[i].valid_until - slots[i].valid_from, seconds{30});
    if (i > 0) {
      EXPECT_EQ(slots[i].valid_from, slots[i - 1].valid_until);
    }
  }
  EXPECT_LE(slots[0].valid_from, now);
  EXPECT_GT(slots[0].valid_until, now);
  EXPECT_EQ(display_slots(p, p.sessions[0], now, seconds{30}, 0).size(), 1u);
}

TEST(DisplaySlots, NothingOutsideTheScanWindow) {
  const auto p = program_with(nine, nine + hours{1});
  // The window is 08:50 – 10:10.
  EXPECT_TRUE(display_slots(p, p.sessions[0], nine + minutes{70}, seconds{30}, 4).empty());
  EXPECT_TRUE(display_slots(p, p.sessions[0], nine - minutes{30}, seconds{30}, 4).empty());
  // Near the end only the slots that start before the window closes.
  const auto late =
      display_slots(p, p.sessions[0], nine + minutes{69} + seconds{10}, seconds{30}, 4);
  ASSERT_EQ(late.size(), 2u);
  EXPECT_EQ(late.back().valid_until, nine + minutes{70});
}

TEST(DisplaySlots, APageOpenedEarlyGetsTheFirstCodesOfTheWindow) {
  const auto p = program_with(nine, nine + hours{1});
  const auto opens = nine - minutes{10};
  const auto early = display_slots(p, p.sessions[0], opens - seconds{65}, seconds{30}, 4);
  ASSERT_EQ(early.size(), 2u) << "slots from 08:48:30 on: two of the five reach the window";
  EXPECT_EQ(early[0].valid_from, opens);
  // A window that opens inside a slot: that slot is included.
  const auto odd = display_slots(p, p.sessions[0], opens - seconds{3}, seconds{7}, 2);
  ASSERT_FALSE(odd.empty());
  EXPECT_LE(odd[0].valid_from, opens);
  EXPECT_GT(odd[0].valid_until, opens);
}

}  // namespace
}  // namespace checkin::gateway
