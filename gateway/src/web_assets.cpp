#include "web_assets.hpp"

#include <array>

namespace checkin::gateway {
namespace detail {
extern const std::string_view web_dashboard_html;
extern const std::string_view web_display_html;
extern const std::string_view web_venue_css;
extern const std::string_view web_venue_js;
extern const std::string_view web_dashboard_js;
extern const std::string_view web_display_js;
}  // namespace detail

const web_asset* find_web_asset(std::string_view name) noexcept {
  constexpr std::string_view html = "text/html; charset=utf-8";
  constexpr std::string_view css = "text/css; charset=utf-8";
  constexpr std::string_view js = "text/javascript; charset=utf-8";
  static const std::array<web_asset, 6> assets{{
      {"dashboard.html", html, detail::web_dashboard_html},
      {"display.html", html, detail::web_display_html},
      {"venue.css", css, detail::web_venue_css},
      {"venue.js", js, detail::web_venue_js},
      {"dashboard.js", js, detail::web_dashboard_js},
      {"display.js", js, detail::web_display_js},
  }};
  for (const auto& a : assets) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace checkin::gateway
