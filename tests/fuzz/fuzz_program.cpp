// The program loader: program.json text → parse_program. A program it accepts must be one the
// gateway can serve: every session found by its id, and a poster token mintable for each (the
// poster command, the poster.pdf route and the projector all mint from it).
#include "fuzz_check.hpp"
#include "fuzz_keys.hpp"
#include "fuzz_targets.hpp"

#include "tokens/program.hpp"
#include "tokens/session_token.hpp"

#include <cstdio>
#include <stdexcept>
#include <string_view>

namespace checkin::fuzz {

int fuzz_program(const std::uint8_t* data, std::size_t size) {
  static const tokens::signing_key key = fuzz_signing_key();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  tokens::meeting_program p;
  try {
    p = tokens::parse_program(text, "fuzz.json");
  } catch (const tokens::program_error& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with("fuzz.json"));
    return 0;
  }
  FUZZ_CHECK(tokens::is_valid_id(p.id));
  FUZZ_CHECK(!p.sessions.empty());
  FUZZ_CHECK(p.find("") == nullptr);
  for (const auto& s : p.sessions) {
    FUZZ_CHECK(p.find(s.id) == &s);
    FUZZ_CHECK(s.starts_at < s.ends_at);
    try {
      const auto claims = tokens::poster_claims(p, s);
      const auto text_of_token = tokens::mint(claims, key, p.qr_prefix);
      FUZZ_CHECK(text_of_token.size() <= tokens::max_text_length);
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "session %s: accepted by the loader, but its poster: %s\n", s.id.c_str(),
                   e.what());
      FUZZ_CHECK(!"a session of an accepted program cannot have a poster token");
    }
  }
  return 0;
}

}  // namespace checkin::fuzz
