#include "store/scan_store.hpp"

#include "scan_store_state.hpp"
#include "store/disk_faults.hpp"
#include "store/keys.hpp"
#include "store/record_codec.hpp"
#include "store/schema.hpp"

#include <algorithm>
#include <system_error>

namespace checkin::store {

// ---- open ---------------------------------------------------------------------------------------

namespace {

// The meta entries the versions after `from` added. The databases they added are created by
// open() for every version.
status upgrade_meta(const lmdb::txn& t, const lmdb::dbi& meta, std::uint64_t from) {
  if (from < 2) {
    auto b = meta.put(t, keys::meta_next_batch, keys::be64(1));
    if (!b) return b.error();
  }
  if (from < 3) {
    // Versions 1 and 2 wrote the by_session entry of every scan in the scan's own transaction.
    auto next = read_meta_value(t, meta, keys::meta_next_sequence);
    if (!next) return next.error();
    if (*next == 0) return store_error::corrupted;
    auto i = meta.put(t, keys::meta_indexed_through, keys::be64(*next - 1));
    if (!i) return i.error();
  }
  return {};
}

// Before any page is read: LMDB maps the whole file, so a page missing from it is a SIGBUS.
status check_length(const lmdb::env& env) {
  auto info = env.info();
  if (!info) return info.error();
  auto size = env.file_size();
  if (!size) return size.error();
  if (check_data_file(*size, info->last_page, info->page_size) != data_file_verdict::usable) {
    return store_error::truncated;
  }
  return {};
}

}  // namespace

std::filesystem::path scan_store::data_file(const std::filesystem::path& directory) {
  return directory / "data.mdb";
}

result<scan_store> scan_store::open(const store_options& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.directory, ec);
  if (ec) return store_error_from_code(ec.value());
  if (options.on_empty_data_file == empty_data_file::refuse) {
    const auto size = std::filesystem::file_size(data_file(options.directory), ec);
    if (!ec && size == 0) return store_error::truncated;
  }

  auto env = lmdb::env::open(options.directory,
                             lmdb::env_options{.map_size = options.map_size,
                                               .max_dbs = 16,
                                               .max_readers = options.max_readers,
                                               // readers run on threads other than the writer's
                                               .flags = MDB_NOTLS,
                                               .file_mode = 0600});
  if (!env) return env.error();
  if (auto checked = check_length(*env); !checked) return checked.error();

  auto t = lmdb::txn::begin(*env, lmdb::txn_mode::read_write);
  if (!t) return t.error();

  // Read what is there before creating anything, so a foreign environment stays untouched.
  auto main_db = lmdb::dbi::open_existing(*t, nullptr);
  if (!main_db) return main_db.error();
  auto main_entries = (*main_db)->entries(*t);
  if (!main_entries) return main_entries.error();
  auto existing_meta = lmdb::dbi::open_existing(*t, "meta");
  if (!existing_meta) return existing_meta.error();
  std::optional<std::uint64_t> stored_version;
  if (*existing_meta) {
    auto bytes = (*existing_meta)->get(*t, keys::meta_schema_version);
    if (!bytes) return bytes.error();
    if (*bytes) stored_version = keys::read_be64(**bytes);
  }
  const auto action =
      decide_schema(stored_version, *main_entries == 0 ? environment_contents::empty
                                                       : environment_contents::not_empty);
  if (action == schema_action::refuse) return store_error::unsupported_schema;

  auto meta = lmdb::dbi::open_or_create(*t, "meta");
  auto members = lmdb::dbi::open_or_create(*t, "members");
  auto scans = lmdb::dbi::open_or_create(*t, "scans");
  auto by_session = lmdb::dbi::open_or_create(*t, "by_session");
  auto outbox = lmdb::dbi::open_or_create(*t, "outbox");
  auto session_counts = lmdb::dbi::open_or_create(*t, "session_counts");
  auto batches = lmdb::dbi::open_or_create(*t, "batches");
  auto batch_entries = lmdb::dbi::open_or_create(*t, "batch_entries");
  auto session_seals = lmdb::dbi::open_or_create(*t, "session_seals");
  auto deliveries = lmdb::dbi::open_or_create(*t, "deliveries");
  for (const auto* d : {&meta, &members, &scans, &by_session, &outbox, &session_counts, &batches,
                        &batch_entries, &session_seals, &deliveries}) {
    if (!*d) return d->error();
  }

  if (action == schema_action::initialize) {
    for (const auto& [name, value] : {std::pair{keys::meta_next_sequence, std::uint64_t{1}},
                                      std::pair{keys::meta_next_batch, std::uint64_t{1}},
                                      std::pair{keys::meta_indexed_through, std::uint64_t{0}}}) {
      auto put = meta->put(*t, name, keys::be64(value));
      if (!put) return put.error();
    }
  }
  if (action == schema_action::upgrade) {
    if (auto up = upgrade_meta(*t, *meta, *stored_version); !up) return up.error();
  }
  if (action == schema_action::initialize || action == schema_action::upgrade) {
    auto v = meta->put(*t, keys::meta_schema_version, keys::be64(current_schema_version));
    if (!v) return v.error();
  }
  if (auto c = t->commit(); !c) return c.error();

  // state holds a mutex and atomics, so it is built in place rather than moved.
  auto s = std::unique_ptr<state>(new state{
      .env = std::move(*env),
      .meta = std::move(*meta),
      .members = std::move(*members),
      .scans = std::move(*scans),
      .by_session = std::move(*by_session),
      .outbox = std::move(*outbox),
      .session_counts = std::move(*session_counts),
      .batches = std::move(*batches),
      .batch_entries = std::move(*batch_entries),
      .session_seals = std::move(*session_seals),
      .deliveries = std::move(*deliveries),
      .map_mutex = {},
      .map_size_limit = options.map_size_limit,
      .map_grows = 0,
      .session_index_batch = std::max<std::uint32_t>(1, options.session_index_batch),
  });
  return scan_store{std::move(s)};
}

scan_store::scan_store(std::unique_ptr<state> s) noexcept : state_(std::move(s)) {}
scan_store::scan_store(scan_store&&) noexcept = default;
scan_store& scan_store::operator=(scan_store&&) noexcept = default;
scan_store::~scan_store() = default;

void scan_store::set_map_size_limit(std::size_t bytes) noexcept {
  state_->map_size_limit.store(bytes, std::memory_order_relaxed);
}

std::optional<store_error> scan_store::poisoned_by() const noexcept {
  const auto code = state_->poisoned_by.load(std::memory_order_acquire);
  if (code == 0) return std::nullopt;
  return static_cast<store_error>(code);
}

// ---- reads --------------------------------------------------------------------------------------

namespace {

// The member's record under `decode` (decode_member_record or decode_member_status); nullopt
// when there is none, or the id could not be a key.
template <class T>
result<std::optional<T>> read_member(const detail::scan_store_state& s, const member_no& member,
                                     result<T> (*decode)(std::string_view)) {
  // One object for every answer: returning fresh empty optionals draws a false
  // -Wmaybe-uninitialized from GCC 12 for std::optional<member_status>.
  std::optional<T> found;
  if (!keys::is_storable_id(member.value)) return found;
  auto view = begin_read(s);
  if (!view) return view.error();
  auto bytes = s.members.get(view->txn, keys::member_key(member));
  if (!bytes) return bytes.error();
  if (!*bytes) return found;
  auto decoded = decode(**bytes);
  if (!decoded) return decoded.error();
  found.emplace(std::move(*decoded));
  return found;
}

}  // namespace

result<std::optional<member_record>> scan_store::find_member(const member_no& member) const {
  return read_member(*state_, member, &decode_member_record);
}

result<std::optional<member_status>> scan_store::find_member_status(const member_no& member) const {
  return read_member(*state_, member, &decode_member_status);
}

result<std::vector<member_record>> scan_store::members(std::optional<member_no> after,
                                                       std::size_t limit) const {
  std::vector<member_record> out;
  auto view = begin_read(*state_);
  if (!view) return view.error();
  // after · NUL is the least key greater than `after`.
  const std::string from = after ? keys::member_scans_prefix(*after) : std::string{};
  auto done = scan_range(view->txn, state_->members, from, {},
                         [&](std::string_view, std::string_view value) -> result<bool> {
                           if (out.size() >= limit) return false;
                           auto record = decode_member_record(value);
                           if (!record) return record.error();
                           out.push_back(std::move(*record));
                           return true;
                         });
  if (!done) return done.error();
  return out;
}

result<std::optional<scan_record>> scan_store::find_scan(const member_no& member,
                                                         std::string_view session_id) const {
  if (!keys::is_storable_id(member.value) || !keys::is_storable_id(session_id)) {
    return std::optional<scan_record>{};
  }
  auto view = begin_read(*state_);
  if (!view) return view.error();
  auto bytes = state_->scans.get(view->txn, keys::scan_key(member, session_id));
  if (!bytes) return bytes.error();
  if (!*bytes) return std::optional<scan_record>{};
  auto record = decode_scan_record(**bytes);
  if (!record) return record.error();
  return std::optional<scan_record>{std::move(*record)};
}

result<std::vector<scan_record>> scan_store::member_scans(const member_no& member) const {
  std::vector<scan_record> out;
  if (!keys::is_storable_id(member.value)) return out;
  auto view = begin_read(*state_);
  if (!view) return view.error();
  const std::string prefix = keys::member_scans_prefix(member);
  auto done = scan_range(view->txn, state_->scans, prefix, prefix,
                         [&](std::string_view, std::string_view value) -> result<bool> {
                           auto record = decode_scan_record(value);
                           if (!record) return record.error();
                           out.push_back(std::move(*record));
                           return true;
                         });
  if (!done) return done.error();
  return out;
}

result<std::vector<scan_record>> scan_store::session_attendance(std::string_view session_id,
                                                                std::uint64_t after_sequence,
                                                                std::size_t limit) const {
  std::vector<scan_record> out;
  // An id that cannot be stored has no scans; it could also alias another session's prefix.
  if (!keys::is_storable_id(session_id) ||
      after_sequence == std::numeric_limits<std::uint64_t>::max()) {
    return out;
  }
  auto view = begin_read(*state_);
  if (!view) return view.error();
  auto indexed_through = read_meta_value(view->txn, state_->meta, keys::meta_indexed_through);
  if (!indexed_through) return indexed_through.error();

  // Scans up to indexed_through, from by_session; it holds no later ones.
  if (after_sequence < *indexed_through) {
    const std::string prefix = keys::session_index_prefix(session_id);
    auto done = scan_range(
        view->txn, state_->by_session, keys::session_index_key(session_id, after_sequence + 1),
        prefix, [&](std::string_view, std::string_view value) -> result<bool> {
          if (out.size() >= limit) return false;
          if (value.empty()) return store_error::corrupted;
          auto bytes = state_->scans.get(view->txn,
                                         keys::scan_key(member_no{std::string(value)}, session_id));
          if (!bytes) return bytes.error();
          if (!*bytes) return store_error::corrupted;  // the index points at a missing scan
          auto record = decode_scan_record(**bytes);
          if (!record) return record.error();
          out.push_back(std::move(*record));
          return true;
        });
    if (!done) return done.error();
  }

  // The later ones are all still in the outbox (a seal indexes before it moves any).
  const std::uint64_t from = std::max(after_sequence, *indexed_through) + 1;
  auto done = scan_range(view->txn, state_->outbox, keys::outbox_key(from), {},
                         [&](std::string_view, std::string_view value) -> result<bool> {
                           if (out.size() >= limit) return false;
                           auto id = peek_scan_identity(value);
                           if (!id) return id.error();
                           if (id->session_id != session_id) return true;
                           auto record = decode_scan_record(value);
                           if (!record) return record.error();
                           out.push_back(std::move(*record));
                           return true;
                         });
  if (!done) return done.error();
  return out;
}

result<std::uint64_t> scan_store::unindexed_scans() const {
  auto view = begin_read(*state_);
  if (!view) return view.error();
  auto gap = read_index_gap(view->txn, state_->meta);
  if (!gap) return gap.error();
  return gap->unindexed;
}

result<std::uint64_t> scan_store::session_count(std::string_view session_id) const {
  if (!keys::is_storable_id(session_id)) return std::uint64_t{0};
  auto view = begin_read(*state_);
  if (!view) return view.error();
  auto bytes = state_->session_counts.get(view->txn, session_id);
  if (!bytes) return bytes.error();
  if (!*bytes) return std::uint64_t{0};
  auto count = keys::read_be64(**bytes);
  if (!count) return store_error::corrupted;
  return *count;
}

result<std::vector<outbox_entry>> scan_store::outbox_from(std::uint64_t first_sequence,
                                                          std::size_t limit) const {
  std::vector<outbox_entry> out;
  auto view = begin_read(*state_);
  if (!view) return view.error();
  auto done = scan_range(view->txn, state_->outbox, keys::outbox_key(first_sequence), {},
                         [&](std::string_view key, std::string_view value) -> result<bool> {
                           if (out.size() >= limit) return false;
                           auto sequence = keys::read_be64(key);
                           if (!sequence) return store_error::corrupted;
                           auto record = decode_scan_record(value);
                           if (!record) return record.error();
                           out.push_back(outbox_entry{*sequence, std::move(*record)});
                           return true;
                         });
  if (!done) return done.error();
  return out;
}

result<std::uint64_t> scan_store::next_sequence() const {
  auto view = begin_read(*state_);
  if (!view) return view.error();
  return read_meta_value(view->txn, state_->meta, keys::meta_next_sequence);
}

result<store_stats> scan_store::stats() const {
  std::shared_lock lock(state_->map_mutex);
  auto info = state_->env.info();
  if (!info) return info.error();
  return store_stats{
      .map_size = info->map_size,
      .map_size_limit = state_->map_size_limit.load(std::memory_order_relaxed),
      .used_bytes = info->used_bytes,
      .map_grows = state_->map_grows.load(std::memory_order_relaxed),
  };
}

}  // namespace checkin::store
