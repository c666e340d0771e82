#pragma once
// The scan store: members, scans, the per-session index, the outbox and per-session counters in
// one LMDB environment. Reads are safe from any thread at any time. Writes go through
// commit_batch, one synced transaction per call; the group committer is its single caller in the
// server. See docs/storage.md for the layout.

#include "store/records.hpp"
#include "store/scan_resolution.hpp"
#include "store/store_error.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace checkin::store {

namespace detail {
struct scan_store_state;
}

inline constexpr std::size_t gib = std::size_t{1} << 30;

// What open() does with a zero-length data.mdb, which LMDB would silently make a new, empty
// environment.
enum class empty_data_file : std::uint8_t {
  create,  // a first start that died before LMDB wrote its meta pages: start afresh
  refuse,  // the caller knows a store was here: fail with `truncated` rather than replace it
};

struct store_options {
  std::filesystem::path directory{};  // created if missing
  std::size_t map_size = 4 * gib;
  // On MDB_MAP_FULL the map doubles up to this; set it to map_size to never grow.
  std::size_t map_size_limit = 16 * gib;
  unsigned max_readers = 126;
  // by_session is written in bulk: a commit that leaves this many scans or more without their
  // index entries adds them all, read back from the outbox, and until then readers take those
  // scans from the outbox. With many sessions open at once, writing each scan's entry in its own
  // commit dirtied one index page per session per commit. 1: every commit writes its own.
  std::uint32_t session_index_batch = 1024;
  empty_data_file on_empty_data_file = empty_data_file::create;
};

// Everything one write transaction does. Applied in this order: member upserts, delivery
// records, seals, scans (so a seal takes exactly the scans committed before this transaction).
struct write_batch {
  std::vector<member_record> members;
  std::vector<delivery_record> deliveries;  // stored as given, replacing the batch/sink record
  std::vector<seal_request> seals;
  std::vector<scan_draft> scans;
};

struct batch_result {
  // One per write_batch::seals: the new batch's header, or nullopt when the session had no
  // unsealed scans (no batch is made).
  std::vector<std::optional<batch_header>> seals;
  std::vector<scan_result> scans;  // one per write_batch::scans, same order
};

struct store_stats {
  std::size_t map_size = 0;
  std::size_t map_size_limit = 0;
  std::size_t used_bytes = 0;
  std::uint64_t map_grows = 0;
};

class scan_store {
 public:
  // Opens or creates the environment. unsupported_schema when it holds a schema version other
  // than current_schema_version, or data that is not a scan store. truncated when data.mdb is
  // shorter than the pages its meta page says it holds (checked before any of them is read), or
  // empty and options.on_empty_data_file is refuse.
  [[nodiscard]] static result<scan_store> open(const store_options& options);
  // The LMDB data file of the store in `directory`.
  [[nodiscard]] static std::filesystem::path data_file(const std::filesystem::path& directory);

  scan_store(scan_store&&) noexcept;
  scan_store& operator=(scan_store&&) noexcept;
  scan_store(const scan_store&) = delete;
  scan_store& operator=(const scan_store&) = delete;
  ~scan_store();

  // ---- writes -----------------------------------------------------------------------------------
  // Applies the whole batch in one write transaction and commits it with fsync; returns only after
  // the commit is durable. Scans resolve as resolve_scans() says, with `recorded_at` stamped on
  // each new record. On MDB_MAP_FULL the map grows (see store_options) and the batch is retried.
  // On any error nothing of the batch is written and the error is returned.
  [[nodiscard]] result<batch_result> commit_batch(const write_batch& batch,
                                                  unix_millis recorded_at);
  // Raises or lowers the growth ceiling from now on; thread-safe.
  void set_map_size_limit(std::size_t bytes) noexcept;
  // The error of the commit that stopped writes (decide_after_failed_commit), or nullopt while
  // writes are taken. Once set, commit_batch fails with `poisoned` without touching the file,
  // until the store is opened again; reads go on. Thread-safe.
  [[nodiscard]] std::optional<store_error> poisoned_by() const noexcept;

  // ---- reads: one read-only transaction each; results are copies
  // ---------------------------------
  [[nodiscard]] result<std::optional<member_record>> find_member(const member_no& member) const;
  // find_member's status alone, without copying the record: the check on every scan.
  [[nodiscard]] result<std::optional<member_status>> find_member_status(
      const member_no& member) const;
  // Members in byte order of their numbers ("10" before "9"), starting after `after` (from the
  // first when nullopt).
  [[nodiscard]] result<std::vector<member_record>> members(std::optional<member_no> after,
                                                           std::size_t limit) const;

  [[nodiscard]] result<std::optional<scan_record>> find_scan(const member_no& member,
                                                             std::string_view session_id) const;
  // A member's scans, ordered by session id. Lookups by a number that cannot be stored (empty,
  // over 255 bytes, holding 0x00) find nothing.
  [[nodiscard]] result<std::vector<scan_record>> member_scans(const member_no& member) const;
  // A session's scans in the order they were recorded, those with sequence > after_sequence:
  // from by_session, then the unindexed ones from the outbox.
  [[nodiscard]] result<std::vector<scan_record>> session_attendance(
      std::string_view session_id, std::uint64_t after_sequence = 0,
      std::size_t limit = std::numeric_limits<std::size_t>::max()) const;
  // Scans recorded for the session (duplicates not counted).
  [[nodiscard]] result<std::uint64_t> session_count(std::string_view session_id) const;

  // Recorded counts of every session with scans, in session id byte order.
  [[nodiscard]] result<std::vector<std::pair<std::string, std::uint64_t>>> session_counts() const;

  // Outbox entries (recorded, not yet sealed) with sequence >= first_sequence, in sequence order.
  [[nodiscard]] result<std::vector<outbox_entry>> outbox_from(std::uint64_t first_sequence,
                                                              std::size_t limit) const;
  // The sequence number the next recorded scan will get (sequences start at 1).
  [[nodiscard]] result<std::uint64_t> next_sequence() const;
  // Recorded scans whose by_session entries are not written yet (store_options::
  // session_index_batch); session_attendance finds them in the outbox meanwhile.
  [[nodiscard]] result<std::uint64_t> unindexed_scans() const;

  // ---- sealed batches and their delivery (scan_store_batches.cpp) ------------------------------
  // A session's sealing so far (all zero when nothing was sealed).
  [[nodiscard]] result<seal_state> find_seal_state(std::string_view session_id) const;
  // Every session that has sealed at least one batch, in session id byte order.
  [[nodiscard]] result<std::vector<std::pair<std::string, seal_state>>> seal_states() const;
  // Batch headers with number > after_number, in seal order.
  [[nodiscard]] result<std::vector<batch_header>> batches(
      std::uint64_t after_number = 0,
      std::size_t limit = std::numeric_limits<std::size_t>::max()) const;
  // A batch with its entries; nullopt when there is no batch with that number.
  [[nodiscard]] result<std::optional<sealed_batch>> find_batch(std::uint64_t number) const;
  // Every delivery record, ordered by batch number, then sink name.
  [[nodiscard]] result<std::vector<delivery_record>> deliveries() const;
  [[nodiscard]] result<std::optional<delivery_record>> find_delivery(std::uint64_t number,
                                                                     std::string_view sink) const;

  [[nodiscard]] result<store_stats> stats() const;

 private:
  using state = detail::scan_store_state;
  explicit scan_store(std::unique_ptr<state> s) noexcept;
  [[nodiscard]] result<batch_result> try_commit(const write_batch& batch, unix_millis recorded_at);
  [[nodiscard]] status grow_map(std::size_t bytes);

  std::unique_ptr<state> state_;
};

}  // namespace checkin::store
