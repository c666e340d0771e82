// POST /v1/scans, POST /v1/scans/batch, GET /v1/me/attendance.
#include "app_internal.hpp"
#include "async_bridge.hpp"
#include "gateway/app.hpp"
#include "gateway/scan_request.hpp"
#include "gateway/scan_rules.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <array>
#include <map>
#include <spdlog/spdlog.h>

namespace checkin::gateway {
namespace {

namespace json = boost::json;
using namespace std::chrono;

api_error api_error_of(tokens::token_error e) {
  switch (e) {
    case tokens::token_error::unknown_key:
    case tokens::token_error::retired_key: return api_error::unknown_key;
    case tokens::token_error::outside_window: return api_error::outside_window;
    default: return api_error::invalid_token;
  }
}

// The result of checking one scan before it reaches the store: a draft, or why not.
struct checked_scan {
  std::optional<store::scan_draft> draft;
  request_problem problem{api_error::internal, {}};
  std::string_view reason;  // the token_error code behind invalid_token / unknown_key
};

checked_scan check_scan(const scan_request& r, const std::string& member_no, token_memo& memo,
                        metrics& stats, const tokens::meeting_program& program,
                        const scan_policy& policy) {
  const auto verified = memo.verify(r.qr);
  (verified.hit ? stats.token_memo_hits : stats.token_memo_misses)++;
  if (!verified.result) {
    const auto e = verified.result.error();
    return {std::nullopt, {api_error_of(e), std::string(tokens::message(e))}, tokens::code(e)};
  }
  const auto& claims = *verified.result;
  const auto now = floor<milliseconds>(system_clock::now());
  auto verdict = judge_scan(claims, program, now, r.scanned_at, policy);
  if (verdict.error) return {std::nullopt, {*verdict.error, std::move(verdict.message)}, {}};

  store::scan_draft d;
  d.member = store::member_no{member_no};
  d.meeting_id = claims.meeting_id;
  d.session_id = claims.session_id;
  d.kind = claims.kind;
  d.units = claims.units;
  d.type = claims.type;
  d.key = claims.key;
  d.scanned_at = r.scanned_at;
  d.scan_id = r.scan_id;
  d.device_id = r.device_id;
  return {std::move(d), {}, {}};
}

// A scan the store already holds is answered from a read transaction, so a duplicate (a second
// scan of the same poster, a phone retrying) never queues behind the writer and its fsync. The
// record read is committed, so answering with it is safe. nullopt: not there, or the read failed
// (then the writer decides, as for any new scan).
std::optional<store::scan_outcome> already_recorded(const store::scan_store& store,
                                                    const store::scan_draft& d, metrics& stats) {
  auto found = store.find_scan(d.member, d.session_id);
  if (!found || !*found) return std::nullopt;
  stats.read_duplicates.fetch_add(1, std::memory_order_relaxed);
  return store::scan_outcome{store::scan_status::duplicate, std::move(**found)};
}

// The error body, with the token's own failure code as "reason" when there is one
// (bad_signature, wrong_prefix, ...) so app developers can tell failures apart.
response rejection(const checked_scan& c) {
  if (c.reason.empty()) return error_response(c.problem.error, c.problem.message);
  boost::json::object body;
  body["error"] = code(c.problem.error);
  body["reason"] = c.reason;
  body["message"] = c.problem.message;
  return json_response(status_of(c.problem.error), body);
}

json::object outcome_view(const store::scan_outcome& o, const tokens::meeting_program& program) {
  auto view = scan_view(o.record, program);
  view.emplace("status", store::to_string(o.status));
  return view;
}

// JSON memory on the stack for one scan's request (a few hundred bytes); past
// 2 KiB it falls back to the heap. Where a whole hall scans at once, this saves the allocator a
// dozen blocks per request.
struct stack_json_arena {
  std::array<unsigned char, 2048> buffer;
  json::monotonic_resource memory{buffer.data(), buffer.size()};
};

// A single scan's answer: outcome_view's JSON, written without building the object.
response scan_answer(http::status status, const store::scan_outcome& o,
                     const tokens::meeting_program& program) {
  return text_response(status, scan_answer_json(o.record, program, store::to_string(o.status)),
                       "application/json");
}

// 503 for conditions that pass (full disk, overload, stopping); 500 for the rest.
api_error api_error_of(store::store_error e) {
  switch (e) {
    case store::store_error::invalid_record: return api_error::malformed_request;
    case store::store_error::internal:
    case store::store_error::corrupted:
    case store::store_error::incompatible:
    case store::store_error::unsupported_schema: return api_error::internal;
    default: return api_error::unavailable;
  }
}

// A batch's codes that are not in the memo each cost an Ed25519 verification on this I/O
// thread. Each is charged to the member's scan rate limit (the request itself took one token),
// and a request gets at most max_new_tokens_per_batch of them, so a batch of forged codes
// costs its sender as much as that many scans and delays nobody else's. A real backlog names
// codes the hall has scanned already: memo hits, free.
constexpr std::size_t max_new_tokens_per_batch = 50;

class fresh_token_budget {
 public:
  fresh_token_budget(keyed_rate_limiter* limiter, std::string_view member)
      : limiter_(limiter), member_(member) {}
  // May one more code be verified for this request?
  [[nodiscard]] bool take() {
    if (taken_ == max_new_tokens_per_batch) return false;
    if (limiter_ && !limiter_->acquire(member_, steady_clock::now()).allowed) return false;
    ++taken_;
    return true;
  }

 private:
  keyed_rate_limiter* limiter_;
  std::string_view member_;
  std::size_t taken_ = 0;
};

}  // namespace

gateway_app::admission gateway_app::admit_scan_request(const request_context& ctx,
                                                       json::storage_ptr sp) {
  auto who = authenticate(ctx);
  if (auto* r = std::get_if<response>(&who)) return std::move(*r);
  auto& member = std::get<member_identity>(who);
  if (!json_content_type(ctx.req)) {
    return error_response(api_error::unsupported_media_type, "send application/json");
  }
  // One token per request, single scan or batch: a backlog upload is one request.
  if (member_scan_limiter_) {
    const auto d = member_scan_limiter_->acquire(member.member_no, steady_clock::now());
    if (!d.allowed) {
      return error_response(api_error::too_many_requests, "too many scans: slow down",
                            d.retry_after);
    }
  }
  auto body = parse_json_body(ctx.req.body(), std::move(sp));
  if (auto* p = std::get_if<request_problem>(&body)) return error_response(p->error, p->message);
  return admitted_scan{std::move(member), std::move(std::get<json::value>(body))};
}

std::variant<store::scan_draft, response> gateway_app::prepare_scan(const request_context& ctx) {
  // The body is read into scan_request's own strings at once, so its JSON can live here.
  stack_json_arena arena;
  auto admitted = admit_scan_request(ctx, &arena.memory);
  if (auto* r = std::get_if<response>(&admitted)) return std::move(*r);
  const auto& member = std::get<admitted_scan>(admitted).member;
  const auto& body = std::get<admitted_scan>(admitted).body;
  auto parsed = parse_scan_request(body);
  if (auto* p = std::get_if<request_problem>(&parsed)) {
    s_.stats.count_rejection(code(p->error));
    return error_response(p->error, p->message);
  }
  auto checked = check_scan(std::get<scan_request>(parsed), member.member_no, s_.memo, s_.stats,
                            s_.program, s_.config.scans);
  if (!checked.draft) {
    s_.stats.count_rejection(code(checked.problem.error));
    return rejection(checked);
  }
  if (const auto known = already_recorded(s_.store, *checked.draft, s_.stats)) {
    return scan_answer(http::status::ok, *known, s_.program);
  }
  return std::move(*checked.draft);
}

net::awaitable<response> gateway_app::post_scan(request_context& ctx) {
  auto prepared = prepare_scan(ctx);
  if (auto* r = std::get_if<response>(&prepared)) co_return std::move(*r);
  auto& draft = std::get<store::scan_draft>(prepared);
  const std::string member_no = draft.member.value;  // for the log; the draft moves on
  // A named operation, not a temporary, inside co_await (see app.cpp on GCC 12).
  auto recording = detail::async_record(s_.committer, std::move(draft), net::use_awaitable);
  const auto result = co_await std::move(recording);
  if (!result) {
    const auto e = api_error_of(result.error());
    spdlog::warn("scan by {} not recorded: {}", member_no, store::to_string(result.error()));
    if (e == api_error::unavailable) {
      co_return error_response(e, "the scan could not be stored right now: retry shortly",
                               seconds{5});
    }
    co_return error_response(e, "the scan could not be stored");
  }
  co_return scan_answer(
      result->status == store::scan_status::recorded ? http::status::created : http::status::ok,
      *result, s_.program);
}

net::awaitable<response> gateway_app::post_scan_batch(request_context& ctx) {
  auto admitted = admit_scan_request(ctx);
  if (auto* r = std::get_if<response>(&admitted)) co_return std::move(*r);
  const auto& member = std::get<admitted_scan>(admitted).member;
  const auto& body = std::get<admitted_scan>(admitted).body;
  const auto* obj = body.if_object();
  const auto* scans = obj ? obj->if_contains("scans") : nullptr;
  if (!scans || !scans->is_array()) {
    co_return error_response(api_error::malformed_request, "scans must be an array");
  }
  const auto& items = scans->as_array();
  if (items.size() > s_.config.batch_max_items) {
    co_return error_response(api_error::payload_too_large,
                             "at most " + std::to_string(s_.config.batch_max_items) +
                                 " scans per batch: send the rest in another request");
  }

  // Check every item, then submit the good ones together so they share a commit.
  std::vector<json::object> views(items.size());
  std::vector<store::scan_draft> drafts;
  std::vector<std::size_t> draft_index;
  fresh_token_budget fresh{member_scan_limiter_ ? &*member_scan_limiter_ : nullptr,
                           member.member_no};
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto parsed = parse_scan_request(items[i]);
    request_problem problem{api_error::internal, {}};
    std::string_view reason;
    if (auto* p = std::get_if<request_problem>(&parsed)) {
      problem = std::move(*p);
    } else if (!s_.memo.find(std::get<scan_request>(parsed).qr) && !fresh.take()) {
      // Not refused for good: "failed" tells the phone to send it again later.
      s_.stats.count_rejection(code(api_error::too_many_requests));
      views[i]["status"] = "failed";
      views[i]["error"] = code(api_error::too_many_requests);
      views[i]["message"] = "too many new codes in a short time: send this one again later";
      continue;
    } else {
      auto checked = check_scan(std::get<scan_request>(parsed), member.member_no, s_.memo,
                                s_.stats, s_.program, s_.config.scans);
      if (checked.draft) {
        if (const auto known = already_recorded(s_.store, *checked.draft, s_.stats)) {
          views[i] = outcome_view(*known, s_.program);
          continue;
        }
        drafts.push_back(std::move(*checked.draft));
        draft_index.push_back(i);
        continue;
      }
      problem = std::move(checked.problem);
      reason = checked.reason;
    }
    s_.stats.count_rejection(code(problem.error));
    views[i]["status"] = "rejected";
    views[i]["error"] = code(problem.error);
    if (!reason.empty()) views[i]["reason"] = reason;
    views[i]["message"] = problem.message;
  }
  auto recording = detail::async_record_all(s_.committer, std::move(drafts), net::use_awaitable);
  const auto results = co_await std::move(recording);
  for (std::size_t k = 0; k < results.size(); ++k) {
    auto& view = views[draft_index[k]];
    if (results[k]) {
      view = outcome_view(*results[k], s_.program);
    } else {
      // "failed" is not final: the phone keeps the scan and sends it again later. Errors
      // that a retry cannot cure are final "rejected".
      const auto e = api_error_of(results[k].error());
      const bool retryable = e == api_error::unavailable;
      view["status"] = retryable ? "failed" : "rejected";
      view["error"] = code(e);
      view["message"] = retryable ? "could not be stored right now: send it again later"
                                  : "could not be stored";
    }
  }
  json::array out;
  std::map<std::string, std::uint64_t> counts;
  for (std::size_t i = 0; i < views.size(); ++i) {
    views[i].emplace("index", i);
    ++counts[std::string(views[i]["status"].as_string())];
    out.emplace_back(std::move(views[i]));
  }
  json::object answer;
  answer["results"] = std::move(out);
  for (const auto* s : {"recorded", "duplicate", "rejected", "failed"}) answer[s] = counts[s];
  co_return json_response(http::status::ok, answer);
}

net::awaitable<response> gateway_app::my_attendance(request_context& ctx) {
  auto who = authenticate(ctx);
  if (auto* r = std::get_if<response>(&who)) co_return std::move(*r);
  const auto& member = std::get<member_identity>(who);
  const auto record = s_.store.find_member(store::member_no{member.member_no});
  const auto scans = s_.store.member_scans(store::member_no{member.member_no});
  if (!record || !scans) {
    co_return error_response(api_error::unavailable, "attendance cannot be read right now",
                             seconds{2});
  }
  if (!*record) {  // taken off the roster since authenticate() looked
    co_return error_response(api_error::unauthorized, "this member is no longer on the roster");
  }
  json::array list;
  std::map<std::string, std::int64_t> totals;  // hundredths per credit kind
  for (const auto& rec : *scans) {
    if (rec.meeting_id != s_.program.id) continue;
    list.emplace_back(scan_view(rec, s_.program));
    totals[std::string(tokens::to_string(rec.kind))] += rec.units.hundredths;
  }
  json::object t;
  for (const auto kind : {tokens::credit_kind::attendance, tokens::credit_kind::education}) {
    const auto name = std::string(tokens::to_string(kind));
    t[name] = units_json(totals[name]);
  }
  json::object out;
  out["member_no"] = member.member_no;
  out["name"] = (*record)->name;
  out["meeting_id"] = s_.program.id;
  out["meeting_name"] = s_.program.name;
  out["scans"] = std::move(list);
  out["totals"] = std::move(t);
  co_return json_response(http::status::ok, out);
}

}  // namespace checkin::gateway
