#pragma once
// The venue screens' static files (gateway/web/), compiled into the binary by
// checkin_embed_text: the two page shells and their scripts and style sheet. No data and no
// secrets: the pages fetch everything through the JSON API with a key the user supplies.

#include <string_view>

namespace checkin::gateway {

struct web_asset {
  std::string_view name;          // file name, e.g. "dashboard.js"
  std::string_view content_type;  // with charset
  std::string_view body;
};

// The asset called `name`, or nullptr. Names are plain file names (no folders).
[[nodiscard]] const web_asset* find_web_asset(std::string_view name) noexcept;

}  // namespace checkin::gateway
