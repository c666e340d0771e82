#include "store/group_committer.hpp"

#include "store/keys.hpp"
#include "store/record_codec.hpp"

#include <pthread.h>
#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

namespace checkin::store {

namespace {

unix_millis system_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
// Clang before 17 does not deduce an aggregate's template arguments (P1816) without it.
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

// The completion's error for a request that never reached a transaction.
template <class Job>
void reject(Job& j, store_error e) {
  j.done(e);
}

}  // namespace

group_committer::group_committer(scan_store& store, committer_options options)
    : store_(store), options_(std::move(options)) {
  if (!options_.clock) options_.clock = system_now;
  options_.max_batch = std::max<std::size_t>(options_.max_batch, 1);
  writer_ = std::thread([this] {
    // Named for top -H, perf and gdb (15 characters at most).
    (void)pthread_setname_np(pthread_self(), "checkin-writer");
    run();
  });
}

group_committer::~group_committer() { stop(); }

// Requests that cannot be encoded are answered before they are queued, so one bad request never
// fails a batch it shares with others.
void group_committer::submit_scan(scan_draft draft, scan_completion done) {
  if (auto valid = validate(draft); !valid) {
    counters_.rejected.fetch_add(1, std::memory_order_relaxed);
    done(valid.error());
    return;
  }
  enqueue(scan_job{std::move(draft), std::move(done)});
}

void group_committer::submit_member(member_record member, member_completion done) {
  if (auto valid = validate(member); !valid) {
    counters_.rejected.fetch_add(1, std::memory_order_relaxed);
    done(valid.error());
    return;
  }
  enqueue(member_job{std::move(member), std::move(done)});
}

void group_committer::submit_seal(seal_request request, seal_completion done) {
  if (!keys::is_storable_id(request.session_id)) {
    counters_.rejected.fetch_add(1, std::memory_order_relaxed);
    done(store_error::invalid_record);
    return;
  }
  enqueue(seal_job{std::move(request), std::move(done)});
}

void group_committer::submit_delivery(delivery_record record, delivery_completion done) {
  if (auto valid = encode(record); !valid) {
    counters_.rejected.fetch_add(1, std::memory_order_relaxed);
    done(valid.error());
    return;
  }
  enqueue(delivery_job{std::move(record), std::move(done)});
}

void group_committer::enqueue(job j) {
  std::optional<store_error> refused;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      refused = store_error::shutting_down;
    } else if (queue_.size() >= options_.max_queued) {
      refused = store_error::overloaded;
    } else {
      if (queue_.empty()) oldest_queued_at_ = std::chrono::steady_clock::now();
      queue_.push_back(std::move(j));
      // The writer waits for a first request, or (gathering) for a full batch: nothing else
      // changes what it does, so other submissions need not wake it.
      wake = queue_.size() == 1 || queue_.size() == options_.max_batch;
    }
  }
  if (refused) {
    counters_.rejected.fetch_add(1, std::memory_order_relaxed);
    std::visit([&](auto& r) { reject(r, *refused); }, j);
    return;
  }
  if (wake) wake_.notify_one();
}

void group_committer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
}

void group_committer::run() {
  std::vector<job> batch;
  batch.reserve(options_.max_batch);
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything queued has been committed
      if (options_.gather.count() > 0) {
        wake_.wait_until(lock, oldest_queued_at_ + options_.gather, [this] {
          return queue_.size() >= options_.max_batch || stopping_;
        });
      }
      const std::size_t n = std::min(queue_.size(), options_.max_batch);
      std::move(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n),
                std::back_inserter(batch));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      // What is left has waited a whole batch already: its turn comes without a gather.
      if (!queue_.empty()) oldest_queued_at_ = std::chrono::steady_clock::time_point::min();
    }
    commit(batch);
    batch.clear();
  }
}

void group_committer::commit(std::vector<job>& batch) {
  write_batch writes;
  for (job& j : batch) {
    std::visit(overloaded{
                   [&](scan_job& s) { writes.scans.push_back(std::move(s.draft)); },
                   [&](member_job& m) { writes.members.push_back(std::move(m.member)); },
                   [&](seal_job& seal) { writes.seals.push_back(std::move(seal.request)); },
                   [&](delivery_job& d) { writes.deliveries.push_back(std::move(d.record)); },
               },
               j);
  }

  const unix_millis recorded_at = options_.clock();
  const auto started = std::chrono::steady_clock::now();
  auto committed = store_.commit_batch(writes, recorded_at);
  const auto latency_us = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();

  counters_.last_batch_size.store(batch.size(), std::memory_order_relaxed);
  counters_.last_latency_us.store(latency_us, std::memory_order_relaxed);
  counters_.total_latency_us.fetch_add(latency_us, std::memory_order_relaxed);
  if (latency_us > counters_.max_latency_us.load(std::memory_order_relaxed)) {
    counters_.max_latency_us.store(latency_us, std::memory_order_relaxed);  // one writer
  }

  const std::optional<store_error> outcome =
      committed ? std::nullopt : std::optional<store_error>(committed.error());
  if (outcome != last_outcome_) {
    last_outcome_ = outcome;
    if (options_.on_outcome_change) options_.on_outcome_change(outcome);
  }

  if (!committed) {
    counters_.failed_batches.fetch_add(1, std::memory_order_relaxed);
    counters_.failed_items.fetch_add(batch.size(), std::memory_order_relaxed);
    for (job& j : batch) std::visit([&](auto& r) { reject(r, committed.error()); }, j);
    return;
  }

  // Counters first, so a caller that has seen a completion also sees its batch in stats().
  std::uint64_t recorded = 0;
  std::uint64_t duplicate = 0;
  for (const scan_result& r : committed->scans) {
    if (r) ++(r->status == scan_status::recorded ? recorded : duplicate);
  }
  counters_.batches.fetch_add(1, std::memory_order_relaxed);
  counters_.items.fetch_add(batch.size(), std::memory_order_relaxed);
  counters_.scans_recorded.fetch_add(recorded, std::memory_order_relaxed);
  counters_.scans_duplicate.fetch_add(duplicate, std::memory_order_relaxed);
  if (options_.on_commit) options_.on_commit(batch.size(), std::chrono::microseconds{latency_us});

  // Results come back per kind in the order the kinds were collected above.
  std::size_t next_scan = 0;
  std::size_t next_seal = 0;
  for (job& j : batch) {
    std::visit(overloaded{
                   [&](scan_job& s) { s.done(std::move(committed->scans[next_scan++])); },
                   [&](member_job& m) { m.done(status{}); },
                   [&](seal_job& seal) { seal.done(std::move(committed->seals[next_seal++])); },
                   [&](delivery_job& d) { d.done(status{}); },
               },
               j);
  }
}

committer_stats group_committer::stats() const {
  std::size_t queued = 0;
  {
    std::lock_guard lock(mutex_);
    queued = queue_.size();
  }
  const auto& c = counters_;
  constexpr auto relaxed = std::memory_order_relaxed;
  return committer_stats{
      .batches = c.batches.load(relaxed),
      .items = c.items.load(relaxed),
      .scans_recorded = c.scans_recorded.load(relaxed),
      .scans_duplicate = c.scans_duplicate.load(relaxed),
      .failed_batches = c.failed_batches.load(relaxed),
      .failed_items = c.failed_items.load(relaxed),
      .rejected = c.rejected.load(relaxed),
      .last_batch_size = c.last_batch_size.load(relaxed),
      .queued = queued,
      .last_commit_latency = std::chrono::microseconds{c.last_latency_us.load(relaxed)},
      .max_commit_latency = std::chrono::microseconds{c.max_latency_us.load(relaxed)},
      .total_commit_latency = std::chrono::microseconds{c.total_latency_us.load(relaxed)},
  };
}

}  // namespace checkin::store
