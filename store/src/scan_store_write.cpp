// scan_store's write path: one transaction per batch, map growth on MDB_MAP_FULL.

#include "scan_store_state.hpp"
#include "store/keys.hpp"
#include "store/record_codec.hpp"
#include "store/schema.hpp"

#include <map>
#include <mutex>

namespace checkin::store {

namespace {

// The databases a write transaction touches, bound to that transaction.
class write_txn {
 public:
  write_txn(const detail::scan_store_state& s, const lmdb::txn& t) noexcept : s_(s), t_(t) {}

  status put_member(const member_record& member) {
    auto bytes = encode(member);
    if (!bytes) return bytes.error();
    auto put = s_.members.put(t_, keys::member_key(member.member), *bytes);
    if (!put) return put.error();
    return {};
  }

  result<std::size_t> erase_outbox_through(std::uint64_t through) {
    auto c = lmdb::cursor::open(t_, s_.outbox);
    if (!c) return c.error();
    std::size_t erased = 0;
    // After erase() the cursor already stands on the following entry; next() returns it.
    for (auto e = c->first();; e = c->next()) {
      if (!e) return e.error();
      if (!*e) return erased;
      auto sequence = keys::read_be64((*e)->key);
      if (!sequence) return store_error::corrupted;
      if (*sequence > through) return erased;
      if (auto gone = c->erase(); !gone) return gone.error();
      ++erased;
    }
  }

  result<std::uint64_t> next_sequence() const {
    auto bytes = s_.meta.get(t_, keys::meta_next_sequence);
    if (!bytes) return bytes.error();
    if (!*bytes) return store_error::corrupted;
    auto next = keys::read_be64(**bytes);
    if (!next) return store_error::corrupted;
    return *next;
  }

  status set_next_sequence(std::uint64_t next) {
    auto put = s_.meta.put(t_, keys::meta_next_sequence, keys::be64(next));
    if (!put) return put.error();
    return {};
  }

  result<std::optional<scan_record>> find_scan(const scan_draft& draft) const {
    auto bytes = s_.scans.get(t_, keys::scan_key(draft.member, draft.session_id));
    if (!bytes) return bytes.error();
    if (!*bytes) return std::optional<scan_record>{};
    auto record = decode_scan_record(**bytes);
    if (!record) return record.error();
    return std::optional<scan_record>{std::move(*record)};
  }

  // The scan, its session index entry and its outbox entry. The counter is bumped separately.
  status insert_scan(const scan_record& record) {
    auto bytes = encode(record);
    if (!bytes) return bytes.error();
    auto scan = s_.scans.put(t_, keys::scan_key(record.member, record.session_id), *bytes,
                             lmdb::put_mode::no_overwrite);
    if (!scan) return scan.error();
    // resolve_scans saw no record under this key in this transaction.
    if (*scan == lmdb::put_outcome::key_existed) return store_error::internal;
    auto index = s_.by_session.put(t_, keys::session_index_key(record.session_id, record.sequence),
                                   record.member.value);
    if (!index) return index.error();
    auto out =
        s_.outbox.put(t_, keys::outbox_key(record.sequence), *bytes, lmdb::put_mode::no_overwrite);
    if (!out) return out.error();
    if (*out == lmdb::put_outcome::key_existed) return store_error::corrupted;
    return {};
  }

  status add_to_session_count(std::string_view session_id, std::uint64_t added) {
    auto bytes = s_.session_counts.get(t_, session_id);
    if (!bytes) return bytes.error();
    std::uint64_t count = 0;
    if (*bytes) {
      auto stored = keys::read_be64(**bytes);
      if (!stored) return store_error::corrupted;
      count = *stored;
    }
    auto put = s_.session_counts.put(t_, session_id, keys::be64(count + added));
    if (!put) return put.error();
    return {};
  }

 private:
  const detail::scan_store_state& s_;
  const lmdb::txn& t_;
};

}  // namespace

result<batch_result> scan_store::commit_batch(const write_batch& batch, unix_millis recorded_at) {
  for (;;) {
    auto committed = try_commit(batch, recorded_at);
    if (committed || committed.error() != store_error::map_full) return committed;
    // The failed transaction is gone; grow and run the whole batch again.
    auto info = stats();
    if (!info) return info.error();
    auto grown = grown_map_size(info->map_size, info->map_size_limit);
    if (!grown) return store_error::map_full;
    if (auto g = grow_map(*grown); !g) return g.error();
  }
}

result<batch_result> scan_store::try_commit(const write_batch& batch, unix_millis recorded_at) {
  std::shared_lock lock(state_->map_mutex);
  auto t = lmdb::txn::begin(state_->env, lmdb::txn_mode::read_write);
  if (!t) return t.error();
  write_txn w{*state_, *t};
  batch_result out;

  for (const member_record& member : batch.members) {
    if (auto put = w.put_member(member); !put) return put.error();
  }

  out.outbox_trimmed.reserve(batch.outbox_trims.size());
  for (std::uint64_t through : batch.outbox_trims) {
    auto erased = w.erase_outbox_through(through);
    if (!erased) return erased.error();
    out.outbox_trimmed.push_back(*erased);
  }

  if (!batch.scans.empty()) {
    auto first_sequence = w.next_sequence();
    if (!first_sequence) return first_sequence.error();
    std::vector<std::optional<scan_record>> stored;
    stored.reserve(batch.scans.size());
    for (const scan_draft& draft : batch.scans) {
      if (!validate(draft)) {
        stored.emplace_back();  // resolve_scans rejects it; an invalid id is not a lookup key
        continue;
      }
      auto found = w.find_scan(draft);
      if (!found) return found.error();
      stored.push_back(std::move(*found));
    }

    out.scans = resolve_scans(batch.scans, stored, *first_sequence, recorded_at);

    std::uint64_t next = *first_sequence;
    std::map<std::string_view, std::uint64_t> recorded_per_session;
    for (const scan_result& r : out.scans) {
      if (!r || r->status != scan_status::recorded) continue;
      if (auto inserted = w.insert_scan(r->record); !inserted) return inserted.error();
      ++recorded_per_session[r->record.session_id];
      next = r->record.sequence + 1;
    }
    for (const auto& [session_id, added] : recorded_per_session) {
      if (auto counted = w.add_to_session_count(session_id, added); !counted) {
        return counted.error();
      }
    }
    if (next != *first_sequence) {
      if (auto seq = w.set_next_sequence(next); !seq) return seq.error();
    }
  }

  if (auto c = t->commit(); !c) return c.error();
  return out;
}

status scan_store::grow_map(std::size_t bytes) {
  std::unique_lock lock(state_->map_mutex);
  if (auto set = state_->env.set_map_size(bytes); !set) return set.error();
  state_->map_grows.fetch_add(1, std::memory_order_relaxed);
  return {};
}

}  // namespace checkin::store
