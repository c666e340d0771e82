#pragma once
// Routing as a data table: (method, path pattern) → handler. Patterns are literal
// segments and {name} captures of one non-empty segment, e.g. /v1/sessions/{id}/attendance.
// A HEAD request matches the GET route of its path.

#include "gateway/http_types.hpp"

#include <string>
#include <vector>

namespace checkin::gateway {

struct route {
  http::verb method;
  std::string pattern;
  handler handle;
};

class router {
 public:
  void add(http::verb method, std::string pattern, handler h);

  struct match_result {
    const route* matched = nullptr;
    bool path_known = false;  // some route has this path with another method (→ 405)
  };
  // Fills ctx.path_params on a match. Pure: no I/O.
  [[nodiscard]] match_result match(http::verb method, std::string_view path,
                                   request_context& ctx) const;

  [[nodiscard]] const std::vector<route>& routes() const noexcept { return routes_; }

 private:
  std::vector<route> routes_;
};

}  // namespace checkin::gateway
