// The scan store over a real LMDB environment in a scratch directory.

#include "store_test_support.hpp"

#include <store/keys.hpp>
#include <store/lmdb.hpp>
#include <store/scan_store.hpp>
#include <store/schema.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace checkin::store {
namespace {

using testing::at_ms;
using testing::make_draft;
using testing::temp_dir;

class ScanStoreTest : public ::testing::Test {
 protected:
  scan_store open_store(std::size_t map_size = std::size_t{64} << 20,
                        std::size_t limit = std::size_t{64} << 20) {
    return scan_store::open(
               {.directory = dir_.path() / "db", .map_size = map_size, .map_size_limit = limit})
        .value();
  }
  scan_store open_store_indexing_every(std::uint32_t session_index_batch) {
    return scan_store::open({.directory = dir_.path() / "db",
                             .map_size = std::size_t{64} << 20,
                             .session_index_batch = session_index_batch})
        .value();
  }
  // Rewrites the stored schema version as an older binary left it: no meta/indexed_through
  // before version 3, no meta/next_batch before version 2.
  void make_schema_version(std::uint64_t version) {
    auto env =
        lmdb::env::open(dir_.path() / "db", {.map_size = std::size_t{64} << 20, .max_dbs = 16})
            .value();
    auto t = lmdb::txn::begin(env, lmdb::txn_mode::read_write).value();
    auto meta = lmdb::dbi::open_existing(t, "meta").value().value();
    ASSERT_TRUE(meta.put(t, keys::meta_schema_version, keys::be64(version)));
    ASSERT_TRUE(meta.del(t, keys::meta_indexed_through));
    if (version < 2) {
      ASSERT_TRUE(meta.del(t, keys::meta_next_batch));
    }
    ASSERT_TRUE(t.commit());
  }

  static std::vector<scan_result> record(scan_store& s, std::vector<scan_draft> drafts,
                                         std::int64_t ms = 1000) {
    write_batch b;
    b.scans = std::move(drafts);
    return s.commit_batch(b, at_ms(ms)).value().scans;
  }

  temp_dir dir_;
};

TEST_F(ScanStoreTest, FirstWriteWinsAndDuplicateReturnsTheOriginal) {
  auto s = open_store();
  scan_draft first = make_draft(1001, "S1");
  first.scan_id = "phone-a-1";
  first.device_id = "phone-a";
  auto r1 = record(s, {first}, 1000);
  ASSERT_TRUE(r1[0]);
  EXPECT_EQ(r1[0]->status, scan_status::recorded);
  EXPECT_EQ(r1[0]->record.sequence, 1U);

  scan_draft second = make_draft(1001, "S1");
  second.scan_id = "phone-b-1";
  auto r2 = record(s, {second}, 2000);
  ASSERT_TRUE(r2[0]);
  EXPECT_EQ(r2[0]->status, scan_status::duplicate);
  EXPECT_EQ(r2[0]->record, r1[0]->record);
  EXPECT_EQ(r2[0]->record.scan_id, "phone-a-1");
  EXPECT_EQ(r2[0]->record.recorded_at, at_ms(1000));

  EXPECT_EQ(s.find_scan(member_no{"1001"}, "S1").value(), r1[0]->record);
  EXPECT_EQ(s.session_count("S1").value(), 1U);
  EXPECT_EQ(s.outbox_from(0, 100).value().size(), 1U);
  EXPECT_EQ(s.next_sequence().value(), 2U);
}

TEST_F(ScanStoreTest, BatchWithInBatchDuplicatesWritesOnce) {
  auto s = open_store();
  auto out =
      record(s, {make_draft(1, "S1"), make_draft(2, "S1"), make_draft(1, "S1"), make_draft(1, "")});
  ASSERT_TRUE(out[0] && out[1] && out[2]);
  EXPECT_EQ(out[0]->status, scan_status::recorded);
  EXPECT_EQ(out[1]->status, scan_status::recorded);
  EXPECT_EQ(out[2]->status, scan_status::duplicate);
  EXPECT_EQ(out[2]->record, out[0]->record);
  EXPECT_EQ(out[3].error(), store_error::invalid_record);

  EXPECT_EQ(s.session_attendance("S1").value().size(), 2U);
  EXPECT_EQ(s.session_count("S1").value(), 2U);
  auto outbox = s.outbox_from(0, 100).value();
  ASSERT_EQ(outbox.size(), 2U);
  EXPECT_EQ(outbox[0].sequence, 1U);
  EXPECT_EQ(outbox[0].scan, out[0]->record);
  EXPECT_EQ(outbox[1].scan, out[1]->record);
}

TEST_F(ScanStoreTest, ListsBySessionAndByMember) {
  auto s = open_store();
  // S1 and S10 share a prefix; the index must keep them apart.
  record(s, {make_draft(30, "S1"), make_draft(10, "S1"), make_draft(20, "S10")});
  record(s, {make_draft(20, "S1"), make_draft(10, "S2")});

  auto s1 = s.session_attendance("S1").value();
  ASSERT_EQ(s1.size(), 3U);
  EXPECT_EQ(s1[0].member, member_no{"30"}) << "attendance is in recording order";
  EXPECT_EQ(s1[1].member, member_no{"10"});
  EXPECT_EQ(s1[2].member, member_no{"20"});
  auto after = s.session_attendance("S1", s1[0].sequence, 1).value();
  ASSERT_EQ(after.size(), 1U);
  EXPECT_EQ(after[0].member, member_no{"10"});
  EXPECT_EQ(s.session_attendance("S10").value().size(), 1U);
  EXPECT_TRUE(s.session_attendance("nope").value().empty());

  auto m10 = s.member_scans(member_no{"10"}).value();
  ASSERT_EQ(m10.size(), 2U);
  EXPECT_EQ(m10[0].session_id, "S1");
  EXPECT_EQ(m10[1].session_id, "S2");
  EXPECT_TRUE(s.member_scans(member_no{"11"}).value().empty());

  EXPECT_EQ(s.session_count("S1").value(), 3U);
  EXPECT_EQ(s.session_count("S10").value(), 1U);
  EXPECT_EQ(s.session_count("nope").value(), 0U);
}

TEST_F(ScanStoreTest, MemberNumbersAreExactStrings) {
  auto s = open_store();
  scan_draft padded = make_draft(0, "S1");
  padded.member = member_no{"00123"};
  scan_draft plain = make_draft(0, "S1");
  plain.member = member_no{"123"};
  scan_draft shorter = make_draft(0, "S2");
  shorter.member = member_no{"12"};
  auto out = record(s, {padded, plain, shorter});
  EXPECT_EQ(out[0]->status, scan_status::recorded);
  EXPECT_EQ(out[1]->status, scan_status::recorded) << "00123 and 123 are different members";

  auto of12 = s.member_scans(member_no{"12"}).value();
  ASSERT_EQ(of12.size(), 1U) << "12 does not see the scans of 123";
  EXPECT_EQ(of12[0].session_id, "S2");
  EXPECT_EQ(s.find_scan(member_no{""}, "S1").value(), std::nullopt);
  EXPECT_EQ(s.find_member(member_no{std::string{"1\0", 2}}).value(), std::nullopt);
  EXPECT_TRUE(s.member_scans(member_no{""}).value().empty());

  write_batch w;
  for (const char* m : {"9", "10", "100"})
    w.members.push_back(member_record{.member = member_no{m}});
  ASSERT_TRUE(s.commit_batch(w, at_ms(0)));
  auto all = s.members(std::nullopt, 10).value();
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].member, member_no{"10"});
  EXPECT_EQ(all[1].member, member_no{"100"});
  EXPECT_EQ(all[2].member, member_no{"9"});
  auto after10 = s.members(member_no{"10"}, 10).value();
  ASSERT_EQ(after10.size(), 2U);
  EXPECT_EQ(after10[0].member, member_no{"100"});

  w.members = {member_record{.member = member_no{""}}};
  auto rejected = s.commit_batch(w, at_ms(0));
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error(), store_error::invalid_record);
}

TEST_F(ScanStoreTest, OutboxReadsFromASequence) {
  auto s = open_store();
  std::vector<scan_draft> drafts;
  for (std::uint64_t m = 1; m <= 10; ++m) drafts.push_back(make_draft(m, "S1"));
  record(s, drafts);
  auto tail = s.outbox_from(8, 100).value();
  ASSERT_EQ(tail.size(), 3U);
  EXPECT_EQ(tail[0].sequence, 8U);
  EXPECT_EQ(tail[0].scan.member, member_no{"8"});
}

seal_request seal_of(std::string session) {
  return seal_request{.session_id = std::move(session),
                      .meeting_name = "第65回 学術総会",
                      .session_title = "教育講演 1",
                      .session_starts_at = at_ms(1000),
                      .session_ends_at = at_ms(2000)};
}

TEST_F(ScanStoreTest, SealMovesASessionsScansFromTheOutboxIntoABatch) {
  auto s = open_store();
  std::vector<scan_draft> drafts;
  for (std::uint64_t m = 1; m <= 5; ++m) drafts.push_back(make_draft(m, "S1"));
  drafts.push_back(make_draft(1, "S2"));
  record(s, drafts);
  EXPECT_EQ(s.unindexed_scans().value(), 6U);

  write_batch w;
  w.seals = {seal_of("S1")};
  auto sealed = s.commit_batch(w, at_ms(9000)).value();
  EXPECT_EQ(s.unindexed_scans().value(), 0U) << "a seal writes the index first";
  ASSERT_EQ(sealed.seals.size(), 1U);
  ASSERT_TRUE(sealed.seals[0].has_value());
  const batch_header& h = *sealed.seals[0];
  EXPECT_EQ(h.number, 1U);
  EXPECT_EQ(h.part, 1U);
  EXPECT_EQ(h.part_kind(), batch_part_kind::main);
  EXPECT_EQ(h.batch_id, "JSXX2025/S1/1");
  EXPECT_EQ(h.meeting_id, "JSXX2025");
  EXPECT_EQ(h.meeting_name, "第65回 学術総会");
  EXPECT_EQ(h.session_title, "教育講演 1");
  EXPECT_EQ(h.session_ends_at, at_ms(2000));
  EXPECT_EQ(h.sealed_at, at_ms(9000));
  EXPECT_EQ(h.entry_count, 5U);
  EXPECT_EQ(h.first_sequence, 1U);
  EXPECT_EQ(h.last_sequence, 5U);

  // The batch holds the five S1 scans in order; only S2's scan is left in the outbox.
  auto batch = s.find_batch(1).value();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->header, h);
  ASSERT_EQ(batch->entries.size(), 5U);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(batch->entries[i], s.find_scan(member_no{std::to_string(i + 1)}, "S1").value());
  }
  auto outbox = s.outbox_from(0, 100).value();
  ASSERT_EQ(outbox.size(), 1U);
  EXPECT_EQ(outbox[0].scan.session_id, "S2");
  // Sealing takes nothing from the scans themselves.
  EXPECT_EQ(s.session_attendance("S1").value().size(), 5U);
  EXPECT_EQ(s.session_count("S1").value(), 5U);

  const seal_state st = s.find_seal_state("S1").value();
  EXPECT_EQ(st.parts, 1U);
  EXPECT_EQ(st.sealed_entries, 5U);
  EXPECT_EQ(st.last_sealed_sequence, 5U);
  EXPECT_EQ(st.last_sealed_at, at_ms(9000));
  EXPECT_EQ(s.find_seal_state("S2").value(), seal_state{});
}

TEST_F(ScanStoreTest, NothingIsSealedTwiceAndLateScansMakeSupplementaryBatches) {
  auto s = open_store();
  record(s, {make_draft(1, "S1"), make_draft(2, "S1")});
  write_batch w;
  w.seals = {seal_of("S1")};
  ASSERT_TRUE(s.commit_batch(w, at_ms(10)).value().seals[0].has_value());
  // Nothing new: no batch.
  auto again = s.commit_batch(w, at_ms(20)).value();
  EXPECT_FALSE(again.seals[0].has_value());
  EXPECT_EQ(s.batches().value().size(), 1U);

  // An offline upload after the seal goes into part 2, with only the new scan.
  record(s, {make_draft(3, "S1"), make_draft(1, "S1")});  // member 1 is a duplicate
  auto late = s.commit_batch(w, at_ms(30)).value();
  ASSERT_TRUE(late.seals[0].has_value());
  EXPECT_EQ(late.seals[0]->batch_id, "JSXX2025/S1/2");
  EXPECT_EQ(late.seals[0]->part_kind(), batch_part_kind::supplementary);
  EXPECT_EQ(late.seals[0]->number, 2U);
  auto part2 = s.find_batch(2).value();
  ASSERT_TRUE(part2.has_value());
  ASSERT_EQ(part2->entries.size(), 1U);
  EXPECT_EQ(part2->entries[0].member, member_no{"3"});
  EXPECT_TRUE(s.outbox_from(0, 100).value().empty());
  EXPECT_EQ(s.find_seal_state("S1").value().sealed_entries, 3U);

  auto headers = s.batches(1).value();  // after batch 1
  ASSERT_EQ(headers.size(), 1U);
  EXPECT_EQ(headers[0].number, 2U);
  EXPECT_FALSE(s.find_batch(3).value().has_value());
}

TEST_F(ScanStoreTest, ASealInTheSameTransactionAsScansTakesOnlyEarlierOnes) {
  auto s = open_store();
  record(s, {make_draft(1, "S1")});
  write_batch w;
  w.seals = {seal_of("S1")};
  w.scans = {make_draft(2, "S1")};
  auto r = s.commit_batch(w, at_ms(5)).value();
  ASSERT_TRUE(r.seals[0].has_value());
  EXPECT_EQ(r.seals[0]->entry_count, 1U);
  ASSERT_EQ(s.outbox_from(0, 10).value().size(), 1U);
  EXPECT_EQ(s.outbox_from(0, 10).value()[0].scan.member, member_no{"2"});
}

TEST_F(ScanStoreTest, DeliveryRecordsAreStoredAndReplaced) {
  auto s = open_store();
  delivery_record d{.batch_number = 7,
                    .sink = "webhook",
                    .state = delivery_state::pending,
                    .attempts = 2,
                    .last_attempt_at = at_ms(100),
                    .next_attempt_at = at_ms(200),
                    .delivered_at = std::nullopt,
                    .last_error = "HTTP 503"};
  write_batch w;
  w.deliveries = {d};
  ASSERT_TRUE(s.commit_batch(w, at_ms(0)));
  EXPECT_EQ(s.find_delivery(7, "webhook").value(), d);
  EXPECT_FALSE(s.find_delivery(7, "db").value().has_value());

  d.state = delivery_state::delivered;
  d.attempts = 3;
  d.next_attempt_at.reset();
  d.delivered_at = at_ms(300);
  delivery_record other{.batch_number = 7, .sink = "db", .state = delivery_state::failed};
  w.deliveries = {d, other};
  ASSERT_TRUE(s.commit_batch(w, at_ms(0)));
  auto all = s.deliveries().value();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0], other);  // "db" sorts before "webhook" within batch 7
  EXPECT_EQ(all[1], d);

  w.deliveries = {delivery_record{.batch_number = 1, .sink = ""}};
  auto bad = s.commit_batch(w, at_ms(0));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), store_error::invalid_record);
}

TEST_F(ScanStoreTest, MembersUpsertGetIterate) {
  auto s = open_store();
  member_record a{.member = member_no{"5"},
                  .name = "佐藤 花子",
                  .status = member_status::active,
                  .password_hash = "$argon2id$v=19$...",
                  .updated_at = at_ms(1)};
  member_record b = a;
  b.member = member_no{"3"};
  b.name = "鈴木 一郎";
  write_batch w;
  w.members = {a, b};
  ASSERT_TRUE(s.commit_batch(w, at_ms(0)));

  EXPECT_EQ(s.find_member(member_no{"5"}).value(), a);
  EXPECT_EQ(s.find_member(member_no{"4"}).value(), std::nullopt);
  EXPECT_EQ(s.find_member_status(member_no{"5"}).value(), member_status::active);
  EXPECT_EQ(s.find_member_status(member_no{"4"}).value(), std::nullopt);
  EXPECT_EQ(s.find_member_status(member_no{std::string{"5\0", 2}}).value(), std::nullopt);

  a.status = member_status::inactive;
  a.updated_at = at_ms(2);
  w.members = {a};
  ASSERT_TRUE(s.commit_batch(w, at_ms(0)));
  EXPECT_EQ(s.find_member(member_no{"5"}).value(), a);
  EXPECT_EQ(s.find_member_status(member_no{"5"}).value(), member_status::inactive);

  auto all = s.members(std::nullopt, 100).value();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0], b);
  EXPECT_EQ(all[1], a);
  auto page = s.members(member_no{"3"}, 100).value();
  ASSERT_EQ(page.size(), 1U);
  EXPECT_EQ(page[0], a);
  EXPECT_EQ(s.members(std::nullopt, 1).value().size(), 1U);
}

TEST_F(ScanStoreTest, DataSurvivesReopen) {
  scan_record first;
  {
    auto s = open_store();
    first = record(s, {make_draft(1, "S1"), make_draft(2, "S1")})[0]->record;
    write_batch w;
    w.members = {member_record{.member = member_no{"1"}, .name = "A"}};
    ASSERT_TRUE(s.commit_batch(w, at_ms(0)));
  }
  auto s = open_store();
  EXPECT_EQ(s.find_scan(member_no{"1"}, "S1").value(), first);
  EXPECT_EQ(s.session_count("S1").value(), 2U);
  EXPECT_EQ(s.outbox_from(0, 10).value().size(), 2U);
  EXPECT_TRUE(s.find_member(member_no{"1"}).value().has_value());
  EXPECT_EQ(s.next_sequence().value(), 3U);
  auto again = record(s, {make_draft(3, "S1"), make_draft(1, "S1")});
  EXPECT_EQ(again[0]->record.sequence, 3U) << "sequences continue across restarts";
  EXPECT_EQ(again[1]->status, scan_status::duplicate);
}

TEST_F(ScanStoreTest, RefusesANewerSchema) {
  { auto s = open_store(); }
  {
    auto env = lmdb::env::open(dir_.path() / "db", {.map_size = std::size_t{64} << 20}).value();
    auto t = lmdb::txn::begin(env, lmdb::txn_mode::read_write).value();
    auto meta = lmdb::dbi::open_existing(t, "meta").value().value();
    ASSERT_TRUE(meta.put(t, keys::meta_schema_version, keys::be64(current_schema_version + 1)));
    ASSERT_TRUE(t.commit());
  }
  auto s = scan_store::open({.directory = dir_.path() / "db", .map_size = std::size_t{64} << 20});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), store_error::unsupported_schema);
}

// A version 1 store (before sealing existed) opens as the current version with its scans, and
// seals. Versions 1 and 2 indexed every scan in its own commit, as session_index_batch 1 does.
TEST_F(ScanStoreTest, UpgradesASchemaVersion1StoreInPlace) {
  {
    auto s = open_store_indexing_every(1);
    record(s, {make_draft(1, "S1")});
  }
  make_schema_version(1);
  auto s = open_store();
  EXPECT_TRUE(s.find_scan(member_no{"1"}, "S1").value().has_value());
  EXPECT_EQ(s.unindexed_scans().value(), 0U);
  EXPECT_EQ(s.session_attendance("S1").value().size(), 1U);
  write_batch w;
  w.seals = {seal_request{.session_id = "S1"}};
  auto sealed = s.commit_batch(w, at_ms(1)).value();
  ASSERT_TRUE(sealed.seals[0].has_value());
  EXPECT_EQ(sealed.seals[0]->number, 1U);
  EXPECT_EQ(sealed.seals[0]->entry_count, 1U);
}

// A version 2 store keeps its batch numbering; its index counts as complete, and scans recorded
// after the upgrade are found whether or not their index entries are written yet.
TEST_F(ScanStoreTest, UpgradesASchemaVersion2StoreInPlace) {
  {
    auto s = open_store_indexing_every(1);
    record(s, {make_draft(1, "S1"), make_draft(2, "S2")});
    write_batch w;
    w.seals = {seal_request{.session_id = "S2"}};
    ASSERT_EQ(s.commit_batch(w, at_ms(1)).value().seals[0]->number, 1U);
  }
  make_schema_version(2);
  auto s = open_store();
  EXPECT_EQ(s.unindexed_scans().value(), 0U);
  record(s, {make_draft(3, "S1")});
  EXPECT_EQ(s.unindexed_scans().value(), 1U);
  auto s1 = s.session_attendance("S1").value();
  ASSERT_EQ(s1.size(), 2U);
  EXPECT_EQ(s1[0].member, member_no{"1"});
  EXPECT_EQ(s1[1].member, member_no{"3"});
  write_batch w;
  w.seals = {seal_request{.session_id = "S1"}};
  auto sealed = s.commit_batch(w, at_ms(2)).value();
  ASSERT_TRUE(sealed.seals[0].has_value());
  EXPECT_EQ(sealed.seals[0]->number, 2U) << "batch numbers continue";
  EXPECT_EQ(sealed.seals[0]->entry_count, 2U);
}

// by_session is written once session_index_batch scans lack their entries; until then the
// attendance comes from the outbox, in the same order, and paging crosses the boundary.
TEST_F(ScanStoreTest, AttendanceIsTheSameBeforeAndAfterTheIndexIsWritten) {
  auto s = open_store_indexing_every(4);
  // Sequences 1..3: S1 m1, S2 m1, S1 m2 -> three unindexed.
  record(s, {make_draft(1, "S1"), make_draft(1, "S2"), make_draft(2, "S1")});
  EXPECT_EQ(s.unindexed_scans().value(), 3U);
  const auto before = s.session_attendance("S1").value();
  ASSERT_EQ(before.size(), 2U);
  EXPECT_EQ(before[0].member, member_no{"1"});
  EXPECT_EQ(before[1].member, member_no{"2"});

  // Sequence 4 makes four: this commit writes all of them.
  record(s, {make_draft(3, "S1")});
  EXPECT_EQ(s.unindexed_scans().value(), 0U);
  // Sequences 5, 6 stay in the outbox.
  record(s, {make_draft(2, "S2"), make_draft(4, "S1")});
  EXPECT_EQ(s.unindexed_scans().value(), 2U);

  const auto all = s.session_attendance("S1").value();
  ASSERT_EQ(all.size(), 4U);
  std::vector<std::uint64_t> sequences;
  for (const auto& r : all) sequences.push_back(r.sequence);
  EXPECT_EQ(sequences, (std::vector<std::uint64_t>{1, 3, 4, 6}));
  EXPECT_EQ(all[0], before[0]);
  EXPECT_EQ(all[1], before[1]);
  EXPECT_EQ(all[3].member, member_no{"4"});
  EXPECT_EQ(all[3], s.find_scan(member_no{"4"}, "S1").value());

  // Pages of one: each starts after the last sequence seen, on either side of the boundary.
  std::vector<std::uint64_t> paged;
  for (std::uint64_t after = 0;;) {
    auto page = s.session_attendance("S1", after, 1).value();
    if (page.empty()) break;
    ASSERT_EQ(page.size(), 1U);
    paged.push_back(page[0].sequence);
    after = page[0].sequence;
  }
  EXPECT_EQ(paged, sequences);
  EXPECT_EQ(s.session_attendance("S1", 0, 3).value().size(), 3U);
  auto s2 = s.session_attendance("S2").value();
  ASSERT_EQ(s2.size(), 2U);
  EXPECT_EQ(s2[0].sequence, 2U);
  EXPECT_EQ(s2[1].sequence, 5U);
  EXPECT_TRUE(s.session_attendance("S").value().empty()) << "a prefix of a session id is not it";
}

// An unindexed scan missing from the outbox would be skipped for good by the index write:
// the commit fails as corrupted instead, and writes nothing.
TEST_F(ScanStoreTest, AnUnindexedScanMissingFromTheOutboxFailsTheIndexWrite) {
  {
    auto s = open_store_indexing_every(100);
    record(s, {make_draft(1, "S1"), make_draft(2, "S1"), make_draft(3, "S1")});
  }
  {
    auto env = lmdb::env::open(dir_.path() / "db", {.map_size = std::size_t{64} << 20}).value();
    auto t = lmdb::txn::begin(env, lmdb::txn_mode::read_write).value();
    auto outbox = lmdb::dbi::open_existing(t, "outbox").value().value();
    ASSERT_TRUE(outbox.del(t, keys::outbox_key(2)).value());
    ASSERT_TRUE(t.commit());
  }
  auto s = open_store_indexing_every(100);
  write_batch w;
  w.seals = {seal_request{.session_id = "S1"}};
  auto sealed = s.commit_batch(w, at_ms(5));
  ASSERT_FALSE(sealed);
  EXPECT_EQ(sealed.error(), store_error::corrupted);
  EXPECT_EQ(s.unindexed_scans().value(), 3U) << "the failed commit moved no mark";
}

TEST_F(ScanStoreTest, UnindexedScansSurviveReopenAndASealIndexesThemFirst) {
  {
    auto s = open_store_indexing_every(100);
    record(s, {make_draft(1, "S1"), make_draft(2, "S1"), make_draft(1, "S2")});
    EXPECT_EQ(s.unindexed_scans().value(), 3U);
  }
  auto s = open_store_indexing_every(100);
  EXPECT_EQ(s.unindexed_scans().value(), 3U);
  EXPECT_EQ(s.session_attendance("S1").value().size(), 2U);

  write_batch w;
  w.seals = {seal_request{.session_id = "S1"}};
  w.scans = {make_draft(3, "S1")};
  auto r = s.commit_batch(w, at_ms(5)).value();
  ASSERT_TRUE(r.seals[0].has_value());
  EXPECT_EQ(r.seals[0]->entry_count, 2U);
  EXPECT_EQ(s.unindexed_scans().value(), 1U) << "only the scan after the seal";
  // Sealed scans left the outbox; they are listed from the index now.
  auto s1 = s.session_attendance("S1").value();
  ASSERT_EQ(s1.size(), 3U);
  EXPECT_EQ(s1[2].member, member_no{"3"});
  EXPECT_EQ(s.session_attendance("S2").value().size(), 1U);
}

TEST_F(ScanStoreTest, RefusesAnEnvironmentThatIsNotAScanStore) {
  {
    std::filesystem::create_directories(dir_.path() / "db");
    auto env = lmdb::env::open(dir_.path() / "db", {.map_size = std::size_t{64} << 20}).value();
    auto t = lmdb::txn::begin(env, lmdb::txn_mode::read_write).value();
    auto other = lmdb::dbi::open_or_create(t, "something_else").value();
    ASSERT_TRUE(other.put(t, "k", "v"));
    ASSERT_TRUE(t.commit());
  }
  auto s = scan_store::open({.directory = dir_.path() / "db", .map_size = std::size_t{64} << 20});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), store_error::unsupported_schema);
}

std::vector<scan_draft> drafts_for(std::uint64_t first_member, std::size_t n) {
  std::vector<scan_draft> out;
  for (std::size_t i = 0; i < n; ++i) {
    scan_draft d = make_draft(first_member + i, "S-map");
    d.device_id = std::string(100, 'd');  // bulk, so the map fills quickly
    out.push_back(std::move(d));
  }
  return out;
}

TEST_F(ScanStoreTest, GrowsTheMapWithinItsLimit) {
  constexpr std::size_t small = std::size_t{256} << 10;
  auto s = open_store(small, std::size_t{64} << 20);
  write_batch b;
  b.scans = drafts_for(1, 5000);
  auto r = s.commit_batch(b, at_ms(0));
  ASSERT_TRUE(r) << to_string(r.error());
  auto stats = s.stats().value();
  EXPECT_GT(stats.map_grows, 0U);
  EXPECT_GT(stats.map_size, small);
  EXPECT_EQ(s.session_count("S-map").value(), 5000U);
}

TEST_F(ScanStoreTest, MapFullFailsTheWholeBatchAndRecoversWhenTheLimitRises) {
  constexpr std::size_t small = std::size_t{256} << 10;
  auto s = open_store(small, small);
  std::uint64_t next_member = 1;
  std::size_t committed = 0;
  std::optional<write_batch> failed;
  for (int i = 0; i < 1000 && !failed; ++i) {
    write_batch b;
    b.scans = drafts_for(next_member, 50);
    next_member += 50;
    auto r = s.commit_batch(b, at_ms(i));
    if (r) {
      committed += 50;
    } else {
      EXPECT_EQ(r.error(), store_error::map_full);
      failed = std::move(b);
    }
  }
  ASSERT_TRUE(failed) << "a 256 KiB map must fill";
  ASSERT_GT(committed, 0U);

  // Nothing of the failed batch is visible; everything before it is intact.
  for (const scan_draft& d : failed->scans) {
    EXPECT_FALSE(s.find_scan(d.member, d.session_id).value()) << d.member.value;
  }
  EXPECT_EQ(s.session_count("S-map").value(), committed);
  EXPECT_EQ(s.next_sequence().value(), committed + 1);
  EXPECT_EQ(s.session_attendance("S-map").value().size(), committed);
  EXPECT_EQ(s.stats().value().map_grows, 0U);

  s.set_map_size_limit(std::size_t{64} << 20);
  auto retried = s.commit_batch(*failed, at_ms(0));
  ASSERT_TRUE(retried);
  for (const scan_result& r : retried->scans) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, scan_status::recorded);
  }
  EXPECT_EQ(s.session_count("S-map").value(), committed + failed->scans.size());
}

}  // namespace
}  // namespace checkin::store
