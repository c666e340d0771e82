#pragma once
// TEST ONLY: fault injection for the crash tests (tests/sync/test_sync_crash.cpp). With
// CHECKIN_TEST_CRASH_AT set, `serve` ends itself at that step of sealing and delivery, as a
// power cut or kill -9 would end it there, so a test can restart it and check that every batch
// still reaches the receiver once in effect. Unset (always, in production) it does nothing.

#include <cstdint>
#include <optional>
#include <string_view>

namespace checkin::gateway::sync {

enum class crash_step : std::uint8_t {
  none,
  after_seal,             // a batch's seal is committed; nothing sent yet
  before_send,            // a batch is about to be sent to a sink
  after_send_before_ack,  // the sink acknowledged it; the delivery is not yet recorded
};

// "after_seal", "before_send", "after_send_before_ack"; "" is none; anything else nullopt.
[[nodiscard]] std::optional<crash_step> parse_crash_step(std::string_view text) noexcept;
[[nodiscard]] std::string_view to_string(crash_step step) noexcept;

// CHECKIN_TEST_CRASH_AT, read once at start. Throws std::runtime_error on an unknown value,
// so a typo in a test cannot pass as "no crash".
[[nodiscard]] crash_step crash_step_from_environment();

// Exits at once with status 86 (no destructors, no flushing, no commit in flight finished)
// when `here` is the configured step.
void crash_if(crash_step configured, crash_step here) noexcept;

inline constexpr int crash_exit_status = 86;

}  // namespace checkin::gateway::sync
