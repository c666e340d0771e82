#pragma once
// The sync to the membership system, running beside the server: one thread seals sessions
// when they are due (sync_policy.hpp), one thread per sink delivers sealed batches and records
// each attempt. All writes go through the group committer, so they share its durability and
// never compete with scans for the LMDB write lock beyond one transaction. Nothing here runs on
// the I/O threads: a slow or dead receiver never slows a scan.

#include "gateway/sync/crash_point.hpp"
#include "gateway/sync/sink.hpp"
#include "gateway/sync/sync_policy.hpp"
#include "store/group_committer.hpp"
#include "store/scan_store.hpp"
#include "tokens/program.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace checkin::gateway::sync {

struct sync_options {
  seal_timing sealing;
  retry_policy retry;
  // How often the store is re-read even when nothing woke the threads: operator retries made
  // with `checkin-gateway sync retry` (another process) are picked up within this.
  std::chrono::milliseconds poll_interval{std::chrono::seconds{2}};
  std::function<unix_millis()> clock;  // empty: the system clock
  crash_step crash_at = crash_step::none;  // TEST ONLY (crash_point.hpp)
};

struct sync_counters {
  std::atomic<std::uint64_t> batches_sealed{0};
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> failed{0};
};

// Reads every session's recorded count and seal state.
[[nodiscard]] store::result<std::vector<session_progress>> read_progress(
    const store::scan_store& store);

class sync_service {
 public:
  // The store, committer and program must outlive the service. Starts its threads.
  sync_service(const store::scan_store& store, store::group_committer& committer,
               const tokens::meeting_program& program, std::vector<std::unique_ptr<sink>> sinks,
               sync_options options);
  ~sync_service();  // stop()
  sync_service(const sync_service&) = delete;
  sync_service& operator=(const sync_service&) = delete;

  // Lets each thread finish the attempt in progress (bounded by the sink's timeouts), then
  // joins them. Idempotent. Call before stopping the committer.
  void stop();

  [[nodiscard]] const sync_counters& counters() const noexcept { return counters_; }
  [[nodiscard]] std::vector<std::string> sink_names() const;

 private:
  void seal_loop();
  void deliver_loop(sink& s);
  // Waits until `until` (or the poll interval), a wake-up, or stop; false once stopping.
  bool wait(std::optional<unix_millis> until);
  void wake_all();
  [[nodiscard]] unix_millis now() const;

  const store::scan_store& store_;
  store::group_committer& committer_;
  const tokens::meeting_program& program_;
  std::vector<std::unique_ptr<sink>> sinks_;
  sync_options options_;
  sync_counters counters_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::uint64_t generation_ = 0;  // bumped by wake_all; each waiter compares its own copy
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // last: started once everything above is ready
};

}  // namespace checkin::gateway::sync
