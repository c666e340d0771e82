#include "loadtest/gateway_queries.hpp"

#include "loadtest/http_wire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <stdexcept>

namespace checkin::loadtest {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using tcp = net::ip::tcp;
constexpr auto tuple_awaitable = net::as_tuple(net::use_awaitable);

net::awaitable<void> get_once(tcp::socket& socket, tcp::endpoint endpoint,
                              const std::string& request, plain_answer& answer) {
  const auto connected = co_await socket.async_connect(endpoint, tuple_awaitable);
  if (std::get<0>(connected)) co_return;
  const auto written = co_await net::async_write(socket, net::buffer(request), tuple_awaitable);
  if (std::get<0>(written)) co_return;
  std::string in(64 * 1024, '\0');
  std::size_t used = 0;
  for (;;) {
    if (in.size() - used < 16 * 1024) in.resize(in.size() * 2);
    const auto got = co_await socket.async_read_some(
        net::buffer(in.data() + used, in.size() - used), tuple_awaitable);
    if (std::get<0>(got)) co_return;
    used += std::get<1>(got);
    const auto parsed = parse_response_head(std::string_view(in.data(), used));
    if (parsed.state == parse_state::malformed) co_return;
    if (parsed.state == parse_state::complete &&
        used >= parsed.head.header_bytes + parsed.head.content_length) {
      answer.status = parsed.head.status;
      answer.body = in.substr(parsed.head.header_bytes, parsed.head.content_length);
      co_return;
    }
  }
}

}  // namespace

plain_answer http_get(const std::string& host, std::uint16_t port, std::string_view target,
                      std::string_view bearer, std::chrono::milliseconds timeout) {
  std::string request;
  append_request(request, "GET", target, bearer, {});
  net::io_context ctx{1};
  tcp::socket socket(ctx);
  plain_answer answer;
  net::co_spawn(ctx,
                get_once(socket, tcp::endpoint(net::ip::make_address(host), port), request, answer),
                net::detached);
  ctx.run_for(timeout);
  if (!ctx.stopped()) {
    boost::system::error_code ignored;
    socket.close(ignored);
    ctx.run();  // let the cancelled coroutine finish
    answer = {};
  }
  return answer;
}

std::vector<std::vector<std::uint32_t>> fetch_attendance(
    const std::string& host, std::uint16_t port, std::string_view organizer_key,
    const std::vector<std::string>& session_ids, std::uint32_t first_member,
    std::uint32_t members) {
  std::vector<std::vector<std::uint32_t>> out;
  for (const auto& id : session_ids) {
    const auto target = "/v1/sessions/" + id + "/attendance";
    const auto a = http_get(host, port, target, organizer_key);
    if (a.status != 200) {
      throw std::runtime_error("GET " + target + ": " +
                               (a.status ? "answered " + std::to_string(a.status) + " " + a.body
                                         : std::string("no answer")));
    }
    std::vector<std::uint32_t> listed;
    try {
      const auto doc = json::parse(a.body);
      for (const auto& row : doc.at("attendees").as_array()) {
        const auto& no = row.at("member_no").as_string();
        std::uint64_t n = 0;
        const auto r = std::from_chars(no.data(), no.data() + no.size(), n);
        if (r.ec != std::errc{} || r.ptr != no.data() + no.size()) continue;
        if (n < first_member || n - first_member >= members) continue;
        listed.push_back(static_cast<std::uint32_t>(n - first_member));
      }
    } catch (const std::exception& e) {
      throw std::runtime_error("GET " + target + ": unreadable export: " + e.what());
    }
    out.push_back(std::move(listed));
  }
  return out;
}

std::optional<gateway_counters> fetch_counters(const std::string& host, std::uint16_t port) {
  const auto a = http_get(host, port, "/metrics", {}, std::chrono::seconds{10});
  if (a.status != 200) return std::nullopt;
  gateway_counters c;
  c.memo_hits = metric_value(a.body, "checkin_token_memo_hits_total").value_or(0);
  c.memo_misses = metric_value(a.body, "checkin_token_memo_misses_total").value_or(0);
  c.scans_recorded = metric_value(a.body, "checkin_scans_recorded_total").value_or(0);
  c.scans_duplicate = metric_value(a.body, "checkin_scans_duplicate_total").value_or(0);
  c.commits = metric_value(a.body, "checkin_commit_batch_size_count").value_or(0);
  c.commit_items = metric_value(a.body, "checkin_commit_batch_size_sum").value_or(0);
  c.commit_seconds = metric_value(a.body, "checkin_commit_duration_seconds_sum").value_or(0);
  return c;
}

}  // namespace checkin::loadtest
