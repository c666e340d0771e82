// The store's decisions about a failing disk, without a disk.

#include "store/disk_faults.hpp"
#include "store/scan_store.hpp"
#include "store_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>

namespace checkin::store {
namespace {

TEST(CheckDataFile, AFileHoldingEveryPageUpToTheLastIsUsable) {
  EXPECT_EQ(check_data_file(8 * 4096, 7, 4096), data_file_verdict::usable);
  // Pages past the last one are written by transactions that never committed.
  EXPECT_EQ(check_data_file(9 * 4096, 7, 4096), data_file_verdict::usable);
  // A new environment: the two meta pages.
  EXPECT_EQ(check_data_file(2 * 4096, 1, 4096), data_file_verdict::usable);
}

TEST(CheckDataFile, AFileShortOfTheLastPageIsTruncated) {
  EXPECT_EQ(check_data_file(7 * 4096, 7, 4096), data_file_verdict::truncated);
  EXPECT_EQ(check_data_file(8 * 4096 - 1, 7, 4096), data_file_verdict::truncated);
  EXPECT_EQ(check_data_file(8192, 500, 4096), data_file_verdict::truncated);
  EXPECT_EQ(check_data_file(0, 1, 4096), data_file_verdict::truncated);
}

TEST(CheckDataFile, NumbersNoFileCouldHaveAreTruncated) {
  EXPECT_EQ(check_data_file(UINT64_MAX, UINT64_MAX, 4096), data_file_verdict::truncated);
  EXPECT_EQ(check_data_file(UINT64_MAX, 1, 0), data_file_verdict::truncated);
}

TEST(DecideAfterFailedCommit, AFailedWriteOrFlushStopsWrites) {
  EXPECT_EQ(decide_after_failed_commit(store_error::io_error), after_failed_commit::stop_writes);
  EXPECT_EQ(decide_after_failed_commit(store_error::corrupted), after_failed_commit::stop_writes);
}

TEST(DecideAfterFailedCommit, AFullDiskOrMapIsRetried) {
  for (auto e : {store_error::disk_full, store_error::map_full, store_error::txn_full,
                 store_error::out_of_memory, store_error::readers_full}) {
    EXPECT_EQ(decide_after_failed_commit(e), after_failed_commit::retry) << to_string(e);
  }
}

// A store with scans of 200 members, closed: its data.mdb spans many pages.
std::filesystem::path written_store(const std::filesystem::path& dir) {
  auto s = scan_store::open({.directory = dir});
  EXPECT_TRUE(s);
  write_batch batch;
  for (std::uint64_t m = 1; m <= 200; ++m) batch.scans.push_back(testing::make_draft(m, "S1"));
  EXPECT_TRUE(s->commit_batch(batch, testing::at_ms(1)));
  return scan_store::data_file(dir);
}

TEST(OpenDataFile, AFileCutShortIsTruncatedNotASignal) {
  testing::temp_dir dir;
  const auto file = written_store(dir.path());
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 4096);
  auto s = scan_store::open({.directory = dir.path()});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), store_error::truncated);
}

TEST(OpenDataFile, AnEmptyFileIsANewStoreUnlessRefused) {
  testing::temp_dir dir;
  const auto file = written_store(dir.path());
  std::filesystem::resize_file(file, 0);
  store_options refuse{.directory = dir.path()};
  refuse.on_empty_data_file = empty_data_file::refuse;
  auto refused = scan_store::open(refuse);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), store_error::truncated);
  EXPECT_EQ(std::filesystem::file_size(file), 0u);
  auto created = scan_store::open({.directory = dir.path()});
  ASSERT_TRUE(created);
  EXPECT_EQ(created->next_sequence().value(), 1u);
}

}  // namespace
}  // namespace checkin::store
