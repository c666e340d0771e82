#include "gateway/app.hpp"

#include "app_internal.hpp"
#include "async_bridge.hpp"
#include "gateway/member_no.hpp"
#include "gateway/scan_request.hpp"
#include "gateway/store_faults.hpp"
#include "tokens/rfc3339.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace checkin::gateway {

namespace detail {
extern const std::string_view openapi_yaml;
}

namespace json = boost::json;
using namespace std::chrono;

std::optional<std::string_view> bearer_of(const request& req) {
  const auto it = req.find(http::field::authorization);
  if (it == req.end()) return std::nullopt;
  const std::string_view v = it->value();
  constexpr std::string_view scheme = "Bearer ";
  if (v.size() <= scheme.size() || !beast::iequals(v.substr(0, scheme.size()), scheme)) {
    return std::nullopt;
  }
  return v.substr(scheme.size());
}

bool json_content_type(const request& req) {
  const auto it = req.find(http::field::content_type);
  if (it == req.end()) return true;  // lenient: apps that forget the header still work
  std::string_view v = it->value();
  v = v.substr(0, v.find(';'));
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return beast::iequals(v, "application/json");
}

static login_throttle_config throttle_config(const gateway_config& c) {
  login_throttle_config t;
  t.per_member = lockout_policy{c.login_max_failures, c.login_failure_window, c.login_lockout};
  t.per_address =
      lockout_policy{c.address_login_max_failures, c.login_failure_window, c.login_lockout};
  t.address_max_in_flight = c.address_login_max_in_flight;
  return t;
}

gateway_app::gateway_app(gateway_services services)
    : s_(services), login_throttle_(throttle_config(services.config)) {
  const auto& c = s_.config;
  if (c.client_rate_per_second > 0) {
    client_limiter_.emplace(
        bucket_policy{std::max(1.0, c.client_burst), c.client_rate_per_second}, 100'000);
  }
  if (c.member_scan_rate_per_second > 0) {
    member_scan_limiter_.emplace(
        bucket_policy{std::max(1.0, c.member_scan_burst), c.member_scan_rate_per_second}, 200'000);
  }
  // Scan outcomes are counted once, by the committer that decides them.
  s_.stats.add_source([&committer = s_.committer, &stats = s_.stats](std::string& out) {
    const auto st = committer.stats();
    append_metric(out, "checkin_scans_recorded_total",
                  "Scans recorded (first scan of a member in a session).", "counter",
                  static_cast<double>(st.scans_recorded));
    append_metric(out, "checkin_scans_duplicate_total", "Scans answered as duplicates.", "counter",
                  static_cast<double>(st.scans_duplicate + stats.read_duplicates.load()));
  });
  // The route table: method, path, handler. Keep docs/openapi.yaml in step with it.
  const auto bind = [this](net::awaitable<response> (gateway_app::*fn)(request_context&)) {
    return [this, fn](request_context& ctx) { return (this->*fn)(ctx); };
  };
  router_.add(http::verb::post, "/v1/login", bind(&gateway_app::login));
  router_.add(http::verb::post, "/v1/scans", bind(&gateway_app::post_scan));
  router_.add(http::verb::post, "/v1/scans/batch", bind(&gateway_app::post_scan_batch));
  router_.add(http::verb::get, "/v1/me/attendance", bind(&gateway_app::my_attendance));
  router_.add(http::verb::get, "/v1/sessions", bind(&gateway_app::list_sessions));
  router_.add(http::verb::get, "/v1/sessions/{id}/attendance",
              bind(&gateway_app::session_attendance));
  router_.add(http::verb::get, "/v1/sync/status", bind(&gateway_app::sync_status));
  router_.add(http::verb::get, "/v1/credits", bind(&gateway_app::credits));
  router_.add(http::verb::get, "/v1/sessions/{id}/poster.pdf", bind(&gateway_app::session_poster));
  router_.add(http::verb::get, "/v1/display/{session}/slots", bind(&gateway_app::projector_codes));
  router_.add(http::verb::get, "/dashboard", bind(&gateway_app::dashboard_page));
  router_.add(http::verb::get, "/display/{session}", bind(&gateway_app::display_page));
  router_.add(http::verb::get, "/assets/{name}", bind(&gateway_app::asset_file));
  router_.add(http::verb::get, "/healthz", bind(&gateway_app::healthz));
  router_.add(http::verb::get, "/metrics", bind(&gateway_app::prometheus));
  router_.add(http::verb::get, "/openapi.yaml", bind(&gateway_app::openapi));
}

net::awaitable<response> gateway_app::handle(request_context& ctx) {
  // HEAD runs the GET handler (the router maps it) and sends its fields without the body.
  const bool head = ctx.req.method() == http::verb::head;
  const auto answer = [head](response res) {
    if (head) drop_body_for_head(res);
    return res;
  };
  if (client_limiter_) {
    const auto d = client_limiter_->acquire(ctx.client_address, steady_clock::now());
    if (!d.allowed) {
      co_return answer(error_response(api_error::too_many_requests,
                                      "too many requests from this address", d.retry_after));
    }
  }
  const auto m = router_.match(ctx.req.method(), ctx.target_path, ctx);
  if (!m.matched) {
    co_return answer(m.path_known ? error_response(api_error::method_not_allowed,
                                                   "this method is not allowed on this path")
                                  : error_response(api_error::not_found, "no such route"));
  }
  auto res = co_await m.matched->handle(ctx);
  co_return answer(std::move(res));
}

void gateway_app::on_response(const request_context& ctx, const response& res,
                              microseconds latency) {
  const auto status = static_cast<unsigned>(res.result_int());
  s_.stats.count_request(ctx.route_name, status, latency);
  if (s_.config.access_log) {
    // Path only: query strings and bodies may carry credentials and are never logged.
    spdlog::info("{} {} {} {} {}us", ctx.client_address, std::string_view(ctx.req.method_string()),
                 ctx.target_path, status, latency.count());
  }
}

void gateway_app::on_connection(int delta) {
  if (delta > 0) {
    s_.stats.connection_opened();
  } else {
    s_.stats.connection_closed();
  }
}

void gateway_app::on_refused_connection() { s_.stats.connection_refused(); }

gateway_app::auth_result gateway_app::authenticate(const request_context& ctx) const {
  const auto token = bearer_of(ctx.req);
  if (!token) {
    return error_response(api_error::unauthorized, "an Authorization: Bearer token is required");
  }
  auto claims = s_.bearer.check(*token, floor<seconds>(system_clock::now()));
  if (!claims) {
    return error_response(api_error::unauthorized,
                          claims.error() == bearer_error::expired
                              ? "the session has expired: log in again"
                              : "the bearer token is not valid");
  }
  // The status alone: the record's name and password hash are not copied on every scan.
  const auto status = s_.store.find_member_status(store::member_no{claims->member_no});
  if (!status) {
    return error_response(api_error::unavailable, "the member store cannot be read", seconds{2});
  }
  if (!*status) {
    return error_response(api_error::unauthorized, "this member is no longer on the roster");
  }
  if (**status != store::member_status::active) {
    return error_response(api_error::member_inactive,
                          "this membership is inactive and earns no credits");
  }
  return member_identity{std::move(claims->member_no)};
}

// ---- POST /v1/login -------------------------------------------------------------------------

net::awaitable<response> gateway_app::login(request_context& ctx) {
  if (!json_content_type(ctx.req)) {
    co_return error_response(api_error::unsupported_media_type, "send application/json");
  }
  auto parsed = parse_json_body(ctx.req.body());
  if (auto* p = std::get_if<request_problem>(&parsed)) co_return error_response(p->error, p->message);
  const auto* obj = std::get<json::value>(parsed).if_object();
  const auto* no = obj ? obj->if_contains("member_no") : nullptr;
  const auto* pw = obj ? obj->if_contains("password") : nullptr;
  if (!no || !no->is_string() || !pw || !pw->is_string() || pw->as_string().empty()) {
    co_return error_response(api_error::malformed_request,
                             "member_no and password (strings) are required");
  }
  const std::string member_no(no->as_string());
  const std::string password(pw->as_string());
  if (!is_valid_member_no(member_no) || password.size() > max_password_length) {
    co_return error_response(api_error::invalid_credentials,
                             "member number or password is incorrect");
  }

  // Lockouts are checked before the (expensive) hash so a locked account costs nothing.
  const auto admitted = login_throttle_.begin(member_no, ctx.client_address, steady_clock::now());
  if (!admitted.allowed) {
    // A lockout, or too many logins from this address being checked right now.
    co_return error_response(api_error::too_many_attempts,
                             "too many login attempts: try again later", admitted.retry_after);
  }

  const auto member = s_.store.find_member(store::member_no{member_no});
  if (!member) {
    (void)login_throttle_.finish(member_no, ctx.client_address, login_outcome::abandoned,
                                 steady_clock::now());  // our failure, not the member's
    co_return error_response(api_error::unavailable, "the member store cannot be read", seconds{2});
  }
  std::optional<std::string> stored_hash;
  if (*member) stored_hash = (*member)->password_hash;
  // Named locals, not temporaries, inside co_await: GCC 12 destroys non-trivial temporaries
  // of a co_await full-expression twice.
  auto check = [&passwords = s_.passwords, stored_hash, password] {
    return passwords.verify(stored_hash ? std::optional<std::string_view>(*stored_hash) : std::nullopt,
                            password);
  };
  auto verifying = detail::async_run_on(s_.password_pool.get_executor(), std::move(check),
                                        net::use_awaitable);
  const bool ok = co_await std::move(verifying);
  const auto next = login_throttle_.finish(member_no, ctx.client_address,
                                           ok ? login_outcome::success : login_outcome::failure,
                                           steady_clock::now());
  if (!ok) {
    if (!next.allowed) {
      co_return error_response(api_error::too_many_attempts,
                               "too many failed logins: try again later", next.retry_after);
    }
    co_return error_response(api_error::invalid_credentials, "member number or password is incorrect");
  }
  if ((*member)->status != store::member_status::active) {
    co_return error_response(api_error::member_inactive,
                             "this membership is inactive: please contact the society office");
  }
  const auto issued = floor<seconds>(system_clock::now());
  json::object out;
  out["token"] = s_.bearer.issue(member_no, issued, s_.config.bearer_ttl);
  out["expires_at"] = tokens::format_rfc3339(issued + s_.config.bearer_ttl, s_.program.utc_offset);
  out["member_no"] = member_no;
  out["name"] = (*member)->name;
  co_return json_response(http::status::ok, out);
}

// ---- operations -----------------------------------------------------------------------------

std::filesystem::path gateway_app::data_file() const {
  return store::scan_store::data_file(store_directory(s_.config.data_dir));
}

net::awaitable<response> gateway_app::healthz(request_context&) {
  if (stopping_) co_return error_response(api_error::unavailable, "stopping", seconds{5});
  // Writes stopped after a failed write or flush (logged then): drain this instance until it is
  // restarted.
  if (const auto cause = s_.store.poisoned_by()) {
    co_return error_response(api_error::unavailable,
                             "the store takes no writes after " +
                                 std::string(store::to_string(*cause)) + ": restart the gateway",
                             seconds{30});
  }
  co_return text_response(http::status::ok, R"({"status":"ok"})", "application/json");
}

net::awaitable<response> gateway_app::prometheus(request_context&) {
  co_return text_response(http::status::ok, s_.stats.render(), "text/plain; version=0.0.4");
}

net::awaitable<response> gateway_app::openapi(request_context&) {
  co_return text_response(http::status::ok, std::string(detail::openapi_yaml),
                          "application/yaml");
}

}  // namespace checkin::gateway
