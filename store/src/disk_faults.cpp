#include "store/disk_faults.hpp"

namespace checkin::store {

data_file_verdict check_data_file(std::uint64_t file_size, std::uint64_t last_page,
                                  std::uint64_t page_size) noexcept {
  // A meta page whose numbers overflow describes no file we could have written.
  if (page_size == 0 || last_page >= UINT64_MAX / page_size) return data_file_verdict::truncated;
  return file_size >= (last_page + 1) * page_size ? data_file_verdict::usable
                                                  : data_file_verdict::truncated;
}

after_failed_commit decide_after_failed_commit(store_error commit_error) noexcept {
  switch (commit_error) {
    // EIO from pwrite, writev or fdatasync: the page cache may now hold pages the disk does not,
    // and a later fdatasync may succeed without writing them.
    case store_error::io_error:
    // MDB_PANIC: the meta page write failed and LMDB refuses every transaction from now on.
    case store_error::corrupted:
      return after_failed_commit::stop_writes;
    // ENOSPC and EDQUOT come from pwrite extending the file: the page never reached the cache as
    // dirty data, the failed transaction is not referenced by any meta page, and the next commit
    // writes all of its own pages again.
    default:
      return after_failed_commit::retry;
  }
}

}  // namespace checkin::store
