#pragma once
// A request parser set up as the server reads with it: its header and body limits, and eager
// parsing (the body is parsed as it arrives). One place, so that the fuzz target and the
// benchmark parse exactly as the server does.

#include "gateway/http_types.hpp"
#include "gateway/server.hpp"

#include <cstdint>

namespace checkin::gateway {

inline void configure_request_parser(request_parser& parser, const server_limits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
  parser.body_limit(limits.body_limit);
  parser.eager(true);
}

}  // namespace checkin::gateway
