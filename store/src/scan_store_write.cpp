// scan_store's write path: one transaction per batch, map growth on MDB_MAP_FULL.

#include "scan_store_state.hpp"
#include "store/disk_faults.hpp"
#include "store/keys.hpp"
#include "store/record_codec.hpp"
#include "store/schema.hpp"

#include <algorithm>
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

  status put_delivery(const delivery_record& d) {
    auto bytes = encode(d);
    if (!bytes) return bytes.error();
    auto put = s_.deliveries.put(t_, keys::delivery_key(d.batch_number, d.sink), *bytes);
    if (!put) return put.error();
    return {};
  }

  // Moves the session's unsealed scans (those after its last sealed sequence) out of the outbox
  // into a new batch. The by_session index lists them in sequence order, so a seal is a range
  // read, not a walk over the whole outbox.
  result<std::optional<batch_header>> seal(const seal_request& req, unix_millis now) {
    if (!keys::is_storable_id(req.session_id)) return store_error::invalid_record;
    // The seal reads by_session, and takes scans out of the outbox, where unindexed scans are
    // found: both need the index complete first.
    if (auto indexed = index_unindexed(); !indexed) return indexed.error();
    auto state = read_seal_state(req.session_id);
    if (!state) return state.error();

    std::vector<std::uint64_t> sequences;
    {
      auto c = lmdb::cursor::open(t_, s_.by_session);
      if (!c) return c.error();
      const std::string prefix = keys::session_index_prefix(req.session_id);
      for (auto e = c->lower_bound(
               keys::session_index_key(req.session_id, state->last_sealed_sequence + 1));
           ; e = c->next()) {
        if (!e) return e.error();
        if (!*e || !(*e)->key.starts_with(prefix)) break;
        auto sequence = keys::session_index_sequence((*e)->key, prefix);
        if (!sequence) return store_error::corrupted;
        sequences.push_back(*sequence);
      }
    }
    if (sequences.empty()) return std::optional<batch_header>{};

    auto number = read_meta(keys::meta_next_batch);
    if (!number) return number.error();
    batch_header h;
    h.number = *number;
    h.part = state->parts + 1;
    h.session_id = req.session_id;
    h.meeting_name = req.meeting_name;
    h.session_title = req.session_title;
    h.session_starts_at = req.session_starts_at;
    h.session_ends_at = req.session_ends_at;
    h.sealed_at = now;
    h.entry_count = static_cast<std::uint32_t>(sequences.size());
    h.first_sequence = sequences.front();
    h.last_sequence = sequences.back();
    for (std::uint64_t sequence : sequences) {
      auto found = s_.outbox.get(t_, keys::outbox_key(sequence));
      if (!found) return found.error();
      if (!*found) return store_error::corrupted;  // indexed, unsealed, yet not in the outbox
      std::string bytes{**found};                  // LMDB's view ends with the next write
      if (sequence == sequences.front()) {
        auto first = decode_scan_record(bytes);
        if (!first) return first.error();
        h.meeting_id = first->meeting_id;
        h.kind = first->kind;
        h.units = first->units;
      }
      auto entry = s_.batch_entries.put(t_, keys::batch_entry_key(h.number, sequence), bytes,
                                        lmdb::put_mode::no_overwrite);
      if (!entry) return entry.error();
      if (*entry == lmdb::put_outcome::key_existed) return store_error::corrupted;
      auto gone = s_.outbox.del(t_, keys::outbox_key(sequence));
      if (!gone) return gone.error();
    }
    h.batch_id = h.meeting_id + "/" + h.session_id + "/" + std::to_string(h.part);

    auto header = encode(h);
    if (!header) return header.error();
    auto put = s_.batches.put(t_, keys::batch_key(h.number), *header, lmdb::put_mode::no_overwrite);
    if (!put) return put.error();
    if (*put == lmdb::put_outcome::key_existed) return store_error::corrupted;

    state->parts = h.part;
    state->sealed_entries += h.entry_count;
    state->last_sealed_sequence = h.last_sequence;
    state->last_sealed_at = now;
    auto seals = s_.session_seals.put(t_, req.session_id, encode(*state));
    if (!seals) return seals.error();
    auto next = s_.meta.put(t_, keys::meta_next_batch, keys::be64(h.number + 1));
    if (!next) return next.error();
    return std::optional<batch_header>{std::move(h)};
  }

  result<std::uint64_t> next_sequence() const { return read_meta(keys::meta_next_sequence); }

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

  // The scan and its outbox entry. Its by_session entry comes later, from index_unindexed; the
  // session counter is bumped separately.
  status insert_scan(const scan_record& record) {
    auto bytes = encode(record);
    if (!bytes) return bytes.error();
    auto scan = s_.scans.put(t_, keys::scan_key(record.member, record.session_id), *bytes,
                             lmdb::put_mode::no_overwrite);
    if (!scan) return scan.error();
    // resolve_scans saw no record under this key in this transaction.
    if (*scan == lmdb::put_outcome::key_existed) return store_error::internal;
    auto out =
        s_.outbox.put(t_, keys::outbox_key(record.sequence), *bytes, lmdb::put_mode::no_overwrite);
    if (!out) return out.error();
    if (*out == lmdb::put_outcome::key_existed) return store_error::corrupted;
    return {};
  }

  // Writes the by_session entries of every scan after meta/indexed_through, reading them from the
  // outbox (unsealed scans are all there: a seal indexes first), when at least `due` are missing.
  // Entries go in key order, so each session's last index page is dirtied once per call.
  status index_unindexed(std::uint64_t due = 1) {
    auto gap = read_index_gap(t_, s_.meta);
    if (!gap) return gap.error();
    if (gap->unindexed == 0 || gap->unindexed < due) return {};

    std::vector<std::pair<std::string, std::string>> entries;  // by_session key, member
    entries.reserve(static_cast<std::size_t>(gap->unindexed));
    {
      auto c = lmdb::cursor::open(t_, s_.outbox);
      if (!c) return c.error();
      for (auto e = c->lower_bound(keys::outbox_key(gap->indexed_through + 1));; e = c->next()) {
        if (!e) return e.error();
        if (!*e) break;
        auto id = peek_scan_identity((*e)->value);
        if (!id) return id.error();
        if (keys::read_be64((*e)->key) != id->sequence) return store_error::corrupted;
        entries.emplace_back(keys::session_index_key(id->session_id, id->sequence),
                             std::string(id->member));
      }
    }
    // Sequences are contiguous and only a seal, after indexing, takes scans out of the outbox:
    // anything else means the mark would move past a scan that has no entry.
    if (entries.size() != gap->unindexed) return store_error::corrupted;
    std::sort(entries.begin(), entries.end());
    for (const auto& [key, member] : entries) {
      auto put = s_.by_session.put(t_, key, member);
      if (!put) return put.error();
    }
    auto through = s_.meta.put(t_, keys::meta_indexed_through,
                               keys::be64(gap->indexed_through + gap->unindexed));
    if (!through) return through.error();
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
  result<std::uint64_t> read_meta(std::string_view name) const {
    return read_meta_value(t_, s_.meta, name);
  }

  result<seal_state> read_seal_state(std::string_view session_id) const {
    auto bytes = s_.session_seals.get(t_, session_id);
    if (!bytes) return bytes.error();
    if (!*bytes) return seal_state{};
    return decode_seal_state(**bytes);
  }

  const detail::scan_store_state& s_;
  const lmdb::txn& t_;
};

}  // namespace

result<batch_result> scan_store::commit_batch(const write_batch& batch, unix_millis recorded_at) {
  if (poisoned_by()) return store_error::poisoned;
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

  for (const delivery_record& d : batch.deliveries) {
    if (auto put = w.put_delivery(d); !put) return put.error();
  }

  out.seals.reserve(batch.seals.size());
  for (const seal_request& req : batch.seals) {
    auto sealed = w.seal(req, recorded_at);
    if (!sealed) return sealed.error();
    out.seals.push_back(std::move(*sealed));
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
      if (auto indexed = w.index_unindexed(state_->session_index_batch); !indexed) {
        return indexed.error();
      }
    }
  }

  if (auto c = t->commit(); !c) {
    if (decide_after_failed_commit(c.error()) == after_failed_commit::stop_writes) {
      // The first cause is kept: later commits never run, so nothing can overwrite it.
      std::uint8_t none = 0;
      state_->poisoned_by.compare_exchange_strong(none, static_cast<std::uint8_t>(c.error()),
                                                  std::memory_order_acq_rel);
    }
    return c.error();
  }
  return out;
}

status scan_store::grow_map(std::size_t bytes) {
  std::unique_lock lock(state_->map_mutex);
  if (auto set = state_->env.set_map_size(bytes); !set) return set.error();
  state_->map_grows.fetch_add(1, std::memory_order_relaxed);
  return {};
}

}  // namespace checkin::store
