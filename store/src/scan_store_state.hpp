#pragma once
// Internal to scan_store: the open environment, its databases, and the lock that keeps the map
// from being resized under a live transaction.

#include "store/lmdb.hpp"
#include "store/scan_store.hpp"

#include <atomic>
#include <shared_mutex>

namespace checkin::store {

struct detail::scan_store_state {
  lmdb::env env;
  lmdb::dbi meta;
  lmdb::dbi members;
  lmdb::dbi scans;
  lmdb::dbi by_session;
  lmdb::dbi outbox;
  lmdb::dbi session_counts;
  // LMDB allows mdb_env_set_mapsize only while no transaction of the process is live, and does
  // not check. Every transaction holds this shared; growing the map holds it exclusively.
  mutable std::shared_mutex map_mutex;
  std::atomic<std::size_t> map_size_limit;
  std::atomic<std::uint64_t> map_grows{0};
};

// A read-only transaction that pins the map size for its lifetime. Members are destroyed in
// reverse order: the transaction ends before the lock is released.
struct read_view {
  std::shared_lock<std::shared_mutex> lock;
  lmdb::txn txn;
};

}  // namespace checkin::store
