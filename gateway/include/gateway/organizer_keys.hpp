#pragma once
// Organizer API keys: long random secrets given to program committees and venue staff. The
// config holds only their SHA-256, so a leaked config file does not leak a key. A key opens the
// organizer routes (/v1/sessions..., /v1/sync/status, /v1/credits) and nothing else; member
// bearer tokens do not open them.

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
// Lower-case hex SHA-256 of the key text: what goes into [[organizers.keys]] sha256.
[[nodiscard]] std::string organizer_key_digest(std::string_view key);

}  // namespace checkin::gateway
