#pragma once
// Small pieces shared by the handler files of gateway_app.

#include "gateway/http_types.hpp"

namespace checkin::gateway {

// True when the request has no Content-Type or an application/json one.
[[nodiscard]] bool json_content_type(const request& req);

}  // namespace checkin::gateway
