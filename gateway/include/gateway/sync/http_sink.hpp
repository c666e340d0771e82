#pragma once
// The webhook sink: POSTs each sealed batch to the membership system, signed with HMAC-SHA256.
// The wire format and the signature scheme are documented in docs/sync.md.

#include "gateway/sync/sink.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace checkin::gateway::sync {

struct http_sink_options {
  std::string name = "membership-webhook";
  std::string url;     // http://host[:port]/path or https://host[:port]/path
  std::string secret;  // the shared HMAC key (bytes as read from the secret file, trailing newline cut)
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{5}};
  std::chrono::milliseconds request_timeout{std::chrono::seconds{30}};  // send + answer
  std::optional<std::filesystem::path> ca_file;  // https: trust these instead of the system store
};

// Throws std::invalid_argument naming the problem when the URL cannot be used or the secret is
// empty (a configuration error, reported at start-up).
[[nodiscard]] std::unique_ptr<sink> make_http_sink(http_sink_options options);

}  // namespace checkin::gateway::sync
