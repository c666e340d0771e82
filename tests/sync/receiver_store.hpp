#pragma once
// The fault receiver's durable memory: every batch it accepted, one file per batch id, and a
// log of accepted and duplicate deliveries. Survives kill -9, so a restarted receiver still
// knows what it has (which is what makes a redelivery a duplicate and not a second copy).

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace checkin::testing {

enum class store_outcome : std::uint8_t {
  stored,     // new: written and synced before this returns
  duplicate,  // the same batch id with the same bytes was already here
  conflict,   // the same batch id with different bytes: the sender broke the contract
};

class receiver_store {
 public:
  // Creates `dir` if needed and reloads the counters from its log.
  explicit receiver_store(std::filesystem::path dir);

  [[nodiscard]] store_outcome put(std::string_view batch_id, std::string_view body);

  // Since the state directory was created, across restarts.
  [[nodiscard]] std::uint64_t accepted() const noexcept { return accepted_; }
  [[nodiscard]] std::uint64_t duplicates() const noexcept { return duplicates_; }

  // "<batch id>.json" with every byte outside [A-Za-z0-9.-] written as _XX (hex), so the name
  // is safe and two ids never share a file: "JSCNM2026/S01/1" → "JSCNM2026_2FS01_2F1.json".
  [[nodiscard]] static std::string file_name(std::string_view batch_id);
  // Every stored body, keyed by file name; reads the directory (the receiver may be down).
  [[nodiscard]] static std::map<std::string, std::string> read_all(
      const std::filesystem::path& dir);
  // The log's name inside the state directory: lines "accepted <id>" / "duplicate <id>".
  static constexpr std::string_view log_name = "deliveries.log";

 private:
  void log(std::string_view what, std::string_view batch_id);

  std::filesystem::path dir_;
  std::uint64_t accepted_ = 0;
  std::uint64_t duplicates_ = 0;
};

}  // namespace checkin::testing
