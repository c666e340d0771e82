#pragma once
// Internal to scan_store: the open environment, its databases, and the lock that keeps the map
// from being resized under a live transaction.

#include "store/keys.hpp"
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
  lmdb::dbi batches;
  lmdb::dbi batch_entries;
  lmdb::dbi session_seals;
  lmdb::dbi deliveries;
  // LMDB allows mdb_env_set_mapsize only while no transaction of the process is live, and does
  // not check. Every transaction holds this shared; growing the map holds it exclusively.
  mutable std::shared_mutex map_mutex;
  std::atomic<std::size_t> map_size_limit;
  std::atomic<std::uint64_t> map_grows{0};
  std::uint32_t session_index_batch = 1;  // store_options::session_index_batch, at least 1
  // A store_error once a commit's write or flush failed (scan_store::poisoned_by), 0 before.
  std::atomic<std::uint8_t> poisoned_by{0};
};

// A read-only transaction that pins the map size for its lifetime. Members are destroyed in
// reverse order: the transaction ends before the lock is released.
struct read_view {
  std::shared_lock<std::shared_mutex> lock;
  lmdb::txn txn;
};

inline result<read_view> begin_read(const detail::scan_store_state& s) {
  std::shared_lock lock(s.map_mutex);
  auto t = lmdb::txn::begin(s.env, lmdb::txn_mode::read_only);
  if (!t) return t.error();
  return read_view{std::move(lock), std::move(*t)};
}

// A be64 value of the meta database; corrupted when it is missing or not 8 bytes.
inline result<std::uint64_t> read_meta_value(const lmdb::txn& t, const lmdb::dbi& meta,
                                             std::string_view name) {
  auto bytes = meta.get(t, name);
  if (!bytes) return bytes.error();
  if (!*bytes) return store_error::corrupted;
  auto value = keys::read_be64(**bytes);
  if (!value) return store_error::corrupted;
  return *value;
}

// Where the per-session index stands: every scan up to indexed_through has its by_session entry,
// and the `unindexed` ones after it (up to next_sequence - 1) are found in the outbox. corrupted
// when the mark is not below next_sequence.
struct index_gap {
  std::uint64_t indexed_through = 0;
  std::uint64_t unindexed = 0;
};
inline result<index_gap> read_index_gap(const lmdb::txn& t, const lmdb::dbi& meta) {
  auto indexed = read_meta_value(t, meta, keys::meta_indexed_through);
  if (!indexed) return indexed.error();
  auto next = read_meta_value(t, meta, keys::meta_next_sequence);
  if (!next) return next.error();
  if (*next == 0 || *indexed >= *next) return store_error::corrupted;
  return index_gap{*indexed, *next - 1 - *indexed};
}

// Calls on_entry(key, value) for entries from `from` while the key starts with `prefix`, until
// on_entry returns false. Returns the first error from the cursor or from on_entry.
template <class OnEntry>
status scan_range(const lmdb::txn& t, const lmdb::dbi& d, std::string_view from,
                  std::string_view prefix, OnEntry&& on_entry) {
  auto c = lmdb::cursor::open(t, d);
  if (!c) return c.error();
  for (auto e = c->lower_bound(from);; e = c->next()) {
    if (!e) return e.error();
    if (!*e || !(*e)->key.starts_with(prefix)) return {};
    result<bool> more = on_entry((*e)->key, (*e)->value);
    if (!more) return more.error();
    if (!*more) return {};
  }
}

}  // namespace checkin::store
