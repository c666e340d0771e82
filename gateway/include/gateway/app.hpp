#pragma once
// The gateway's HTTP application: the route table and the handlers behind it, over the
// services built at start-up (store, committer, keys, auth). The transport (server.hpp)
// calls handle() for each request.

#include "gateway/bearer_token.hpp"
#include "gateway/config.hpp"
#include "gateway/login_throttle.hpp"
#include "gateway/metrics.hpp"
#include "gateway/organizer_keys.hpp"
#include "gateway/password.hpp"
#include "gateway/rate_limiter.hpp"
#include "gateway/router.hpp"
#include "gateway/server.hpp"
#include "gateway/token_memo.hpp"
#include "store/group_committer.hpp"
#include "store/scan_store.hpp"
#include "tokens/program.hpp"
#include "tokens/signing_key.hpp"

#include <boost/asio/thread_pool.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <variant>

namespace checkin::gateway {

// Everything a handler may use; owned by whoever wires the server (cmd_serve, tests).
struct gateway_services {
  const gateway_config& config;
  const tokens::meeting_program& program;
  store::scan_store& store;
  store::group_committer& committer;
  token_memo& memo;
  const bearer_issuer& bearer;
  const password_verifier& passwords;
  net::thread_pool& password_pool;  // blocking password checks run here, not on I/O threads
  metrics& stats;
  const organizer_keys& organizers;
  std::vector<std::string> sink_names;  // configured sinks, for /v1/sync/status
  const organizer_keys& displays;       // [[display.keys]]; organizer keys open display routes too
  // Signs projector slot codes and posters; null when none is configured (those routes 503).
  const tokens::signing_key* signing = nullptr;
};

class gateway_app final : public http_app {
 public:
  explicit gateway_app(gateway_services services);

  net::awaitable<response> handle(request_context& ctx) override;
  void on_response(const request_context& ctx, const response& res,
                   std::chrono::microseconds latency) override;
  void on_connection(int delta) override;
  void on_refused_connection() override;
  // From now on /healthz answers 503, so a load balancer drains this instance.
  void on_stopping() override { stopping_ = true; }

  [[nodiscard]] const router& routes() const noexcept { return router_; }

 private:
  // The authenticated member of a request, or the error answer.
  struct member_identity {
    std::string member_no;
  };
  using auth_result = std::variant<member_identity, response>;
  [[nodiscard]] auth_result authenticate(const request_context& ctx) const;
  // The common front of the scan routes: member, JSON media type, member rate limit, JSON body.
  struct admitted_scan {
    member_identity member;
    boost::json::value body;
  };
  using admission = std::variant<admitted_scan, response>;
  // The body's JSON is allocated from `sp` (default: the heap).
  [[nodiscard]] admission admit_scan_request(const request_context& ctx,
                                             boost::json::storage_ptr sp = {});

  // POST /v1/scans up to the store, without suspending: an answer (an error, or a duplicate
  // read from a committed transaction), or the draft for the writer. Kept out of post_scan's
  // coroutine so that its frame holds only the draft and the result, and the request's JSON
  // lives in a stack arena.
  [[nodiscard]] std::variant<store::scan_draft, response> prepare_scan(const request_context& ctx);

  net::awaitable<response> login(request_context& ctx);
  net::awaitable<response> post_scan(request_context& ctx);
  net::awaitable<response> post_scan_batch(request_context& ctx);
  net::awaitable<response> my_attendance(request_context& ctx);
  // Organizer routes (app_organizers.cpp): an organizer API key, never a member token.
  [[nodiscard]] std::optional<response> check_organizer(const request_context& ctx) const;
  net::awaitable<response> list_sessions(request_context& ctx);
  net::awaitable<response> session_attendance(request_context& ctx);
  net::awaitable<response> sync_status(request_context& ctx);
  net::awaitable<response> credits(request_context& ctx);
  net::awaitable<response> session_poster(request_context& ctx);
  // Venue screens (app_venue.cpp): the projector's codes for a display or organizer key, and
  // the page shells and assets, which hold no data and need no key.
  [[nodiscard]] std::optional<response> check_display(const request_context& ctx) const;
  net::awaitable<response> projector_codes(request_context& ctx);
  net::awaitable<response> dashboard_page(request_context& ctx);
  net::awaitable<response> display_page(request_context& ctx);
  net::awaitable<response> asset_file(request_context& ctx);

  // The store's data.mdb, named in the log lines of failed reads.
  [[nodiscard]] std::filesystem::path data_file() const;

  net::awaitable<response> healthz(request_context& ctx);
  net::awaitable<response> prometheus(request_context& ctx);
  net::awaitable<response> openapi(request_context& ctx);

  gateway_services s_;
  router router_;
  std::optional<keyed_rate_limiter> client_limiter_;
  std::optional<keyed_rate_limiter> member_scan_limiter_;
  login_throttle login_throttle_;
  std::atomic<bool> stopping_{false};
};

}  // namespace checkin::gateway
