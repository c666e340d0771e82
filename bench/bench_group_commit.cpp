// Durable writes: scan_store::commit_batch (one write transaction, committed with fsync) at
// several batch sizes, and the group_committer's throughput when N threads each submit a scan
// and wait for its commit, as N concurrent requests do.

#include "bench_support.hpp"
#include "store/group_committer.hpp"
#include "store/scan_store.hpp"

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace checkin;

// Keys never repeat within a process, so every draft is recorded (a real write), never a duplicate.
std::atomic<std::uint64_t> next_member{1'000'000};

store::scan_draft new_draft() {
  store::scan_draft d;
  d.member = store::member_no{std::to_string(next_member.fetch_add(1, std::memory_order_relaxed))};
  d.meeting_id = "JSCNM2026";
  d.session_id = "A-0101";
  d.kind = tokens::credit_kind::education;
  d.units = tokens::credit_units{150};
  d.type = tokens::token_type::poster;
  d.key = tokens::key_id{0x1a2b3c4d};
  d.scanned_at =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  d.scan_id = "6f1c2a4e-9b3d-4c1a-8e7f-2d5b9a0c3e41";
  d.device_id = "ios-17.2-iPhone15,2-8F3A";
  return d;
}

store::scan_store open_store(const bench::scratch_dir& dir) {
  return store::scan_store::open(store::store_options{.directory = dir.path() / "store"}).value();
}

// One synced transaction per iteration holding `batch` new scans.
void BM_commit_batch(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  const bench::scratch_dir dir("checkin-bench-commit");
  auto store = open_store(dir);
  std::vector<store::write_batch> batches(static_cast<std::size_t>(state.max_iterations));
  for (auto& b : batches) {
    b.scans.reserve(batch);
    for (std::size_t i = 0; i < batch; ++i) b.scans.push_back(new_draft());
  }
  const auto recorded_at =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  std::size_t next = 0;
  for (auto _ : state) {
    auto committed = store.commit_batch(batches[next++], recorded_at);
    if (!committed) {
      state.SkipWithError("commit_batch failed");
      break;
    }
    benchmark::DoNotOptimize(committed);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["batch"] = static_cast<double>(batch);
}
BENCHMARK(BM_commit_batch)
    ->Arg(1)
    ->Arg(8)
    ->Arg(64)
    ->Arg(512)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5)
    ->UseRealTime();

// Shared by the threads of one BM_committer run; thread 0 builds it before the loop and drops
// it after (the benchmark loop starts and ends with a barrier across threads).
struct committer_rig {
  bench::scratch_dir dir{"checkin-bench-committer"};
  store::scan_store store = open_store(dir);
  store::group_committer committer{store};
};
std::unique_ptr<committer_rig> rig;
store::committer_stats stats_before;

// Each thread: submit one new scan, wait for its durable commit, repeat.
void BM_committer(benchmark::State& state) {
  if (state.thread_index() == 0) {
    rig = std::make_unique<committer_rig>();
    stats_before = rig->committer.stats();
  }
  for (auto _ : state) {
    std::promise<store::scan_result> promise;
    auto done = promise.get_future();
    rig->committer.submit_scan(
        new_draft(), [&promise](store::scan_result r) { promise.set_value(std::move(r)); });
    auto result = done.get();
    if (!result) {
      state.SkipWithError("a scan was not recorded");
      break;
    }
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    rig->committer.stop();
    const auto after = rig->committer.stats();
    const auto batches = static_cast<double>(after.batches - stats_before.batches);
    const auto items = static_cast<double>(after.items - stats_before.items);
    const auto commit_us = static_cast<double>(
        (after.total_commit_latency - stats_before.total_commit_latency).count());
    if (batches > 0) {
      state.counters["avg_batch"] = items / batches;
      state.counters["commit_us"] = commit_us / batches;
    }
    rig.reset();
  }
}
BENCHMARK(BM_committer)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->Threads(64)
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(0.5)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
