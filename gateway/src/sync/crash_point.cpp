#include "gateway/sync/crash_point.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace checkin::gateway::sync {

std::optional<crash_step> parse_crash_step(std::string_view text) noexcept {
  for (const auto step : {crash_step::none, crash_step::after_seal, crash_step::before_send,
                          crash_step::after_send_before_ack}) {
    if (text == to_string(step)) return step;
  }
  return std::nullopt;
}

std::string_view to_string(crash_step step) noexcept {
  switch (step) {
    case crash_step::none: return "";
    case crash_step::after_seal: return "after_seal";
    case crash_step::before_send: return "before_send";
    case crash_step::after_send_before_ack: return "after_send_before_ack";
  }
  return "";
}

crash_step crash_step_from_environment() {
  const char* text = std::getenv("CHECKIN_TEST_CRASH_AT");
  if (!text) return crash_step::none;
  const auto step = parse_crash_step(text);
  if (!step) {
    throw std::runtime_error(std::string("CHECKIN_TEST_CRASH_AT=") + text +
                             ": expected after_seal, before_send or after_send_before_ack");
  }
  return *step;
}

void crash_if(crash_step configured, crash_step here) noexcept {
  if (configured == crash_step::none || configured != here) return;
  // Straight to stderr, unbuffered: the test reads it to see where the process ended.
  std::fprintf(stderr, "CHECKIN_TEST_CRASH_AT=%s: exiting now (test only)\n", to_string(here).data());
  std::_Exit(crash_exit_status);
}

}  // namespace checkin::gateway::sync
