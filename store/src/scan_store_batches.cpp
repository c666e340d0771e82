// scan_store's reads of sealed batches, seal states and delivery records.

#include "scan_store_state.hpp"
#include "store/keys.hpp"
#include "store/record_codec.hpp"

namespace checkin::store {

result<std::vector<std::pair<std::string, std::uint64_t>>> scan_store::session_counts() const {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  auto view = begin_read(*state_);
  if (!view) return view.error();
  auto done = scan_range(view->txn, state_->session_counts, {}, {},
                         [&](std::string_view key, std::string_view value) -> result<bool> {
                           auto count = keys::read_be64(value);
                           if (!count) return store_error::corrupted;
                           out.emplace_back(std::string(key), *count);
                           return true;
                         });
  if (!done) return done.error();
  return out;
}

result<seal_state> scan_store::find_seal_state(std::string_view session_id) const {
  if (!keys::is_storable_id(session_id)) return seal_state{};
  auto view = begin_read(*state_);
  if (!view) return view.error();
  auto bytes = state_->session_seals.get(view->txn, session_id);
  if (!bytes) return bytes.error();
  if (!*bytes) return seal_state{};
  return decode_seal_state(**bytes);
}

result<std::vector<std::pair<std::string, seal_state>>> scan_store::seal_states() const {
  std::vector<std::pair<std::string, seal_state>> out;
  auto view = begin_read(*state_);
  if (!view) return view.error();
  auto done = scan_range(view->txn, state_->session_seals, {}, {},
                         [&](std::string_view key, std::string_view value) -> result<bool> {
                           auto seal = decode_seal_state(value);
                           if (!seal) return seal.error();
                           out.emplace_back(std::string(key), std::move(*seal));
                           return true;
                         });
  if (!done) return done.error();
  return out;
}

result<std::vector<batch_header>> scan_store::batches(std::uint64_t after_number,
                                                      std::size_t limit) const {
  std::vector<batch_header> out;
  if (after_number == std::numeric_limits<std::uint64_t>::max()) return out;
  auto view = begin_read(*state_);
  if (!view) return view.error();
  auto done = scan_range(view->txn, state_->batches, keys::batch_key(after_number + 1), {},
                         [&](std::string_view, std::string_view value) -> result<bool> {
                           if (out.size() >= limit) return false;
                           auto header = decode_batch_header(value);
                           if (!header) return header.error();
                           out.push_back(std::move(*header));
                           return true;
                         });
  if (!done) return done.error();
  return out;
}

result<std::optional<sealed_batch>> scan_store::find_batch(std::uint64_t number) const {
  auto view = begin_read(*state_);
  if (!view) return view.error();
  auto bytes = state_->batches.get(view->txn, keys::batch_key(number));
  if (!bytes) return bytes.error();
  if (!*bytes) return std::optional<sealed_batch>{};
  auto header = decode_batch_header(**bytes);
  if (!header) return header.error();
  sealed_batch batch{std::move(*header), {}};
  batch.entries.reserve(batch.header.entry_count);
  const std::string prefix = keys::batch_key(number);
  auto done = scan_range(view->txn, state_->batch_entries, prefix, prefix,
                         [&](std::string_view, std::string_view value) -> result<bool> {
                           auto record = decode_scan_record(value);
                           if (!record) return record.error();
                           batch.entries.push_back(std::move(*record));
                           return true;
                         });
  if (!done) return done.error();
  if (batch.entries.size() != batch.header.entry_count) return store_error::corrupted;
  return std::optional<sealed_batch>{std::move(batch)};
}

result<std::vector<delivery_record>> scan_store::deliveries() const {
  std::vector<delivery_record> out;
  auto view = begin_read(*state_);
  if (!view) return view.error();
  auto done = scan_range(view->txn, state_->deliveries, {}, {},
                         [&](std::string_view, std::string_view value) -> result<bool> {
                           auto record = decode_delivery_record(value);
                           if (!record) return record.error();
                           out.push_back(std::move(*record));
                           return true;
                         });
  if (!done) return done.error();
  return out;
}

result<std::optional<delivery_record>> scan_store::find_delivery(std::uint64_t number,
                                                                 std::string_view sink) const {
  if (!keys::is_storable_id(sink)) return std::optional<delivery_record>{};
  auto view = begin_read(*state_);
  if (!view) return view.error();
  auto bytes = state_->deliveries.get(view->txn, keys::delivery_key(number, sink));
  if (!bytes) return bytes.error();
  if (!*bytes) return std::optional<delivery_record>{};
  auto record = decode_delivery_record(**bytes);
  if (!record) return record.error();
  return std::optional<delivery_record>{std::move(*record)};
}

}  // namespace checkin::store
