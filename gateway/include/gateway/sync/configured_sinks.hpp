#pragma once
// The sinks named in the configuration ([[sync.http]], [[sync.postgresql]]), built and ready.

#include "gateway/config.hpp"
#include "gateway/sync/sink.hpp"

#include <memory>
#include <vector>

namespace checkin::gateway::sync {

// Reads each secret_file / conninfo_file (a trailing newline is dropped). Throws
// std::runtime_error naming the sink and the problem: a missing or empty secret file, a URL the
// HTTP sink cannot use.
[[nodiscard]] std::vector<std::unique_ptr<sink>> configured_sinks(const gateway_config& config);

// The configured sink names, HTTP sinks first, in configuration order.
[[nodiscard]] std::vector<std::string> configured_sink_names(const gateway_config& config);

}  // namespace checkin::gateway::sync
