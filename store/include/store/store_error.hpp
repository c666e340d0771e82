#pragma once
// The storage layer's error vocabulary: one enum, a stable string code for each value, and the
// single function that maps LMDB and OS return codes onto it. A miss is not an error here: lookups
// return std::optional.

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <string_view>
#include <system_error>

namespace checkin::store {

enum class store_error : std::uint8_t {
  map_full = 1,        // MDB_MAP_FULL: the map reached its size (and its growth limit)
  disk_full,           // ENOSPC, EDQUOT: the filesystem refused to grow the file
  io_error,            // EIO and other OS failures reading or writing the files
  corrupted,           // MDB_CORRUPTED, MDB_PAGE_NOTFOUND, MDB_PANIC, MDB_INVALID, bad record bytes
  incompatible,        // MDB_VERSION_MISMATCH, MDB_INCOMPATIBLE: written by another LMDB/layout
  unsupported_schema,  // the schema version record is newer than, or unknown to, this build
  readers_full,        // MDB_READERS_FULL: too many concurrent read transactions
  txn_full,            // MDB_TXN_FULL: one transaction dirtied too many pages
  access_denied,       // EACCES, EPERM, EROFS
  out_of_memory,       // ENOMEM
  invalid_record,      // a field does not fit the encoding (too long, NUL in an id, key too big)
  overloaded,          // the group committer's queue is at its limit
  shutting_down,       // the group committer was stopped before the request was queued
  internal,            // LMDB misuse codes and anything unmapped: a bug, not a condition
  truncated,           // data.mdb is shorter than the store its meta page describes, or empty
  poisoned,            // an earlier commit's write or flush failed: no writes until reopened
};

// Stable machine-readable code, e.g. "map_full". Never changes once shipped.
[[nodiscard]] std::string_view to_string(store_error e) noexcept;

// Maps an LMDB or errno return code (non-zero) to a store_error. MDB_NOTFOUND is not an error
// anywhere in this library; callers turn it into std::nullopt before they get here, so it maps to
// `internal` if it ever arrives.
[[nodiscard]] store_error store_error_from_code(int rc) noexcept;

// For code that speaks std::error_code (the HTTP layer, logging). Category name "checkin.store";
// messages are human text, the string code above is the stable part.
[[nodiscard]] const std::error_category& store_category() noexcept;
[[nodiscard]] std::error_code make_error_code(store_error e) noexcept;

// Found by ADL from boost::system::result<T, store_error>::value(): throws std::system_error.
[[noreturn]] void throw_exception_from_error(store_error e, const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, store_error>;
using status = result<void>;

}  // namespace checkin::store

template <>
struct std::is_error_code_enum<checkin::store::store_error> : std::true_type {};
