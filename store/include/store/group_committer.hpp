#pragma once
// The single writer. Any thread submits writes with a completion; one thread drains the queue (up
// to max_batch requests), applies them in one transaction through scan_store::commit_batch,
// commits with fsync, and only then calls each completion, in submission order, with its outcome.
// When a batch fails, every request in it gets the error and none of it is written.

#include "store/records.hpp"
#include "store/scan_resolution.hpp"
#include "store/scan_store.hpp"
#include "store/store_error.hpp"
#include "store/unique_callback.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

namespace checkin::store {

struct committer_options {
  std::size_t max_batch = 1024;    // requests per write transaction
  std::size_t max_queued = 65536;  // beyond this, submissions are answered `overloaded`
  // How long the oldest queued request may wait for company before its transaction starts
  // (unless max_batch requests are queued first, or stop() is called). 0: start at once.
  // Each transaction has a fixed cost (two device flushes, the commit's bookkeeping pages);
  // when requests trickle in faster than one flush, a short gather turns many tiny commits
  // into fewer larger ones, at the price of up to `gather` more latency per request.
  std::chrono::microseconds gather{0};
  // The source of recorded_at, read once per batch. Empty: the system clock.
  std::function<unix_millis()> clock{};
  // Called on the writer thread after each committed transaction with its request count and
  // commit time (fsync included), before the completions; for metrics. Must be quick and
  // must not throw. Empty: nothing is called.
  std::function<void(std::size_t requests, std::chrono::microseconds commit_time)> on_commit{};
  // Called on the writer thread when a transaction ends differently from the one before it: the
  // first failure, a different error, or (nullopt) the first success after failures; so a full
  // disk is reported once, not once per batch. scan_store::poisoned_by() tells whether writes
  // have stopped. Must be quick and must not throw. Empty: nothing is called.
  std::function<void(std::optional<store_error> outcome)> on_outcome_change{};
};

struct committer_stats {
  std::uint64_t batches = 0;  // committed transactions
  std::uint64_t items = 0;    // requests in committed transactions
  std::uint64_t scans_recorded = 0;
  std::uint64_t scans_duplicate = 0;
  std::uint64_t failed_batches = 0;
  std::uint64_t failed_items = 0;
  std::uint64_t rejected = 0;  // answered invalid_record, overloaded or shutting_down unqueued
  std::size_t last_batch_size = 0;
  std::size_t queued = 0;
  std::chrono::microseconds last_commit_latency{0};  // commit_batch, fsync included
  std::chrono::microseconds max_commit_latency{0};
  std::chrono::microseconds total_commit_latency{0};
};

// Completions run on the writer thread (or, for rejections, on the submitting thread before
// submit returns). They must be quick and must not throw: post the work elsewhere.
using scan_completion = unique_callback<void(scan_result)>;
using member_completion = unique_callback<void(status)>;
using seal_completion = unique_callback<void(result<std::optional<batch_header>>)>;
using delivery_completion = unique_callback<void(status)>;

class group_committer {
 public:
  // Starts the writer thread. `store` must outlive the committer.
  explicit group_committer(scan_store& store, committer_options options = {});
  ~group_committer();  // stop()
  group_committer(const group_committer&) = delete;
  group_committer& operator=(const group_committer&) = delete;

  // Each completion is called exactly once: after the commit that holds the write, or with the
  // batch's error, or before submit returns with invalid_record / overloaded / shutting_down
  // when the request was not queued.
  void submit_scan(scan_draft draft, scan_completion done);
  void submit_member(member_record member, member_completion done);
  // Seals the session's unsealed scans into its next batch (scan_store::commit_batch); the
  // completion gets the new batch's header, or nullopt when there was nothing to seal.
  void submit_seal(seal_request request, seal_completion done);
  // Stores a delivery record, replacing the one for the same batch and sink.
  void submit_delivery(delivery_record record, delivery_completion done);

  // Commits everything already queued, then joins the writer. Idempotent; from then on
  // submissions are answered shutting_down. Not from a completion (the writer cannot join
  // itself), and not from two threads at once.
  void stop();

  [[nodiscard]] committer_stats stats() const;

 private:
  struct scan_job {
    scan_draft draft{};
    scan_completion done;
  };
  struct member_job {
    member_record member{};
    member_completion done;
  };
  struct seal_job {
    seal_request request{};
    seal_completion done;
  };
  struct delivery_job {
    delivery_record record{};
    delivery_completion done;
  };
  using job = std::variant<scan_job, member_job, seal_job, delivery_job>;

  void enqueue(job j);
  void run();
  void commit(std::vector<job>& batch);

  scan_store& store_;
  committer_options options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> queue_;
  std::chrono::steady_clock::time_point oldest_queued_at_{};  // of queue_.front(), roughly
  bool stopping_ = false;
  std::optional<store_error> last_outcome_;  // of the last transaction; the writer's alone

  struct counters {
    std::atomic<std::uint64_t> batches{0}, items{0}, scans_recorded{0}, scans_duplicate{0},
        failed_batches{0}, failed_items{0}, rejected{0};
    std::atomic<std::size_t> last_batch_size{0};
    std::atomic<std::int64_t> last_latency_us{0}, max_latency_us{0}, total_latency_us{0};
  } counters_;

  std::thread writer_;  // last: starts after everything above is ready
};

}  // namespace checkin::store
