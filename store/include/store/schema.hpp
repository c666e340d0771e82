#pragma once
// Versioning of the database layout, and the growth rule for the memory map: both pure.
// The schema version names the set of databases and their key encodings; record formats evolve
// separately through their leading format byte (record_codec.hpp).

#include <cstddef>
#include <cstdint>
#include <optional>

namespace checkin::store {

// 1: members, scans, by_session, outbox, session_counts.
// 2: adds batches, batch_entries, session_seals, deliveries and meta/next_batch (sealing).
// 3: adds meta/indexed_through: by_session is written in bulk, and the scans after that sequence
//    are read from the outbox. A version 2 binary would miss them, hence the new version.
inline constexpr std::uint64_t current_schema_version = 3;

enum class schema_action : std::uint8_t {
  initialize,  // an empty environment: create the databases and write the version
  open,        // the stored version is this build's
  upgrade,     // version 1 or 2: add what the later versions add, keep everything else
  refuse,      // newer, older without a migration, or an environment that is not ours
};

enum class environment_contents : std::uint8_t { empty, not_empty };

// stored_version: the meta database's schema_version, nullopt when there is no meta database or
// no version in it.
[[nodiscard]] schema_action decide_schema(std::optional<std::uint64_t> stored_version,
                                          environment_contents contents) noexcept;

// The map size to grow to after MDB_MAP_FULL: double, capped at `limit`; nullopt when the map is
// already at (or past) the limit.
[[nodiscard]] std::optional<std::size_t> grown_map_size(std::size_t current,
                                                        std::size_t limit) noexcept;

}  // namespace checkin::store
