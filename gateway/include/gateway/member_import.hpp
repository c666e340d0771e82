#pragma once
// Loads a parsed roster into the store: hashes initial passwords (in parallel: argon2id
// is deliberately slow) and upserts every member in one transaction, so an import is all
// or nothing. Re-importing updates names, statuses and passwords.

#include "gateway/password.hpp"
#include "gateway/roster_csv.hpp"
#include "store/scan_store.hpp"

#include <cstddef>
#include <functional>

namespace checkin::gateway {

struct import_summary {
  std::size_t members = 0;
  std::size_t active = 0;
  std::size_t inactive = 0;
  std::size_t hashed = 0;  // initial passwords hashed on import
};

// Throws std::runtime_error when the store cannot commit (nothing is written then).
// `progress(done, total)` is called as passwords are hashed (may be empty).
[[nodiscard]] import_summary import_roster(std::vector<roster_row> rows, store::scan_store& store,
                                           pwhash_cost cost, unsigned threads,
                                           const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace checkin::gateway
