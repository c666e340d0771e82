#pragma once
// Thin RAII over the LMDB C API: move-only env, txn, dbi and cursor; destructors never throw and
// abort what is still live; every LMDB return code goes through store_error_from_code. Keys and
// values are byte strings carried in std::string_view; a view into a value points into the map and
// is valid only until its transaction ends. No implicit conversions to the raw handles: use
// handle() where the C API is needed.

#include "store/store_error.hpp"

#include <lmdb.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace checkin::store::lmdb {

struct env_options {
  std::size_t map_size = std::size_t{1} << 30;
  unsigned max_dbs = 8;
  unsigned max_readers = 126;
  unsigned flags = 0;  // MDB_* environment flags, passed through
  mode_t file_mode = 0600;
};

struct env_info {
  std::size_t map_size = 0;
  std::size_t used_bytes = 0;  // (last used page + 1) * page size
  std::size_t page_size = 0;
  std::size_t last_page = 0;  // the newest meta page's last used page number
};

class env {
 public:
  // Opens (creating the files if needed) the environment in an existing directory.
  [[nodiscard]] static result<env> open(const std::filesystem::path& dir,
                                        const env_options& options);

  env(env&& other) noexcept;
  env& operator=(env&& other) noexcept;
  env(const env&) = delete;
  env& operator=(const env&) = delete;
  ~env() noexcept;

  // Precondition (LMDB's, unchecked): no transaction of this process is live.
  [[nodiscard]] status set_map_size(std::size_t bytes);
  [[nodiscard]] result<env_info> info() const;
  // Bytes in the data file now (fstat of LMDB's descriptor).
  [[nodiscard]] result<std::uint64_t> file_size() const;

  [[nodiscard]] MDB_env* handle() const noexcept { return handle_; }

 private:
  explicit env(MDB_env* handle) noexcept : handle_(handle) {}
  MDB_env* handle_ = nullptr;
};

enum class txn_mode { read_write, read_only };

class txn {
 public:
  [[nodiscard]] static result<txn> begin(const env& e, txn_mode mode);

  txn(txn&& other) noexcept;
  txn& operator=(txn&& other) noexcept;
  txn(const txn&) = delete;
  txn& operator=(const txn&) = delete;
  ~txn() noexcept;  // aborts a live transaction

  // Commits (fsync'd unless the env was opened with MDB_NOSYNC). The handle is released before the
  // call, so the txn is dead afterwards whether or not the commit succeeded: LMDB frees it either
  // way.
  [[nodiscard]] status commit();
  void abort() noexcept;

  [[nodiscard]] bool live() const noexcept { return handle_ != nullptr; }
  [[nodiscard]] MDB_txn* handle() const noexcept { return handle_; }

 private:
  explicit txn(MDB_txn* handle) noexcept : handle_(handle) {}
  MDB_txn* handle_ = nullptr;
};

struct key_value {
  std::string_view key;
  std::string_view value;
};

enum class put_mode { overwrite, no_overwrite };
enum class put_outcome { written, key_existed };

// A database handle. Valid for the environment's lifetime once the transaction that opened it has
// committed; LMDB releases it when the env closes, so the destructor does nothing.
class dbi {
 public:
  // The database `name` (nullptr: the unnamed main database), or nullopt if it does not exist.
  [[nodiscard]] static result<std::optional<dbi>> open_existing(const txn& t, const char* name);
  // Creates the database when missing. Needs a read-write transaction.
  [[nodiscard]] static result<dbi> open_or_create(const txn& t, const char* name);

  dbi(dbi&& other) noexcept;
  dbi& operator=(dbi&& other) noexcept;
  dbi(const dbi&) = delete;
  dbi& operator=(const dbi&) = delete;
  ~dbi() = default;

  // nullopt on a miss.
  [[nodiscard]] result<std::optional<std::string_view>> get(const txn& t,
                                                            std::string_view key) const;
  // no_overwrite: an existing key is left alone and reported as key_existed.
  [[nodiscard]] result<put_outcome> put(const txn& t, std::string_view key, std::string_view value,
                                        put_mode mode = put_mode::overwrite) const;
  // false when the key was not there.
  [[nodiscard]] result<bool> del(const txn& t, std::string_view key) const;
  [[nodiscard]] result<std::size_t> entries(const txn& t) const;

  [[nodiscard]] MDB_dbi handle() const noexcept { return handle_; }

 private:
  explicit dbi(MDB_dbi handle) noexcept : handle_(handle) {}
  MDB_dbi handle_ = 0;
};

// Must be destroyed before its transaction commits or aborts: LMDB frees a write transaction's
// cursors with it, and a read transaction's cursors must be closed explicitly.
class cursor {
 public:
  [[nodiscard]] static result<cursor> open(const txn& t, const dbi& d);

  cursor(cursor&& other) noexcept;
  cursor& operator=(cursor&& other) noexcept;
  cursor(const cursor&) = delete;
  cursor& operator=(const cursor&) = delete;
  ~cursor() noexcept;

  // Each positions the cursor and returns the entry there, or nullopt past either end.
  [[nodiscard]] result<std::optional<key_value>> first();
  [[nodiscard]] result<std::optional<key_value>> last();
  [[nodiscard]] result<std::optional<key_value>> next();
  [[nodiscard]] result<std::optional<key_value>> prev();
  // The first entry whose key is >= `key`.
  [[nodiscard]] result<std::optional<key_value>> lower_bound(std::string_view key);
  // Deletes the entry under the cursor; the next next() returns the one after it.
  [[nodiscard]] status erase();

  [[nodiscard]] MDB_cursor* handle() const noexcept { return handle_; }

 private:
  explicit cursor(MDB_cursor* handle) noexcept : handle_(handle) {}
  result<std::optional<key_value>> move(MDB_cursor_op op, std::string_view key = {});
  MDB_cursor* handle_ = nullptr;
};

}  // namespace checkin::store::lmdb
