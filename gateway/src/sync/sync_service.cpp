#include "gateway/sync/sync_service.hpp"

#include <pthread.h>
#include <future>
#include <map>
#include <random>
#include <spdlog/spdlog.h>

namespace checkin::gateway::sync {

using namespace std::chrono;

namespace {

// Waits for a committer completion. The committer answers every submission exactly once, also
// when it is stopping, so this cannot hang.
template <class T, class Submit>
T committed(Submit&& submit) {
  std::promise<T> done;
  auto answer = done.get_future();
  submit([&done](T r) { done.set_value(std::move(r)); });
  return answer.get();
}

}  // namespace

store::result<std::vector<session_progress>> read_progress(const store::scan_store& store) {
  auto counts = store.session_counts();
  if (!counts) return counts.error();
  auto seals = store.seal_states();
  if (!seals) return seals.error();
  std::map<std::string, store::seal_state, std::less<>> by_session(seals->begin(), seals->end());
  std::vector<session_progress> out;
  out.reserve(counts->size());
  for (auto& [session, recorded] : *counts) {
    session_progress p{session, recorded, {}};
    if (auto it = by_session.find(session); it != by_session.end()) p.sealed = it->second;
    out.push_back(std::move(p));
  }
  return out;
}

sync_service::sync_service(const store::scan_store& store, store::group_committer& committer,
                           const tokens::meeting_program& program,
                           std::vector<std::unique_ptr<sink>> sinks, sync_options options)
    : store_(store),
      committer_(committer),
      program_(program),
      sinks_(std::move(sinks)),
      options_(std::move(options)) {
  threads_.emplace_back([this] {
    (void)pthread_setname_np(pthread_self(), "checkin-seal");
    seal_loop();
  });
  for (auto& s : sinks_) {
    threads_.emplace_back([this, sk = s.get()] {
      (void)pthread_setname_np(pthread_self(), "checkin-deliver");
      deliver_loop(*sk);
    });
  }
}

sync_service::~sync_service() { stop(); }

void sync_service::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::vector<std::string> sync_service::sink_names() const {
  std::vector<std::string> names;
  for (const auto& s : sinks_) names.push_back(s->name());
  return names;
}

unix_millis sync_service::now() const {
  return options_.clock ? options_.clock()
                        : time_point_cast<milliseconds>(system_clock::now());
}

void sync_service::wake_all() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
  }
  wake_.notify_all();
}

bool sync_service::wait(std::optional<unix_millis> until) {
  auto timeout = options_.poll_interval;
  if (until) timeout = std::clamp(duration_cast<milliseconds>(*until - now()), milliseconds{0}, timeout);
  std::unique_lock lock(mutex_);
  const auto seen = generation_;
  wake_.wait_for(lock, timeout, [&] { return stopping_ || generation_ != seen; });
  return !stopping_;
}

void sync_service::seal_loop() {
  for (;;) {
    auto progress = read_progress(store_);
    if (!progress) {
      spdlog::error("sync: cannot read the sealing state: {}", store::to_string(progress.error()));
      if (!wait(std::nullopt)) return;
      continue;
    }
    const auto plan = plan_seals(program_, *progress, now(), options_.sealing);
    bool sealed_any = false;
    for (const auto& request : plan.due) {
      auto sealed = committed<store::result<std::optional<store::batch_header>>>(
          [&](auto done) { committer_.submit_seal(request, std::move(done)); });
      if (!sealed) {
        spdlog::error("sync: sealing session {} failed: {} (retried on the next pass)",
                      request.session_id, store::to_string(sealed.error()));
        continue;
      }
      if (!*sealed) continue;
      const auto& h = **sealed;
      counters_.batches_sealed.fetch_add(1, std::memory_order_relaxed);
      sealed_any = true;
      spdlog::info("sync: sealed batch {} ({}, {} scans)", h.batch_id, store::to_string(h.part_kind()),
                   h.entry_count);
      crash_if(options_.crash_at, crash_step::after_seal);
    }
    if (sealed_any) wake_all();
    if (!wait(plan.next_due)) return;
  }
}

void sync_service::deliver_loop(sink& s) {
  std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  for (;;) {
    auto batches = store_.batches();
    auto all = store_.deliveries();
    if (!batches || !all) {
      spdlog::error("sync {}: cannot read the batches", s.name());
      if (!wait(std::nullopt)) return;
      continue;
    }
    std::vector<store::delivery_record> mine;
    for (auto& r : *all) {
      if (r.sink == s.name()) mine.push_back(std::move(r));
    }
    for (const std::uint64_t number : due_batches(*batches, mine, now())) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
      }
      auto batch = store_.find_batch(number);
      if (!batch || !*batch) {
        spdlog::error("sync {}: cannot read batch {}", s.name(), number);
        continue;
      }
      crash_if(options_.crash_at, crash_step::before_send);
      const auto result = s.deliver(**batch);
      if (result.status == delivery_status::delivered) {
        crash_if(options_.crash_at, crash_step::after_send_before_ack);
      }
      auto previous = store_.find_delivery(number, s.name());
      auto record = after_attempt(previous ? *previous : std::nullopt, number, s.name(), result,
                                  now(), options_.retry, unit(rng));
      const auto& id = (*batch)->header.batch_id;
      switch (result.status) {
        case delivery_status::delivered:
          counters_.delivered.fetch_add(1, std::memory_order_relaxed);
          spdlog::info("sync {}: batch {} delivered: {}", s.name(), id, result.detail);
          break;
        case delivery_status::retry:
          counters_.retries.fetch_add(1, std::memory_order_relaxed);
          spdlog::warn("sync {}: batch {} not delivered (attempt {}): {}; next try in {} s",
                       s.name(), id, record.attempts, result.detail,
                       duration_cast<seconds>(*record.next_attempt_at - now()).count());
          break;
        case delivery_status::failed:
          counters_.failed.fetch_add(1, std::memory_order_relaxed);
          spdlog::error("sync {}: batch {} refused, parked as failed: {} "
                        "(retry with `checkin-gateway sync retry`)",
                        s.name(), id, result.detail);
          break;
      }
      auto stored = committed<store::status>(
          [&](auto done) { committer_.submit_delivery(record, std::move(done)); });
      if (!stored) {
        // The receiver has it but we could not write that down: it is sent again later, which
        // the Idempotency-Key makes harmless.
        spdlog::error("sync {}: could not record the outcome for batch {}: {}", s.name(), id,
                      store::to_string(stored.error()));
      }
    }
    if (!wait(next_retry_at(mine))) return;
  }
}

}  // namespace checkin::gateway::sync
