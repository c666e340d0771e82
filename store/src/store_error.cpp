#include "store/store_error.hpp"

#include <lmdb.h>
#include <boost/throw_exception.hpp>

#include <cerrno>
#include <string>

namespace checkin::store {

std::string_view to_string(store_error e) noexcept {
  switch (e) {
    case store_error::map_full:
      return "map_full";
    case store_error::disk_full:
      return "disk_full";
    case store_error::io_error:
      return "io_error";
    case store_error::corrupted:
      return "corrupted";
    case store_error::incompatible:
      return "incompatible";
    case store_error::unsupported_schema:
      return "unsupported_schema";
    case store_error::readers_full:
      return "readers_full";
    case store_error::txn_full:
      return "txn_full";
    case store_error::access_denied:
      return "access_denied";
    case store_error::out_of_memory:
      return "out_of_memory";
    case store_error::invalid_record:
      return "invalid_record";
    case store_error::overloaded:
      return "overloaded";
    case store_error::shutting_down:
      return "shutting_down";
    case store_error::internal:
      return "internal";
    case store_error::truncated:
      return "truncated";
    case store_error::poisoned:
      return "poisoned";
  }
  return "internal";
}

store_error store_error_from_code(int rc) noexcept {
  switch (rc) {
    case MDB_MAP_FULL:
      return store_error::map_full;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_PANIC:
    case MDB_INVALID:
      return store_error::corrupted;
    case MDB_VERSION_MISMATCH:
    case MDB_INCOMPATIBLE:
      return store_error::incompatible;
    case MDB_READERS_FULL:
      return store_error::readers_full;
    case MDB_TXN_FULL:
      return store_error::txn_full;
    case MDB_BAD_VALSIZE:
      return store_error::invalid_record;
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return store_error::disk_full;
    case EIO:
    case ENOENT:
    case ENOTDIR:
    case EISDIR:
    case ENXIO:
      return store_error::io_error;
    case EACCES:
    case EPERM:
    case EROFS:
      return store_error::access_denied;
    case ENOMEM:
      return store_error::out_of_memory;
    default:
      return store_error::internal;  // MDB_BAD_TXN, MDB_BAD_DBI, MDB_DBS_FULL, EINVAL, ...
  }
}

namespace {

class store_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "checkin.store"; }
  std::string message(int ev) const override {
    switch (static_cast<store_error>(ev)) {
      case store_error::map_full:
        return "storage map is full";
      case store_error::disk_full:
        return "disk is full";
      case store_error::io_error:
        return "storage I/O error";
      case store_error::corrupted:
        return "storage is corrupted";
      case store_error::incompatible:
        return "storage file is incompatible with this LMDB build";
      case store_error::unsupported_schema:
        return "storage schema version is newer than or unknown to this build";
      case store_error::readers_full:
        return "too many concurrent readers";
      case store_error::txn_full:
        return "transaction too large";
      case store_error::access_denied:
        return "access to the storage files denied";
      case store_error::out_of_memory:
        return "out of memory";
      case store_error::invalid_record:
        return "record does not fit the storage encoding";
      case store_error::overloaded:
        return "write queue is full";
      case store_error::shutting_down:
        return "storage writer is shutting down";
      case store_error::internal:
        return "internal storage error";
      case store_error::truncated:
        return "storage data file is shorter than the store it holds";
      case store_error::poisoned:
        return "storage takes no writes after a failed write or flush: restart to reopen it";
    }
    return "unknown storage error";
  }
};

}  // namespace

const std::error_category& store_category() noexcept {
  static const store_category_impl category;
  return category;
}

std::error_code make_error_code(store_error e) noexcept {
  return {static_cast<int>(e), store_category()};
}

void throw_exception_from_error(store_error e, const boost::source_location& loc) {
  boost::throw_with_location(std::system_error(make_error_code(e)), loc);
}

}  // namespace checkin::store
