#include "loadtest/load_runner.hpp"

#include "gateway/send_now.hpp"
#include "loadtest/http_wire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace checkin::loadtest {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;
constexpr auto tuple_awaitable = net::as_tuple(net::use_awaitable);
constexpr std::size_t initial_buffer = 4096;

// Written by the starting thread before the gate opens; read-only afterwards.
struct phase_clock {
  steady::time_point start;
  steady::time_point end;       // no new requests from here
  steady::time_point hard_end;  // answers and retries are abandoned from here
};

struct connection {
  explicit connection(net::io_context& ctx) : socket(ctx), in(initial_buffer, '\0') {}
  tcp::socket socket;
  std::string out;
  std::string in;
  std::size_t used = 0;
  // Checked by the worker's watchdog: one timer per thread instead of one per operation,
  // because the generator shares the machine with the gateway and every cycle counts.
  steady::time_point deadline = steady::time_point::max();
  std::size_t slot = 0;  // position in worker::live
};

struct worker {
  net::io_context ctx{1};
  net::steady_timer gate{ctx, steady::time_point::max()};
  bool started = false;
  std::vector<connection*> live;
  unsigned running = 0;  // connection coroutines not yet finished
  steady::time_point last_answer{};
  phase_tally tally;
};

struct shared_phase {
  shared_phase(const phase_options& options, const request_source& requests)
      : o(options), source(requests), endpoint(net::ip::make_address(options.host), options.port) {}

  const phase_options& o;
  const request_source& source;
  tcp::endpoint endpoint;
  phase_clock clock;
  std::atomic<std::uint64_t> next{0};
  std::atomic<unsigned> connected{0};
  std::atomic<unsigned> gave_up{0};
  std::mutex error_mutex;
  std::string connect_error;

  void note_error(const boost::system::error_code& ec) {
    const std::lock_guard lock(error_mutex);
    connect_error = ec.message();
  }
};

void watch(worker& w, connection& c) {
  c.slot = w.live.size();
  w.live.push_back(&c);
}

void unwatch(worker& w, connection& c) {
  w.live[c.slot] = w.live.back();
  w.live[c.slot]->slot = c.slot;
  w.live.pop_back();
}

void close(connection& c) {
  boost::system::error_code ignored;
  c.socket.close(ignored);
  c.used = 0;
}

net::awaitable<void> pause(net::io_context& ctx, steady::duration d) {
  net::steady_timer t(ctx, d);
  (void)co_await t.async_wait(tuple_awaitable);
}

// Connects, retrying refused or timed-out attempts with a short backoff until `give_up`.
net::awaitable<bool> connect(shared_phase& s, worker& w, connection& c, steady::time_point give_up,
                             unsigned index) {
  for (unsigned attempt = 0;; ++attempt) {
    close(c);
    c.deadline = steady::now() + 5s;
    const auto r = co_await c.socket.async_connect(s.endpoint, tuple_awaitable);
    c.deadline = steady::time_point::max();
    const auto ec = std::get<0>(r);
    if (!ec) {
      boost::system::error_code ignored;
      c.socket.set_option(tcp::no_delay(true), ignored);
      c.socket.non_blocking(true, ignored);  // for exchange()'s send_now
      co_return true;
    }
    s.note_error(ec);
    if (steady::now() >= give_up) co_return false;
    // 5 ms doubling to 200 ms, spread by index so thousands of retries do not arrive at once.
    const auto backoff = std::min<steady::duration>(5ms * (1u << std::min(attempt, 6u)), 200ms) +
                         std::chrono::microseconds{(index * 7919u) % 5000u};
    auto waiting = pause(w.ctx, backoff);
    co_await std::move(waiting);
  }
}

struct exchange_result {
  bool answered = false;
  unsigned status = 0;
  bool close = false;
  std::string_view body;  // into connection::in, valid until the next exchange
};

// Writes c.out and reads one answer framed by Content-Length.
net::awaitable<exchange_result> exchange(const shared_phase& s, connection& c) {
  exchange_result r;
  c.deadline = steady::now() + s.o.request_timeout;
  // Sent now, as the gateway sends its answers; the rest, if any, the asynchronous way.
  boost::system::error_code ec;
  const std::size_t sent = gateway::send_now(c.socket, net::buffer(c.out), ec);
  if (ec) co_return r;
  if (sent < c.out.size()) {
    const auto written = co_await net::async_write(
        c.socket, net::buffer(c.out.data() + sent, c.out.size() - sent), tuple_awaitable);
    if (std::get<0>(written)) co_return r;
  }
  c.used = 0;
  for (;;) {
    if (c.in.size() - c.used < 1024) c.in.resize(c.in.size() * 2);
    const auto got = co_await c.socket.async_read_some(
        net::buffer(c.in.data() + c.used, c.in.size() - c.used), tuple_awaitable);
    if (std::get<0>(got)) co_return r;
    c.used += std::get<1>(got);
    const auto parsed = parse_response_head(std::string_view(c.in.data(), c.used));
    if (parsed.state == parse_state::malformed) co_return r;
    if (parsed.state == parse_state::complete &&
        c.used >= parsed.head.header_bytes + parsed.head.content_length) {
      c.deadline = steady::time_point::max();
      r.answered = true;
      r.status = parsed.head.status;
      r.close = parsed.head.close;
      r.body = std::string_view(c.in.data() + parsed.head.header_bytes, parsed.head.content_length);
      co_return r;
    }
  }
}

// Sends request `index` until it is answered, or gives up per the failure policy. True when
// answered.
net::awaitable<bool> deliver(shared_phase& s, worker& w, connection& c, std::uint64_t index,
                             steady::time_point intended, unsigned conn_index) {
  const bool retrying = s.o.failures == failure_policy::retry;
  for (;;) {
    if (!c.socket.is_open()) {
      const auto give_up = retrying
                               ? s.clock.hard_end
                               : std::min(s.clock.hard_end, steady::now() + s.o.connect_timeout);
      auto connecting = connect(s, w, c, give_up, conn_index);
      if (!co_await std::move(connecting)) {
        ++w.tally.abandoned;
        co_return false;
      }
    }
    ++w.tally.sent;
    auto exchanging = exchange(s, c);
    const auto r = co_await std::move(exchanging);
    const auto now = steady::now();
    if (!r.answered) {
      ++w.tally.transport_errors;
      close(c);
      if (retrying && now < s.clock.hard_end) {
        ++w.tally.retries;
        continue;
      }
      ++w.tally.abandoned;
      co_return false;
    }
    if (r.close) close(c);
    w.last_answer = now;
    ++w.tally.answered;
    ++w.tally.by_status[std::min<unsigned>(r.status, 599)];
    w.tally.latency.record(now - intended);
    const auto v = s.source.judge(index, r.status, r.body, w.tally);
    if (v == verdict::retry && retrying && now < s.clock.hard_end) {
      ++w.tally.retries;
      auto waiting = pause(w.ctx, 50ms);
      co_await std::move(waiting);
      continue;
    }
    ++(v == verdict::expected ? w.tally.expected : w.tally.unexpected);
    co_return true;
  }
}

constexpr std::chrono::nanoseconds release_tick = 1ms;

std::chrono::nanoseconds round_up_to_tick(std::chrono::nanoseconds since_start) {
  return (since_start + release_tick - std::chrono::nanoseconds{1}) / release_tick * release_tick;
}

net::awaitable<void> send_loop(shared_phase& s, worker& w, connection& c, unsigned conn_index) {
  const bool open_loop = s.o.rate > 0;
  const std::chrono::nanoseconds interval{
      open_loop ? static_cast<std::int64_t>(1e9 * s.o.connections / s.o.rate) : 0};
  const std::chrono::nanoseconds offset{
      open_loop ? static_cast<std::int64_t>(1e9 * conn_index / s.o.rate) : 0};
  net::steady_timer pacer(w.ctx);
  for (std::uint64_t k = 0;; ++k) {
    auto intended = steady::now();
    if (open_loop) {
      // Send times are rounded up to the next release tick: the connections due in one tick
      // wake together off one timer expiry instead of one timer re-arm each (the generator
      // shares the gateway's cores). Latency still counts from that intended time.
      intended = s.clock.start + round_up_to_tick(offset + interval * static_cast<std::int64_t>(k));
      if (intended >= s.clock.end) break;
      if (steady::now() < intended) {
        pacer.expires_at(intended);
        (void)co_await pacer.async_wait(tuple_awaitable);
      }
    } else if (intended >= s.clock.end) {
      break;
    }
    const auto index = s.next.fetch_add(1, std::memory_order_relaxed);
    if (index >= s.source.size()) break;
    c.out.clear();
    s.source.write(index, c.out);
    auto delivering = deliver(s, w, c, index, intended, conn_index);
    (void)co_await std::move(delivering);
    if (steady::now() >= s.clock.hard_end) break;
  }
}

// Connects and sends one GET /healthz. A connect() that succeeded may still sit in the
// server's full accept queue (10,000 connections at once overflow the kernel's backlog), and
// its first request would wait for a SYN-ACK retransmission; the warm-up keeps that out of
// the measured phase.
net::awaitable<bool> open_warm(shared_phase& s, worker& w, connection& c, unsigned conn_index) {
  const auto give_up = steady::now() + s.o.connect_timeout;
  for (;;) {
    auto connecting = connect(s, w, c, give_up, conn_index);
    if (!co_await std::move(connecting)) co_return false;
    c.out.clear();
    append_request(c.out, "GET", "/healthz", {}, {});
    auto exchanging = exchange(s, c);
    const auto r = co_await std::move(exchanging);
    if (r.answered && r.status == 200 && !r.close) co_return true;
    {
      const std::lock_guard lock(s.error_mutex);
      s.connect_error = r.answered ? "warm-up GET /healthz answered " + std::to_string(r.status)
                                   : "warm-up GET /healthz got no answer";
    }
    close(c);
    if (steady::now() >= give_up) co_return false;
    auto waiting = pause(w.ctx, 100ms);
    co_await std::move(waiting);
  }
}

net::awaitable<void> run_connection(shared_phase& s, worker& w, unsigned conn_index) {
  connection c(w.ctx);
  watch(w, c);
  auto opening = open_warm(s, w, c, conn_index);
  const bool ok = co_await std::move(opening);
  ++(ok ? s.connected : s.gave_up);
  if (!w.started) (void)co_await w.gate.async_wait(tuple_awaitable);
  if (ok) {
    auto sending = send_loop(s, w, c, conn_index);
    co_await std::move(sending);
  }
  close(c);
  unwatch(w, c);
  --w.running;
}

// Cancels operations past their deadline; the coroutine sees operation_aborted.
net::awaitable<void> watchdog(worker& w) {
  net::steady_timer t(w.ctx);
  while (w.running > 0) {
    t.expires_after(100ms);
    (void)co_await t.async_wait(tuple_awaitable);
    const auto now = steady::now();
    for (connection* c : w.live) {
      if (c->deadline < now) {
        boost::system::error_code ignored;
        c->socket.cancel(ignored);
        c->deadline = steady::time_point::max();
      }
    }
  }
}

}  // namespace

void phase_tally::merge(phase_tally&& other) {
  latency.merge(other.latency);
  for (std::size_t i = 0; i < by_status.size(); ++i) by_status[i] += other.by_status[i];
  sent += other.sent;
  answered += other.answered;
  expected += other.expected;
  unexpected += other.unexpected;
  transport_errors += other.transport_errors;
  retries += other.retries;
  abandoned += other.abandoned;
  scans_recorded += other.scans_recorded;
  scans_duplicate += other.scans_duplicate;
  scans_rejected += other.scans_rejected;
  scans_failed += other.scans_failed;
  if (acknowledged.empty()) {
    acknowledged = std::move(other.acknowledged);
  } else {
    acknowledged.insert(acknowledged.end(), other.acknowledged.begin(), other.acknowledged.end());
  }
}

std::uint64_t phase_tally::status_class(unsigned hundreds) const noexcept {
  std::uint64_t n = 0;
  for (unsigned s = hundreds * 100; s < hundreds * 100 + 100 && s < by_status.size(); ++s) {
    n += by_status[s];
  }
  return n;
}

phase_result run_phase(const phase_options& o, const request_source& source,
                       const std::function<void()>& alongside) {
  shared_phase s(o, source);
  const unsigned thread_count = std::max(1u, std::min(o.threads, o.connections));
  std::vector<std::unique_ptr<worker>> workers;
  for (unsigned t = 0; t < thread_count; ++t) workers.push_back(std::make_unique<worker>());
  for (unsigned c = 0; c < o.connections; ++c) {
    auto& w = *workers[c % thread_count];
    ++w.running;
    net::co_spawn(w.ctx, run_connection(s, w, c), net::detached);
  }
  std::vector<std::thread> threads;
  for (auto& w : workers) {
    net::co_spawn(w->ctx, watchdog(*w), net::detached);
    threads.emplace_back([&ctx = w->ctx] { ctx.run(); });
  }

  // Everyone connects first; the load starts for all connections at once.
  while (s.connected.load() + s.gave_up.load() < o.connections) {
    std::this_thread::sleep_for(10ms);
  }
  // Max-throughput connections begin as soon as their gate opens, so the clock starts now.
  const auto start = steady::now();
  s.clock = {start, start + o.duration, start + o.duration + o.drain_timeout};
  for (auto& w : workers) {
    net::post(w->ctx, [&w = *w] {
      w.started = true;
      w.gate.cancel();
    });
  }
  if (alongside) alongside();
  for (auto& t : threads) t.join();

  phase_result result;
  result.connected = s.connected.load();
  result.connect_error = s.connect_error;
  steady::time_point last = start;
  for (auto& w : workers) {
    last = std::max(last, w->last_answer);
    result.tally.merge(std::move(w->tally));
  }
  result.elapsed_seconds = std::chrono::duration<double>(last - start).count();
  return result;
}

}  // namespace checkin::loadtest
