#include "gateway/member_import.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace checkin::gateway {

import_summary import_roster(std::vector<roster_row> rows, store::scan_store& store,
                             pwhash_cost cost, unsigned threads,
                             const std::function<void(std::size_t, std::size_t)>& progress) {
  const auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  store::write_batch batch;
  batch.members.resize(rows.size());
  import_summary summary;
  summary.members = rows.size();

  std::atomic<std::size_t> next{0}, hashed{0};
  std::mutex progress_mutex;
  const auto work = [&] {
    for (std::size_t i = next++; i < rows.size(); i = next++) {
      auto& row = rows[i];
      auto& m = batch.members[i];
      m.member = store::member_no{row.member_no};
      m.name = row.name;
      m.status = row.status == member_status::active ? store::member_status::active
                                                     : store::member_status::inactive;
      m.updated_at = now;
      if (const auto* h = std::get_if<hashed_password>(&row.password)) {
        m.password_hash = h->hash;
      } else {
        m.password_hash = hash_password(std::get<initial_password>(row.password).text(), cost);
        const auto done = ++hashed;
        if (progress) {
          const std::lock_guard lock(progress_mutex);
          progress(done, rows.size());
        }
      }
    }
  };
  std::vector<std::jthread> pool;
  for (unsigned t = 1; t < std::max(1u, threads); ++t) pool.emplace_back(work);
  work();
  pool.clear();  // joins

  for (const auto& m : batch.members) {
    (m.status == store::member_status::active ? summary.active : summary.inactive)++;
  }
  summary.hashed = hashed;
  const auto committed = store.commit_batch(batch, now);
  if (!committed) {
    throw std::runtime_error("the roster could not be stored: " +
                             std::string(store::to_string(committed.error())));
  }
  return summary;
}

}  // namespace checkin::gateway
