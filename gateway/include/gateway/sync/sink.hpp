#pragma once
// A destination for sealed batches: the membership system's webhook, its PostgreSQL database.
// The delivery loop (sync/delivery.hpp) owns retries and bookkeeping; a sink makes one attempt
// and says how it went.

#include "store/records.hpp"

#include <string>
#include <string_view>

namespace checkin::gateway::sync {

enum class delivery_status : std::uint8_t {
  delivered,  // the receiver has the batch (now, or already had it): never send it again
  retry,      // transient (5xx, timeout, connection error): try again later, with backoff
  failed,     // the receiver refused it for good (4xx other than 409): park it for an operator
};
[[nodiscard]] std::string_view to_string(delivery_status s) noexcept;

struct delivery_result {
  delivery_status status = delivery_status::retry;
  // What happened, for logs and `sync status`: "HTTP 503", "timed out after 10s",
  // "connection refused", "already delivered (409)". Never holds secrets.
  std::string detail;
};

class sink {
 public:
  virtual ~sink() = default;
  // Unique among the configured sinks; stored with the delivery state of every batch.
  [[nodiscard]] virtual const std::string& name() const noexcept = 0;
  // One attempt. Blocking; called from the sync thread only, one batch at a time. Must return
  // within the sink's own timeouts and must not throw for I/O failures (they are `retry`).
  [[nodiscard]] virtual delivery_result deliver(const store::sealed_batch& batch) = 0;
};

}  // namespace checkin::gateway::sync
