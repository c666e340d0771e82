#include "gateway/store_faults.hpp"

#include <spdlog/spdlog.h>

namespace checkin::gateway {

std::filesystem::path store_directory(const std::filesystem::path& data_dir) {
  return data_dir / "db";
}

store_fault_answer answer_for(store::store_error e) noexcept {
  using store::store_error;
  switch (e) {
    case store_error::corrupted:
    case store_error::incompatible:
    case store_error::unsupported_schema:
    case store_error::truncated:
    case store_error::internal:
      return {api_error::internal, std::chrono::seconds{0}};
    default:
      return {api_error::unavailable, std::chrono::seconds{2}};
  }
}

response store_read_failure(store::store_error e, const std::filesystem::path& data_file,
                            std::string_view what) {
  spdlog::error("{}: {}: the store cannot be read: {} ({})", data_file.string(), what,
                store::to_string(e), store::make_error_code(e).message());
  const auto a = answer_for(e);
  if (a.error == api_error::unavailable) {
    return error_response(a.error, "the store cannot be read", a.retry_after);
  }
  return error_response(a.error, "the store cannot be read");
}

void log_commit_outcome(std::optional<store::store_error> outcome,
                        std::optional<store::store_error> poisoned,
                        const std::filesystem::path& data_file) {
  if (!outcome) {
    // Warning, not info: it closes the error episode, and a warn-level log must show both ends.
    spdlog::warn("{}: commits succeed again", data_file.string());
    return;
  }
  if (*outcome == store::store_error::poisoned) return;  // said when writes stopped
  const auto cause = store::to_string(*outcome);
  const auto text = store::make_error_code(*outcome).message();
  if (poisoned) {
    spdlog::error(
        "{}: a commit failed: {} ({}); the store takes no more writes (scans answer 503, "
        "/healthz 503) until the gateway is restarted: after a failed write or flush the page "
        "cache cannot be trusted. Check the disk (dmesg), then restart; acknowledged scans are "
        "on disk",
        data_file.string(), cause, text);
    return;
  }
  spdlog::error("{}: a commit failed: {} ({}); scans answer 503 while this lasts",
                data_file.string(), cause, text);
}

}  // namespace checkin::gateway
