// The RAII wrapper and the error vocabulary.

#include "store_test_support.hpp"

#include <store/lmdb.hpp>
#include <store/store_error.hpp>
#include <store/unique_callback.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <set>
#include <string>

namespace checkin::store {
namespace {

using testing::temp_dir;

constexpr store_error all_errors[] = {
    store_error::map_full,      store_error::disk_full,      store_error::io_error,
    store_error::corrupted,     store_error::incompatible,   store_error::unsupported_schema,
    store_error::readers_full,  store_error::txn_full,       store_error::access_denied,
    store_error::out_of_memory, store_error::invalid_record, store_error::overloaded,
    store_error::shutting_down, store_error::internal,
};

TEST(StoreError, StringCodesAreStableAndDistinct) {
  std::set<std::string_view> seen;
  for (store_error e : all_errors) {
    EXPECT_TRUE(seen.insert(to_string(e)).second) << to_string(e);
  }
  // Shipped codes: the HTTP layer and dashboards match on these.
  EXPECT_EQ(to_string(store_error::map_full), "map_full");
  EXPECT_EQ(to_string(store_error::disk_full), "disk_full");
  EXPECT_EQ(to_string(store_error::io_error), "io_error");
  EXPECT_EQ(to_string(store_error::corrupted), "corrupted");
  EXPECT_EQ(to_string(store_error::unsupported_schema), "unsupported_schema");
  EXPECT_EQ(to_string(store_error::shutting_down), "shutting_down");
}

TEST(StoreError, MapsLmdbAndErrnoCodes) {
  EXPECT_EQ(store_error_from_code(MDB_MAP_FULL), store_error::map_full);
  EXPECT_EQ(store_error_from_code(ENOSPC), store_error::disk_full);
  EXPECT_EQ(store_error_from_code(EDQUOT), store_error::disk_full);
  EXPECT_EQ(store_error_from_code(EIO), store_error::io_error);
  EXPECT_EQ(store_error_from_code(MDB_CORRUPTED), store_error::corrupted);
  EXPECT_EQ(store_error_from_code(MDB_PAGE_NOTFOUND), store_error::corrupted);
  EXPECT_EQ(store_error_from_code(MDB_PANIC), store_error::corrupted);
  EXPECT_EQ(store_error_from_code(MDB_INVALID), store_error::corrupted);
  EXPECT_EQ(store_error_from_code(MDB_VERSION_MISMATCH), store_error::incompatible);
  EXPECT_EQ(store_error_from_code(MDB_READERS_FULL), store_error::readers_full);
  EXPECT_EQ(store_error_from_code(MDB_TXN_FULL), store_error::txn_full);
  EXPECT_EQ(store_error_from_code(MDB_BAD_VALSIZE), store_error::invalid_record);
  EXPECT_EQ(store_error_from_code(EACCES), store_error::access_denied);
  EXPECT_EQ(store_error_from_code(EROFS), store_error::access_denied);
  EXPECT_EQ(store_error_from_code(ENOMEM), store_error::out_of_memory);
  EXPECT_EQ(store_error_from_code(MDB_BAD_TXN), store_error::internal);
  // A miss never travels as an error; if one does, it is a bug.
  EXPECT_EQ(store_error_from_code(MDB_NOTFOUND), store_error::internal);
}

TEST(StoreError, ErrorCodeAndThrowingAccess) {
  std::error_code ec = store_error::disk_full;
  EXPECT_EQ(ec.category().name(), std::string{"checkin.store"});
  EXPECT_EQ(ec.message(), "disk is full");
  result<int> failed = store_error::map_full;
  try {
    (void)failed.value();
    FAIL() << "value() of an error result must throw";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), make_error_code(store_error::map_full));
  }
}

class LmdbTest : public ::testing::Test {
 protected:
  lmdb::env open_env(std::size_t map_size = std::size_t{1} << 24) {
    return lmdb::env::open(dir_.path(), {.map_size = map_size, .flags = MDB_NOTLS}).value();
  }
  temp_dir dir_;
};

TEST_F(LmdbTest, PutGetAndMissIsAValue) {
  auto env = open_env();
  {
    auto t = lmdb::txn::begin(env, lmdb::txn_mode::read_write).value();
    auto d = lmdb::dbi::open_or_create(t, "things").value();
    EXPECT_EQ(d.put(t, "k1", "v1").value(), lmdb::put_outcome::written);
    ASSERT_TRUE(t.commit());
    EXPECT_FALSE(t.live()) << "commit releases the handle";
  }
  auto t = lmdb::txn::begin(env, lmdb::txn_mode::read_only).value();
  auto d = lmdb::dbi::open_existing(t, "things").value();
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->get(t, "k1").value(), std::optional<std::string_view>{"v1"});
  EXPECT_EQ(d->get(t, "nope").value(), std::nullopt);
  EXPECT_EQ(lmdb::dbi::open_existing(t, "absent").value(), std::nullopt);
}

TEST_F(LmdbTest, DestructorAbortsAnUncommittedTransaction) {
  auto env = open_env();
  {
    auto t = lmdb::txn::begin(env, lmdb::txn_mode::read_write).value();
    auto d = lmdb::dbi::open_or_create(t, "things").value();
    ASSERT_TRUE(d.put(t, "kept", "1"));
    ASSERT_TRUE(t.commit());
  }
  {
    auto t = lmdb::txn::begin(env, lmdb::txn_mode::read_write).value();
    auto d = lmdb::dbi::open_existing(t, "things").value();
    ASSERT_TRUE(d->put(t, "dropped", "2"));
    lmdb::txn moved = std::move(t);
    EXPECT_FALSE(t.live());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    EXPECT_TRUE(moved.live());
  }  // aborted here
  auto t = lmdb::txn::begin(env, lmdb::txn_mode::read_only).value();
  auto d = lmdb::dbi::open_existing(t, "things").value();
  EXPECT_TRUE(d->get(t, "kept").value().has_value());
  EXPECT_FALSE(d->get(t, "dropped").value().has_value());
}

TEST_F(LmdbTest, NoOverwriteAndDelete) {
  auto env = open_env();
  auto t = lmdb::txn::begin(env, lmdb::txn_mode::read_write).value();
  auto d = lmdb::dbi::open_or_create(t, "things").value();
  EXPECT_EQ(d.put(t, "k", "first", lmdb::put_mode::no_overwrite).value(),
            lmdb::put_outcome::written);
  EXPECT_EQ(d.put(t, "k", "second", lmdb::put_mode::no_overwrite).value(),
            lmdb::put_outcome::key_existed);
  EXPECT_EQ(d.get(t, "k").value(), std::optional<std::string_view>{"first"});
  EXPECT_TRUE(d.del(t, "k").value());
  EXPECT_FALSE(d.del(t, "k").value());
  EXPECT_EQ(d.entries(t).value(), 0U);
}

TEST_F(LmdbTest, CursorWalksInKeyOrderAndErasesAcrossPages) {
  auto env = open_env();
  auto t = lmdb::txn::begin(env, lmdb::txn_mode::read_write).value();
  auto d = lmdb::dbi::open_or_create(t, "numbers").value();
  constexpr int count = 5000;  // spans many pages
  for (int i = 0; i < count; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "%06d", i);
    ASSERT_TRUE(d.put(t, key, std::string(40, 'x')));
  }
  {
    auto c = lmdb::cursor::open(t, d).value();
    auto e = c.lower_bound("002500").value();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key, "002500");
    EXPECT_EQ(c.prev().value()->key, "002499");
    EXPECT_EQ(c.last().value()->key, "004999");
    EXPECT_EQ(c.next().value(), std::nullopt);
    EXPECT_EQ(c.lower_bound("999999").value(), std::nullopt);

    // Erase every even key: after erase() the next next() is the following entry.
    int erased = 0;
    for (auto at = c.first().value(); at; at = c.next().value()) {
      if ((std::stoi(std::string{at->key}) % 2) == 0) {
        ASSERT_TRUE(c.erase());
        ++erased;
      }
    }
    EXPECT_EQ(erased, count / 2);
  }
  EXPECT_EQ(d.entries(t).value(), static_cast<std::size_t>(count / 2));
  {
    auto c = lmdb::cursor::open(t, d).value();
    int expected = 1;
    for (auto at = c.first().value(); at; at = c.next().value(), expected += 2) {
      ASSERT_EQ(std::stoi(std::string{at->key}), expected);
    }
    EXPECT_EQ(expected, count + 1);
  }
  ASSERT_TRUE(t.commit());
}

TEST_F(LmdbTest, MapFullIsTypedAndLeavesCommittedDataIntact) {
  auto env = open_env(std::size_t{1} << 17);  // 128 KiB
  {
    auto t = lmdb::txn::begin(env, lmdb::txn_mode::read_write).value();
    auto d = lmdb::dbi::open_or_create(t, "things").value();
    ASSERT_TRUE(d.put(t, "committed", "yes"));
    ASSERT_TRUE(t.commit());
  }
  auto t = lmdb::txn::begin(env, lmdb::txn_mode::read_write).value();
  auto d = lmdb::dbi::open_existing(t, "things").value().value();
  status last;
  for (int i = 0; i < 10000 && last; ++i) {
    auto put = d.put(t, "key" + std::to_string(i), std::string(200, 'v'));
    if (!put) last = put.error();
  }
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error(), store_error::map_full);
  t.abort();

  auto r = lmdb::txn::begin(env, lmdb::txn_mode::read_only).value();
  EXPECT_TRUE(d.get(r, "committed").value().has_value());
  EXPECT_FALSE(d.get(r, "key0").value().has_value());
}

TEST(LmdbOpen, MissingDirectoryIsAnIoError) {
  auto env = lmdb::env::open("/nonexistent/checkin/store", {});
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error(), store_error::io_error);
}

TEST(UniqueCallback, HoldsMoveOnlyState) {
  auto owned = std::make_unique<int>(41);
  unique_callback<int(int)> add{[p = std::move(owned)](int x) { return *p + x; }};
  unique_callback<int(int)> moved = std::move(add);
  EXPECT_FALSE(add);  // NOLINT(bugprone-use-after-move)
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved(1), 42);
}

}  // namespace
}  // namespace checkin::store
