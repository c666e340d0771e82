#pragma once
// The gateway fuzz_http drives: the services cmd_serve wires for `serve --demo`, built once per
// process, with what makes every request's answer depend on its bytes alone where it can:
//   - the embedded demo program, plus one session (FUZZ-OPEN) open from 2026 to 2099, so a
//     poster token in a seed scans as "recorded"/"duplicate" on any day; the demo's own
//     sessions answer outside_window;
//   - the demo roster (password demo-pass), hashed at libsodium's cheapest cost;
//   - fixed signing and bearer keys (fuzz_keys.hpp), so tokens in the seeds stay valid;
//   - an organizer key and a display key (below) for the organizer and projector routes;
//   - rate limits and login lockouts too generous to trip, so earlier inputs do not change
//     later answers (the limiters' code still runs).
// Recorded scans do persist across inputs (a member's second scan is a duplicate), as they do
// on a real gateway.

#include "gateway/app.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace checkin::fuzz {

inline constexpr std::string_view fuzz_organizer_key =
    "org_FUZZORGANIZERKEYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
inline constexpr std::string_view fuzz_display_key =
    "dsp_FUZZDISPLAYKEYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

class http_rig {
 public:
  // The one rig of this process, made on first use (its scratch directory goes at exit).
  static http_rig& instance();

  struct outcome {
    std::optional<gateway::response> answer;
    std::string failure;  // what handle() threw, when it did
  };
  // gateway_app::handle(ctx) to completion on this rig's io_context, including the waits for
  // the committer and the password pool.
  outcome handle(gateway::request_context& ctx);

  http_rig(const http_rig&) = delete;
  http_rig& operator=(const http_rig&) = delete;
  ~http_rig();

 private:
  http_rig();
  struct services;

  std::filesystem::path dir_;
  std::unique_ptr<services> s_;

 public:
  const gateway::gateway_config& config;
  gateway::gateway_app& app;
};

}  // namespace checkin::fuzz
