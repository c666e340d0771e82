// Organizer routes: GET /v1/sessions, /v1/sessions/{id}/attendance, /v1/sync/status,
// /v1/credits, /v1/sessions/{id}/poster.pdf. Each needs an organizer API key. Reports are built on the worker pool, not on
// the I/O threads: a meeting-wide credit summary reads every scan.

#include "app_internal.hpp"
#include "async_bridge.hpp"
#include "gateway/app.hpp"
#include "gateway/attendance_report.hpp"
#include "gateway/scan_request.hpp"
#include "gateway/store_faults.hpp"
#include "gateway/sync/sync_service.hpp"
#include "gateway/sync/sync_status.hpp"
#include "tokens/poster.hpp"
#include "tokens/rfc3339.hpp"
#include "tokens/session_token.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <map>
#include <spdlog/spdlog.h>

namespace checkin::gateway {

namespace json = boost::json;
using namespace std::chrono;

namespace {

enum class report_format { json, csv };

std::optional<report_format> format_of(const request_context& ctx) {
  const auto f = ctx.query_param("format");
  if (!f || *f == "json") return report_format::json;
  if (*f == "csv") return report_format::csv;
  return std::nullopt;
}

response csv_response(std::string body, std::string_view filename) {
  auto res = text_response(http::status::ok, std::move(body), "text/csv; charset=utf-8");
  res.set(http::field::content_disposition,
          "attachment; filename=\"" + std::string(filename) + "\"");
  return res;
}

// File names carry ids only ([A-Za-z0-9._-] by the program's rules); anything else becomes _.
std::string file_safe(std::string_view id) {
  std::string out{id};
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  }
  return out;
}

const char* phase_of(const tokens::session_info& s, sys_seconds now) {
  if (now < s.starts_at) return "upcoming";
  if (now < s.ends_at) return "in_progress";
  return "ended";
}

}  // namespace

std::optional<response> gateway_app::check_organizer(const request_context& ctx) const {
  const auto key = bearer_of(ctx.req);
  if (!key) {
    return error_response(api_error::unauthorized,
                          "an organizer API key is required (Authorization: Bearer <key>)");
  }
  if (s_.organizers.empty()) {
    return error_response(api_error::unauthorized,
                          "no organizer keys are configured ([[organizers.keys]])");
  }
  if (!s_.organizers.match(*key)) {
    return error_response(api_error::unauthorized, "the organizer API key is not valid");
  }
  return std::nullopt;
}

net::awaitable<response> gateway_app::list_sessions(request_context& ctx) {
  if (auto denied = check_organizer(ctx)) co_return std::move(*denied);
  const auto counts = s_.store.session_counts();
  if (!counts) co_return store_read_failure(counts.error(), data_file(), "GET /v1/sessions");
  const std::map<std::string, std::uint64_t, std::less<>> by_session(counts->begin(), counts->end());
  const auto& p = s_.program;
  const auto now = floor<seconds>(system_clock::now());
  json::array sessions;
  std::uint64_t total = 0;
  for (const auto& s : p.sessions) {
    const auto it = by_session.find(s.id);
    const std::uint64_t recorded = it == by_session.end() ? 0 : it->second;
    total += recorded;
    json::object o;
    o["id"] = s.id;
    o["title"] = s.title;
    o["room"] = s.room;
    o["starts_at"] = tokens::format_rfc3339(s.starts_at, p.utc_offset);
    o["ends_at"] = tokens::format_rfc3339(s.ends_at, p.utc_offset);
    o["credit_kind"] = tokens::to_string(s.kind);
    o["units"] = units_json(s.units.hundredths);
    o["phase"] = phase_of(s, now);
    o["recorded"] = recorded;
    sessions.emplace_back(std::move(o));
  }
  json::object out;
  out["meeting_id"] = p.id;
  out["meeting_name"] = p.name;
  out["generated_at"] = tokens::format_rfc3339(now, p.utc_offset);
  out["recorded_total"] = total;
  out["sessions"] = std::move(sessions);
  co_return json_response(http::status::ok, out);
}

net::awaitable<response> gateway_app::session_attendance(request_context& ctx) {
  if (auto denied = check_organizer(ctx)) co_return std::move(*denied);
  const auto format = format_of(ctx);
  if (!format) co_return error_response(api_error::malformed_request, "format must be json or csv");
  const std::string session_id{ctx.param("id")};
  if (!s_.program.find(session_id)) {
    co_return error_response(api_error::not_found, "no session " + session_id + " in the program");
  }
  auto build = [this, session_id, f = *format]() -> response {
    const auto scans = s_.store.session_attendance(session_id);
    if (!scans) {
      return store_read_failure(scans.error(), data_file(), "GET /v1/sessions/{id}/attendance");
    }
    const auto names = roster_names(s_.store);
    if (f == report_format::csv) {
      return csv_response(attendance_csv(s_.program, session_id, *scans, names),
                          file_safe(s_.program.id + "_" + session_id) + "_attendance.csv");
    }
    return json_response(http::status::ok,
                         attendance_json(s_.program, session_id, *scans, names));
  };
  auto building = detail::async_run_on(s_.password_pool.get_executor(), std::move(build),
                                       net::use_awaitable);
  co_return co_await std::move(building);
}

net::awaitable<response> gateway_app::credits(request_context& ctx) {
  if (auto denied = check_organizer(ctx)) co_return std::move(*denied);
  const auto format = format_of(ctx);
  if (!format) co_return error_response(api_error::malformed_request, "format must be json or csv");
  auto build = [this, f = *format]() -> response {
    const auto all = meeting_scans(s_.store, s_.program);
    if (!all) return store_read_failure(all.error(), data_file(), "GET /v1/credits");
    const auto summary = summarize_credits(*all, roster_names(s_.store));
    if (f == report_format::csv) {
      return csv_response(credits_csv(summary), file_safe(s_.program.id) + "_credits.csv");
    }
    return json_response(http::status::ok, credits_json(s_.program, summary));
  };
  auto building = detail::async_run_on(s_.password_pool.get_executor(), std::move(build),
                                       net::use_awaitable);
  co_return co_await std::move(building);
}

net::awaitable<response> gateway_app::session_poster(request_context& ctx) {
  if (auto denied = check_organizer(ctx)) co_return std::move(*denied);
  const std::string session_id{ctx.param("id")};
  const auto* session = s_.program.find(session_id);
  if (!session) {
    co_return error_response(api_error::not_found, "no session " + session_id + " in the program");
  }
  if (!s_.signing) {
    co_return error_response(api_error::unavailable,
                             "no signing key configured ([keys] signing)", minutes{1});
  }
  // cairo + pango take tens of milliseconds: on the worker pool.
  auto build = [this, session]() -> response {
    try {
      const auto& p = s_.program;
      auto text = tokens::mint(tokens::poster_claims(p, *session), *s_.signing, p.qr_prefix);
      const auto pdf = tokens::render_poster_bytes(
          tokens::make_poster_content(p, *session, std::move(text)), tokens::poster_format::pdf);
      auto res = text_response(http::status::ok, std::string(pdf.begin(), pdf.end()),
                               tokens::media_type(tokens::poster_format::pdf));
      res.set(http::field::content_disposition,
              "attachment; filename=\"" + file_safe(p.id + "_" + session->id) + "_poster.pdf\"");
      return res;
    } catch (const std::exception& e) {
      spdlog::error("poster for {} failed: {}", session->id, e.what());
      return error_response(api_error::internal, "internal error");
    }
  };
  auto building = detail::async_run_on(s_.password_pool.get_executor(), std::move(build),
                                       net::use_awaitable);
  co_return co_await std::move(building);
}

net::awaitable<response> gateway_app::sync_status(request_context& ctx) {
  if (auto denied = check_organizer(ctx)) co_return std::move(*denied);
  const auto progress = sync::read_progress(s_.store);
  const auto batches = s_.store.batches();
  const auto deliveries = s_.store.deliveries();
  constexpr std::string_view route = "GET /v1/sync/status";
  if (!progress) co_return store_read_failure(progress.error(), data_file(), route);
  if (!batches) co_return store_read_failure(batches.error(), data_file(), route);
  if (!deliveries) co_return store_read_failure(deliveries.error(), data_file(), route);
  const auto now = time_point_cast<milliseconds>(system_clock::now());
  const auto body = sync::sync_status_json(
      s_.program, {*progress, *batches, *deliveries, s_.sink_names}, s_.config.sealing, now);
  co_return json_response(http::status::ok, body);
}

}  // namespace checkin::gateway
