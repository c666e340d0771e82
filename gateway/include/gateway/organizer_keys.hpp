#pragma once
// API keys: long random secrets given to program committees (organizer keys, "org_...") and to
// the staff who set up projectors (display keys, "dsp_..."). The config holds only their
// SHA-256, so a leaked config file does not leak a key. An organizer key opens the organizer
// routes (/v1/sessions..., /v1/sync/status, /v1/credits) and the display routes; a display key
// opens only the display routes. Member bearer tokens open neither.

#include "gateway/config.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkin::gateway {

class organizer_keys {
 public:
  explicit organizer_keys(const std::vector<organizer_key>& keys);

  // The name of the key `presented` is, or nullopt. Compares the digest against every key in
  // constant time, so timing does not reveal which keys exist.
  [[nodiscard]] std::optional<std::string> match(std::string_view presented) const;
  [[nodiscard]] bool empty() const noexcept { return keys_.empty(); }

 private:
  struct entry {
    std::string name;
    std::array<unsigned char, 32> digest{};
  };
  std::vector<entry> keys_;
};

// A new key: "org_" and 52 base32 characters (32 random bytes).
[[nodiscard]] std::string new_organizer_key();
// The same with "dsp_", for [[display.keys]].
[[nodiscard]] std::string new_display_key();
// Lower-case hex SHA-256 of the key text: what goes into [[organizers.keys]] (or
// [[display.keys]]) sha256.
[[nodiscard]] std::string organizer_key_digest(std::string_view key);

}  // namespace checkin::gateway
