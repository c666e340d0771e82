#pragma once
// What the store does when the disk under it fails: two pure decisions, taken on plain data.
// - Before any page is read: is the data file as long as the store its meta page describes?
//   LMDB maps the file and trusts the meta page's last page number, so a file cut shorter (a
//   partial copy, a restore onto a full disk, a truncate by hand) turns the first read past its
//   end into SIGBUS rather than an error.
// - After a commit failed: may later commits go ahead? After a failed write or flush the kernel
//   may have dropped dirty pages and will not report it twice (PostgreSQL's "fsyncgate"), so
//   the store stops taking writes until it is reopened.

#include "store/store_error.hpp"

#include <cstdint>

namespace checkin::store {

enum class data_file_verdict : std::uint8_t { usable, truncated };

// file_size: bytes in data.mdb; last_page: the newest meta page's last used page number;
// page_size: the environment's page size. Pages past last_page may be missing (they were never
// committed); any page up to it may not.
[[nodiscard]] data_file_verdict check_data_file(std::uint64_t file_size, std::uint64_t last_page,
                                                std::uint64_t page_size) noexcept;

enum class after_failed_commit : std::uint8_t {
  retry,        // nothing reached the file, or only pages no meta page points to: later commits may
                // succeed once the cause passes (a full disk, a full map)
  stop_writes,  // a write or flush failed: refuse every later commit with `poisoned`
};

// `commit_error`: what mdb_txn_commit itself returned (page writes, fdatasync, the meta write).
// Errors met while building a transaction never reach the file and are not asked about.
[[nodiscard]] after_failed_commit decide_after_failed_commit(store_error commit_error) noexcept;

}  // namespace checkin::store
