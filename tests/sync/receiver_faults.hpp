#pragma once
// What the fault receiver does to the next delivery request: nothing, answer with a chosen
// status, hang, answer late, drop the connection, or store the batch and then drop (the ack
// is lost, so the sender's retry must turn into a duplicate). Pure logic, no sockets.

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <string_view>

namespace checkin::testing {

enum class fault_kind : std::uint8_t {
  none,              // handle normally
  status,            // answer `status` without looking at the request
  hang,              // never answer; keep the connection open until the sender gives up
  slow,              // wait `delay`, then handle normally (the batch is stored late)
  drop,              // close the connection without answering; nothing stored
  accept_then_drop,  // store the batch durably, then close without answering
};

struct fault {
  fault_kind kind = fault_kind::none;
  unsigned status = 500;
  std::chrono::milliseconds delay{0};
};

class fault_plan {
 public:
  // Queued faults apply first, in order, `count` requests each.
  void push(fault f, unsigned count);
  // Afterwards, each request gets a fault with probability `rate`: 500, drop or slow (`delay`)
  // with equal chance, from a generator seeded with `seed` (the same run twice fails alike).
  void set_random(double rate, std::uint64_t seed, std::chrono::milliseconds delay);
  void clear();
  // The fault for the next delivery request (kind none when there is none).
  [[nodiscard]] fault next();

  // Applies a POST /control body; returns an error text, empty on success:
  //   {"fault":"status","status":500,"count":2}   {"fault":"hang"}   {"fault":"drop"}
  //   {"fault":"slow","delay_ms":800}   {"fault":"accept_then_drop"}   {"fault":"none"} (clear)
  //   {"fault":"random","rate":0.3,"seed":42,"delay_ms":400}
  // "count" defaults to 1.
  [[nodiscard]] std::string apply_control(const boost::json::object& command);

 private:
  struct queued {
    fault what;
    unsigned left;
  };
  std::deque<queued> queue_;
  double rate_ = 0.0;
  std::chrono::milliseconds random_delay_{0};
  std::mt19937_64 rng_{1};
};

}  // namespace checkin::testing
