#pragma once
// Small pieces shared by the handler files of gateway_app.

#include "gateway/http_types.hpp"

namespace checkin::gateway {

// True when the request has no Content-Type or an application/json one.
[[nodiscard]] bool json_content_type(const request& req);
// The credential of "Authorization: Bearer <credential>", if the header has that form.
[[nodiscard]] std::optional<std::string_view> bearer_of(const request& req);

}  // namespace checkin::gateway
