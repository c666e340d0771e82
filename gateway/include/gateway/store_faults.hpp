#pragma once
// How the gateway reports a failing store: which HTTP answer a failed read gets, and the log
// lines that name the data file and the cause. Scans answer through app_scans' own mapping.

#include "gateway/http_types.hpp"
#include "store/store_error.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string_view>

namespace checkin::gateway {

// The store's folder inside the gateway's data folder (data_dir/db).
[[nodiscard]] std::filesystem::path store_directory(const std::filesystem::path& data_dir);

// What a request whose store read failed is answered. A damaged store (corrupted, incompatible,
// an unknown schema, a bug) answers 500: retrying cannot help, and a Retry-After would tell
// dashboards to poll a broken store forever. The rest (too many readers, memory, an I/O error
// that may pass) answer 503 with Retry-After.
struct store_fault_answer {
  api_error error = api_error::unavailable;
  std::chrono::seconds retry_after{0};  // 0 with a 500
};
[[nodiscard]] store_fault_answer answer_for(store::store_error e) noexcept;

// Logs the failed read at error level, naming the data file, the cause and `what` was read
// (e.g. "GET /v1/sessions"), and returns answer_for's response.
[[nodiscard]] response store_read_failure(store::store_error e,
                                          const std::filesystem::path& data_file,
                                          std::string_view what);

// For committer_options::on_outcome_change: logs the first failed commit of a run (error level,
// with what happens to writes from now on) and the first success after failures (warning).
// `poisoned`: scan_store::poisoned_by() after that commit.
void log_commit_outcome(std::optional<store::store_error> outcome,
                        std::optional<store::store_error> poisoned,
                        const std::filesystem::path& data_file);

}  // namespace checkin::gateway
