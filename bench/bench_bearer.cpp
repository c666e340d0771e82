// Bearer tokens (HMAC-SHA-256): issuing one at login, and the check every scan request pays,
// for a valid token and for one made with another gateway's secret.

#include "gateway/bearer_token.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

namespace {

using namespace checkin;
using namespace std::chrono;

constexpr seconds ttl = hours{24 * 7};

sys_seconds now() { return floor<seconds>(system_clock::now()); }

void BM_bearer_issue(benchmark::State& state) {
  const auto issuer = gateway::bearer_issuer::generate();
  const auto at = now();
  for (auto _ : state) {
    auto token = issuer.issue("100001", at, ttl);
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_bearer_issue)->MinTime(0.2);

void BM_bearer_check(benchmark::State& state) {
  const auto issuer = gateway::bearer_issuer::generate();
  const auto at = now();
  const std::string token = issuer.issue("100001", at, ttl);
  if (!issuer.check(token, at)) {
    state.SkipWithError("a fresh token does not check");
    return;
  }
  for (auto _ : state) {
    auto claims = issuer.check(token, at);
    benchmark::DoNotOptimize(claims);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_bearer_check)->MinTime(0.2);

// Refused after the MAC comparison, before the payload is parsed.
void BM_bearer_check_bad_mac(benchmark::State& state) {
  const auto issuer = gateway::bearer_issuer::generate();
  const auto at = now();
  const std::string token = gateway::bearer_issuer::generate().issue("100001", at, ttl);
  if (const auto c = issuer.check(token, at); c || c.error() != gateway::bearer_error::bad_mac) {
    state.SkipWithError("a foreign token is not refused as bad_mac");
    return;
  }
  for (auto _ : state) {
    auto claims = issuer.check(token, at);
    benchmark::DoNotOptimize(claims);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_bearer_check_bad_mac)->MinTime(0.2);

}  // namespace

BENCHMARK_MAIN();
