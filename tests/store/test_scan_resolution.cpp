// How a batch of scans resolves: pure, no LMDB.

#include "store_test_support.hpp"

#include <store/scan_resolution.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace checkin::store {
namespace {

using testing::at_ms;
using testing::make_draft;

std::vector<scan_result> resolve(const std::vector<scan_draft>& drafts,
                                 std::vector<std::optional<scan_record>> stored = {},
                                 std::uint64_t first_sequence = 100) {
  stored.resize(drafts.size());
  return resolve_scans(drafts, stored, first_sequence, at_ms(5000));
}

TEST(ResolveScans, NewKeysAreRecordedWithConsecutiveSequences) {
  auto out = resolve({make_draft(1, "S1"), make_draft(2, "S1"), make_draft(1, "S2")});
  ASSERT_EQ(out.size(), 3U);
  for (std::size_t i = 0; i < out.size(); ++i) {
    ASSERT_TRUE(out[i]);
    EXPECT_EQ(out[i]->status, scan_status::recorded);
    EXPECT_EQ(out[i]->record.sequence, 100 + i);
    EXPECT_EQ(out[i]->record.recorded_at, at_ms(5000));
  }
}

TEST(ResolveScans, ScannedAtDefaultsToRecordedAt) {
  scan_draft with_time = make_draft(1, "S1");
  with_time.scanned_at = at_ms(4000);
  auto out = resolve({with_time, make_draft(2, "S1")});
  EXPECT_EQ(out[0]->record.scanned_at, at_ms(4000));
  EXPECT_EQ(out[1]->record.scanned_at, at_ms(5000));
}

TEST(ResolveScans, StoredKeyIsADuplicateReturningTheOriginal) {
  scan_record original = make_scan_record(make_draft(1, "S1"), 7, at_ms(1000));
  original.scan_id = "first-phone";
  scan_draft again = make_draft(1, "S1");
  again.scan_id = "second-phone";
  auto out = resolve({again}, {original});
  ASSERT_TRUE(out[0]);
  EXPECT_EQ(out[0]->status, scan_status::duplicate);
  EXPECT_EQ(out[0]->record, original);
}

TEST(ResolveScans, InBatchDuplicateResolvesToOneRecordedAndOneDuplicate) {
  scan_draft first = make_draft(1, "S1");
  first.scan_id = "a";
  scan_draft second = make_draft(1, "S1");
  second.scan_id = "b";
  auto out = resolve({first, make_draft(2, "S1"), second});
  ASSERT_TRUE(out[0] && out[1] && out[2]);
  EXPECT_EQ(out[0]->status, scan_status::recorded);
  EXPECT_EQ(out[1]->status, scan_status::recorded);
  EXPECT_EQ(out[2]->status, scan_status::duplicate);
  EXPECT_EQ(out[2]->record, out[0]->record) << "the duplicate sees the first write";
  EXPECT_EQ(out[2]->record.scan_id, "a");
  EXPECT_EQ(out[1]->record.sequence, 101U) << "a duplicate takes no sequence number";
}

TEST(ResolveScans, InvalidDraftIsRejectedAndTakesNoSequence) {
  auto out = resolve({make_draft(1, ""), make_draft(2, "S1")});
  ASSERT_FALSE(out[0]);
  EXPECT_EQ(out[0].error(), store_error::invalid_record);
  ASSERT_TRUE(out[1]);
  EXPECT_EQ(out[1]->record.sequence, 100U);
}

}  // namespace
}  // namespace checkin::store
