#include "gateway/api_error.hpp"

namespace checkin::gateway {

namespace http = boost::beast::http;

std::string_view code(api_error e) noexcept {
  switch (e) {
    case api_error::malformed_request: return "malformed_request";
    case api_error::unauthorized: return "unauthorized";
    case api_error::invalid_credentials: return "invalid_credentials";
    case api_error::member_inactive: return "member_inactive";
    case api_error::forbidden: return "forbidden";
    case api_error::not_found: return "not_found";
    case api_error::method_not_allowed: return "method_not_allowed";
    case api_error::payload_too_large: return "payload_too_large";
    case api_error::unsupported_media_type: return "unsupported_media_type";
    case api_error::invalid_token: return "invalid_token";
    case api_error::unknown_key: return "unknown_key";
    case api_error::outside_window: return "outside_window";
    case api_error::unknown_session: return "unknown_session";
    case api_error::headers_too_large: return "headers_too_large";
    case api_error::too_many_requests: return "too_many_requests";
    case api_error::too_many_attempts: return "too_many_attempts";
    case api_error::internal: return "internal";
    case api_error::unavailable: return "unavailable";
    case api_error::not_implemented: return "not_implemented";
  }
  return "internal";
}

http::status status_of(api_error e) noexcept {
  switch (e) {
    case api_error::malformed_request: return http::status::bad_request;
    case api_error::unauthorized:
    case api_error::invalid_credentials: return http::status::unauthorized;
    case api_error::member_inactive:
    case api_error::forbidden: return http::status::forbidden;
    case api_error::not_found: return http::status::not_found;
    case api_error::method_not_allowed: return http::status::method_not_allowed;
    case api_error::payload_too_large: return http::status::payload_too_large;
    case api_error::unsupported_media_type: return http::status::unsupported_media_type;
    case api_error::invalid_token:
    case api_error::unknown_key:
    case api_error::outside_window:
    case api_error::unknown_session: return http::status::unprocessable_entity;
    case api_error::headers_too_large: return http::status::request_header_fields_too_large;
    case api_error::too_many_requests:
    case api_error::too_many_attempts: return http::status::too_many_requests;
    case api_error::internal: return http::status::internal_server_error;
    case api_error::unavailable: return http::status::service_unavailable;
    case api_error::not_implemented: return http::status::not_implemented;
  }
  return http::status::internal_server_error;
}

}  // namespace checkin::gateway
