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
  void add(const public_key& pk, key_status status = key_status::active);
  // Marks a key retired; returns false when the id is not in the ring.
  bool retire(key_id id);

  // The key for `id`, or unknown_key / retired_key.
  [[nodiscard]] boost::system::result<const public_key&, token_error> find(key_id id) const;
  [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }

 private:
  struct entry {
    public_key key;
    key_status status;
  };
  std::map<key_id, entry> keys_;
};

}  // namespace checkin::tokens
