#include "store/lmdb.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <utility>

namespace checkin::store::lmdb {

namespace {

MDB_val to_val(std::string_view s) noexcept {
  // LMDB never writes through mv_data of a key or of a value passed to put.
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

std::string_view to_view(const MDB_val& v) noexcept {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

store_error fail(int rc) noexcept { return store_error_from_code(rc); }

}  // namespace

// ---- env ----------------------------------------------------------------------------------------

result<env> env::open(const std::filesystem::path& dir, const env_options& options) {
  MDB_env* raw = nullptr;
  if (int rc = mdb_env_create(&raw); rc != 0) return fail(rc);
  env e{raw};  // closes the handle on every early return below
  if (int rc = mdb_env_set_maxdbs(raw, options.max_dbs); rc != 0) return fail(rc);
  if (int rc = mdb_env_set_maxreaders(raw, options.max_readers); rc != 0) return fail(rc);
  if (int rc = mdb_env_set_mapsize(raw, options.map_size); rc != 0) return fail(rc);
  if (int rc = mdb_env_open(raw, dir.c_str(), options.flags, options.file_mode); rc != 0) {
    return fail(rc);
  }
  return e;
}

env::env(env&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

env& env::operator=(env&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) mdb_env_close(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

env::~env() noexcept {
  if (handle_ != nullptr) mdb_env_close(handle_);
}

status env::set_map_size(std::size_t bytes) {
  if (int rc = mdb_env_set_mapsize(handle_, bytes); rc != 0) return fail(rc);
  return {};
}

result<env_info> env::info() const {
  MDB_envinfo info{};
  if (int rc = mdb_env_info(handle_, &info); rc != 0) return fail(rc);
  MDB_stat stat{};
  if (int rc = mdb_env_stat(handle_, &stat); rc != 0) return fail(rc);
  return env_info{info.me_mapsize, (info.me_last_pgno + 1) * std::size_t{stat.ms_psize},
                  stat.ms_psize, info.me_last_pgno};
}

result<std::uint64_t> env::file_size() const {
  mdb_filehandle_t fd{};
  if (int rc = mdb_env_get_fd(handle_, &fd); rc != 0) return fail(rc);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(errno);
  return static_cast<std::uint64_t>(st.st_size);
}

// ---- txn ----------------------------------------------------------------------------------------

result<txn> txn::begin(const env& e, txn_mode mode) {
  MDB_txn* raw = nullptr;
  const unsigned flags = mode == txn_mode::read_only ? MDB_RDONLY : 0;
  if (int rc = mdb_txn_begin(e.handle(), nullptr, flags, &raw); rc != 0) return fail(rc);
  return txn{raw};
}

txn::txn(txn&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

txn& txn::operator=(txn&& other) noexcept {
  if (this != &other) {
    abort();
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

txn::~txn() noexcept { abort(); }

status txn::commit() {
  MDB_txn* raw = std::exchange(handle_, nullptr);
  if (raw == nullptr) return store_error::internal;  // already committed or aborted
  if (int rc = mdb_txn_commit(raw); rc != 0) return fail(rc);
  return {};
}

void txn::abort() noexcept {
  if (handle_ != nullptr) mdb_txn_abort(std::exchange(handle_, nullptr));
}

// ---- dbi ----------------------------------------------------------------------------------------

result<std::optional<dbi>> dbi::open_existing(const txn& t, const char* name) {
  MDB_dbi handle = 0;
  int rc = mdb_dbi_open(t.handle(), name, 0, &handle);
  if (rc == MDB_NOTFOUND) return std::optional<dbi>{};
  if (rc != 0) return fail(rc);
  return std::optional<dbi>{dbi{handle}};
}

result<dbi> dbi::open_or_create(const txn& t, const char* name) {
  MDB_dbi handle = 0;
  if (int rc = mdb_dbi_open(t.handle(), name, MDB_CREATE, &handle); rc != 0) return fail(rc);
  return dbi{handle};
}

dbi::dbi(dbi&& other) noexcept : handle_(std::exchange(other.handle_, 0)) {}

dbi& dbi::operator=(dbi&& other) noexcept {
  handle_ = std::exchange(other.handle_, 0);
  return *this;
}

result<std::optional<std::string_view>> dbi::get(const txn& t, std::string_view key) const {
  MDB_val k = to_val(key);
  MDB_val v{};
  int rc = mdb_get(t.handle(), handle_, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>{};
  if (rc != 0) return fail(rc);
  return std::optional<std::string_view>{to_view(v)};
}

result<put_outcome> dbi::put(const txn& t, std::string_view key, std::string_view value,
                             put_mode mode) const {
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  const unsigned flags = mode == put_mode::no_overwrite ? MDB_NOOVERWRITE : 0;
  int rc = mdb_put(t.handle(), handle_, &k, &v, flags);
  if (rc == MDB_KEYEXIST) return put_outcome::key_existed;
  if (rc != 0) return fail(rc);
  return put_outcome::written;
}

result<bool> dbi::del(const txn& t, std::string_view key) const {
  MDB_val k = to_val(key);
  int rc = mdb_del(t.handle(), handle_, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return fail(rc);
  return true;
}

result<std::size_t> dbi::entries(const txn& t) const {
  MDB_stat stat{};
  if (int rc = mdb_stat(t.handle(), handle_, &stat); rc != 0) return fail(rc);
  return stat.ms_entries;
}

// ---- cursor -------------------------------------------------------------------------------------

result<cursor> cursor::open(const txn& t, const dbi& d) {
  MDB_cursor* raw = nullptr;
  if (int rc = mdb_cursor_open(t.handle(), d.handle(), &raw); rc != 0) return fail(rc);
  return cursor{raw};
}

cursor::cursor(cursor&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

cursor& cursor::operator=(cursor&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) mdb_cursor_close(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

cursor::~cursor() noexcept {
  if (handle_ != nullptr) mdb_cursor_close(handle_);
}

result<std::optional<key_value>> cursor::move(MDB_cursor_op op, std::string_view key) {
  MDB_val k = to_val(key);
  MDB_val v{};
  int rc = mdb_cursor_get(handle_, &k, &v, op);
  if (rc == MDB_NOTFOUND) return std::optional<key_value>{};
  if (rc != 0) return fail(rc);
  return std::optional<key_value>{key_value{to_view(k), to_view(v)}};
}

result<std::optional<key_value>> cursor::first() { return move(MDB_FIRST); }
result<std::optional<key_value>> cursor::last() { return move(MDB_LAST); }
result<std::optional<key_value>> cursor::next() { return move(MDB_NEXT); }
result<std::optional<key_value>> cursor::prev() { return move(MDB_PREV); }
result<std::optional<key_value>> cursor::lower_bound(std::string_view key) {
  // LMDB rejects an empty key with MDB_BAD_VALSIZE; every key is >= the empty one.
  if (key.empty()) return first();
  return move(MDB_SET_RANGE, key);
}

status cursor::erase() {
  if (int rc = mdb_cursor_del(handle_, 0); rc != 0) return fail(rc);
  return {};
}

}  // namespace checkin::store::lmdb
