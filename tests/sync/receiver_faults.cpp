#include "receiver_faults.hpp"

#include <boost/json/value.hpp>

namespace checkin::testing {
namespace json = boost::json;

void fault_plan::push(fault f, unsigned count) {
  if (count > 0) queue_.push_back({f, count});
}

void fault_plan::set_random(double rate, std::uint64_t seed, std::chrono::milliseconds delay) {
  rate_ = rate;
  rng_.seed(seed);
  random_delay_ = delay;
}

void fault_plan::clear() {
  queue_.clear();
  rate_ = 0.0;
}

fault fault_plan::next() {
  if (!queue_.empty()) {
    const fault f = queue_.front().what;
    if (--queue_.front().left == 0) queue_.pop_front();
    return f;
  }
  if (rate_ <= 0.0) return {};
  // Drawn by hand from the raw generator: std::uniform_*_distribution may differ between
  // standard libraries, and a seed should replay the same faults everywhere.
  const double roll = static_cast<double>(rng_() >> 11) / 9007199254740992.0;  // [0, 1)
  if (roll >= rate_) return {};
  switch (rng_() % 3) {
    case 0:
      return {fault_kind::status, 500, {}};
    case 1:
      return {fault_kind::drop, 0, {}};
    default:
      return {fault_kind::slow, 0, random_delay_};
  }
}

std::string fault_plan::apply_control(const json::object& command) {
  const auto number = [&](std::string_view key, std::int64_t fallback) -> std::int64_t {
    const auto* v = command.if_contains(key);
    if (v == nullptr) return fallback;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
    return -1;
  };
  const auto* kind_value = command.if_contains("fault");
  if (kind_value == nullptr || !kind_value->is_string()) return "\"fault\" must be a string";
  const std::string_view kind = kind_value->as_string();
  const auto count = number("count", 1);
  const auto delay = std::chrono::milliseconds{number("delay_ms", 1000)};
  if (count < 0 || delay.count() < 0) return "\"count\" and \"delay_ms\" must be >= 0";
  const auto n = static_cast<unsigned>(count);

  if (kind == "none") {
    clear();
  } else if (kind == "status") {
    const auto status = number("status", 500);
    if (status < 100 || status > 599) return "\"status\" must be 100..599";
    push({fault_kind::status, static_cast<unsigned>(status), {}}, n);
  } else if (kind == "hang") {
    push({fault_kind::hang, 0, {}}, n);
  } else if (kind == "slow") {
    push({fault_kind::slow, 0, delay}, n);
  } else if (kind == "drop") {
    push({fault_kind::drop, 0, {}}, n);
  } else if (kind == "accept_then_drop") {
    push({fault_kind::accept_then_drop, 0, {}}, n);
  } else if (kind == "random") {
    const auto* rate = command.if_contains("rate");
    if (rate == nullptr || !rate->is_number()) return "\"rate\" must be a number";
    set_random(rate->to_number<double>(), static_cast<std::uint64_t>(number("seed", 1)), delay);
  } else {
    return "unknown fault '" + std::string(kind) + "'";
  }
  return {};
}

}  // namespace checkin::testing
