// Session tokens: mint (Ed25519 sign), decode without the signature check, parse_and_verify
// (decode + Ed25519 verify on every call: the cold path; and with the signing key at hand, which
// re-signs instead), and the gateway's token_memo when it hits (one poster scanned by a whole
// hall) and when every text is new (it verifies and evicts), without and with the signing key.

#include "bench_support.hpp"
#include "gateway/token_memo.hpp"
#include "tokens/base32.hpp"
#include "tokens/key_ring.hpp"
#include "tokens/program.hpp"
#include "tokens/session_token.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace {

using namespace checkin;

// One signing key, the program and the poster token of one of its sessions.
struct token_setup {
  tokens::meeting_program program = bench::program_in_progress(8);
  tokens::signing_key key = tokens::signing_key::generate();
  tokens::key_ring ring;
  tokens::session_claims claims;
  std::string text;

  token_setup() : claims(tokens::poster_claims(program, program.sessions.at(1))) {
    ring.add(key.public_part());
    text = tokens::mint(claims, key, program.qr_prefix);
  }
};

const token_setup& setup() {
  static const token_setup s;
  return s;
}

void BM_token_mint(benchmark::State& state) {
  const auto& s = setup();
  for (auto _ : state) {
    auto text = tokens::mint(s.claims, s.key, s.program.qr_prefix);
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_token_mint)->MinTime(0.2);

// The text → claims half of parse_and_verify, without the key lookup and the signature.
void BM_token_decode_only(benchmark::State& state) {
  const auto& s = setup();
  const std::string_view body = std::string_view(s.text).substr(s.program.qr_prefix.size());
  for (auto _ : state) {
    auto bytes = tokens::base32_decode(body);
    auto decoded = tokens::decode_token_bytes(*bytes);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_token_decode_only)->MinTime(0.2);

// Every call decodes and runs the Ed25519 verification: nothing is cached below the memo.
void BM_token_verify_cold(benchmark::State& state) {
  const auto& s = setup();
  if (!tokens::parse_and_verify(s.text, s.ring, s.program.qr_prefix)) {
    state.SkipWithError("the bench token does not verify");
    return;
  }
  for (auto _ : state) {
    auto verified = tokens::parse_and_verify(s.text, s.ring, s.program.qr_prefix);
    benchmark::DoNotOptimize(verified);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_token_verify_cold)->MinTime(0.2);

// The same, for a gateway that holds the token's signing key: the signature is recomputed and
// compared (tokens::verify_own_signature) instead of verified.
void BM_token_verify_cold_own_key(benchmark::State& state) {
  const auto& s = setup();
  if (!tokens::parse_and_verify(s.text, s.ring, s.program.qr_prefix, &s.key)) {
    state.SkipWithError("the bench token does not verify");
    return;
  }
  for (auto _ : state) {
    auto verified = tokens::parse_and_verify(s.text, s.ring, s.program.qr_prefix, &s.key);
    benchmark::DoNotOptimize(verified);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_token_verify_cold_own_key)->MinTime(0.2);

// A hall scanning one poster: the memo answers from its LRU (lookup, splice, copy of the claims).
void BM_token_verify_memo_hit(benchmark::State& state) {
  const auto& s = setup();
  gateway::token_memo memo(s.ring, s.program.qr_prefix, 100'000);
  (void)memo.verify(s.text);
  for (auto _ : state) {
    auto looked_up = memo.verify(s.text);
    benchmark::DoNotOptimize(looked_up);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_token_verify_memo_hit)->MinTime(0.2);

// Distinct valid tokens cycling through a memo far smaller than their number: every lookup
// misses, verifies, inserts and evicts (the worst case: slot tokens, or a flood of new texts).
// Arg 1: the memo holds the signing key (the gateway with [keys] signing), so it re-signs.
void BM_token_verify_memo_miss(benchmark::State& state) {
  const auto& s = setup();
  const bool own_key = state.range(0) != 0;
  static const std::vector<std::string> texts = [&s] {
    std::vector<std::string> out;
    for (int i = 0; i < 4096; ++i) {
      auto c = s.claims;
      c.valid_from -= std::chrono::seconds{i};  // a different payload, so a different text
      out.push_back(tokens::mint(c, s.key, s.program.qr_prefix));
    }
    return out;
  }();
  gateway::token_memo memo(s.ring, s.program.qr_prefix, 256,  // 16 per shard
                           own_key ? &s.key : nullptr);
  std::size_t next = 0;
  std::int64_t hits = 0;
  for (auto _ : state) {
    auto looked_up = memo.verify(texts[next]);
    hits += looked_up.hit ? 1 : 0;
    benchmark::DoNotOptimize(looked_up);
    next = next + 1 == texts.size() ? 0 : next + 1;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hits"] = static_cast<double>(hits);
}
BENCHMARK(BM_token_verify_memo_miss)->ArgName("own_key")->Arg(0)->Arg(1)->MinTime(0.2);

}  // namespace

BENCHMARK_MAIN();
