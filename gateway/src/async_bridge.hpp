#pragma once
// Adapters from the store's callback world (completions on the writer thread) and from
// blocking work (password hashing) to awaitables that resume on the caller's executor.

#include "store/group_committer.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <atomic>
#include <memory>
#include <vector>

namespace checkin::gateway::detail {

namespace net = boost::asio;

// Resumes `handler` with `value` on the handler's own executor (never on the writer thread).
template <typename Handler, typename Value>
void resume_on_owner(Handler&& handler, Value&& value) {
  auto ex = net::get_associated_executor(handler);
  net::post(ex, [h = std::forward<Handler>(handler), v = std::forward<Value>(value)]() mutable {
    std::move(h)(std::move(v));
  });
}

// co_await async_record(committer, draft, use_awaitable) → store::scan_result, delivered
// only after the transaction holding the scan has committed (or failed).
template <typename Token>
auto async_record(store::group_committer& committer, store::scan_draft draft, Token&& token) {
  return net::async_initiate<Token, void(store::scan_result)>(
      [&committer](auto handler, store::scan_draft d) {
        committer.submit_scan(std::move(d), [h = std::move(handler)](store::scan_result r) mutable {
          resume_on_owner(std::move(h), std::move(r));
        });
      },
      token, std::move(draft));
}

// Several drafts submitted together (one offline backlog): they usually share one commit.
// Completes with one result per draft, in order, once all have committed or failed.
template <typename Token>
auto async_record_all(store::group_committer& committer, std::vector<store::scan_draft> drafts,
                      Token&& token) {
  return net::async_initiate<Token, void(std::vector<store::scan_result>)>(
      [&committer](auto handler, std::vector<store::scan_draft> ds) {
        using handler_t = decltype(handler);
        struct shared_state {
          handler_t handler;
          std::vector<store::scan_result> results;
          std::atomic<std::size_t> remaining;
          shared_state(handler_t h, std::size_t n)
              : handler(std::move(h)), results(n, store::scan_result(store::store_error::internal)),
                remaining(n) {}
        };
        if (ds.empty()) {
          resume_on_owner(std::move(handler), std::vector<store::scan_result>{});
          return;
        }
        auto state = std::make_shared<shared_state>(std::move(handler), ds.size());
        for (std::size_t i = 0; i < ds.size(); ++i) {
          committer.submit_scan(std::move(ds[i]), [state, i](store::scan_result r) mutable {
            state->results[i] = std::move(r);
            if (state->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
              resume_on_owner(std::move(state->handler), std::move(state->results));
            }
          });
        }
      },
      token, std::move(drafts));
}

// Runs `work()` on `pool` and resumes the awaiting coroutine with its result.
template <typename Executor, typename Work, typename Token>
auto async_run_on(Executor pool, Work work, Token&& token) {
  using result_t = decltype(work());
  return net::async_initiate<Token, void(result_t)>(
      [pool](auto handler, Work w) {
        net::post(pool, [h = std::move(handler), w = std::move(w)]() mutable {
          resume_on_owner(std::move(h), w());
        });
      },
      token, std::move(work));
}

}  // namespace checkin::gateway::detail
