#include "loadtest/scenario.hpp"

#include <array>
#include <utility>

namespace checkin::loadtest {
namespace {

constexpr std::array<std::pair<scenario_kind, std::string_view>, 6> names{{
    {scenario_kind::burst, "burst"},
    {scenario_kind::steady, "steady"},
    {scenario_kind::distinct, "distinct"},
    {scenario_kind::backlog, "backlog"},
    {scenario_kind::duplicates, "duplicates"},
    {scenario_kind::mixed, "mixed"},
}};

struct pair_index {
  std::uint32_t member;
  std::uint32_t session;
};

// Session-major: all of hall 0, then all of hall 1 (a lecture-start burst per hall).
pair_index burst_pair(const scenario_shape& s, std::uint64_t i) {
  return {static_cast<std::uint32_t>(i % s.members), static_cast<std::uint32_t>(i / s.members)};
}

// Session-interleaved: consecutive requests go to different sessions. A bijection from
// [0, members*sessions) onto the pairs, so no pair repeats.
pair_index steady_pair(const scenario_shape& s, std::uint64_t i) {
  return {static_cast<std::uint32_t>((i / s.sessions) % s.members),
          static_cast<std::uint32_t>(i % s.sessions)};
}

// splitmix64: a well-mixed, reproducible choice of request kind per index.
std::uint64_t mix(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

request_kind mixed_kind(const scenario_shape& s, std::uint64_t i) {
  const auto roll = static_cast<std::uint32_t>(mix(i) % 1000);
  if (roll < s.invalid_token_permille) return request_kind::invalid_token;
  if (roll < s.invalid_token_permille + s.bad_bearer_permille) return request_kind::bad_bearer;
  if (roll < s.invalid_token_permille + s.bad_bearer_permille + s.bad_login_permille) {
    return request_kind::bad_login;
  }
  return request_kind::scan;
}

}  // namespace

std::string_view to_string(scenario_kind k) noexcept {
  for (const auto& [kind, name] : names) {
    if (kind == k) return name;
  }
  return "unknown";
}

std::optional<scenario_kind> scenario_from_string(std::string_view s) noexcept {
  for (const auto& [kind, name] : names) {
    if (name == s) return kind;
  }
  return std::nullopt;
}

std::optional<std::string> check_shape(const scenario_shape& s) {
  if (s.members == 0) return "members must be at least 1";
  if (s.sessions == 0) return "sessions must be at least 1";
  if (s.kind == scenario_kind::backlog && (s.batch_size == 0 || s.batch_size > s.sessions)) {
    return "batch size must be 1.." + std::to_string(s.sessions) +
           " (one scan per session in a backlog)";
  }
  if (s.kind == scenario_kind::duplicates && s.repeats == 0) return "repeats must be at least 1";
  if (s.invalid_token_permille + s.bad_bearer_permille + s.bad_login_permille > 1000) {
    return "the shares of bad requests add up to more than 1000 per mille";
  }
  return std::nullopt;
}

std::uint64_t plan_capacity(const scenario_shape& s) noexcept {
  const std::uint64_t pairs = std::uint64_t{s.members} * s.sessions;
  switch (s.kind) {
    case scenario_kind::backlog:
      return s.batch_size == 0 ? 0 : std::uint64_t{s.members} * (s.sessions / s.batch_size);
    case scenario_kind::duplicates:
      return pairs * s.repeats;
    default:
      return pairs;
  }
}

planned_request plan_request(const scenario_shape& s, std::uint64_t i) noexcept {
  switch (s.kind) {
    case scenario_kind::burst: {
      const auto p = burst_pair(s, i);
      return {request_kind::scan, p.member, p.session, 0};
    }
    case scenario_kind::distinct: {
      const auto p = steady_pair(s, i);
      return {request_kind::scan, p.member, p.session, i};
    }
    case scenario_kind::backlog: {
      const auto block = static_cast<std::uint32_t>(i / s.members);
      return {request_kind::batch, static_cast<std::uint32_t>(i % s.members), block * s.batch_size,
              0};
    }
    case scenario_kind::duplicates: {
      const auto p = steady_pair(s, i / s.repeats);
      return {request_kind::scan, p.member, p.session, 0};
    }
    case scenario_kind::mixed: {
      const auto p = steady_pair(s, i);
      return {mixed_kind(s, i), p.member, p.session, 0};
    }
    case scenario_kind::steady:
      break;
  }
  const auto p = steady_pair(s, i);
  return {request_kind::scan, p.member, p.session, 0};
}

}  // namespace checkin::loadtest
