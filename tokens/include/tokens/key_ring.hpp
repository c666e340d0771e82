#pragma once
// The public keys a verifier trusts, by key id. Rotation: a new key is added as active;
// posters signed by the old key keep verifying until the old key is marked retired.

#include "tokens/signing_key.hpp"
#include "tokens/token_error.hpp"

#include <boost/system/result.hpp>
#include <map>

namespace checkin::tokens {

enum class key_status { active, retired };

class key_ring {
 public:
  // Adding a key already in the ring updates its status. Throws std::invalid_argument when
  // a different key has the same key id (a 32-bit collision: rotate to a new key).
  void add(const public_key& pk, key_status status = key_status::active);
  // Marks a key retired; returns false when the id is not in the ring.
  bool retire(key_id id);

  // The key for `id`, or unknown_key / retired_key. Returned by value (32 bytes): Boost 1.81's
  // result<> cannot hold a reference.
  [[nodiscard]] boost::system::result<public_key, token_error> find(key_id id) const;
  [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }

 private:
  struct entry {
    public_key key;
    key_status status;
  };
  std::map<key_id, entry> keys_;
};

}  // namespace checkin::tokens
