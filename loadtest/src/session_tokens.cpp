#include "loadtest/session_tokens.hpp"

#include "tokens/session_token.hpp"

#include <algorithm>
#include <thread>

namespace checkin::loadtest {

session_tokens mint_session_tokens(const tokens::meeting_program& program,
                                   const std::vector<const tokens::session_info*>& sessions,
                                   const tokens::signing_key& key) {
  session_tokens t;
  for (const auto* s : sessions) {
    auto text = tokens::mint(tokens::poster_claims(program, *s), key, program.qr_prefix);
    // A character well inside the signature: base32 keeps all its bits, so the signature
    // changes and verification fails with bad_signature (memoized by the gateway).
    auto forged = text;
    auto& c = forged[forged.size() - 20];
    c = c == 'A' ? 'B' : 'A';
    t.poster.push_back(std::move(text));
    t.forged.push_back(std::move(forged));
  }
  return t;
}

void mint_distinct_tokens(session_tokens& t, const tokens::meeting_program& program,
                          const std::vector<const tokens::session_info*>& sessions,
                          const tokens::signing_key& key, const scenario_shape& shape,
                          std::uint64_t count, unsigned threads) {
  t.distinct.assign(count, std::string{});
  threads = std::max(1u, threads);
  const auto mint_range = [&](std::uint64_t from, std::uint64_t to) {
    for (std::uint64_t i = from; i < to; ++i) {
      const auto req = plan_request(shape, i);
      auto claims = tokens::poster_claims(program, *sessions[req.session]);
      claims.valid_until += std::chrono::seconds{static_cast<std::int64_t>(i / shape.sessions)};
      t.distinct[i] = tokens::mint(std::move(claims), key, program.qr_prefix);
    }
  };
  std::vector<std::thread> pool;
  const std::uint64_t step = (count + threads - 1) / threads;
  for (unsigned k = 0; k < threads; ++k) {
    const auto from = std::min(count, step * k);
    const auto to = std::min(count, from + step);
    pool.emplace_back(mint_range, from, to);
  }
  for (auto& th : pool) th.join();
}

}  // namespace checkin::loadtest
