#pragma once
// The QR texts the simulated phones scan, minted with the meeting's signing key before the
// load starts (signing during the run would take CPU from the gateway).

#include "loadtest/scenario.hpp"
#include "tokens/program.hpp"
#include "tokens/signing_key.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace checkin::loadtest {

struct session_tokens {
  std::vector<std::string> poster;    // by scenario session index
  std::vector<std::string> forged;    // the poster with one signature character changed
  std::vector<std::string> distinct;  // distinct scenario: one text per request index
};

// Poster and forged texts for `sessions` (scenario session index → program session).
[[nodiscard]] session_tokens mint_session_tokens(
    const tokens::meeting_program& program,
    const std::vector<const tokens::session_info*>& sessions, const tokens::signing_key& key);

// Fills tokens.distinct with `count` texts that the gateway has never seen: request i gets
// its session's poster claims with valid_until moved i/sessions seconds later (the gateway
// checks the signature and the window, not that the window equals the program's), so no two
// requests share a text. Signs on `threads` threads.
void mint_distinct_tokens(session_tokens& tokens, const tokens::meeting_program& program,
                          const std::vector<const tokens::session_info*>& sessions,
                          const tokens::signing_key& key, const scenario_shape& shape,
                          std::uint64_t count, unsigned threads);

}  // namespace checkin::loadtest
