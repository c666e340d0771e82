// Venue screens: GET /v1/display/{session}/slots (the projector's rotating codes, for a display
// or organizer key), and the page shells GET /dashboard, GET /display/{session} with their
// assets under /assets/. The shells hold no data and need no key: the key stays in the
// browser (URL fragment or a form, then sessionStorage) and goes only into the
// Authorization header of the pages' JSON requests, so it never reaches a log.

#include "app_internal.hpp"
#include "async_bridge.hpp"
#include "gateway/app.hpp"
#include "gateway/display_slots.hpp"
#include "gateway/qr_svg.hpp"
#include "gateway/scan_request.hpp"
#include "tokens/rfc3339.hpp"
#include "tokens/session_token.hpp"
#include "web_assets.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

namespace checkin::gateway {

namespace json = boost::json;
using namespace std::chrono;

namespace {

// Pages and their files may load only from this origin: no inline script or style, no CDN.
// The projector's QR arrives as SVG markup inside JSON and is parsed, not loaded.
constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

response asset_response(const web_asset& asset) {
  auto res = text_response(http::status::ok, std::string(asset.body), asset.content_type);
  res.set("Content-Security-Policy", content_security_policy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set(http::field::cache_control, "no-cache");
  return res;
}

response asset_response(std::string_view name) {
  const auto* asset = find_web_asset(name);
  if (!asset) return error_response(api_error::not_found, "no such file");
  return asset_response(*asset);
}

json::object slot_json(const tokens::session_claims& claims, const tokens::signing_key& key,
                       const tokens::meeting_program& program) {
  auto text = tokens::mint(claims, key, program.qr_prefix);
  json::object o;
  o["valid_from"] = tokens::format_rfc3339(claims.valid_from, program.utc_offset);
  o["valid_until"] = tokens::format_rfc3339(claims.valid_until, program.utc_offset);
  o["svg"] = qr_svg(tokens::encode_qr(text));
  o["qr_text"] = std::move(text);
  return o;
}

}  // namespace

std::optional<response> gateway_app::check_display(const request_context& ctx) const {
  const auto key = bearer_of(ctx.req);
  if (!key) {
    return error_response(api_error::unauthorized,
                          "a display or organizer key is required (Authorization: Bearer <key>)");
  }
  if (s_.displays.empty() && s_.organizers.empty()) {
    return error_response(api_error::unauthorized,
                          "no display or organizer keys are configured ([[display.keys]])");
  }
  if (!s_.displays.match(*key) && !s_.organizers.match(*key)) {
    return error_response(api_error::unauthorized, "the display key is not valid");
  }
  return std::nullopt;
}

net::awaitable<response> gateway_app::projector_codes(request_context& ctx) {
  if (auto denied = check_display(ctx)) co_return std::move(*denied);
  const std::string session_id{ctx.param("session")};
  const auto* session = s_.program.find(session_id);
  if (!session) {
    co_return error_response(api_error::not_found, "no session " + session_id + " in the program");
  }
  if (!s_.signing) {
    co_return error_response(api_error::unavailable, "no signing key configured ([keys] signing)",
                             minutes{1});
  }
  // Signing and QR encoding are CPU work: off the I/O threads, like the reports.
  auto build = [this, session]() -> response {
    try {
      const auto& p = s_.program;
      const auto now = time_point_cast<milliseconds>(system_clock::now());
      const auto& c = s_.config;
      json::array slots;
      for (const auto& claims : display_slots(p, *session, floor<seconds>(now),
                                              c.display_slot_seconds, c.display_slots_ahead)) {
        slots.emplace_back(slot_json(claims, *s_.signing, p));
      }
      const auto window = tokens::poster_claims(p, *session);
      json::object out;
      out["server_time"] = tokens::format_rfc3339_ms(now, p.utc_offset);
      out["slot_seconds"] = c.display_slot_seconds.count();
      out["grace_seconds"] = c.scans.slot_grace.count();
      out["meeting"] = json::object{{"id", p.id}, {"name", p.name}};
      out["session"] = json::object{
          {"id", session->id},
          {"title", session->title},
          {"room", session->room},
          {"starts_at", tokens::format_rfc3339(session->starts_at, p.utc_offset)},
          {"ends_at", tokens::format_rfc3339(session->ends_at, p.utc_offset)},
          {"credit_kind", tokens::to_string(session->kind)},
          {"units", units_json(session->units.hundredths)},
          {"scan_opens_at", tokens::format_rfc3339(window.valid_from, p.utc_offset)},
          {"scan_closes_at", tokens::format_rfc3339(window.valid_until, p.utc_offset)}};
      out["slots"] = std::move(slots);
      auto res = json_response(http::status::ok, out);
      res.set(http::field::cache_control, "no-store");  // live codes: never from a cache
      return res;
    } catch (const std::exception& e) {
      spdlog::error("display slots for {} failed: {}", session->id, e.what());
      return error_response(api_error::internal, "internal error");
    }
  };
  auto building =
      detail::async_run_on(s_.password_pool.get_executor(), std::move(build), net::use_awaitable);
  co_return co_await std::move(building);
}

net::awaitable<response> gateway_app::dashboard_page(request_context&) {
  co_return asset_response("dashboard.html");
}

net::awaitable<response> gateway_app::display_page(request_context& ctx) {
  // The session id is not secret (it is on the door poster); an unknown one is a typo.
  if (!s_.program.find(ctx.param("session"))) {
    co_return error_response(api_error::not_found, "no such session in the program");
  }
  co_return asset_response("display.html");
}

net::awaitable<response> gateway_app::asset_file(request_context& ctx) {
  co_return asset_response(ctx.param("name"));
}

}  // namespace checkin::gateway
